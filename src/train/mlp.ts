/**
 * A ReLU multilayer perceptron over typed arrays: forward pass, softmax cross-entropy, and backward
 * pass. No ML dependency; float32 in the app, float64 for the finite-difference gradient tests.
 *
 * Layer l maps sizes[l] -> sizes[l+1]: z = a W_l^T + b_l, with W_l stored sizes[l+1] x sizes[l]
 * row-major. Hidden layers apply ReLU; the last layer is linear (the logits h). The penultimate
 * features Phi (docs/method.md §1) are the input of the last layer, i.e. the last hidden activation.
 */
import type { Prng } from './prng';

export type Precision = 'float32' | 'float64';
export type Vec = Float32Array | Float64Array;

export interface Mlp {
  /** [input, hidden_1, ..., hidden_depth, output] */
  sizes: number[];
  /** weights[l]: sizes[l+1] x sizes[l], row-major */
  weights: Vec[];
  /** biases[l]: sizes[l+1] */
  biases: Vec[];
  precision: Precision;
}

/** Activations of one forward pass: acts[0] = input, acts[1..L-1] = hidden (post-ReLU), acts[L] = logits. */
export interface ForwardPass {
  n: number;
  /** acts[l]: n x sizes[l], row-major */
  acts: Vec[];
}

export function allocate(precision: Precision, length: number): Vec {
  return precision === 'float32' ? new Float32Array(length) : new Float64Array(length);
}

/**
 * He-normal initialisation (variance 2 / fan_in) for the ReLU layers, variance 1 / fan_in for the
 * linear read-out; biases zero. The standard parametrisation, so width alone does not make it lazy.
 */
export function createMlp(sizes: readonly number[], rng: Prng, precision: Precision = 'float32'): Mlp {
  if (sizes.length < 2 || sizes.some((s) => !Number.isInteger(s) || s < 1))
    throw new RangeError(`MLP sizes must be >= 2 positive integers, got [${sizes.join(', ')}]`);
  const weights: Vec[] = [];
  const biases: Vec[] = [];
  const layers = sizes.length - 1;
  for (let l = 0; l < layers; l++) {
    const fanIn = sizes[l];
    const std = Math.sqrt((l === layers - 1 ? 1 : 2) / fanIn);
    const w = allocate(precision, sizes[l + 1] * fanIn);
    for (let i = 0; i < w.length; i++) w[i] = std * rng.normal();
    weights.push(w);
    biases.push(allocate(precision, sizes[l + 1]));
  }
  return { sizes: [...sizes], weights, biases, precision };
}

export function cloneMlp(net: Mlp): Mlp {
  return {
    sizes: [...net.sizes],
    weights: net.weights.map((w) => w.slice()),
    biases: net.biases.map((b) => b.slice()),
    precision: net.precision,
  };
}

/**
 * Indices of the non-zero entries of row `row` of a (n x dim) in `out`; returns their count, or -1 when
 * the row is dense enough (> 1/4 non-zero) that the plain loop is faster. One-hot inputs (modular
 * addition) make the first layer an embedding lookup this way.
 */
function sparseRow(a: Vec, row: number, dim: number, out: Int32Array): number {
  const limit = dim >> 2;
  let count = 0;
  for (let k = 0; k < dim; k++) {
    if (a[row + k] !== 0) {
      if (count >= limit) return -1;
      out[count++] = k;
    }
  }
  return count;
}

/** z (n x out) = a (n x in) W^T + b, then ReLU in place when `relu`. */
function linear(
  a: Vec,
  n: number,
  w: Vec,
  b: Vec,
  inDim: number,
  outDim: number,
  z: Vec,
  relu: boolean,
): void {
  const nz = new Int32Array(inDim);
  for (let i = 0; i < n; i++) {
    const aRow = i * inDim;
    const zRow = i * outDim;
    const count = sparseRow(a, aRow, inDim, nz);
    for (let o = 0; o < outDim; o++) {
      const wRow = o * inDim;
      let s0 = 0;
      let s1 = 0;
      if (count >= 0) {
        for (let j = 0; j < count; j++) s0 += a[aRow + nz[j]] * w[wRow + nz[j]];
      } else {
        let k = 0;
        for (; k + 1 < inDim; k += 2) {
          s0 += a[aRow + k] * w[wRow + k];
          s1 += a[aRow + k + 1] * w[wRow + k + 1];
        }
        if (k < inDim) s0 += a[aRow + k] * w[wRow + k];
      }
      const v = s0 + s1 + b[o];
      z[zRow + o] = relu && v < 0 ? 0 : v;
    }
  }
}

