import { describe, expect, it } from 'vitest';
import { InputError } from '../io/types';
import { fakeCheckpoint, fakeMoments, fakeRun } from './fake-records';
import { decodeFloat64, decodeResultsBundle, encodeFloat64, encodeResultsBundle } from './results-bundle';

describe('float64 base64 codec', () => {
  it('round-trips exactly, including special values', () => {
    const values = new Float64Array([0, -0, 1 / 3, -1e-300, 1e300, Number.MAX_VALUE, Number.NaN, Infinity]);
    expect(Array.from(decodeFloat64(encodeFloat64(values)))).toEqual(Array.from(values));
    expect(decodeFloat64(encodeFloat64(new Float64Array(0)))).toHaveLength(0);
  });
});

describe('results bundle', () => {
  it('round-trips runs, steps, labels and moments bit for bit', () => {
    const runs = [
      fakeRun('rich', [fakeCheckpoint(0), fakeCheckpoint(150, {}, false)], {
        colour: '#D55E00',
        seedGroup: 'g',
      }),
      fakeRun('lazy', [fakeCheckpoint(7)]),
    ];
    runs[0].checkpoints[0].fit.scatter[3] = Math.PI;
    const decoded = decodeResultsBundle(encodeResultsBundle(runs), 'x.richscope.json');
    expect(decoded.map((r) => [r.name, r.colour, r.seedGroup])).toEqual([
      ['rich', '#D55E00', 'g'],
      ['lazy', '#0072B2', ''],
    ]);
    const [first, second] = decoded[0].checkpoints;
    expect(first.step).toBe(0);
    expect(first.label).toBe('step_0');
    expect(first.fit).toEqual(runs[0].checkpoints[0].fit);
    expect(first.eval).toEqual(runs[0].checkpoints[0].eval);
    expect(second.eval).toBeNull();
    expect(decoded[1].checkpoints[0].step).toBe(7);
    // the standard errors need per-group moments the bundle does not hold: carried from its metrics
    expect(first.carried).toEqual({ dlrStdErr: 0.01, dlrEnergy99StdErr: 0.012, storedPrecision: null });
  });

  it('carries only well-formed standard errors and precisions; an older bundle has none', () => {
    const runs = [
      fakeRun('r', [
        fakeCheckpoint(0, { dlrStdErr: -1, dlrEnergy99StdErr: null, storedPrecision: 'float16' }),
      ]),
    ];
    const [checkpoint] = decodeResultsBundle(encodeResultsBundle(runs), 'x.json')[0].checkpoints;
    expect(checkpoint.carried).toEqual({
      dlrStdErr: null,
      dlrEnergy99StdErr: null,
      storedPrecision: 'float16',
    });
    const older = JSON.parse(encodeResultsBundle(runs));
    delete older.runs[0].checkpoints[0].metrics;
    expect(decodeResultsBundle(JSON.stringify(older), 'y.json')[0].checkpoints[0].carried).toEqual({
      dlrStdErr: null,
      dlrEnergy99StdErr: null,
      storedPrecision: null,
    });
  });

  it('round-trips the layers of the moments (docs/method.md §8) and reads bundles without them', () => {
    const run = fakeRun('deep', [fakeCheckpoint(3)]);
    const fit = run.checkpoints[0].fit;
    const layer = { ...fakeMoments(5, fit.c, 0), n: fit.n };
    layer.scatter[7] = Math.E;
    fit.layers = { features: 'block3', earlier: [{ name: 'block1', moments: layer }] };
    const [decoded] = decodeResultsBundle(encodeResultsBundle([run]), 'd.richscope.json');
    expect(decoded.checkpoints[0].fit.layers).toEqual(fit.layers);
    const without = encodeResultsBundle([fakeRun('flat', [fakeCheckpoint(1)])]);
    expect(JSON.parse(without).runs[0].checkpoints[0].fit).not.toHaveProperty('layers');
    expect(decodeResultsBundle(without, 'e.json')[0].checkpoints[0].fit.layers).toBeUndefined();
    const wrongRows = encodeResultsBundle([run]).replace(/"n":10,"p":5/, '"n":11,"p":5');
    expect(() => decodeResultsBundle(wrongRows, 'f.json')).toThrow(/layer block1 has n=11/);
  });

  it('refuses other files with an InputError naming the file', () => {
    expect(() => decodeResultsBundle('{', 'a.json')).toThrow(InputError);
    expect(() => decodeResultsBundle('{"format":"other"}', 'a.json')).toThrow(
      /a\.json: not a Richscope results bundle/,
    );
    const wrongShape = encodeResultsBundle([fakeRun('r', [fakeCheckpoint(0)])]).replace('"p":2', '"p":3');
    expect(() => decodeResultsBundle(wrongShape, 'b.json')).toThrow(/expected 7 means/);
  });
});
