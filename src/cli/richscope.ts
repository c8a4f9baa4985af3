/** Process entry of the bundled CLI (dist-cli/richscope.mjs). */
import { setFlagsFromString } from 'node:v8';

import { relaxedSimdValidates } from '../core/kernels/gram';
import { run } from './main';

// Node 20 has relaxed SIMD (the float32 Gram kernel's fused multiply-adds) behind a flag. V8 flags
// are process-wide, so the worker threads started later have it too; where the flag is unknown V8
// would print an error, hence only on the Node versions that have it behind the flag.
if (/^2[01]\./.test(process.versions.node) && !relaxedSimdValidates())
  setFlagsFromString('--experimental-wasm-relaxed-simd');

// V8 optimises hot functions on a background thread by default. Every thread of a run keeps its core
// busy, so those compilations wait, and the eigensolvers' and merges' loops run unoptimised for much
// of their single call (docs/benchmarks.md, "Fifteenth session"). Compiling in the thread that needs
// the code does not wait for a free core.
setFlagsFromString('--no-concurrent-recompilation');
setFlagsFromString('--no-concurrent-osr');

run(
  process.argv.slice(2),
  (line) => process.stdout.write(line + '\n'),
  (line) => process.stderr.write(line + '\n'),
).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`richscope: internal error: ${(error as Error)?.message ?? error}\n`);
    process.exitCode = 1;
  },
);
