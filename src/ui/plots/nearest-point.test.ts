import { describe, expect, it } from 'vitest';
import { nearestPoint } from './nearest-point';

const point = (name: string, xPixel?: number, yPixel?: number) => ({ name, xPixel, yPixel });

describe('nearestPoint', () => {
  it('picks the point nearest to the pointer on screen', () => {
    const points = [point('rich', 100, 40), point('lazy', 100, 200), point('grok', 104, 120)];
    expect(nearestPoint(points, { xPixel: 100, yPixel: 190 })?.name).toBe('lazy');
    expect(nearestPoint(points, { xPixel: 100, yPixel: 50 })?.name).toBe('rich');
    expect(nearestPoint(points, { xPixel: 120, yPixel: 125 })?.name).toBe('grok');
  });

  it('measures along the one axis known when the other is missing', () => {
    const points = [point('a', undefined, 10), point('b', undefined, 90)];
    expect(nearestPoint(points, { yPixel: 80 })?.name).toBe('b');
  });

  it('skips points that are not accepted', () => {
    const points = [point('accuracy', 100, 100), point('dlr', 100, 160)];
    expect(nearestPoint(points, { xPixel: 100, yPixel: 100 }, (p) => p.name === 'dlr')?.name).toBe('dlr');
  });

  it('falls back to the first accepted point when none is placed, undefined when none is accepted', () => {
    expect(nearestPoint([point('a'), point('b')], { xPixel: 1, yPixel: 1 })?.name).toBe('a');
    expect(nearestPoint([point('a', 1, 1)], { xPixel: 1, yPixel: 1 }, () => false)).toBeUndefined();
    expect(nearestPoint([], {})).toBeUndefined();
  });
});
