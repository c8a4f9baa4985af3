/**
 * The deterministic trainer of the Learn view: an MLP on a bundled task, trained full-batch or in
 * seeded mini-batches with SGD or Adam(W), with the Chizat-Bach output scale
 *
 *     f(x) = alpha (h(x) - h0(x)),   h0 = the network's output at initialisation,
 *
 * and the learning rate divided by alpha^2 (SGD) or alpha (Adam, whose steps do not scale with the
 * gradient), so the function moves at the same speed for every alpha while the weights move ~1/alpha:
 * a large alpha is the lazy (linearised) limit. Same options + seed => bit-identical weights.
 */
import { backwardMlp, cloneMlp, createMlp, forwardMlp, softmaxCrossEntropy, allocate } from './mlp';
import type { Mlp, Precision, Vec } from './mlp';
import { createPrng, deriveSeed } from './prng';
import type { Prng } from './prng';
import { makeTask } from './tasks';
import type { Dataset, TaskOptions } from './tasks';
import { defaultMixtureTaskOptions } from './tasks';

export type OptimizerKind = 'sgd' | 'adam';

/** Everything that defines a training run. */
export interface TrainerOptions {
  task: TaskOptions;
  /** units per hidden layer */
  width: number;
  /** hidden layers (>= 1); the last one gives the penultimate features Phi */
  depth: number;
  /** output scale alpha > 0 (1 = standard; large = lazy) */
  alpha: number;
  /**
   * multiplies every initial weight (1 = He init). Large values memorise lazily first and leave the
   * weight decay to shrink the weights into feature learning: the grokking recipe (Omnigrok).
   */
  initScale: number;
  /** subtract the initial output h0, so f starts at 0 (Chizat-Bach); off = f = alpha h */
  centerAtInit: boolean;
  /** freeze every layer but the read-out: the features never change (lazy by construction) */
  lastLayerOnly: boolean;
  optimizer: OptimizerKind;
  /** base learning rate before the alpha scaling */
  learningRate: number;
  /** decoupled for Adam (AdamW: w -= lr wd w), L2 for SGD (g += wd w); pulls weights to 0 */
  weightDecay: number;
  /** Adam moment decay rates */
  beta1: number;
  beta2: number;
  /** share of training labels permuted among themselves, in [0, 1] (test labels stay true) */
  labelShuffle: number;
  /** rows per step; 0 = full batch */
  batchSize: number;
  /** total optimisation steps */
  steps: number;
  /** a checkpoint every this many steps (and at step 0) */
  checkpointEvery: number;
  seed: number;
  precision: Precision;
}

export const defaultTrainerOptions: TrainerOptions = {
  task: defaultMixtureTaskOptions,
  width: 64,
  depth: 2,
  alpha: 1,
  initScale: 1,
  centerAtInit: true,
  lastLayerOnly: false,
  optimizer: 'adam',
  learningRate: 3e-3,
  weightDecay: 0,
  beta1: 0.9,
  beta2: 0.98,
  labelShuffle: 0,
  batchSize: 0,
  steps: 600,
  checkpointEvery: 20,
  seed: 0,
  precision: 'float32',
};

/**
 * Activations of one split at one step, row-major: the two sides of the final layer (what D_LR
 * compares) and the network's prediction.
 */
export interface SplitActivations {
  n: number;
  /** n x p: the penultimate features (the last hidden layer) */
  features: Float32Array;
  /** n x width each: the hidden layers before it, input side first (docs/method.md §8) */
  hidden: Float32Array[];
  /**
   * n x C: the final layer's own output h = W phi + b, an affine function of `features` (what D_LR
   * and the read-out residual take as the outputs, docs/method.md §1)
   */
  outputs: Float32Array;
  /**
   * n x C: the network's prediction f = alpha (h - h0), what the loss and the accuracy use. With
   * centerAtInit, h0 (the output at initialisation) varies with the input, so f is not an affine
   * function of the current features.
   */
  logits: Float32Array;
  /** n labels (the training labels as trained on, shuffled ones included) */
  labels: Int32Array;
}

export interface RawCheckpoint {
  step: number;
  /** mean cross-entropy on the training labels */
  trainLoss: number;
  train: SplitActivations;
  test: SplitActivations;
}

