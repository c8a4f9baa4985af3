import { describe, expect, it } from 'vitest';
import { nearestCheckpoint, unionOfSteps } from './nearest-checkpoint';

const at = (...steps: number[]) => steps.map((step) => ({ step }));

describe('nearestCheckpoint', () => {
  it('finds the exact or closest step', () => {
    expect(nearestCheckpoint(at(0, 150, 1500), 150)?.step).toBe(150);
    expect(nearestCheckpoint(at(0, 150, 1500), 1000)?.step).toBe(1500);
    expect(nearestCheckpoint(at(0, 150, 1500), 10)?.step).toBe(0);
  });

  it('prefers the earlier checkpoint on a tie, whatever the order', () => {
    expect(nearestCheckpoint(at(200, 100), 150)?.step).toBe(100);
    expect(nearestCheckpoint(at(100, 200), 150)?.step).toBe(100);
  });

  it('returns the latest for a null step and nothing for an empty run', () => {
    expect(nearestCheckpoint(at(5, 50, 20), null)?.step).toBe(50);
    expect(nearestCheckpoint([], 3)).toBeUndefined();
  });
});

describe('unionOfSteps', () => {
  it('merges, deduplicates and sorts', () => {
    expect(unionOfSteps([{ checkpoints: at(0, 1500, 150) }, { checkpoints: at(150, 300) }])).toEqual([
      0, 150, 300, 1500,
    ]);
    expect(unionOfSteps([])).toEqual([]);
  });
});
