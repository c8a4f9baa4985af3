import { describe, expect, it } from 'vitest';
import {
  HOVER_DISTANCE_PX,
  dashPattern,
  drawCurves,
  extentTraces,
  fillHoverTemplate,
  formatNumber,
  hoverEntries,
  smallestPositiveY,
  unifiedHover,
  type AxisTypes,
  type CurveContext,
  type CurveFrame,
} from './curve-canvas';
import { PLOT_AREA } from '../testing';
import { DIMMED_OPACITY, type Trace } from './traces';

const LINEAR: AxisTypes = { logX: false, logY: false, logY2: false };

// PLOT_AREA (x from 0 to 100, y from 0 to 1) with y2 from 0 to 2
const frame: CurveFrame = { ...PLOT_AREA, y2: (v) => 220 - 100 * v };

/** A canvas context that records the calls the curves make, and the state at each fill or stroke. */
function recorder() {
  const calls: {
    op: string;
    args: number[];
    alpha: number;
    colour: string;
    width: number;
    dash: number[];
  }[] = [];
  const state = {
    strokeStyle: '' as string,
    fillStyle: '' as string,
    lineWidth: 1,
    globalAlpha: 1,
    lineJoin: 'miter',
    lineCap: 'butt',
    dash: [] as number[],
  };
  const record =
    (op: string) =>
    (...args: unknown[]) =>
      calls.push({
        op,
        args: args.filter((a): a is number => typeof a === 'number'),
        alpha: state.globalAlpha,
        colour: op === 'fill' ? String(state.fillStyle) : String(state.strokeStyle),
        width: state.lineWidth,
        dash: [...state.dash],
      });
  const context = Object.assign(state, {
    save: record('save'),
    restore: record('restore'),
    beginPath: record('beginPath'),
    closePath: record('closePath'),
    moveTo: record('moveTo'),
    lineTo: record('lineTo'),
    arc: record('arc'),
    rect: record('rect'),
    clip: record('clip'),
    fill: record('fill'),
    stroke: record('stroke'),
    setLineDash: (dash: number[]) => {
      state.dash = dash;
    },
  });
  /** The path's moves and lines, in order: [op, x, y]. */
  const path = () =>
    calls.filter((c) => c.op === 'moveTo' || c.op === 'lineTo').map((c) => [c.op, ...c.args] as const);
  return { context: context as unknown as CurveContext, calls, path };
}

describe('dashPattern', () => {
  it("scales plotly's named dashes with the line width, at least 3 px a unit", () => {
    expect(dashPattern('solid', 2)).toEqual([]);
    expect(dashPattern(undefined, 2)).toEqual([]);
    expect(dashPattern('dot', 2)).toEqual([3, 3]);
    expect(dashPattern('dash', 2)).toEqual([9, 9]);
    expect(dashPattern('longdash', 4)).toEqual([20, 20]);
    expect(dashPattern('dashdot', 4)).toEqual([12, 4, 4, 4]);
    expect(dashPattern('longdashdot', 1)).toEqual([15, 6, 3, 6]);
  });

  it('uses a px list as it is', () => {
    expect(dashPattern('10px,4px,2px,4px', 2)).toEqual([10, 4, 2, 4]);
    expect(dashPattern('5, 3', 2)).toEqual([5, 3]);
  });
});

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

