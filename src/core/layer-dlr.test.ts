import { describe, expect, it } from 'vitest';

import { analyzeMoments } from './analyze';
import { layersOf } from './layer-dlr';
import { createMomentAccumulator, mergeMoments, momentsOf } from './moments';
import { normalMatrix } from './random';
import { centreColumns, multiply, orthonormalColumns, randomRotation } from './testing';

/**
 * D_LR(l) from whole arrays, the definition of docs/method.md §8 without moments: explicit centring, an
 * orthonormal basis Q of span(F_c) (Gram-Schmidt), tr(P K) = ||Q^T L_c||_F^2 and ||K||_F = ||L_c^T L_c||_F.
 */
function dlrFromArrays(layer: Float64Array, f: Float64Array, n: number): number {
  const pl = layer.length / n;
  const c = f.length / n;
  const lc = centreColumns(layer.slice(), n, pl);
  const q = orthonormalColumns(centreColumns(f.slice(), n, c), n, c);
  let projected = 0;
  for (let a = 0; a < c; a++)
    for (let j = 0; j < pl; j++) {
      let s = 0;
      for (let i = 0; i < n; i++) s += q[i * c + a] * lc[i * pl + j];
      projected += s * s;
    }
  let kernel = 0;
  for (let a = 0; a < pl; a++)
    for (let b = 0; b < pl; b++) {
      let s = 0;
      for (let i = 0; i < n; i++) s += lc[i * pl + a] * lc[i * pl + b];
      kernel += s * s;
    }
  return 1 - projected / (Math.sqrt(kernel) * Math.sqrt(c));
}

const [n, p, c] = [240, 7, 3];
const input = normalMatrix(n, 5, 1);
const relu = (x: Float64Array) => x.map((v) => Math.max(0, v));
// a small random ReLU network: input -> layer1 (9) -> layer2 (6) -> features (7) -> logits (3)
const layer1 = relu(multiply(input, normalMatrix(5, 9, 2), n, 5, 9));
const layer2 = relu(multiply(layer1, normalMatrix(9, 6, 3), n, 9, 6));
const features = relu(multiply(layer2, normalMatrix(6, p, 4), n, 6, p));
const logits = multiply(features, normalMatrix(p, c, 5), n, p, c);
const layers = {
  features: 'layer3',
  earlier: [
    { name: 'layer1', values: layer1 },
    { name: 'layer2', values: layer2 },
  ],
};

