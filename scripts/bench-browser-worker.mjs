// Web Worker of `node scripts/bench-browser.mjs` (bundled by esbuild): the core's kernels in Chromium.
import { analyzeMoments } from '../src/core/analyze';
import { denseSymmetricEigen, eigenvectorColumns, reduceSymmetric } from '../src/core/kernels/eigen';
import { createGramKernel } from '../src/core/kernels/gram';
import { createMomentAccumulator } from '../src/core/moments';

function rowsOf(start, rows, p, c, classes) {
  // deterministic ReLU-like features, affine logits, labels: cheap to generate, not timed
  const features = new Float32Array(rows * p);
  const logits = new Float32Array(rows * c);
  const labels = new Float64Array(rows);
  let s = (start * 2654435761) >>> 0 || 1;
  const next = () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 4294967296 - 0.5;
  };
  for (let i = 0; i < rows; i++) {
    const z0 = next();
    const z1 = next();
    for (let j = 0; j < p; j++)
      features[i * p + j] = Math.max(0, z0 * ((j % 7) - 3) + z1 * ((j % 5) - 2) + 0.1 * next());
    for (let j = 0; j < c; j++)
      logits[i * c + j] = features[i * p + (j % p)] - 0.5 * features[i * p + ((3 * j) % p)] + 0.01 * next();
    labels[i] = (start + i) % classes;
  }
  return { features, logits, labels };
}

const tasks = {
  gram({ rows, dim, kernel }) {
    const data = new Float64Array(rows * dim);
    for (let i = 0; i < data.length; i++) data[i] = Math.fround(((i * 7919) % 1000) / 1000);
    const centre = new Float64Array(dim).fill(0.5);
    const out = new Float64Array(dim * dim);
    const k = createGramKernel(dim, { precision: kernel === 'wasm-f32' ? 'float32' : 'float64', kernel });
    k.gramUpper([{ data, cols: dim }], rows, centre, out, dim);
    const reps = 3;
    const t0 = performance.now();
    for (let r = 0; r < reps; r++) k.gramUpper([{ data, cols: dim }], rows, centre, out, dim);
    const seconds = (performance.now() - t0) / 1000 / reps;
    return { kernel: k.name, seconds, gflops: (rows * dim * (dim + 1)) / seconds / 1e9 };
  },
  eigen({ n, k }) {
    const a = new Float64Array(n * n);
    for (let i = 0; i < n; i++)
      for (let j = 0; j <= i; j++)
        a[i * n + j] = a[j * n + i] =
          Math.cos(i * 0.37 + j * 0.11) / (1 + Math.abs(i - j)) + (i === j ? n / (1 + i) : 0);
    let t0 = performance.now();
    denseSymmetricEigen(a, n);
    const dense = (performance.now() - t0) / 1000;
    // the eigendecomposition before its back-transformation, then only the k leading eigenvectors
    t0 = performance.now();
    const reduced = reduceSymmetric(a, n);
    const reduce = (performance.now() - t0) / 1000;
    t0 = performance.now();
    eigenvectorColumns(reduced, 0, k);
    return { n, dense, reduce, leadingVectors: (performance.now() - t0) / 1000, k };
  },
  pass({ start, end, p, c, classes, chunkRows, precision }) {
    const accumulator = createMomentAccumulator(
      { p, c, targets: { kind: 'onehot', classes } },
      { precision },
    );
    let compute = 0;
    for (let r = start; r < end; r += chunkRows) {
      const rows = Math.min(chunkRows, end - r);
      const chunk = rowsOf(r, rows, p, c, classes);
      const t0 = performance.now();
      accumulator.add({ rows, ...chunk });
      compute += performance.now() - t0;
    }
    return { moments: accumulator.result(), seconds: compute / 1000 };
  },
  analyze({ moments }) {
    const t0 = performance.now();
    const metrics = analyzeMoments(moments);
    return {
      seconds: (performance.now() - t0) / 1000,
      dlr: metrics.dlr,
      r: metrics.r,
      kept: metrics.rho.length,
    };
  },
};

self.onmessage = (event) => {
  const { id, task, args } = event.data;
  try {
    const result = tasks[task](args);
    const transfer = result.moments ? [result.moments.mean.buffer, result.moments.scatter.buffer] : [];
    self.postMessage({ id, result }, transfer);
  } catch (error) {
    self.postMessage({ id, error: String(error && error.stack ? error.stack : error) });
  }
};
