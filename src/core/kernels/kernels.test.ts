import { readFileSync } from 'node:fs';
import { setFlagsFromString } from 'node:v8';

import { EigenvalueDecomposition, Matrix } from 'ml-matrix';
import { describe, expect, it } from 'vitest';

import {
  assembleWat,
  generatedModule,
  kernelSources,
  relaxedVariant,
  // @ts-expect-error: the generator is a plain .mjs script without types
} from '../../../scripts/build-kernels.mjs';
import { createMomentAccumulator, momentsOf } from '../moments';
import { createNormal, createRandom } from '../random';
import {
  denseSymmetricEigen,
  eigenvectorColumns,
  eigenWasmModule,
  projectOnEigenvectors,
  reduceSymmetric,
  tridiagonalForm,
} from './eigen';
import { createChunkSums } from './chunk-sums';
import {
  addProductTransposedA,
  multiplyTransposedA,
  subtractProductTransposedA,
  writeProductTransposedA,
} from './gemm';
import {
  createGramKernel,
  gramRelaxedWasmModule,
  hasWasmSimd,
  relaxedSimdValidates,
  type ColumnBlock,
  type GramKernelName,
} from './gram';
import { gramWasmBase64 } from './gram-wasm.generated';
import { KEPT_INSTANCE_BYTES, KEPT_INSTANCES, compileBase64Module, keepInstance, takeInstance } from './wasm';

// as the CLI does on Node 20 (src/cli/richscope.ts), before any Gram module is compiled
if (!relaxedSimdValidates()) setFlagsFromString('--experimental-wasm-relaxed-simd');

interface Source {
  wat: string;
  out: string;
  name: string;
  relaxed?: boolean;
}

describe('generated WebAssembly modules', () => {
  it.each(kernelSources as Source[])(
    '$out matches $wat (run node scripts/build-kernels.mjs)',
    async (source) => {
      const committed = readFileSync(new URL(`../../../${source.out}`, import.meta.url), 'utf8');
      expect(committed).toBe(generatedModule(source, await assembleWat(source.wat, source.relaxed)));
    },
  );

  it('WebAssembly SIMD is available in this runtime (else the JS fallbacks run)', () => {
    expect(hasWasmSimd()).toBe(true);
    expect(eigenWasmModule()).not.toBeNull();
  });
});

/** rows x cols, ReLU features of a low-rank latent with a large mean (the cancellation-prone case) */
function reluFeatures(rows: number, cols: number, seed: number): Float64Array {
  const random = { normal: createNormal(createRandom(seed)) };
  const latent = 6;
  const mixing = Array.from({ length: latent * cols }, () => random.normal());
  const out = new Float64Array(rows * cols);
  for (let i = 0; i < rows; i++) {
    const z = Array.from({ length: latent }, () => random.normal());
    for (let j = 0; j < cols; j++) {
      let v = 0.5;
      for (let l = 0; l < latent; l++) v += z[l] * mixing[l * cols + j];
      out[i * cols + j] = Math.fround(Math.max(0, v) + 20 + 0.01 * random.normal());
    }
  }
  return out;
}

/** Each column's mean, summed in row order. */
function columnMeans(x: Float64Array, rows: number, cols: number): Float64Array {
  const mean = new Float64Array(cols);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) mean[j] += x[i * cols + j] / rows;
  return mean;
}

/** The upper triangle of the blocks' Gram about `centre` (its length the width), from `kernel` itself. */
function gramOf(
  kernel: GramKernelName,
  blocks: ColumnBlock[],
  rows: number,
  centre: Float64Array,
  { blockRows, fused = true }: { blockRows?: number; fused?: boolean } = {},
): Float64Array {
  const dim = centre.length;
  const out = new Float64Array(dim * dim);
  const k = createGramKernel(dim, {
    precision: kernel === 'wasm-f32' ? 'float32' : 'float64',
    kernel,
    blockRows,
    fused,
  });
  expect(k.name).toBe(kernel);
  k.gramUpper(blocks, rows, centre, out, dim);
  return out;
}

function relativeUpperError(a: Float64Array, b: Float64Array, dim: number): number {
  let num = 0;
  let den = 0;
  for (let j = 0; j < dim; j++)
    for (let k = j; k < dim; k++) {
      num += (a[j * dim + k] - b[j * dim + k]) ** 2;
      den += b[j * dim + k] ** 2;
    }
  return Math.sqrt(num / den);
}

