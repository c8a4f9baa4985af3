import { describe, expect, it } from 'vitest';
import {
  HOVER_DISTANCE_PX,
  extentTraces,
  fillHoverTemplate,
  formatNumber,
  hoverEntries,
  readoutXs,
  smallestPositiveY,
  stepReadout,
  unifiedHover,
} from './curve-canvas';
import type { AxisTypes, CurveFrame } from '../../paint/curves';
import { PLOT_AREA } from '../../paint/testing';
import type { Trace } from './traces';

const LINEAR: AxisTypes = { logX: false, logY: false, logY2: false };

// PLOT_AREA (x from 0 to 100, y from 0 to 1) with y2 from 0 to 2
const frame: CurveFrame = { ...PLOT_AREA, y2: (v) => 220 - 100 * v };

describe('extentTraces', () => {
  it('spans every point of each kind of trace, per y axis, and is drawn by no one', () => {
    const traces: Trace[] = [
      { type: 'scatter', mode: 'lines', x: [1, 2, 3], y: [0.5, 0.2, 0.9] },
      { type: 'scatter', mode: 'lines', x: [2, 7], y: [null as unknown as number, 0.1] },
      { type: 'scatter', mode: 'lines+markers', x: [0, 4], y: [0.3, 0.4], marker: { size: 8 } },
      { type: 'scatter', mode: 'lines', x: [5, 6], y: [0.6, 0.7], yaxis: 'y2' },
      { type: 'scatter', mode: 'lines', x: [100], y: [100], visible: false },
    ];
    const extent = extentTraces(traces, LINEAR);
    expect(extent.map(({ mode, x, y, yaxis }) => ({ mode, x, y, yaxis }))).toEqual([
      // the gap at x = 2 leaves x out only where y is missing: x = 2 is also a point of the first trace
      { mode: 'lines', x: [1, 7], y: [0.1, 0.9], yaxis: undefined },
      { mode: 'markers', x: [0, 4], y: [0.3, 0.4], yaxis: undefined },
      { mode: 'lines', x: [5, 6], y: [0.6, 0.7], yaxis: 'y2' },
    ]);
    expect(extent[1].marker).toEqual({ size: 8 });
    for (const trace of extent) {
      expect(trace.opacity).toBe(0);
      expect(trace.hoverinfo).toBe('skip');
      expect(trace.showlegend).toBe(false);
    }
  });

  it('agrees with a direct minimum and maximum over random curves, error bars included', () => {
    let seed = 7;
    const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31) * 2 - 0.5;
    const traces: Trace[] = Array.from({ length: 20 }, () => {
      const x = Array.from({ length: 30 }, () => random() * 100);
      const y = Array.from({ length: 30 }, () => random());
      const errors = Array.from({ length: 30 }, () => Math.abs(random()) / 10);
      return {
        type: 'scatter',
        mode: 'lines',
        x,
        y,
        error_y: { type: 'data', array: errors, visible: true },
      };
    });
    const [extent] = extentTraces(traces, LINEAR);
    const all = (pick: (t: Trace, i: number) => number) =>
      traces.flatMap((t) => (t.y as number[]).map((_, i) => pick(t, i)));
    const err = (t: Trace) => (t.error_y as { array: number[] }).array;
    expect(extent.x).toEqual([
      Math.min(...all((t, i) => (t.x as number[])[i])),
      Math.max(...all((t, i) => (t.x as number[])[i])),
    ]);
    expect(extent.y).toEqual([
      Math.min(...all((t, i) => (t.y as number[])[i] - err(t)[i])),
      Math.max(...all((t, i) => (t.y as number[])[i] + err(t)[i])),
    ]);
  });

  it('leaves out what a log axis cannot place', () => {
    const traces: Trace[] = [{ type: 'scatter', mode: 'lines', x: [0, 1, 10], y: [-1, 1e-3, 0.5] }];
    expect(extentTraces(traces, { logX: true, logY: true, logY2: false })[0]).toMatchObject({
      x: [1, 10],
      y: [1e-3, 0.5],
    });
    expect(extentTraces(traces, LINEAR)[0]).toMatchObject({ x: [0, 10], y: [-1, 0.5] });
    expect(smallestPositiveY(traces)).toBe(1e-3);
    expect(smallestPositiveY([])).toBe(Infinity);
  });

  it('follows new arrays of a trace', () => {
    const x = [1, 2];
    expect(extentTraces([{ type: 'scatter', x, y: [0, 1] }], LINEAR)[0].y).toEqual([0, 1]);
    expect(extentTraces([{ type: 'scatter', x, y: [0, 3] }], LINEAR)[0].y).toEqual([0, 3]);
  });
});

