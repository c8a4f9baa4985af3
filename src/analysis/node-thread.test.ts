/**
 * The CLI's worker threads (node-thread.ts): a thread kept after its one-message task takes the next
 * task in the same thread, and a kept thread that no task takes never keeps the process running.
 */
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';

import { temporaryFolder } from '../io/testing';
import { runNodeWorker, spareThreadId, startNodeWorker } from './node-thread';

/** A worker that answers each task, the first in its workerData, the next ones by message, as node-worker.ts does after a shard. */
function answeringWorker(): string {
  const file = join(temporaryFolder('richscope-spare-'), 'answering.mjs');
  writeFileSync(
    file,
    `import { parentPort, threadId, workerData } from 'node:worker_threads';
const run = (task) => {
  parentPort.postMessage({ threadId, kind: task.kind });
  parentPort.once('message', run);
};
run(workerData);`,
  );
  return file;
}

type Answer = { threadId: number; kind: string };

describe('worker threads of the CLI', () => {
  it('a kept thread takes the next task in the same thread; one not kept is ended', async () => {
    const file = answeringWorker();
    const first = await runNodeWorker<Answer>({ kind: 'first' }, file, true);
    expect(spareThreadId()).toBe(first.threadId);
    const worker = startNodeWorker({ kind: 'second' }, file);
    const second = await new Promise<Answer>((resolve) => worker.once('message', resolve));
    expect(second).toEqual({ threadId: first.threadId, kind: 'second' });
    expect(spareThreadId()).toBeNull();
    await worker.terminate();

    const ended = await runNodeWorker<Answer>({ kind: 'once' }, file);
    expect(spareThreadId()).toBeNull();
    const fresh = startNodeWorker({ kind: 'fresh' }, file);
    const answer = await new Promise<Answer>((resolve) => fresh.once('message', resolve));
    expect(answer.threadId).not.toBe(ended.threadId);
    await fresh.terminate();
  });

  it('keeping a second thread ends the first one kept', async () => {
    const file = answeringWorker();
    await runNodeWorker<Answer>({ kind: 'a' }, file, true);
    const b = await runNodeWorker<Answer>({ kind: 'b' }, file, true);
    expect(spareThreadId()).toBe(b.threadId);
    const worker = startNodeWorker({ kind: 'c' }, file);
    expect((await new Promise<Answer>((resolve) => worker.once('message', resolve))).threadId).toBe(
      b.threadId,
    );
    await worker.terminate();
  });

  it('a process ends with a kept thread that no task took', async () => {
    const folder = temporaryFolder('richscope-spare-exit-');
    const script = join(folder, 'keep.mjs');
    const workerFile = answeringWorker();
    await build({
      stdin: {
        contents: `import { runNodeWorker, spareThreadId } from './node-thread';
const answer = await runNodeWorker({ kind: 'only' }, ${JSON.stringify(workerFile)}, true);
console.log(spareThreadId() === answer.threadId ? 'kept' : 'not kept');`,
        resolveDir: fileURLToPath(new URL('.', import.meta.url)),
        loader: 'ts',
      },
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      outfile: script,
      logLevel: 'warning',
    });
    const output = execFileSync(process.execPath, [script], { encoding: 'utf8', timeout: 20_000 });
    expect(output.trim()).toBe('kept');
  });
});