describe('Gram kernel: the WebAssembly and JS paths agree', () => {
  // 1,024 float64 columns fill the kernel's memory to a page boundary: nothing may be placed past it
  it.each([1024, 2048])('creates the float64 kernel for %i columns (memory ending on a page)', (width) => {
    expect(() => createGramKernel(width, { precision: 'float64', kernel: 'wasm-f64' })).not.toThrow();
  });

  // odd sizes exercise panel padding and a last short row block
  const rows = 517;
  const p = 37;
  const c = 6;
  const features = reluFeatures(rows, p, 1);
  const logits = reluFeatures(rows, c, 2);
  const centre = Float64Array.of(...columnMeans(features, rows, p), ...columnMeans(logits, rows, c));
  const dim = p + c;
  const blocks = [
    { data: features, cols: p },
    { data: logits, cols: c },
  ];
  const gram = (kernel: GramKernelName, blockRows?: number, fused = true) =>
    gramOf(kernel, blocks, rows, centre, { blockRows, fused });
  const reference = gram('js');

  it('wasm-f64 equals the float64 JS path to rounding (relative error < 1e-13)', () => {
    expect(relativeUpperError(gram('wasm-f64'), reference, dim)).toBeLessThan(1e-13);
    expect(relativeUpperError(gram('wasm-f64', 7), reference, dim)).toBeLessThan(1e-13);
  });

  it('wasm-f32 (float32 sums over 64-row sub-blocks) stays within 1e-7 of float64', () => {
    // the float32 rounding of the centred values alone costs ~1e-8 (see docs/benchmarks.md)
    expect(relativeUpperError(gram('wasm-f32'), reference, dim)).toBeLessThan(1e-7);
    expect(relativeUpperError(gram('wasm-f32', 200), reference, dim)).toBeLessThan(1e-7);
  });

  it('the WebAssembly kernels sweep their panels in column blocks: every tile of a wide Gram is summed once', () => {
    // 300 columns in calls of 512 rows are two column blocks of wasm-f32's sweep (32 and 6 panels), in
    // calls of 256 rows two of wasm-f64's (64 and 11); the last call of either, one
    const wideRows = 2100;
    const width = 300;
    const x = reluFeatures(wideRows, width, 3);
    const mean = columnMeans(x, wideRows, width);
    const wide = (kernel: GramKernelName) => gramOf(kernel, [{ data: x, cols: width }], wideRows, mean);
    const exact = wide('js');
    expect(relativeUpperError(wide('wasm-f32'), exact, width)).toBeLessThan(1e-7);
    expect(relativeUpperError(wide('wasm-f64'), exact, width)).toBeLessThan(1e-13);
  });

  it('wasm-f32 with fused multiply-adds (relaxed SIMD) and without agree to float32 rounding', () => {
    expect(gramRelaxedWasmModule()).not.toBeNull();
    const plain = gram('wasm-f32', undefined, false);
    for (const blockRows of [undefined, 200]) {
      const fused = gram('wasm-f32', blockRows);
      expect(relativeUpperError(fused, reference, dim)).toBeLessThan(1e-7);
      expect(relativeUpperError(fused, plain, dim)).toBeLessThan(1e-7);
    }
    expect(relativeUpperError(plain, reference, dim)).toBeLessThan(1e-7);
  });

  it("the relaxed module is the plain one with only the float32 Gram's and the float64 product's product-sums fused", () => {
    const source = readFileSync(new URL('./gram.wat', import.meta.url), 'utf8');
    const fused = relaxedVariant(source);
    expect(fused.match(/f32x4\.relaxed_madd/g)).toHaveLength(8);
    expect(fused.match(/f64x2\.relaxed_madd/g)).toHaveLength(8);
    const gemm = fused.slice(fused.indexOf('(func (export "gemm_tn_f64")'));
    expect(gemm.slice(0, gemm.indexOf('(func', 1)).match(/f64x2\.relaxed_madd/g)).toHaveLength(8);
    const unfuse = (text: string, lanes: string) =>
      text.replace(
        new RegExp(
          `\\(${lanes}\\.relaxed_madd \\(local\\.get (\\$a\\d)\\) \\(local\\.get (\\$b\\d)\\) \\(local\\.get (\\$c\\d\\d)\\)\\)`,
          'g',
        ),
        `(${lanes}.add (local.get $3) (${lanes}.mul (local.get $1) (local.get $2)))`,
      );
    expect(unfuse(unfuse(fused, 'f32x4'), 'f64x2')).toBe(source);
  });

  it('adds R^T R to the running sum, in every kernel and however many rows fit its staging memory', () => {
    const normal = createNormal(createRandom(23));
    const count = 5;
    const stride = dim + 3;
    const r = Float64Array.from({ length: count * stride }, normal);
    const expected = new Float64Array(dim * dim);
    for (let t = 0; t < count; t++)
      for (let j = 0; j < dim; j++)
        for (let k = j; k < dim; k++) expected[j * dim + k] += r[t * stride + j] * r[t * stride + k];
    // blockRows 1 leaves no room for a panel row (the JS loop); 2, one row a product; default, all
    for (const kernel of ['js', 'wasm-f64', 'wasm-f32'] as const)
      for (const blockRows of [1, 2, undefined]) {
        const sum = (withProducts: boolean) => {
          const k = createGramKernel(dim, {
            precision: kernel === 'wasm-f32' ? 'float32' : 'float64',
            kernel,
            blockRows,
          });
          k.accumulateUpper(blocks, rows, centre);
          if (withProducts) k.addOuterProducts(r, count, stride);
          const out = new Float64Array(dim * dim);
          k.addRunningSum(out, dim);
          k.release();
          return out;
        };
        const [plain, added] = [sum(false), sum(true)];
        for (let j = 0; j < dim; j++)
          for (let l = j; l < dim; l++)
            expect(Math.abs(added[j * dim + l] - plain[j * dim + l] - expected[j * dim + l])).toBeLessThan(
              1e-9,
            );
      }
  });

  it('adds into `out` with accumulate, in both paths', () => {
    for (const kernel of ['js', 'wasm-f64'] as const) {
      const out = new Float64Array(dim * dim).fill(1);
      createGramKernel(dim, { precision: 'float64', kernel }).gramUpper(blocks, rows, centre, out, dim, true);
      expect(out[1]).toBeCloseTo(reference[1] + 1, 8);
      expect(out[dim + 1]).toBeCloseTo(reference[dim + 1] + 1, 8);
    }
  });

  it('an accumulator on the JS fallback gives the WebAssembly moments', () => {
    const labels = Array.from({ length: rows }, (_, i) => i % 3);
    const run = (kernel: GramKernelName) => {
      const acc = createMomentAccumulator(
        { p, c, targets: { kind: 'onehot', classes: 3 } },
        { precision: 'float64', kernel },
      );
      for (let start = 0; start < rows; start += 100) {
        const end = Math.min(rows, start + 100);
        acc.add({
          rows: end - start,
          features: features.subarray(start * p, end * p),
          logits: logits.subarray(start * c, end * c),
          labels: labels.slice(start, end),
        });
      }
      return acc.result();
    };
    const fast = run('wasm-f64');
    const slow = run('js');
    expect(fast.correct).toBe(slow.correct);
    expect(relativeUpperError(fast.scatter, slow.scatter, dim + 3)).toBeLessThan(1e-13);
  });

  it('moves the running sum into a matrix and clears it, in both paths', () => {
    for (const kernel of ['js', 'wasm-f64', 'wasm-f32'] as const) {
      const k = createGramKernel(dim, { precision: kernel === 'wasm-f32' ? 'float32' : 'float64', kernel });
      const once = new Float64Array(dim * dim);
      k.gramUpper(blocks, rows, centre, once, dim);
      const out = new Float64Array(dim * dim).fill(2);
      k.accumulateUpper(blocks, rows, centre);
      k.moveRunningSum(out, dim);
      // the sum is clear: a second chunk lands alone, and moving nothing adds nothing
      k.accumulateUpper(blocks, rows, centre);
      k.moveRunningSum(out, dim);
      k.moveRunningSum(out, dim);
      for (let j = 0; j < dim; j++)
        for (let l = 0; l < dim; l++) {
          const want = l >= j ? 2 + 2 * once[j * dim + l] : 2;
          expect(Math.abs(out[j * dim + l] - want)).toBeLessThanOrEqual(1e-12 * Math.abs(want));
        }
    }
  });

  it('moves the running sum into a fresh matrix by writing it: the same values, the sum cleared', () => {
    for (const kernel of ['js', 'wasm-f64', 'wasm-f32'] as const) {
      const k = createGramKernel(dim, { precision: kernel === 'wasm-f32' ? 'float32' : 'float64', kernel });
      const added = new Float64Array(dim * dim);
      k.accumulateUpper(blocks, rows, centre);
      k.moveRunningSum(added, dim);
      // a fresh matrix's lower triangle is left as it was (here marked, to show it is not written)
      const written = new Float64Array(dim * dim).fill(-1);
      for (let j = 0; j < dim; j++) written.fill(0, j * dim + j, (j + 1) * dim);
      k.accumulateUpper(blocks, rows, centre);
      k.moveRunningSum(written, dim, true);
      for (let j = 0; j < dim; j++)
        for (let l = 0; l < dim; l++) expect(written[j * dim + l]).toBe(l >= j ? added[j * dim + l] : -1);
      k.moveRunningSum(written, dim);
      for (let j = 0; j < dim; j++)
        for (let l = j; l < dim; l++) expect(written[j * dim + l]).toBe(added[j * dim + l]);
    }
  });

  it('leaves the strict lower triangle alone and only writes [0, dim)', () => {
    const out = new Float64Array((dim + 2) * (dim + 2)).fill(-7);
    createGramKernel(dim, { precision: 'float64' }).gramUpper(blocks, rows, centre, out, dim + 2);
    expect(out[1 * (dim + 2) + 0]).toBe(-7);
    expect(out[0 * (dim + 2) + dim]).toBe(-7);
    expect(out[0]).toBeCloseTo(reference[0], 6);
  });
});

