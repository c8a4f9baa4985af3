/**
 * The bundled synthetic classification tasks of the Learn view: a Gaussian mixture whose classes
 * are unions of clusters (so a linear read-out of the raw input is not enough), and modular addition
 * (a + b mod m from one-hot operands), the classic grokking task. Deterministic in their seed.
 */
import { createPrng, deriveSeed } from './prng';

/** One split: n rows of inputs and integer labels. */
export interface Split {
  n: number;
  /** n x inputDim, row-major */
  x: Float32Array;
  /** n, class index in 0..classes-1 */
  y: Int32Array;
}

export interface Dataset {
  /** short description shown in the UI */
  title: string;
  inputDim: number;
  classes: number;
  train: Split;
  test: Split;
}

/** Gaussian clusters; each class owns `clustersPerClass` of them (an XOR-like, non-linear task). */
export interface MixtureTaskOptions {
  kind: 'mixture';
  /** input dimension */
  dim: number;
  classes: number;
  clustersPerClass: number;
  /** standard deviation of each cluster (cluster centres are standard normal in every coordinate) */
  noise: number;
  trainSize: number;
  testSize: number;
  seed: number;
}

export const defaultMixtureTaskOptions: MixtureTaskOptions = {
  kind: 'mixture',
  dim: 32,
  classes: 4,
  clustersPerClass: 4,
  noise: 1.0,
  trainSize: 600,
  testSize: 600,
  seed: 1,
};

/** (a + b) mod m, inputs one-hot(a) ++ one-hot(b) (2m columns); a random `trainFraction` of the m^2 pairs trains. */
export interface ModularTaskOptions {
  kind: 'modular';
  /** the modulus m (23-31 keeps a browser run short) */
  modulus: number;
  /** share of the m^2 pairs in the training split, in (0, 1) */
  trainFraction: number;
  seed: number;
}

export const defaultModularTaskOptions: ModularTaskOptions = {
  kind: 'modular',
  modulus: 23,
  trainFraction: 0.4,
  seed: 1,
};

export type TaskOptions = MixtureTaskOptions | ModularTaskOptions;

/** Builds a task's train and test splits. Throws RangeError on impossible sizes. */
export function makeTask(options: TaskOptions): Dataset {
  return options.kind === 'mixture' ? makeMixtureTask(options) : makeModularTask(options);
}

function makeMixtureTask(o: MixtureTaskOptions): Dataset {
  if (o.dim < 1 || o.classes < 2 || o.clustersPerClass < 1 || o.trainSize < 1 || o.testSize < 1)
    throw new RangeError(
      'mixture task: dim >= 1, classes >= 2, clustersPerClass >= 1 and sizes >= 1 required',
    );
  const centreRng = createPrng(deriveSeed(o.seed, 1));
  const clusters = o.classes * o.clustersPerClass;
  const centres = new Float64Array(clusters * o.dim);
  for (let i = 0; i < centres.length; i++) centres[i] = centreRng.normal();
  const sample = (n: number, tag: number): Split => {
    const rng = createPrng(deriveSeed(o.seed, tag));
    const x = new Float32Array(n * o.dim);
    const y = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      const cluster = rng.int(clusters);
      y[i] = cluster % o.classes;
      for (let j = 0; j < o.dim; j++)
        x[i * o.dim + j] = centres[cluster * o.dim + j] + o.noise * rng.normal();
    }
    return { n, x, y };
  };
  return {
    title: `Gaussian mixture: ${o.classes} classes × ${o.clustersPerClass} clusters in ${o.dim} dimensions`,
    inputDim: o.dim,
    classes: o.classes,
    train: sample(o.trainSize, 2),
    test: sample(o.testSize, 3),
  };
}

function makeModularTask(o: ModularTaskOptions): Dataset {
  const m = o.modulus;
  if (!Number.isInteger(m) || m < 2)
    throw new RangeError(`modular task: modulus must be an integer >= 2, got ${m}`);
  if (!(o.trainFraction > 0 && o.trainFraction < 1))
    throw new RangeError(`modular task: trainFraction must be in (0, 1), got ${o.trainFraction}`);
  const pairs = Int32Array.from({ length: m * m }, (_, i) => i);
  createPrng(deriveSeed(o.seed, 4)).shuffle(pairs);
  const nTrain = Math.max(1, Math.min(m * m - 1, Math.round(o.trainFraction * m * m)));
  const split = (ids: Int32Array): Split => {
    const n = ids.length;
    const x = new Float32Array(n * 2 * m);
    const y = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      const a = Math.floor(ids[i] / m);
      const b = ids[i] % m;
      x[i * 2 * m + a] = 1;
      x[i * 2 * m + m + b] = 1;
      y[i] = (a + b) % m;
    }
    return { n, x, y };
  };
  return {
    title: `Modular addition: (a + b) mod ${m}, ${nTrain} of ${m * m} pairs for training`,
    inputDim: 2 * m,
    classes: m,
    train: split(pairs.subarray(0, nTrain)),
    test: split(pairs.subarray(nTrain)),
  };
}
