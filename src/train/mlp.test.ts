import { describe, expect, it } from 'vitest';
import { backwardMlp, createMlp, forwardMlp, softmaxCrossEntropy } from './mlp';
import type { Mlp } from './mlp';
import { createPrng } from './prng';

/** Loss of the net on (x, y) with logits alpha (h - h0). */
function lossOf(
  net: Mlp,
  x: Float64Array,
  y: Int32Array,
  n: number,
  alpha: number,
  h0: Float64Array,
): number {
  const h = forwardMlp(net, x, n).acts[net.sizes.length - 1];
  const f = Float64Array.from(h, (v, i) => alpha * (v - h0[i]));
  return softmaxCrossEntropy(f, y, n, net.sizes[net.sizes.length - 1], null);
}

function setup(seed: number) {
  const rng = createPrng(seed);
  const sizes = [5, 7, 6, 3];
  const net = createMlp(sizes, rng, 'float64');
  for (const b of net.biases) for (let i = 0; i < b.length; i++) b[i] = 0.1 * rng.normal();
  const n = 9;
  const x = Float64Array.from({ length: n * sizes[0] }, () => rng.normal());
  const y = Int32Array.from({ length: n }, () => rng.int(3));
  const h0 = Float64Array.from({ length: n * 3 }, () => rng.normal());
  return { net, n, x, y, h0 };
}

describe('backwardMlp', () => {
  it('matches central finite differences in float64 for every parameter (alpha = 2.5)', () => {
    const { net, n, x, y, h0 } = setup(1);
    const alpha = 2.5;
    const L = net.sizes.length - 1;
    const pass = forwardMlp(net, x, n);
    const f = Float64Array.from(pass.acts[L], (v, i) => alpha * (v - h0[i]));
    const grad = new Float64Array(f.length);
    softmaxCrossEntropy(f, y, n, 3, grad);
    for (let i = 0; i < grad.length; i++) grad[i] *= alpha;
    const grads = backwardMlp(net, pass, grad);
    const eps = 1e-6;
    let worst = 0;
    for (let l = 0; l < L; l++) {
      for (const [params, g] of [
        [net.weights[l], grads.weights[l]!],
        [net.biases[l], grads.biases[l]!],
      ] as const) {
        for (let i = 0; i < params.length; i++) {
          const keep = params[i];
          params[i] = keep + eps;
          const up = lossOf(net, x, y, n, alpha, h0);
          params[i] = keep - eps;
          const down = lossOf(net, x, y, n, alpha, h0);
          params[i] = keep;
          const numeric = (up - down) / (2 * eps);
          worst = Math.max(
            worst,
            Math.abs(numeric - g[i]) / Math.max(1e-4, Math.abs(numeric) + Math.abs(g[i])),
          );
        }
      }
    }
    expect(worst).toBeLessThan(1e-5);
  });

  it('computes only the read-out gradient when training the last layer only', () => {
    const { net, n, x, y } = setup(2);
    const pass = forwardMlp(net, x, n);
    const grad = new Float64Array(n * 3);
    softmaxCrossEntropy(pass.acts[3], y, n, 3, grad);
    const full = backwardMlp(net, pass, grad, 0);
    const last = backwardMlp(net, pass, grad, 2);
    expect(last.weights.slice(0, 2)).toEqual([null, null]);
    expect(Array.from(last.weights[2]!)).toEqual(Array.from(full.weights[2]!));
  });

  it('agrees with the float64 path in float32 to float32 precision', () => {
    const rng64 = createPrng(4);
    const rng32 = createPrng(4);
    const net64 = createMlp([4, 8, 2], rng64, 'float64');
    const net32 = createMlp([4, 8, 2], rng32, 'float32');
    const x = Float64Array.from({ length: 12 }, (_, i) => Math.sin(i));
    const p64 = forwardMlp(net64, x, 3);
    const p32 = forwardMlp(net32, Float32Array.from(x), 3);
    for (let i = 0; i < 6; i++) expect(p32.acts[2][i]).toBeCloseTo(p64.acts[2][i], 5);
  });
});

describe('softmaxCrossEntropy', () => {
  it('is log C for zero logits and stable for huge ones', () => {
    expect(softmaxCrossEntropy(new Float64Array(8), [0, 1], 2, 4, null)).toBeCloseTo(Math.log(4), 12);
    // both rows put 1e4 on the wrong class: loss 1e4 each; the right class gets it: loss 0
    expect(softmaxCrossEntropy(Float64Array.from([1e4, 0, 0, 1e4]), [1, 0], 2, 2, null)).toBeCloseTo(1e4, 6);
    expect(softmaxCrossEntropy(Float64Array.from([1e4, 0, 0, 1e4]), [0, 1], 2, 2, null)).toBe(0);
  });
});
