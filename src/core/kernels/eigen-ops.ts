/**
 * The level-1 loops of the dense symmetric eigensolver (eigen.ts) and the layout of its working
 * memory (`workLayout`), shared by the loops' two implementations and by the algorithm around them.
 */
import { eigenWasmBase64 } from './eigen-wasm.generated';
import { compileBase64Module, leaseInstance } from './wasm';

/**
 * The level-1 loops of the solver over one float64 memory `mem` (element offsets). Two implementations:
 * WebAssembly f64x2 lanes (eigen.wat) and plain JS, selected once; the algorithm around them is shared.
 */
export interface EigenOps {
  mem: Float64Array;
  /** sum_k mem[a + k] mem[b + k] */
  dot(a: number, b: number, len: number): number;
  /** mem[y + k] += alpha mem[x + k] */
  axpy(y: number, x: number, len: number, alpha: number): void;
  /**
   * One tridiagonalisation step's symmetric product over the leading i x i block of the working
   * matrix (n columns, at 0): e = A d, with d, e at mem[d], mem[e] (default mem[D], mem[E]); row i
   * receives d. Two scratch values at mem[SCRATCH].
   */
  symmetricProduct(n: number, i: number, d?: number, e?: number): void;
  /** The same step's rank-2 update A -= d e^T + e d^T; then d takes row i - 1, and V(i, j) is cleared. */
  symmetricUpdate(n: number, i: number, d?: number, e?: number): void;
  /**
   * Step i's rank-2 update (d, e at mem[d], mem[e]) of the leading (i - 1) x (i - 1) block, and in
   * the same pass over it step i - 1's symmetric product with its vector at mem[next] into mem[nextE]
   * (zeroed by the caller), row i - 1 receiving that vector. Every entry gets the arithmetic of
   * `symmetricUpdate` then `symmetricProduct`; row i - 1 of the block, which the next step reduces, is
   * the caller's.
   */
  symmetricUpdateProduct(n: number, i: number, d: number, e: number, next: number, nextE: number): void;
  /**
   * Deferred QL sweeps: sweep t (of `count`) is (lo, hi, off) at mem[desc + 3t ..]; for i = hi - 1 down
   * to lo, rows i, i+1 (a, b) of the n-column matrix at w become (c a - s b, s a + c b) with
   * (c, s) = (mem[cs + off + i - lo], mem[ss + off + i - lo]).
   */
  rotbatch(w: number, n: number, desc: number, count: number, cs: number, ss: number): void;
  /**
   * Ends the use of `mem`: a WebAssembly instance is kept for the next decomposition in this thread
   * (wasm.ts `keepInstance`). Neither `mem` nor these ops may be used after.
   */
  release(): void;
}

