/** Process entry of the bundled CLI (dist-cli/richscope.mjs). */
import { setFlagsFromString } from 'node:v8';

import { run } from './main';
import { enableRelaxedSimd } from './relaxed-simd';

enableRelaxedSimd();

// A run calls each kernel a few times on large blocks, and every thread keeps its core busy. V8's
// defaults suit the opposite: WebAssembly starts in its baseline compiler (Liftoff) and JavaScript in
// the interpreter, and the optimised code is compiled on a background thread, which waits for a free
// core. The first Gram blocks and much of the eigendecomposition then ran unoptimised
// (docs/benchmarks.md, "Fifteenth session"). So: WebAssembly optimised when compiled (the kernels are
// a few KB), and JavaScript optimised in the thread that needs it.
setFlagsFromString('--no-liftoff');
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