describe('unifiedHover', () => {
  const traces: Trace[] = [
    { type: 'scatter', name: 'a', x: [0, 10, 20], y: [0.1, 0.2, 0.3], hovertemplate: 'a %{y}' },
    { type: 'scatter', name: 'b', x: [0, 20], y: [0.5, 0.6], hovertemplate: 'b %{y}' },
    { type: 'scatter', name: 'band', x: [10], y: [0.9], hoverinfo: 'skip' },
    { type: 'scatter', name: 'c', x: [20], y: [0.7], yaxis: 'y2', hovertemplate: 'c %{y}' },
  ];

  it('lists each trace at the x nearest to the pointer', () => {
    const hover = unifiedHover(traces, frame, LINEAR, { xPixel: frame.x(18), yPixel: 100 })!;
    expect(hover.x).toBe(20);
    expect(hover.points.map((p) => [p.trace.name, p.index, p.y, p.xPixel, p.yPixel])).toEqual([
      ['a', 2, 0.3, 130, 160],
      ['b', 1, 0.6, 130, 100],
      ['c', 0, 0.7, 130, 150],
    ]);
  });

  it('skips traces without a point there and traces with no hover', () => {
    const hover = unifiedHover(traces, frame, LINEAR, { xPixel: frame.x(10), yPixel: 100 })!;
    expect(hover.points.map((p) => p.trace.name)).toEqual(['a']);
  });

  it('is empty when no point is within the hover distance', () => {
    // x = 5 is 20 px from both 0 and 10: at the limit; x = 5 + a pixel beyond it is not
    expect(unifiedHover(traces, frame, LINEAR, { xPixel: frame.x(5), yPixel: 0 })).not.toBeNull();
    const far = { xPixel: frame.x(20) + HOVER_DISTANCE_PX + 1, yPixel: 0 };
    expect(unifiedHover(traces, frame, LINEAR, far)).toBeNull();
  });
});