export function jsOps(size: number): EigenOps {
  const mem = new Float64Array(size);
  // returns sum_k mem[v + k] mem[d + k]; mem[e + k] += f mem[v + k]
  const dotaxpy = (v: number, d: number, e: number, len: number, f: number) => {
    let s = 0;
    for (let k = 0; k < len; k++) {
      const x = mem[v + k];
      s += x * mem[d + k];
      mem[e + k] += x * f;
    }
    return s;
  };
  // two columns at once: the two sums to mem[out], mem[out + 1]; e[k] = (e[k] + f1 v1[k]) + f2 v2[k]
  const dotaxpy2 = (
    v1: number,
    v2: number,
    d: number,
    e: number,
    len: number,
    f1: number,
    f2: number,
    out: number,
  ) => {
    let s1 = 0;
    let s2 = 0;
    for (let k = 0; k < len; k++) {
      const a = mem[v1 + k];
      const b = mem[v2 + k];
      s1 += a * mem[d + k];
      s2 += b * mem[d + k];
      mem[e + k] = mem[e + k] + a * f1 + b * f2;
    }
    mem[out] = s1;
    mem[out + 1] = s2;
  };
  // mem[w + k] -= f mem[e + k] + g mem[d + k]
  const rank2 = (w: number, e: number, d: number, len: number, f: number, g: number) => {
    for (let k = 0; k < len; k++) mem[w + k] -= f * mem[e + k] + g * mem[d + k];
  };
  // rank2 on two columns, reading e and d once
  const rank2x2 = (
    w1: number,
    w2: number,
    e: number,
    d: number,
    len: number,
    f1: number,
    g1: number,
    f2: number,
    g2: number,
  ) => {
    for (let k = 0; k < len; k++) {
      mem[w1 + k] -= f1 * mem[e + k] + g1 * mem[d + k];
      mem[w2 + k] -= f2 * mem[e + k] + g2 * mem[d + k];
    }
  };
  return {
    mem,
    release() {},
    dot(a, b, len) {
      let s = 0;
      for (let k = 0; k < len; k++) s += mem[a + k] * mem[b + k];
      return s;
    },
    axpy(y, x, len, alpha) {
      for (let k = 0; k < len; k++) mem[y + k] += alpha * mem[x + k];
    },
    symmetricProduct(n, i, D = workLayout(n).D, E = workLayout(n).E) {
      const { SCRATCH } = workLayout(n);
      let j = 0;
      for (; j + 1 < i; j += 2) {
        const [f1, f2] = [mem[D + j], mem[D + j + 1]];
        mem[i * n + j] = f1; // V(j, i) = f
        mem[i * n + j + 1] = f2;
        const col = j * n;
        const below = mem[col + j + 1]; // V(j + 1, j)
        const g1 = mem[E + j] + mem[col + j] * f1 + below * mem[D + j + 1];
        mem[E + j + 1] += below * f1;
        const g2 = mem[E + j + 1] + mem[col + n + j + 1] * f2;
        dotaxpy2(col + j + 2, col + n + j + 2, D + j + 2, E + j + 2, i - j - 2, f1, f2, SCRATCH);
        mem[E + j] = g1 + mem[SCRATCH];
        mem[E + j + 1] = g2 + mem[SCRATCH + 1];
      }
      if (j < i) {
        const f = mem[D + j];
        mem[i * n + j] = f;
        const col = j * n;
        let g = mem[E + j] + mem[col + j] * f;
        g += dotaxpy(col + j + 1, D + j + 1, E + j + 1, i - j - 1, f);
        mem[E + j] = g;
      }
    },
    symmetricUpdate(n, i, D = workLayout(n).D, E = workLayout(n).E) {
      for (let j = 0; j < i; j += 2) {
        const col = j * n;
        const [f1, g1] = [mem[D + j], mem[E + j]];
        if (j + 1 < i) {
          mem[col + j] -= f1 * mem[E + j] + g1 * mem[D + j];
          const [f2, g2] = [mem[D + j + 1], mem[E + j + 1]];
          rank2x2(col + j + 1, col + n + j + 1, E + j + 1, D + j + 1, i - j - 1, f1, g1, f2, g2);
          mem[D + j + 1] = mem[col + n + i - 1];
          mem[col + n + i] = 0; // V(i, j + 1) = 0
        } else rank2(col + j, E + j, D + j, i - j, f1, g1);
        mem[D + j] = mem[col + i - 1];
        mem[col + i] = 0; // V(i, j) = 0
      }
    },
    symmetricUpdateProduct(n, i, D, E, D2, E2) {
      const m = i - 1;
      const rowm = m * n;
      let j = 0;
      for (; j + 1 < m; j += 2) {
        const col = j * n;
        const next = col + n;
        const [f1, g1, f2, g2] = [mem[D + j], mem[E + j], mem[D + j + 1], mem[E + j + 1]];
        mem[col + j] -= f1 * mem[E + j] + g1 * mem[D + j];
        mem[col + j + 1] -= f1 * mem[E + j + 1] + g1 * mem[D + j + 1];
        mem[next + j + 1] -= f2 * mem[E + j + 1] + g2 * mem[D + j + 1];
        const [h1, h2] = [mem[D2 + j], mem[D2 + j + 1]];
        mem[rowm + j] = h1;
        mem[rowm + j + 1] = h2;
        const below = mem[col + j + 1];
        const p1 = mem[E2 + j] + mem[col + j] * h1 + below * mem[D2 + j + 1];
        mem[E2 + j + 1] += below * h1;
        const p2 = mem[E2 + j + 1] + mem[next + j + 1] * h2;
        let s1 = 0;
        let s2 = 0;
        for (let r = j + 2; r < m; r++) {
          const a = (mem[col + r] -= f1 * mem[E + r] + g1 * mem[D + r]);
          const b = (mem[next + r] -= f2 * mem[E + r] + g2 * mem[D + r]);
          s1 += a * mem[D2 + r];
          s2 += b * mem[D2 + r];
          mem[E2 + r] = mem[E2 + r] + a * h1 + b * h2;
        }
        mem[E2 + j] = p1 + s1;
        mem[E2 + j + 1] = p2 + s2;
      }
      if (j < m) {
        // the last column alone: its diagonal is its only row in the block
        const col = j * n;
        const [f1, g1] = [mem[D + j], mem[E + j]];
        mem[col + j] -= f1 * mem[E + j] + g1 * mem[D + j];
        const h1 = mem[D2 + j];
        mem[rowm + j] = h1;
        let g = mem[E2 + j] + mem[col + j] * h1;
        g += dotaxpy(col + j + 1, D2 + j + 1, E2 + j + 1, m - j - 1, h1);
        mem[E2 + j] = g;
      }
    },
    rotbatch(w, n, desc, count, cs, ss) {
      for (let t = 0; t < count; t++) {
        const lo = mem[desc + 3 * t];
        const hi = mem[desc + 3 * t + 1];
        const off = mem[desc + 3 * t + 2] - lo;
        for (let i = hi - 1; i >= lo; i--) {
          const c = mem[cs + off + i];
          const s = mem[ss + off + i];
          const a = w + i * n;
          const b = a + n;
          for (let k = 0; k < n; k++) {
            const x = mem[b + k];
            const y = mem[a + k];
            mem[b + k] = s * y + c * x;
            mem[a + k] = c * y - s * x;
          }
        }
      }
    },
  };
}

