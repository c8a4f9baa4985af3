/** Named blocks of the moment matrix S = [[S_pp, S_pf, S_py], [S_fp, S_ff, S_fy], [S_yp, S_yf, S_yy]]. */
import { block } from './linalg';
import type { Moments } from './types';

export type BlockName = 'pp' | 'pf' | 'fp' | 'ff' | 'py' | 'fy' | 'yy';

/** Where a block sits in S: first row and column, rows and columns. */
function blockPlace(m: Moments, name: BlockName) {
  const start = { p: 0, f: m.p, y: m.p + m.c };
  const size = { p: m.p, f: m.c, y: m.q };
  const [r, c] = [name[0] as 'p' | 'f' | 'y', name[1] as 'p' | 'f' | 'y'];
  return { d: m.p + m.c + m.q, r0: start[r], rows: size[r], c0: start[c], cols: size[c] };
}

/** Copy of one block of S, row-major (e.g. 'pf' is p x C). */
export function momentBlock(m: Moments, name: BlockName): Float64Array {
  const { d, r0, rows, c0, cols } = blockPlace(m, name);
  return block(m.scatter, d, r0, rows, c0, cols);
}

/** Sum of squares of one block's entries (its squared Frobenius norm), read in place. */
export function blockSumOfSquares(m: Moments, name: BlockName): number {
  const { d, r0, rows, c0, cols } = blockPlace(m, name);
  // read once: moments come in many object shapes, so `m.scatter` in the loop is a slow lookup each time
  const { scatter } = m;
  let sum = 0;
  for (let i = r0; i < r0 + rows; i++)
    for (let j = i * d + c0, end = j + cols; j < end; j++) sum += scatter[j] * scatter[j];
  return sum;
}

/** Trace of a diagonal block ('pp', 'ff' or 'yy'), read in place. */
export function blockTrace(m: Moments, name: 'pp' | 'ff' | 'yy'): number {
  const { d, r0, rows } = blockPlace(m, name);
  const { scatter } = m;
  let sum = 0;
  for (let i = r0; i < r0 + rows; i++) sum += scatter[i * d + i];
  return sum;
}