export interface Trainer {
  readonly options: TrainerOptions;
  readonly dataset: Dataset;
  /** training labels after shuffling */
  readonly trainLabels: Int32Array;
  /** steps taken so far */
  readonly step: number;
  readonly net: Mlp;
  /** Takes up to `count` steps (never past options.steps); returns the last batch loss. */
  train(count: number): number;
  /** Features, final-layer outputs and logits of both splits now. */
  snapshot(): RawCheckpoint;
}

/** The effective learning rate: lr / alpha^2 for SGD, lr / alpha for Adam (see the module comment). */
export function effectiveLearningRate(
  options: Pick<TrainerOptions, 'learningRate' | 'alpha' | 'optimizer'>,
): number {
  return options.optimizer === 'sgd'
    ? options.learningRate / (options.alpha * options.alpha)
    : options.learningRate / options.alpha;
}

function validate(o: TrainerOptions): void {
  const bad = (what: string) => {
    throw new RangeError(`trainer: ${what}`);
  };
  if (!Number.isInteger(o.width) || o.width < 1) bad(`width must be a positive integer, got ${o.width}`);
  if (!Number.isInteger(o.depth) || o.depth < 1) bad(`depth must be >= 1, got ${o.depth}`);
  if (!(o.alpha > 0)) bad(`alpha must be > 0, got ${o.alpha}`);
  if (!(o.initScale > 0)) bad(`initScale must be > 0, got ${o.initScale}`);
  if (!(o.learningRate > 0)) bad(`learningRate must be > 0, got ${o.learningRate}`);
  if (!(o.weightDecay >= 0)) bad(`weightDecay must be >= 0, got ${o.weightDecay}`);
  if (!(o.labelShuffle >= 0 && o.labelShuffle <= 1))
    bad(`labelShuffle must be in [0, 1], got ${o.labelShuffle}`);
  if (!Number.isInteger(o.steps) || o.steps < 0) bad(`steps must be a non-negative integer, got ${o.steps}`);
  if (!Number.isInteger(o.checkpointEvery) || o.checkpointEvery < 1)
    bad(`checkpointEvery must be a positive integer, got ${o.checkpointEvery}`);
}

/** Permutes the labels of a random `share` of the rows among themselves (class counts are kept). */
export function shuffleLabels(labels: Int32Array, share: number, rng: Prng): Int32Array {
  const out = labels.slice();
  const chosen = rng.shuffle(Int32Array.from({ length: labels.length }, (_, i) => i));
  const k = Math.round(share * labels.length);
  const picked = chosen.subarray(0, k);
  const values = rng.shuffle(Int32Array.from(picked, (i) => labels[i]));
  for (let j = 0; j < k; j++) out[picked[j]] = values[j];
  return out;
}

function toPrecision(x: Float32Array, precision: Precision): Vec {
  return precision === 'float32' ? x : Float64Array.from(x);
}

