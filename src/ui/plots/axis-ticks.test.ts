import { describe, expect, it } from 'vitest';
import { decadeTick, integerTick } from './axis-ticks';

describe('decadeTick', () => {
  it.each([
    [0.5, undefined],
    [0.1, 1],
    [1e-3, 1],
    [1e-6, 1],
    [1e-7, 2],
    [1e-12, 2],
    [1e-16, 3],
    [0, undefined],
    [NaN, undefined],
    [2, undefined],
  ])('smallest %s → every %s decade(s)', (smallest, tick) => expect(decadeTick(smallest)).toBe(tick));
});

describe('integerTick', () => {
  it.each([
    [3, 1],
    [8, 1],
    [9, 2],
    [23, 5],
    [40, 5],
    [41, 10],
    [100, 20],
    [2000, 500],
  ])('1..%s → ticks every %s', (count, tick) => expect(integerTick(count)).toBe(tick));
});