describe('D_LR of every layer (docs/method.md §8)', () => {
  const metrics = analyzeMoments(momentsOf(features, logits, n, { layers, chunkRows: 37 }));

  it('lists every layer in layer order, the penultimate last with the checkpoint D_LR', () => {
    expect(metrics.layers.map((l) => [l.name, l.p, l.r])).toEqual([
      ['layer1', 9, 3],
      ['layer2', 6, 3],
      ['layer3', 7, 3],
    ]);
    expect(metrics.layers[2].dlr).toBe(metrics.dlr);
    expect(metrics.layers[2].dlrEnergy99).toBe(metrics.dlrEnergy99);
  });

  it('equals 1 - CKA computed from the centred arrays and an explicit projector', () => {
    expect(metrics.layers[0].dlr).toBeCloseTo(dlrFromArrays(layer1, logits, n), 12);
    expect(metrics.layers[1].dlr).toBeCloseTo(dlrFromArrays(layer2, logits, n), 12);
    expect(metrics.layers[2].dlr).toBeCloseTo(dlrFromArrays(features, logits, n), 12);
  });

  it('gives a layer equal to the features the checkpoint D_LR and dlrEnergy99', () => {
    const same = analyzeMoments(
      momentsOf(features, logits, n, {
        layers: { features: 'f', earlier: [{ name: 'copy', values: features }] },
      }),
    );
    expect(same.layers[0].dlr).toBeCloseTo(same.dlr, 14);
    expect(same.layers[0].dlrEnergy99).toBeCloseTo(same.dlrEnergy99, 14);
  });

  it('is 0 for a layer that is a rotated, scaled copy of the whitened outputs', () => {
    const q = orthonormalColumns(centreColumns(logits.slice(), n, c), n, c);
    const rotated = multiply(q, randomRotation(c, 8), n, c, c).map((x) => 4 * x + 1);
    const m = analyzeMoments(
      momentsOf(features, logits, n, {
        layers: { features: 'f', earlier: [{ name: 'w', values: rotated }] },
      }),
    );
    expect(m.layers[0].dlr).toBeCloseTo(0, 12);
  });

  it('uses the rank profile of the checkpoint: dlrEnergy99 at its r99', () => {
    // outputs with one very weak direction: r = 3 but r99 = 2
    const weak = logits.slice();
    for (let i = 0; i < n; i++) weak[i * c + 2] = 1e-4 * normalMatrix(n, 1, 9)[i] + weak[i * c] * 1e-3;
    const m = analyzeMoments(momentsOf(features, weak, n, { layers }));
    expect(m.r99).toBeLessThan(m.r);
    for (const layer of m.layers) expect(layer.r).toBe(m.r);
    expect(m.layers[0].dlrEnergy99).not.toBeCloseTo(m.layers[0].dlr!, 3);
  });

  it('is the same from chunks merged in any order (the moments of each layer merge exactly)', () => {
    const half = 130;
    const part = (a: Float64Array, w: number, from: number, to: number) => a.slice(from * w, to * w);
    const partLayers = (from: number, to: number) => ({
      features: 'layer3',
      earlier: [
        { name: 'layer1', values: part(layer1, 9, from, to) },
        { name: 'layer2', values: part(layer2, 6, from, to) },
      ],
    });
    const a = momentsOf(part(features, p, 0, half), part(logits, c, 0, half), half, {
      layers: partLayers(0, half),
    });
    const b = momentsOf(part(features, p, half, n), part(logits, c, half, n), n - half, {
      layers: partLayers(half, n),
    });
    const merged = analyzeMoments(mergeMoments(b, a));
    merged.layers.forEach((layer, i) => expect(layer.dlr).toBeCloseTo(metrics.layers[i].dlr!, 12));
  });

  it('refuses to merge moments of different layers', () => {
    const withLayers = momentsOf(features, logits, n, { layers });
    const without = momentsOf(features, logits, n);
    expect(() => mergeMoments(withLayers, without)).toThrow(/different layers/);
  });

  it('reports a layer constant over the samples as null, not NaN', () => {
    const constant = new Float64Array(n * 2).fill(3);
    const m = analyzeMoments(
      momentsOf(features, logits, n, {
        layers: { features: 'f', earlier: [{ name: 'dead', values: constant }] },
      }),
    );
    expect(m.layers[0]).toEqual({ name: 'dead', p: 2, r: 3, dlr: null, dlrEnergy99: null });
  });

  it('adds nothing of a chunk whose layer holds NaN when asked for finite rows', () => {
    const acc = createMomentAccumulator({
      p: 1,
      c: 1,
      targets: { kind: 'none' },
      layers: { features: 'f', earlier: [{ name: 'l', p: 1 }] },
    });
    expect(acc.addFinite({ rows: 2, features: [1, 2], logits: [3, 5], layers: [[1, NaN]] })).toBe(false);
    expect(acc.rows).toBe(0);
    expect(acc.addFinite({ rows: 2, features: [1, 2], logits: [3, 5], layers: [[1, 4]] })).toBe(true);
    expect(acc.result().layers!.earlier[0].moments.n).toBe(2);
  });

  it('reads metrics without layers (older sessions) as the penultimate alone', () => {
    const { layers: _dropped, ...old } = metrics;
    expect(layersOf(old)).toEqual([
      { name: 'features', p, r: 3, dlr: metrics.dlr, dlrEnergy99: metrics.dlrEnergy99 },
    ]);
  });
});
