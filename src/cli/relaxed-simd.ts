/**
 * Relaxed SIMD (the Gram's and the matrix product's fused multiply-adds, src/core/kernels) for this
 * Node process: Node 20 has it behind a flag, Chromium has it on. V8 flags are process-wide, so the
 * worker threads started later have it too; where the flag is unknown V8 would print an error, hence
 * only on the Node versions that have it behind the flag. The CLI calls it at its start, and so does
 * any Node process whose numbers are held against the CLI's or the browser's to the bit.
 */
import { setFlagsFromString } from 'node:v8';

import { relaxedSimdValidates } from '../core/kernels/gram';

export function enableRelaxedSimd(): void {
  if (/^2[01]\./.test(process.versions.node) && !relaxedSimdValidates())
    setFlagsFromString('--experimental-wasm-relaxed-simd');
}