function randomSymmetric(n: number, seed: number, decay: number): Float64Array {
  const random = { normal: createNormal(createRandom(seed)) };
  const x = Array.from({ length: 2 * n * n }, () => random.normal());
  const a = new Float64Array(n * n);
  for (let i = 0; i < n; i++)
    for (let j = 0; j <= i; j++) {
      let s = 0;
      for (let r = 0; r < 2 * n; r++) s += x[r * n + i] * x[r * n + j];
      a[i * n + j] = a[j * n + i] = (s * Math.exp(-decay * (i + j))) / n;
    }
  return a;
}

function residual(
  a: Float64Array,
  n: number,
  values: Float64Array,
  vectors: Float64Array,
  k: number,
): number {
  let r2 = 0;
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let j = 0; j < n; j++) s += a[i * n + j] * vectors[j * n + k];
    r2 += (s - values[k] * vectors[i * n + k]) ** 2;
  }
  return Math.sqrt(r2);
}

/** max |V^T V - I| over all pairs of columns. */
function orthogonalityError(vectors: Float64Array, n: number): number {
  let worst = 0;
  for (let p = 0; p < n; p++)
    for (let q = p; q < n; q++) {
      let s = 0;
      for (let i = 0; i < n; i++) s += vectors[i * n + p] * vectors[i * n + q];
      worst = Math.max(worst, Math.abs(s - (p === q ? 1 : 0)));
    }
  return worst;
}