describe('drawCurves', () => {
  it('strokes each line through its points on the axes, a new piece after a gap, clipped to the plot area', () => {
    const { context, calls, path } = recorder();
    const trace: Trace = {
      type: 'scatter',
      mode: 'lines',
      x: [0, 25, 50, 75],
      y: [0, 0.5, null as unknown as number, 1],
      line: { color: '#0072B2', width: 2, dash: 'dash' },
    };
    const drawn = drawCurves(context, [trace], frame, LINEAR, null);
    expect(drawn).toEqual([{ trace, opacity: 1 }]);
    expect(calls.find((c) => c.op === 'rect')?.args).toEqual([50, 20, 400, 200]);
    expect(path()).toEqual([
      ['moveTo', 50, 220],
      ['lineTo', 150, 120],
      ['moveTo', 350, 20],
    ]);
    const stroke = calls.find((c) => c.op === 'stroke')!;
    expect(stroke).toMatchObject({ colour: '#0072B2', width: 2, dash: [9, 9], alpha: 1 });
  });

  it('fades the runs not under the pointer and thickens the one that is', () => {
    const { context, calls } = recorder();
    const traces: Trace[] = [
      { type: 'scatter', mode: 'lines', meta: 'a', x: [0, 1], y: [0, 1], line: { color: 'red', width: 2 } },
      {
        type: 'scatter',
        mode: 'lines',
        meta: 'b',
        x: [0, 1],
        y: [1, 0],
        opacity: 0.5,
        line: { color: 'blue', width: 2 },
      },
    ];
    const drawn = drawCurves(context, traces, frame, LINEAR, 'a');
    expect(drawn.map((d) => d.opacity)).toEqual([1, 0.5 * DIMMED_OPACITY]);
    const strokes = calls.filter((c) => c.op === 'stroke');
    expect(strokes.map((s) => [s.colour, s.width, s.alpha])).toEqual([
      ['red', 3.5, 1],
      ['blue', 2, 0.5 * DIMMED_OPACITY],
    ]);
  });

  it('fills a band, and draws markers and error bars on the axis of their trace', () => {
    const { context, calls, path } = recorder();
    const band: Trace = {
      type: 'scatter',
      mode: 'lines',
      x: [0, 50, 50, 0],
      y: [0.2, 0.2, 0.4, 0.4],
      fill: 'toself',
      fillcolor: 'rgba(0, 0, 255, 0.2)',
      line: { width: 0, color: 'blue' },
    };
    const points: Trace = {
      type: 'scatter',
      mode: 'markers',
      x: [25, 50],
      y: [1, 1.5],
      yaxis: 'y2',
      marker: { color: 'green', size: 8 },
      error_y: { type: 'data', array: [0.5, NaN], visible: true, color: 'green', thickness: 1.5, width: 4 },
    };
    drawCurves(context, [band, points], frame, LINEAR, null);
    const fills = calls.filter((c) => c.op === 'fill');
    expect(fills[0].colour).toBe('rgba(0, 0, 255, 0.2)');
    // a band of width 0 is filled, not stroked
    expect(calls.filter((c) => c.op === 'stroke')).toHaveLength(1);
    const arcs = calls.filter((c) => c.op === 'arc').map((c) => c.args.slice(0, 3));
    expect(arcs).toEqual([
      [150, 120, 4],
      [250, 70, 4],
    ]);
    // one error bar (the NaN has none): from y2 = 0.5 to 1.5, with caps 4 px either side
    expect(path().slice(4)).toEqual([
      ['moveTo', 150, 70],
      ['lineTo', 150, 170],
      ['moveTo', 146, 70],
      ['lineTo', 154, 70],
      ['moveTo', 146, 170],
      ['lineTo', 154, 170],
    ]);
  });

  it("outlines an '-open' marker instead of filling it", () => {
    const { context, calls, path } = recorder();
    const marker: Trace = {
      type: 'scatter',
      mode: 'markers',
      x: [25],
      y: [0.5],
      marker: { size: 10, symbol: 'diamond-open', color: 'purple', line: { width: 2 } },
    };
    drawCurves(context, [marker], frame, LINEAR, null);
    expect(calls.filter((c) => c.op === 'fill')).toHaveLength(0);
    expect(calls.filter((c) => c.op === 'stroke').map((c) => [c.colour, c.width])).toEqual([['purple', 2]]);
    // a diamond 1.3 times the radius from its centre (150, 120)
    expect(path()).toEqual([
      ['moveTo', 150, 113.5],
      ['lineTo', 156.5, 120],
      ['lineTo', 150, 126.5],
      ['lineTo', 143.5, 120],
    ]);
  });

  it('leaves out points a log axis cannot place', () => {
    const { context, path } = recorder();
    const logFrame: CurveFrame = { ...frame, y: (v) => 220 - 50 * Math.log10(v) };
    drawCurves(
      context,
      [{ type: 'scatter', mode: 'lines', x: [0, 1, 2], y: [1, 0, 10] }],
      logFrame,
      { logX: false, logY: true, logY2: false },
      null,
    );
    expect(path()).toEqual([
      ['moveTo', 50, 220],
      ['moveTo', 58, 170],
    ]);
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
