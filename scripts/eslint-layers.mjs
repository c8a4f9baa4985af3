/**
 * The layering of the code, as an ESLint rule (`richscope/layers`, wired in eslint.config.js). Each
 * folder sits on a layer; a module imports its own folder and the layers below, never a layer above
 * and never a peer on its own layer (tests may import a peer's module to build their fixtures). The
 * one way up is `import type` of a worker API (`workers/`), which leaves no code behind; the core and
 * the parsers take not even that. Files outside every layer (e2e, scripts, configs) are not checked.
 * The diagram and the reasons: docs/architecture.md.
 */
import path from 'node:path';

/** Lowest first; folders on one line are peers. `src/*.tsx` is the app's entry (mounts the UI). */
export const LAYERS = [
  ['src/core'],
  ['src/io'],
  ['src/analysis', 'src/train', 'src/paint'],
  ['src/session'],
  ['src/cli', 'workers'],
  ['src/bridge'],
  ['src/state'],
  ['src/ui'],
  ['src'],
];

/** Layers that take nothing from above, not even types: the numerical core and the parsers. */
const PURE = new Set(['src/core', 'src/io']);

const ORDER = LAYERS.map((folders) =>
  folders.map((f) => (f === 'src' ? 'src/*.tsx' : f.replace(/^src\//, ''))).join(', '),
).join(' < ');

/** The layer folder of a path relative to the repository root, or null outside every layer. */
export function layerOf(relativePath) {
  const file = relativePath.split(path.sep).join('/');
  for (let rank = LAYERS.length - 1; rank >= 0; rank--) {
    for (const folder of LAYERS[rank]) {
      // `src` holds only the entry files directly; its subfolders are layers of their own.
      const inside =
        folder === 'src' ? /^src\/[^/]+$/.test(file) : file === folder || file.startsWith(`${folder}/`);
      if (inside) return { folder, rank };
    }
  }
  return null;
}

/** Why `from` may not import `to` (both relative paths), or null when it may. */
export function layerViolation(from, to, { typeOnly = false, test = false } = {}) {
  const source = layerOf(from);
  const target = layerOf(to);
  if (!source || !target || source.folder === target.folder || target.rank < source.rank) return null;
  if (target.rank === source.rank && test) return null;
  if (typeOnly && target.folder === 'workers' && !PURE.has(source.folder)) return null;
  const relation = target.rank === source.rank ? 'its peer' : 'a layer above it,';
  return `${source.folder} may not import ${relation} ${target.folder} (layers: ${ORDER}; docs/architecture.md)`;
}

const isTest = (file) => /\.test\.tsx?$/.test(file);

const layersRule = {
  meta: {
    type: 'problem',
    docs: { description: 'imports follow the layers of docs/architecture.md' },
    schema: [{ type: 'object', properties: { root: { type: 'string' } }, additionalProperties: false }],
  },
  create(context) {
    // the repository root (eslint.config.js passes its own folder), so eslint may run from anywhere
    const root = context.options[0]?.root ?? context.cwd;
    const from = path.relative(root, context.filename);
    if (!layerOf(from)) return {};
    const check = (node, source, typeOnly) => {
      if (typeof source !== 'string' || !source.startsWith('.')) return;
      const to = path.relative(root, path.resolve(path.dirname(context.filename), source));
      const message = layerViolation(from, to, { typeOnly, test: isTest(from) });
      if (message) context.report({ node, message });
    };
    return {
      ImportDeclaration: (node) => check(node, node.source.value, node.importKind === 'type'),
      ExportNamedDeclaration: (node) =>
        node.source && check(node, node.source.value, node.exportKind === 'type'),
      ExportAllDeclaration: (node) => check(node, node.source.value, node.exportKind === 'type'),
      ImportExpression: (node) => node.source.type === 'Literal' && check(node, node.source.value, false),
    };
  },
};

export const layersPlugin = { rules: { layers: layersRule } };
