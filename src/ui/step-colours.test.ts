import { describe, expect, it } from 'vitest';
import { sequentialColour } from './step-colours';

describe('sequentialColour', () => {
  it('maps the sequential scale ends to viridis and clamps', () => {
    expect(sequentialColour(0)).toBe('#440154');
    expect(sequentialColour(1)).toBe('#fde725');
    expect(sequentialColour(-3)).toBe('#440154');
    expect(sequentialColour(Number.NaN)).toBe('#440154');
    expect(sequentialColour(0.5)).toBe('#21908d');
  });
});