/** Symmetric tridiagonal matrix as a dense row-major array. */
function tridiagonal(diagonal: number[], coupling: number[]): Float64Array {
  const n = diagonal.length;
  const a = new Float64Array(n * n);
  diagonal.forEach((v, i) => (a[i * n + i] = v));
  coupling.forEach((v, i) => (a[i * n + i + 1] = a[(i + 1) * n + i] = v));
  return a;
}

/** Every eigenpair is accurate: residual and orthogonality at working precision, values descending. */
function expectAccurateEigen(a: Float64Array, n: number, values: Float64Array, vectors: Float64Array): void {
  const scale = Math.max(Math.abs(values[0]), Math.abs(values[n - 1]), Number.MIN_VALUE);
  for (let k = 1; k < n; k++) expect(values[k]).toBeLessThanOrEqual(values[k - 1]);
  for (let k = 0; k < n; k++) expect(residual(a, n, values, vectors, k)).toBeLessThan(1e-12 * n * scale);
  expect(orthogonalityError(vectors, n)).toBeLessThan(1e-13 * n);
}

describe('dense symmetric eigensolver', () => {
  it.each([1, 2, 5, 64, 131])('n = %i: both methods, WebAssembly and JS, agree with ml-matrix', (n) => {
    const a = randomSymmetric(n, 10 + n, 0.01);
    const rows = Array.from({ length: n }, (_, i) => Array.from(a.subarray(i * n, (i + 1) * n)));
    const reference = new EigenvalueDecomposition(new Matrix(rows), { assumeSymmetric: true });
    const expected = [...reference.realEigenvalues].sort((x, y) => y - x);
    for (const method of ['divide-conquer', 'ql'] as const)
      for (const kernel of ['wasm', 'js'] as const) {
        const { values, vectors } = denseSymmetricEigen(a, n, kernel, method);
        values.forEach((v, k) => expect(v).toBeCloseTo(expected[k], 10));
        expectAccurateEigen(a, n, values, vectors);
      }
  });

  it('gives the same bits whatever decomposition ran before it (instances are reused, their memory cleared)', () => {
    const a = randomSymmetric(70, 3, 0.05);
    const decompose = () => denseSymmetricEigen(a, 70, 'wasm');
    denseSymmetricEigen(randomSymmetric(120, 4, 0.02), 120, 'wasm');
    const afterLarger = decompose();
    denseSymmetricEigen(randomSymmetric(30, 5, 0.5), 30, 'wasm', 'ql');
    const afterSmaller = decompose();
    expect(Array.from(afterSmaller.values)).toEqual(Array.from(afterLarger.values));
    expect(Array.from(afterSmaller.vectors)).toEqual(Array.from(afterLarger.vectors));
  });

  it('handles zero and repeated eigenvalues (a rank-2 projector)', () => {
    const n = 6;
    const a = new Float64Array(n * n);
    a[0] = 1;
    a[n + 1] = 1;
    const { values } = denseSymmetricEigen(a, n);
    expect(Array.from(values)).toEqual([1, 1, 0, 0, 0, 0]);
  });

  // Divide and conquer (n above its leaf size) on the spectra that exercise deflation and the secular
  // equation's crowded roots; each checked for residual and orthogonality, not only for eigenvalues.
  const n = 160;
  const random = createRandom(99);
  const normal = createNormal(random);
  const hardCases: [string, () => { a: Float64Array; expected?: number[] }][] = [
    [
      'rank-3 projector (almost every z deflates)',
      () => {
        const basis = Array.from({ length: 3 }, () => Array.from({ length: n }, () => normal()));
        // Gram-Schmidt, then P = B^T B
        basis.forEach((v, i) => {
          for (let j = 0; j < i; j++) {
            const dot = v.reduce((s, x, t) => s + x * basis[j][t], 0);
            v.forEach((_, t) => (v[t] -= dot * basis[j][t]));
          }
          const length = Math.hypot(...v);
          v.forEach((_, t) => (v[t] /= length));
        });
        const a = new Float64Array(n * n);
        for (let i = 0; i < n; i++)
          for (let j = 0; j < n; j++) a[i * n + j] = basis.reduce((s, v) => s + v[i] * v[j], 0);
        return { a, expected: [1, 1, 1, ...Array<number>(n - 3).fill(0)] };
      },
    ],
    [
      'identity (every pole equal: deflation by rotations)',
      () => {
        const a = new Float64Array(n * n);
        for (let i = 0; i < n; i++) a[i * n + i] = 1;
        return { a, expected: Array<number>(n).fill(1) };
      },
    ],
    [
      'diagonal (no coupling: rho = 0)',
      () => {
        const diagonal = Array.from({ length: n }, (_, i) => (i * 7919) % n);
        return {
          a: tridiagonal(diagonal, Array<number>(n - 1).fill(0)),
          expected: diagonal.sort((x, y) => y - x),
        };
      },
    ],
    [
      'glued Wilkinson matrices W21+ (pairs of eigenvalues closer than 1e-14)',
      () => {
        const block = Array.from({ length: 21 }, (_, i) => Math.abs(10 - i));
        const diagonal = Array.from({ length: 7 }, () => block).flat();
        const coupling = diagonal.slice(1).map((_, i) => ((i + 1) % 21 === 0 ? 1e-8 : 1));
        return { a: tridiagonal(diagonal, coupling) };
      },
    ],
    [
      'feature-like covariance, eigenvalues 1 down to 1e-14',
      () => {
        const a = randomSymmetric(n, 5, 0.1);
        return { a };
      },
    ],
    [
      'one huge and many tiny couplings',
      () => {
        const diagonal = Array.from({ length: n }, () => random() * 1e-6);
        const coupling = Array.from({ length: n - 1 }, (_, i) => (i === n >> 1 ? 1e6 : random() * 1e-9));
        return { a: tridiagonal(diagonal, coupling) };
      },
    ],
  ];
  it.each(hardCases)('divide and conquer: %s', (_, make) => {
    const { a, expected } = make();
    const size = Math.round(Math.sqrt(a.length));
    const { values, vectors } = denseSymmetricEigen(a, size);
    const reference = denseSymmetricEigen(a, size, 'js', 'ql');
    const scale = Math.max(Math.abs(reference.values[0]), Math.abs(reference.values[size - 1]));
    values.forEach((v, k) => expect(Math.abs(v - reference.values[k])).toBeLessThan(1e-13 * size * scale));
    if (expected) values.forEach((v, k) => expect(v).toBeCloseTo(expected[k], 12));
    expectAccurateEigen(a, size, values, vectors);
  });

  // divide and conquer's reduction runs each update in one pass with the next step's product; the
  // QL method's reduction runs them apart (and forms Q): the same arithmetic, so the same bits
  const blockDiagonal = (sizes: number[]) => {
    const size = sizes.reduce((x, y) => x + y, 0);
    const a = new Float64Array(size * size);
    let at = 0;
    sizes.forEach((width, b) => {
      const block = randomSymmetric(width, 20 + b, 0.02);
      for (let i = 0; i < width; i++)
        for (let j = 0; j < width; j++) a[(at + i) * size + at + j] = block[i * width + j];
      at += width;
    });
    return a;
  };
  it.each([
    ['random, odd n', () => randomSymmetric(131, 14, 0.01)],
    ['random, even n', () => randomSymmetric(160, 15, 0.03)],
    ['block diagonal (steps that reduce nothing, found ahead)', () => blockDiagonal([70, 3, 58])],
    [
      'diagonal (every step reduces nothing)',
      () => tridiagonal([...Array(60).keys()], Array<number>(59).fill(0)),
    ],
    ['already tridiagonal', () => tridiagonal([...Array(61).keys()], Array<number>(60).fill(0.5))],
    ['zero', () => new Float64Array(50 * 50)],
  ])('tridiagonal form, fused and apart, to the bit: %s', (_, make) => {
    const a = make();
    const size = Math.round(Math.sqrt(a.length));
    for (const kernel of ['wasm', 'js'] as const) {
      const fused = tridiagonalForm(a, size, { kernel });
      const apart = tridiagonalForm(a, size, { kernel, accumulating: true });
      expect(Array.from(fused.d)).toEqual(Array.from(apart.d));
      expect(Array.from(fused.e)).toEqual(Array.from(apart.e));
    }
  });

  // the curves' energies without forming V: B carried through Q^T and the tridiagonal's vectors
  it.each([
    [40, 'ql', 'wasm', 0, 40],
    [300, 'divide-conquer', 'wasm', 0, 300],
    [300, 'divide-conquer', 'wasm', 37, 211],
    [300, 'divide-conquer', 'js', 0, 300],
  ] as const)(
    'V^T B without V: n = %i, %s, %s kernel, directions %i..%i',
    (size, method, kernel, from, to) => {
      const a = randomSymmetric(size, 11, 0.02);
      const reduced = reduceSymmetric(a, size, { kernel, method });
      if (method === 'divide-conquer') expect(reduced.reflectorBlocks.length).toBe(3);
      const cols = 7;
      const normal = createNormal(createRandom(12));
      const b = Float64Array.from({ length: size * cols }, () => normal());
      const vectors = eigenvectorColumns(reduced, from, to);
      const k = to - from;
      const expected = new Float64Array(k * cols);
      for (let j = 0; j < k; j++)
        for (let c = 0; c < cols; c++) {
          let s = 0;
          for (let t = 0; t < size; t++) s += vectors[t * k + j] * b[t * cols + c];
          expected[j * cols + c] = s;
        }
      const projected = projectOnEigenvectors(reduced, b.slice(), cols, from, to, kernel);
      expect(projected.length).toBe(k * cols);
      const scale = Math.max(...expected.map(Math.abs));
      projected.forEach((x, i) => expect(Math.abs(x - expected[i]) / scale).toBeLessThan(1e-12));
    },
  );
});

