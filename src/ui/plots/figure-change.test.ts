import { describe, expect, it } from 'vitest';
import { figureChange, sameFigureValue, sameTraces } from './figure-change';

const ys = Array.from({ length: 100 }, (_, i) => i / 100);
const curve = (y: number[], colour = '#0072B2') => ({
  type: 'scatter',
  y,
  line: { color: colour, width: 2 },
});
const figure = (traces: object[], layout: object = { xaxis: { range: [0, 1] } }, dark = false) => ({
  traces,
  layout,
  dark,
});

describe('sameFigureValue', () => {
  it.each([
    [1, 1, true],
    [NaN, NaN, true],
    ['solid', 'dash', false],
    [[0, 1], [0, 1], true],
    [[0, 1], [0, 2], false],
    [{ line: { width: 2 } }, { line: { width: 2 } }, true],
    [{ line: { width: 2 } }, { line: { width: 3 } }, false],
    [{ a: 1 }, { a: 1, b: undefined }, false],
    [null, {}, false],
  ])('%j against %j: %s', (a, b, same) => expect(sameFigureValue(a, b)).toBe(same));

  it('compares long data arrays by identity, not value', () => {
    expect(sameFigureValue(ys, ys)).toBe(true);
    expect(sameFigureValue(ys, [...ys])).toBe(false);
  });
});

describe('sameTraces', () => {
  it('holds for rebuilt traces over the same arrays, not for another count or array', () => {
    expect(sameTraces([curve(ys)], [curve(ys)])).toBe(true);
    expect(sameTraces([curve(ys)], [curve(ys), curve(ys)])).toBe(false);
    expect(sameTraces([curve(ys)], [curve([...ys])])).toBe(false);
  });
});

describe('figureChange', () => {
  it.each([
    ['nothing drawn yet', null, figure([curve(ys)]), 'traces'],
    ['a rebuilt, equal figure', figure([curve(ys)]), figure([curve(ys)]), 'none'],
    [
      'a moved mark of the layout',
      figure([curve(ys)]),
      figure([curve(ys)], { xaxis: { range: [0, 2] } }),
      'layout',
    ],
    ['a new curve', figure([curve(ys)]), figure([curve([...ys])]), 'traces'],
    ['a restyled run', figure([curve(ys)]), figure([curve(ys, '#D55E00')]), 'traces'],
    ['the other colour scheme', figure([curve(ys)]), figure([curve(ys)], undefined, true), 'traces'],
  ] as const)('%s: %s', (_, previous, next, change) => expect(figureChange(previous, next)).toBe(change));
});
