import { describe, expect, it } from 'vitest';
import { PLOT_AREA } from '../../paint/testing';
import { marksAsLayout, placeMarks, type PlotFrame, type PlotMark } from './plot-marks';

const linear: PlotFrame = PLOT_AREA;
// the same area with x on a log axis from 10 to 1000
const log: PlotFrame = { ...linear, x: (v) => 50 + 200 * (Math.log10(v) - 1) };

describe('placeMarks', () => {
  it('places a ring at its point and a step line across the plot area', () => {
    const marks: PlotMark[] = [
      { kind: 'ring', x: 25, y: 0.5, colour: '#D55E00' },
      { kind: 'step', x: 75, label: 'spectra: step 75' },
    ];
    expect(placeMarks(marks, linear)).toEqual([
      { kind: 'ring', at: 25, cx: 150, cy: 120, colour: '#D55E00' },
      { kind: 'step', at: 75, x: 350, top: 20, bottom: 220, label: 'spectra: step 75' },
    ]);
  });

  it('follows a log axis', () => {
    expect(placeMarks([{ kind: 'step', x: 100, label: '' }], log)).toMatchObject([{ x: 250 }]);
  });

  it('leaves out marks outside the plot area (a zoom) and marks that cannot be placed', () => {
    const marks: PlotMark[] = [
      { kind: 'ring', x: 120, y: 0.5, colour: 'red' },
      { kind: 'ring', x: 50, y: 1.2, colour: 'red' },
      { kind: 'step', x: -1, label: '' },
      // step 0 on a log axis
      { kind: 'step', x: 0, label: '' },
    ];
    expect(placeMarks(marks, linear).map((m) => m.kind)).toEqual(['step']);
    expect(placeMarks(marks.slice(3), log)).toEqual([]);
  });

  it('keeps marks on the edges', () => {
    const edges: PlotMark[] = [
      { kind: 'ring', x: 0, y: 0, colour: 'red' },
      { kind: 'ring', x: 100, y: 1, colour: 'red' },
    ];
    expect(placeMarks(edges, linear)).toHaveLength(2);
  });
});

describe('marksAsLayout', () => {
  it('gives the shapes and annotation an exported image draws, log10 for a ring on a log axis', () => {
    const marks: PlotMark[] = [
      { kind: 'ring', x: 100, y: 0.2, colour: '#D55E00' },
      { kind: 'step', x: 300, label: 'spectra: step 300' },
    ];
    const { shapes, annotations } = marksAsLayout(marks, true);
    expect(shapes[0]).toMatchObject({ type: 'circle', xanchor: 2, yanchor: 0.2, line: { color: '#D55E00' } });
    expect(shapes[1]).toMatchObject({ type: 'line', x0: 300, x1: 300, yref: 'paper' });
    expect(annotations).toEqual([expect.objectContaining({ x: 300, text: 'spectra: step 300' })]);
    expect(marksAsLayout(marks, false).shapes[0]).toMatchObject({ xanchor: 100 });
  });
});