describe('A^T B kernel (projections onto eigenvectors)', () => {
  it.each([
    [1, 1, 1, 1],
    [300, 37, 13, 5],
    [513, 64, 64, 130],
  ])('rows %i, A %i cols (k = %i), B %i cols: WebAssembly equals JS', (rows, aCols, k, cols) => {
    const normal = createNormal(createRandom(rows + cols));
    const a = Float64Array.from({ length: rows * aCols }, normal);
    const b = Float64Array.from({ length: rows * cols }, normal);
    const fast = multiplyTransposedA(a, aCols, rows, k, b, cols, 'wasm');
    const slow = multiplyTransposedA(a, aCols, rows, k, b, cols, 'js');
    expect(fast.length).toBe(k * cols);
    fast.forEach((v, i) => expect(v).toBeCloseTo(slow[i], 10));
  });

  it('the fused product (relaxed SIMD) and the unfused one equal the JS product to rounding, and differ', () => {
    expect(gramRelaxedWasmModule()).not.toBeNull();
    const [rows, aCols, k, cols] = [513, 64, 64, 130];
    const normal = createNormal(createRandom(11));
    const a = Float64Array.from({ length: rows * aCols }, normal);
    const b = Float64Array.from({ length: rows * cols }, normal);
    const exact = multiplyTransposedA(a, aCols, rows, k, b, cols, 'js');
    const fused = multiplyTransposedA(a, aCols, rows, k, b, cols, 'wasm');
    const unfused = multiplyTransposedA(a, aCols, rows, k, b, cols, 'wasm-unfused');
    // the sums are about sqrt(rows) in size, so 1e-13 absolute is a few units in the last place
    for (const product of [fused, unfused])
      exact.forEach((v, i) => expect(Math.abs(product[i] - v)).toBeLessThan(1e-12));
    // one rounding instead of two in each multiply-add: some sums differ in their last bits
    expect(fused.some((v, i) => v !== unfused[i])).toBe(true);
  });

  it('in place: into a block of a wider matrix, subtracted or added, from A given transposed, B read with a stride', () => {
    const [rows, k, cols, stride] = [70, 9, 6, 11];
    const normal = createNormal(createRandom(5));
    const a = Float64Array.from({ length: rows * k }, normal);
    const at = new Float64Array(k * rows);
    for (let i = 0; i < rows; i++) for (let j = 0; j < k; j++) at[j * rows + i] = a[i * k + j];
    const wideB = Float64Array.from({ length: rows * stride }, normal);
    const b = new Float64Array(rows * cols);
    for (let i = 0; i < rows; i++) b.set(wideB.subarray(i * stride + 2, i * stride + 2 + cols), i * cols);
    const expected = multiplyTransposedA(a, k, rows, k, b, cols, 'js');
    for (const kernel of ['wasm', 'js'] as const) {
      const strided = multiplyTransposedA(a, k, rows, k, wideB.subarray(2), cols, kernel, stride);
      strided.forEach((v, i) => expect(v).toBeCloseTo(expected[i], 12));
      const start = Float64Array.from({ length: k * stride }, normal);
      const target = start.slice();
      subtractProductTransposedA(target.subarray(3), stride, at, rows, rows, k, b, cols, kernel, true);
      for (let i = 0; i < k; i++)
        for (let j = 0; j < stride; j++) {
          const inBlock = j >= 3 && j < 3 + cols;
          const want = start[i * stride + j] - (inBlock ? expected[i * cols + j - 3] : 0);
          expect(target[i * stride + j]).toBeCloseTo(want, 12);
        }
    }
    for (const kernel of ['wasm', 'js'] as const) {
      const start = Float64Array.from({ length: k * stride }, normal);
      const target = start.slice();
      addProductTransposedA(
        target.subarray(3),
        stride,
        a,
        k,
        rows,
        k,
        wideB.subarray(2),
        cols,
        stride,
        kernel,
      );
      for (let i = 0; i < k; i++)
        for (let j = 0; j < stride; j++) {
          const inBlock = j >= 3 && j < 3 + cols;
          const want = start[i * stride + j] + (inBlock ? expected[i * cols + j - 3] : 0);
          expect(target[i * stride + j]).toBeCloseTo(want, 12);
        }
    }
    const written = new Float64Array(k * stride);
    writeProductTransposedA(written.subarray(1), stride, a, k, rows, k, b, cols);
    for (let i = 0; i < k; i++)
      for (let j = 0; j < cols; j++)
        expect(written[i * stride + 1 + j]).toBeCloseTo(expected[i * cols + j], 12);
    expect(written[0]).toBe(0);
  });
});

