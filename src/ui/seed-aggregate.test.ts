import { describe, expect, it } from 'vitest';
import { aggregateCurves, aggregateOverSteps, seedGroups } from './seed-aggregate';

describe('seed aggregation', () => {
  it('gives the pointwise mean ± population standard deviation', () => {
    const a = aggregateCurves([
      [1, 2, 3],
      [3, 4, 5, 99],
    ]);
    expect(a.mean).toEqual([2, 3, 4]);
    expect(a.lower).toEqual([1, 2, 3]);
    expect(a.upper).toEqual([3, 4, 5]);
  });

  it('is empty without curves and exact for one curve', () => {
    expect(aggregateCurves([])).toEqual({ mean: [], lower: [], upper: [] });
    expect(aggregateCurves([[0.5]])).toEqual({ mean: [0.5], lower: [0.5], upper: [0.5] });
  });

  it('aggregates over the steps every run has', () => {
    const a = aggregateOverSteps([
      { steps: [0, 100, 200], values: [1, 0.5, 0.2] },
      { steps: [200, 0], values: [0.4, 1] },
    ]);
    expect(a.steps).toEqual([0, 200]);
    expect(a.mean[0]).toBeCloseTo(1, 12);
    expect(a.mean[1]).toBeCloseTo(0.3, 12);
    expect(a.upper[1] - a.lower[1]).toBeCloseTo(0.2, 12);
  });

  it('groups only runs that share a non-empty group with another run', () => {
    const runs = [
      { name: 'a', seedGroup: 'rich' },
      { name: 'b', seedGroup: ' rich ' },
      { name: 'c', seedGroup: 'lazy' },
      { name: 'd', seedGroup: '' },
    ];
    const { groups, single } = seedGroups(runs);
    expect([...groups.keys()]).toEqual(['rich']);
    expect(groups.get('rich')!.map((r) => r.name)).toEqual(['a', 'b']);
    expect(single.map((r) => r.name)).toEqual(['c', 'd']);
  });
});
