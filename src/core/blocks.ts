/** Named blocks of the moment matrix S = [[S_pp, S_pf, S_py], [S_fp, S_ff, S_fy], [S_yp, S_yf, S_yy]]. */
import { block } from './linalg';
import type { Moments } from './types';

export type BlockName = 'pp' | 'pf' | 'fp' | 'ff' | 'py' | 'fy' | 'yy';

/** Copy of one block of S, row-major (e.g. 'pf' is p x C). */
export function momentBlock(m: Moments, name: BlockName): Float64Array {
  const d = m.p + m.c + m.q;
  const start = { p: 0, f: m.p, y: m.p + m.c };
  const size = { p: m.p, f: m.c, y: m.q };
  const [r, c] = [name[0] as 'p' | 'f' | 'y', name[1] as 'p' | 'f' | 'y'];
  return block(m.scatter, d, start[r], size[r], start[c], size[c]);
}