export function createTrainer(options: TrainerOptions): Trainer {
  validate(options);
  const o = options;
  const dataset = makeTask(o.task);
  const C = dataset.classes;
  const sizes = [dataset.inputDim, ...Array.from({ length: o.depth }, () => o.width), C];
  const net = createMlp(sizes, createPrng(deriveSeed(o.seed, 10)), o.precision);
  if (o.initScale !== 1) for (const w of net.weights) for (let i = 0; i < w.length; i++) w[i] *= o.initScale;
  const L = sizes.length - 1;
  const firstTrainable = o.lastLayerOnly ? L - 1 : 0;
  const trainLabels = shuffleLabels(dataset.train.y, o.labelShuffle, createPrng(deriveSeed(o.seed, 11)));
  const batchRng = createPrng(deriveSeed(o.seed, 12));
  const xTrain = toPrecision(dataset.train.x, o.precision);
  const xTest = toPrecision(dataset.test.x, o.precision);
  const nTrain = dataset.train.n;
  const outputsAt = (x: Vec, n: number) => forwardMlp(net, x, n).acts[L];
  const h0Train = o.centerAtInit ? outputsAt(xTrain, nTrain) : null;
  const h0Test = o.centerAtInit ? outputsAt(xTest, dataset.test.n) : null;
  const lr = effectiveLearningRate(o);

  const params: Vec[] = [];
  for (let l = firstTrainable; l < L; l++) params.push(net.weights[l], net.biases[l]);
  const m1 = params.map((p) => allocate(o.precision, p.length));
  const m2 = params.map((p) => allocate(o.precision, p.length));
  // Weight decay applies to weight matrices, not biases (the usual AdamW convention).
  const decays = params.map((_, i) => i % 2 === 0);

  const fullBatch = o.batchSize <= 0 || o.batchSize >= nTrain;
  const batchRows = fullBatch ? nTrain : o.batchSize;
  const order = Int32Array.from({ length: nTrain }, (_, i) => i);
  let cursor = nTrain;
  const xBatch = fullBatch ? xTrain : allocate(o.precision, batchRows * dataset.inputDim);
  const yBatch = fullBatch ? trainLabels : new Int32Array(batchRows);
  const h0Batch = fullBatch || !h0Train ? h0Train : allocate(o.precision, batchRows * C);
  const fBatch = allocate(o.precision, batchRows * C);
  const gradF = allocate(o.precision, batchRows * C);

  let step = 0;

  function fillBatch(): void {
    if (fullBatch) return;
    const d = dataset.inputDim;
    for (let r = 0; r < batchRows; r++) {
      if (cursor >= nTrain) {
        batchRng.shuffle(order);
        cursor = 0;
      }
      const i = order[cursor++];
      xBatch.set(xTrain.subarray(i * d, (i + 1) * d), r * d);
      yBatch[r] = trainLabels[i];
      if (h0Batch && h0Train) h0Batch.set(h0Train.subarray(i * C, (i + 1) * C), r * C);
    }
  }

  function oneStep(): number {
    fillBatch();
    const pass = forwardMlp(net, xBatch, batchRows);
    const h = pass.acts[L];
    for (let i = 0; i < fBatch.length; i++) fBatch[i] = o.alpha * (h[i] - (h0Batch ? h0Batch[i] : 0));
    const loss = softmaxCrossEntropy(fBatch, yBatch, batchRows, C, gradF);
    for (let i = 0; i < gradF.length; i++) gradF[i] *= o.alpha; // df/dh = alpha
    const grads = backwardMlp(net, pass, gradF, firstTrainable);
    const gradList: Vec[] = [];
    for (let l = firstTrainable; l < L; l++) gradList.push(grads.weights[l] as Vec, grads.biases[l] as Vec);
    step++;
    if (o.optimizer === 'sgd') {
      for (let j = 0; j < params.length; j++) {
        const p = params[j];
        const g = gradList[j];
        const wd = decays[j] ? o.weightDecay : 0;
        for (let i = 0; i < p.length; i++) p[i] -= lr * (g[i] + wd * p[i]);
      }
    } else {
      const c1 = 1 - Math.pow(o.beta1, step);
      const c2 = 1 - Math.pow(o.beta2, step);
      for (let j = 0; j < params.length; j++) {
        const p = params[j];
        const g = gradList[j];
        const a = m1[j];
        const b = m2[j];
        const decay = decays[j] ? 1 - lr * o.weightDecay : 1;
        for (let i = 0; i < p.length; i++) {
          a[i] = o.beta1 * a[i] + (1 - o.beta1) * g[i];
          b[i] = o.beta2 * b[i] + (1 - o.beta2) * g[i] * g[i];
          p[i] = p[i] * decay - (lr * (a[i] / c1)) / (Math.sqrt(b[i] / c2) + 1e-8);
        }
      }
    }
    return loss;
  }

  function activations(x: Vec, n: number, h0: Vec | null, labels: Int32Array): SplitActivations {
    const pass = forwardMlp(net, x, n);
    const h = pass.acts[L];
    const logits = new Float32Array(n * C);
    for (let i = 0; i < logits.length; i++) logits[i] = o.alpha * (h[i] - (h0 ? h0[i] : 0));
    return {
      n,
      features: Float32Array.from(pass.acts[L - 1]),
      hidden: pass.acts.slice(1, L - 1).map((a) => Float32Array.from(a)),
      outputs: Float32Array.from(h),
      logits,
      labels: labels.slice(),
    };
  }

  return {
    options: o,
    dataset,
    trainLabels,
    get step() {
      return step;
    },
    net,
    train(count: number): number {
      let loss = NaN;
      for (let k = 0; k < count && step < o.steps; k++) loss = oneStep();
      return loss;
    },
    snapshot(): RawCheckpoint {
      const train = activations(xTrain, nTrain, h0Train, trainLabels);
      const test = activations(xTest, dataset.test.n, h0Test, dataset.test.y);
      const trainLoss = softmaxCrossEntropy(train.logits, trainLabels, nTrain, C, null);
      return { step, trainLoss, train, test };
    },
  };
}

/** A copy of the current weights (for determinism tests and exports). */
export function copyWeights(trainer: Trainer): Mlp {
  return cloneMlp(trainer.net);
}