describe('the keyboard readout', () => {
  const traces: Trace[] = [
    { type: 'scatter', name: 'a', x: [0, 10, 20, 150], y: [0.1, 0.2, 0.3, 0.4] },
    { type: 'scatter', name: 'b', x: [5, 20, -3], y: [0.5, 0.6, 0.7] },
    { type: 'scatter', name: 'band', x: [7], y: [0.9], hoverinfo: 'skip' },
    { type: 'scatter', name: 'hidden', x: [8], y: [0.9], visible: false },
  ];

  it('stops at each hoverable x drawn inside the frame, once each, ascending', () => {
    // the frame spans x = 0..100: 150 and -3 lie outside it
    expect(readoutXs(traces, frame, LINEAR)).toEqual([0, 5, 10, 20]);
    const logX = { ...LINEAR, logX: true };
    const logFrame = { ...frame, x: (v: number) => 50 + 200 * Math.log10(v) };
    expect(readoutXs(traces, logFrame, logX)).toEqual([5, 10, 20]);
  });

  it('steps left and right, a tenth at a time by page, to either end, and stays at an end', () => {
    const xs = Array.from({ length: 25 }, (_, i) => i * 2);
    expect(stepReadout(xs, null, 'ArrowRight')).toBe(0);
    expect(stepReadout(xs, null, 'ArrowLeft')).toBe(48);
    expect(stepReadout(xs, null, 'PageUp')).toBe(48);
    expect(stepReadout(xs, 10, 'ArrowRight')).toBe(12);
    expect(stepReadout(xs, 10, 'ArrowLeft')).toBe(8);
    expect(stepReadout(xs, 10, 'PageDown')).toBe(16);
    expect(stepReadout(xs, 10, 'PageUp')).toBe(4);
    expect(stepReadout(xs, 2, 'PageUp')).toBe(0);
    expect(stepReadout(xs, 48, 'ArrowRight')).toBe(48);
    expect(stepReadout(xs, 0, 'ArrowLeft')).toBe(0);
    expect(stepReadout(xs, 10, 'Home')).toBe(0);
    expect(stepReadout(xs, 10, 'End')).toBe(48);
  });

  it('from an x no longer in view, goes to the next one on that side', () => {
    const xs = [10, 20, 30];
    expect(stepReadout(xs, 15, 'ArrowRight')).toBe(20);
    expect(stepReadout(xs, 15, 'ArrowLeft')).toBe(10);
    expect(stepReadout(xs, 50, 'ArrowLeft')).toBe(30);
    expect(stepReadout(xs, 50, 'ArrowRight')).toBe(30);
    expect(stepReadout(xs, 1, 'ArrowLeft')).toBe(10);
  });

  it('ignores other keys and plots without points', () => {
    expect(stepReadout([1, 2], 1, 'ArrowUp')).toBeUndefined();
    expect(stepReadout([1, 2], 1, 'Enter')).toBeUndefined();
    expect(stepReadout([], null, 'ArrowRight')).toBeUndefined();
  });
});

describe('hover text', () => {
  it('formats numbers as the d3 formats of the templates do', () => {
    expect(formatNumber(0.71504, '.4g')).toBe('0.7150');
    expect(formatNumber(1.25e-5, '.4g')).toBe('0.00001250');
    expect(formatNumber(123456, '.4g')).toBe('1.235e+5');
    expect(formatNumber(0.123456, '.4f')).toBe('0.1235');
    expect(formatNumber(0.4567, '.1%')).toBe('45.7%');
    expect(formatNumber(1500, undefined)).toBe('1500');
  });

  it('fills a template: fields, lines, no <extra>, markup removed, entities decoded', () => {
    expect(
      fillHoverTemplate('run &#60;a&#62; &amp; b · step 3: %{y:.4g}%{text}<extra></extra>', {
        x: 10,
        y: 0.5,
        text: ' ± 0.01',
      }),
    ).toEqual(['run <a> & b · step 3: 0.5000 ± 0.01']);
    expect(fillHoverTemplate('k = %{x} (held out)<br><i>on the test split</i>', { x: 10, y: NaN })).toEqual([
      'k = 10 (held out)',
      'on the test split',
    ]);
  });

  it("lists the title, then each point's line in its trace's colour", () => {
    const traces: Trace[] = [
      {
        type: 'scatter',
        x: [1],
        y: [0.25],
        text: [' ± 0.1'],
        line: { color: 'red' },
        hovertemplate: 'a · D_LR = %{y:.4f}%{text}<extra></extra>',
      },
      { type: 'scatter', name: 'b', x: [1], y: [0.5], marker: { color: 'blue' } },
    ];
    const hover = unifiedHover(traces, frame, LINEAR, { xPixel: frame.x(1), yPixel: 0 })!;
    expect(hoverEntries(hover, 'step %{x}')).toEqual({
      title: ['step 1'],
      entries: [
        { colour: 'red', text: 'a · D_LR = 0.2500 ± 0.1' },
        { colour: 'blue', text: 'b: 0.5' },
      ],
    });
    const twoLines: Trace = { type: 'scatter', x: [1], y: [0.5], hovertemplate: "r' = %{x}<br>D = %{y:.2f}" };
    const own = unifiedHover([twoLines], frame, LINEAR, { xPixel: frame.x(1), yPixel: 0 })!;
    expect(hoverEntries(own, undefined)).toEqual({
      title: [],
      entries: [{ colour: '#444444', text: "r' = 1, D = 0.50" }],
    });
  });
});