interface EigenExports {
  memory: WebAssembly.Memory;
  dot(a: number, b: number, len: number): number;
  axpy(y: number, x: number, len: number, alpha: number): void;
  symmetric_product(w: number, n: number, i: number, d: number, e: number, scratch: number): void;
  symmetric_update(w: number, n: number, i: number, d: number, e: number): void;
  symmetric_update_product(
    w: number,
    n: number,
    i: number,
    d: number,
    e: number,
    next: number,
    nextE: number,
  ): void;
  rotbatch(w: number, n: number, desc: number, count: number, cs: number, ss: number, block: number): void;
}

let eigenModule: WebAssembly.Module | null | undefined;

/** The compiled eigen module, or null without WebAssembly SIMD. */
export function eigenWasmModule(): WebAssembly.Module | null {
  if (eigenModule === undefined) eigenModule = compileBase64Module(eigenWasmBase64);
  return eigenModule;
}

function wasmOps(size: number): EigenOps | null {
  const module = eigenWasmModule();
  if (!module) return null;
  const lease = leaseInstance(module);
  const x = lease.instance.exports as unknown as EigenExports;
  const bytes = size * 8;
  if (bytes > x.memory.buffer.byteLength)
    x.memory.grow(Math.ceil((bytes - x.memory.buffer.byteLength) / 65536));
  const mem = new Float64Array(x.memory.buffer, 0, size);
  // byte address = 8 * element offset
  return {
    mem,
    release: lease.release,
    dot: (a, b, len) => x.dot(a * 8, b * 8, len),
    axpy: (y, z, len, alpha) => x.axpy(y * 8, z * 8, len, alpha),
    symmetricProduct(n, i, D = workLayout(n).D, E = workLayout(n).E) {
      x.symmetric_product(0, n, i, D * 8, E * 8, workLayout(n).SCRATCH * 8);
    },
    symmetricUpdate(n, i, D = workLayout(n).D, E = workLayout(n).E) {
      x.symmetric_update(0, n, i, D * 8, E * 8);
    },
    symmetricUpdateProduct(n, i, D, E, D2, E2) {
      x.symmetric_update_product(0, n, i, D * 8, E * 8, D2 * 8, E2 * 8);
    },
    rotbatch: (w, n, desc, count, cs, ss) =>
      x.rotbatch(w * 8, n, desc * 8, count, cs * 8, ss * 8, ROTATION_BLOCK_COLUMNS),
  };
}

export type EigenKernelName = 'wasm' | 'js';

/** Columns of the working matrix rotated together (a 32-column block of every row fits in L2). */
const ROTATION_BLOCK_COLUMNS = 32;
/** Deferred QL rotations held before they are applied: this many times n (c, s) pairs. */
export const ROTATION_BATCH = 16;

/**
 * Working memory: w (n x n) at 0, then d, e (n each), cs, ss (ROTATION_BATCH n each), sweep
 * descriptors, two scratch values, and a second d, e (the next tridiagonalisation step's, while the
 * current one's are still read).
 */
export function workLayout(n: number) {
  const D = n * n;
  const E = D + n;
  const CS = E + n;
  const SS = CS + ROTATION_BATCH * n;
  const DESC = SS + ROTATION_BATCH * n;
  const SCRATCH = DESC + 3 * ROTATION_BATCH * n;
  const D2 = SCRATCH + 2;
  const E2 = D2 + n;
  return { D, E, CS, SS, DESC, SCRATCH, D2, E2, size: E2 + n };
}

/** The solver's working memory for an n x n problem (and `extra` elements), in WebAssembly unless 'js'. */
export function createOps(n: number, kernel?: EigenKernelName, extra = 0): EigenOps {
  const size = workLayout(n).size + extra;
  return (kernel !== 'js' ? wasmOps(size) : null) ?? jsOps(size);
}