/** Forward pass on n rows of x (n x sizes[0]). */
export function forwardMlp(net: Mlp, x: Vec, n: number): ForwardPass {
  const L = net.sizes.length - 1;
  const acts: Vec[] = [x];
  for (let l = 0; l < L; l++) {
    const z = allocate(net.precision, n * net.sizes[l + 1]);
    linear(acts[l], n, net.weights[l], net.biases[l], net.sizes[l], net.sizes[l + 1], z, l < L - 1);
    acts.push(z);
  }
  return { n, acts };
}

/**
 * Mean softmax cross-entropy of logits f (n x C) against labels, and its gradient
 * dL/df = (softmax(f) - onehot(y)) / n, written to `grad` (n x C). Max-shifted for stability.
 */
export function softmaxCrossEntropy(
  f: ArrayLike<number>,
  labels: ArrayLike<number>,
  n: number,
  classes: number,
  grad: Vec | null,
): number {
  let loss = 0;
  for (let i = 0; i < n; i++) {
    const row = i * classes;
    let max = -Infinity;
    for (let c = 0; c < classes; c++) if (f[row + c] > max) max = f[row + c];
    let sum = 0;
    for (let c = 0; c < classes; c++) sum += Math.exp(f[row + c] - max);
    const logSum = Math.log(sum) + max;
    loss += logSum - f[row + labels[i]];
    if (grad) {
      for (let c = 0; c < classes; c++) grad[row + c] = Math.exp(f[row + c] - logSum) / n;
      grad[row + labels[i]] -= 1 / n;
    }
  }
  return loss / n;
}

/** Gradients with the layout of the parameters; null entries are frozen layers (not computed). */
export interface MlpGradients {
  weights: (Vec | null)[];
  biases: (Vec | null)[];
}

/**
 * Backward pass from dL/dlogits (n x out). Computes gradients for layers >= `firstTrainable` only
 * and stops back-propagating below it (training only the last layer costs one layer).
 */
export function backwardMlp(net: Mlp, pass: ForwardPass, gradOut: Vec, firstTrainable = 0): MlpGradients {
  const L = net.sizes.length - 1;
  const n = pass.n;
  const gw: (Vec | null)[] = new Array<Vec | null>(L).fill(null);
  const gb: (Vec | null)[] = new Array<Vec | null>(L).fill(null);
  let delta = gradOut; // dL/dz_l, n x sizes[l+1]
  for (let l = L - 1; l >= firstTrainable; l--) {
    const inDim = net.sizes[l];
    const outDim = net.sizes[l + 1];
    const a = pass.acts[l];
    const w = net.weights[l];
    const dw = allocate(net.precision, outDim * inDim);
    const db = allocate(net.precision, outDim);
    const nz = new Int32Array(inDim);
    for (let i = 0; i < n; i++) {
      const aRow = i * inDim;
      const dRow = i * outDim;
      const count = sparseRow(a, aRow, inDim, nz);
      for (let o = 0; o < outDim; o++) {
        const d = delta[dRow + o];
        if (d === 0) continue;
        db[o] += d;
        const wRow = o * inDim;
        if (count >= 0) for (let j = 0; j < count; j++) dw[wRow + nz[j]] += d * a[aRow + nz[j]];
        else for (let k = 0; k < inDim; k++) dw[wRow + k] += d * a[aRow + k];
      }
    }
    gw[l] = dw;
    gb[l] = db;
    if (l === firstTrainable) break;
    // dL/da_l = delta W_l, then through the ReLU of layer l-1 (a_l > 0 iff its pre-activation > 0).
    const prev = allocate(net.precision, n * inDim);
    for (let i = 0; i < n; i++) {
      const pRow = i * inDim;
      const dRow = i * outDim;
      for (let o = 0; o < outDim; o++) {
        const d = delta[dRow + o];
        if (d === 0) continue;
        const wRow = o * inDim;
        for (let k = 0; k < inDim; k++) prev[pRow + k] += d * w[wRow + k];
      }
      for (let k = 0; k < inDim; k++) if (a[pRow + k] <= 0) prev[pRow + k] = 0;
    }
    delta = prev;
  }
  return { weights: gw, biases: gb };
}
