/**
 * The layers hold through the repository's own ESLint configuration: a snippet placed in a folder is
 * linted as `npm run lint` would lint it there, and a wrong-way import must fail.
 */
import path from 'node:path';
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

const root = path.resolve(import.meta.dirname, '..');
const eslint = new ESLint({ cwd: root });

/** The layer rule's messages for `code` as if it were the file `file` (relative to the repository). */
async function layerErrors(file: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: path.join(root, file) });
  return result.messages.filter((m) => m.ruleId === 'richscope/layers').map((m) => m.message);
}

/** Snippets: a value import, a type-only import, a re-export and a dynamic import of `source`. */
const value = (source: string) => `import * as m from '${source}';\nexport const n = m;`;
const types = (source: string) => `import type * as m from '${source}';\nexport type N = typeof m;`;
const reexport = (source: string) => `export * from '${source}';`;
const dynamic = (source: string) => `export const load = () => import('${source}');`;

describe('layers (npm run lint)', () => {
  it.each([
    ['core may not import state', 'src/core/probe.ts', value('../state/store')],
    ['core may not re-export state', 'src/core/probe.ts', reexport('../state/store')],
    ['core takes not even types from workers', 'src/core/probe.ts', types('../../workers/analysis.worker')],
    ['io may not import session', 'src/io/probe.ts', types('../session/records')],
    ['session may not import state', 'src/session/probe.ts', value('../state/store')],
    ['a dynamic import counts', 'src/session/probe.ts', dynamic('../state/store')],
    ['workers may not import state', 'workers/probe.ts', value('../src/state/store')],
    ['bridge may not import state', 'src/bridge/probe.ts', reexport('../state/store')],
    ['state may not import ui', 'src/state/probe.ts', value('../ui/step-colours')],
    ['analysis and train are peers', 'src/analysis/probe.ts', value('../train/npz-writer')],
    ['cli and workers are peers', 'src/cli/probe.ts', value('../../workers/analysis-api')],
    ['a value from workers goes only down', 'src/analysis/probe.ts', value('../../workers/analysis-api')],
  ])('%s', async (_, file, code) => expect(await layerErrors(file, code)).toHaveLength(1));

  it.each([
    ['ui may import state', 'src/ui/probe.ts', value('../state/store')],
    ['state may import bridge', 'src/state/probe.ts', value('../bridge/session-worker')],
    ['workers may import session', 'workers/probe.ts', value('../src/session/session-db')],
    ['a folder imports itself', 'src/state/probe.ts', value('./view-settings')],
    ['the entry imports the ui', 'src/probe.tsx', value('./ui/Dashboard')],
    ['import type of a worker API goes up', 'src/analysis/probe.ts', types('../../workers/analysis.worker')],
    ['a test may import a peer for fixtures', 'src/analysis/probe.test.ts', value('../train/npz-writer')],
    ['files outside the layers are unchecked', 'e2e/probe.spec.ts', value('../src/state/store')],
  ])('%s', async (_, file, code) => expect(await layerErrors(file, code)).toEqual([]));
});