describe('chunk sums of the moment pass', () => {
  it('WebAssembly and JS give the same bits: float32 and float64 rows, odd widths, growing chunks', () => {
    // 2000 classes x 11 columns of sums: more than the module's first 64 KiB page
    const [dense, classes] = [11, 2000];
    const normal = createNormal(createRandom(17));
    const wasm = createChunkSums(dense, classes, 'wasm');
    const js = createChunkSums(dense, classes, 'js');
    // float64 rows first: the sums' memory must be there before any float32 chunk grows it
    for (const [rows, float32] of [
      [9, false],
      [5, true],
      [40, true],
      [9, false],
      [23, true],
    ] as const) {
      const values = (length: number, draw: () => number) =>
        float32 ? Float32Array.from({ length }, draw) : Float64Array.from({ length }, draw);
      const blocks = [
        { data: values(rows * 7, () => 3 + normal()), cols: 7 },
        { data: values(rows * 4, () => normal() / 3), cols: 4 },
      ];
      const labels = Int32Array.from({ length: rows }, (_, i) => (i * 7) % classes);
      const order = Int32Array.from({ length: rows }, (_, i) => rows - 1 - i);
      const [fromWasm, fromJs] = [new Float64Array(dense).fill(0.5), new Float64Array(dense).fill(0.5)];
      wasm.columnSums(blocks, rows, fromWasm);
      js.columnSums(blocks, rows, fromJs);
      expect(Array.from(fromWasm)).toEqual(Array.from(fromJs));
      const centre = fromJs.map((s) => s / rows);
      wasm.addClassRows(labels, order, centre);
      js.addClassRows(labels, order, centre);
      expect(Array.from(wasm.classSums())).toEqual(Array.from(js.classSums()));
    }
    // against a direct sum: class 1's rows of the last chunk are part of its sums
    expect(js.classSums().some((x) => x !== 0)).toBe(true);
  });
});

describe('kept WebAssembly instances', () => {
  const memoryOf = (instance: WebAssembly.Instance) =>
    (instance.exports as { memory: WebAssembly.Memory }).memory;

  it('an instance given back is taken again with its memory cleared; at most KEPT_INSTANCES are kept', () => {
    // a module of its own, so no other test's instances are in its pool
    const module = compileBase64Module(gramWasmBase64)!;
    const first = takeInstance(module);
    new Uint8Array(memoryOf(first).buffer).fill(7, 100, 200);
    keepInstance(module, first);
    const again = takeInstance(module);
    expect(again).toBe(first);
    expect(new Uint8Array(memoryOf(again).buffer).every((b) => b === 0)).toBe(true);
    // asked to clear only a prefix, it leaves the rest as its last user left it
    new Uint8Array(memoryOf(again).buffer).fill(7, 100, 200);
    keepInstance(module, again);
    const bytes = new Uint8Array(memoryOf(takeInstance(module, 150)).buffer);
    expect(bytes.subarray(0, 150).every((b) => b === 0)).toBe(true);
    expect(bytes.subarray(150, 200).every((b) => b === 7)).toBe(true);
    expect(bytes.subarray(200).every((b) => b === 0)).toBe(true);
    const many = Array.from({ length: KEPT_INSTANCES + 1 }, () => takeInstance(module));
    for (const instance of many) keepInstance(module, instance);
    const taken = new Set(Array.from({ length: KEPT_INSTANCES + 1 }, () => takeInstance(module)));
    expect(many.filter((instance) => taken.has(instance))).toHaveLength(KEPT_INSTANCES);
  });

  it('an instance whose memory grew past KEPT_INSTANCE_BYTES is not kept', () => {
    const module = compileBase64Module(gramWasmBase64)!;
    const big = takeInstance(module);
    const memory = memoryOf(big);
    memory.grow(Math.ceil((KEPT_INSTANCE_BYTES + 1 - memory.buffer.byteLength) / 65536));
    keepInstance(module, big);
    expect(takeInstance(module)).not.toBe(big);
  });

  it('a released Gram kernel or chunk sums refuse further use', () => {
    const kernel = createGramKernel(5, { precision: 'float64', kernel: 'wasm-f64' });
    const sums = createChunkSums(5, 2, 'wasm');
    kernel.release();
    sums.release();
    const blocks = [{ data: new Float64Array(10), cols: 5 }];
    expect(() => kernel.accumulateUpper(blocks, 2, new Float64Array(5))).toThrow('after release()');
    expect(() => sums.columnSums(blocks, 2, new Float64Array(5))).toThrow('after release()');
  });

  it('a Gram kernel or chunk sums on an instance that held NaN rows read none of them', () => {
    const [rows, dim, classes] = [50, 7, 3];
    const data = Float64Array.from({ length: rows * dim }, (_, i) => Math.sin(i));
    const labels = Int32Array.from({ length: rows }, (_, i) => i % classes);
    const order = Int32Array.from({ length: rows }, (_, i) => i);
    const gramOf = (kernel: 'wasm-f64' | 'wasm-f32', values: Float64Array, width: number) => {
      const gram = createGramKernel(width, {
        precision: kernel === 'wasm-f32' ? 'float32' : 'float64',
        kernel,
      });
      gram.accumulateUpper([{ data: values, cols: width }], rows, new Float64Array(width).fill(0.25));
      const out = new Float64Array(width * width);
      gram.addRunningSum(out, width);
      gram.release();
      return Array.from(out);
    };
    const sumsOf = (values: Float64Array, width: number) => {
      const sums = createChunkSums(width, classes, 'wasm');
      sums.columnSums([{ data: values, cols: width }], rows, new Float64Array(width));
      sums.addClassRows(labels, order, new Float64Array(width).fill(0.25));
      const out = Array.from(sums.classSums());
      sums.release();
      return out;
    };
    // a wider user's NaN rows, sums and staged values are left in the kept memory, over every
    // region of the narrower user after it
    const poison = (width: number) => new Float64Array(rows * width).fill(NaN);
    for (const kernel of ['wasm-f64', 'wasm-f32'] as const) {
      const clean = gramOf(kernel, data, dim);
      expect(clean.every(Number.isFinite)).toBe(true);
      gramOf(kernel, poison(dim + 9), dim + 9);
      expect(gramOf(kernel, data, dim)).toEqual(clean);
    }
    const clean = sumsOf(data, dim);
    expect(clean.every(Number.isFinite)).toBe(true);
    sumsOf(poison(dim + 9), dim + 9);
    expect(sumsOf(data, dim)).toEqual(clean);
  });

  it('moment passes on kept instances give the same bits as on new ones', () => {
    const normal = createNormal(createRandom(23));
    const [n, p, c] = [300, 9, 4];
    const features = Float64Array.from({ length: n * p }, () => normal());
    const logits = Float64Array.from({ length: n * c }, () => normal());
    const labels = Array.from({ length: n }, (_, i) => i % c);
    const pass = () => momentsOf(features, logits, n, { labels, classes: c, chunkRows: 64 });
    const first = pass();
    // another pass of another shape in between leaves its data in the kept memory
    momentsOf(logits, features, n, { chunkRows: 50 });
    const second = pass();
    expect(Array.from(second.scatter)).toEqual(Array.from(first.scatter));
    expect(Array.from(second.mean)).toEqual(Array.from(first.mean));
  });
});
