/** Painting curves, against a context that records what it is asked to draw. */
import { describe, expect, it } from 'vitest';

import {
  DIMMED_OPACITY,
  emphasis,
  axisMap,
  curvesToDraw,
  dashPattern,
  drawCurves,
  frameFromMaps,
  paintCanvas,
  type AxisTypes,
  type CurveContext,
  type CurveFrame,
  type CurveTrace,
  type PaintContext,
} from './curves';
import { PLOT_AREA } from './testing';

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

describe('drawCurves', () => {
  it('strokes each line through its points on the axes, a new piece after a gap, clipped to the plot area', () => {
    const { context, calls, path } = recorder();
    const trace: CurveTrace = {
      mode: 'lines',
      x: [0, 25, 50, 75],
      y: [0, 0.5, null as unknown as number, 1],
      line: { color: '#0072B2', width: 2, dash: 'dash' },
    };
    const drawn = drawCurves(context, [trace], frame, LINEAR, null);
    expect(drawn).toEqual([{ trace, opacity: 1, widthScale: 1 }]);
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
    const traces: CurveTrace[] = [
      { mode: 'lines', meta: 'a', x: [0, 1], y: [0, 1], line: { color: 'red', width: 2 } },
      {
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
    const band: CurveTrace = {
      mode: 'lines',
      x: [0, 50, 50, 0],
      y: [0.2, 0.2, 0.4, 0.4],
      fill: 'toself',
      fillcolor: 'rgba(0, 0, 255, 0.2)',
      line: { width: 0, color: 'blue' },
    };
    const points: CurveTrace = {
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
    const marker: CurveTrace = {
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
      [{ mode: 'lines', x: [0, 1, 2], y: [1, 0, 10] }],
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

describe('emphasis', () => {
  it('brings the hovered run forward, thicker, and fades the others; nothing changes while none is', () => {
    expect(emphasis('twin', 'twin')).toEqual({ opacity: 1, widthScale: 1.75 });
    expect(emphasis('rich', 'twin')).toEqual({ opacity: DIMMED_OPACITY, widthScale: 1 });
    expect(emphasis('rich', null)).toEqual({ opacity: 1, widthScale: 1 });
  });
});

describe('a frame as data', () => {
  it('maps values as the axes it was read from, linear and log', () => {
    const logX = (v: number) => 50 + 200 * (Math.log10(v) - 1);
    const maps = {
      left: 50,
      top: 20,
      width: 400,
      height: 200,
      x: axisMap(logX, true, [1, 3]),
      y: axisMap(PLOT_AREA.y, false, [0, 1]),
      y2: axisMap(frame.y2!, false, [0, 2]),
    };
    const rebuilt = frameFromMaps(maps);
    for (const v of [10, 31.6, 100, 1000]) expect(rebuilt.x(v)).toBeCloseTo(logX(v), 9);
    for (const v of [-1, 0, 0.25, 1, 7]) {
      expect(rebuilt.y(v)).toBeCloseTo(PLOT_AREA.y(v), 9);
      expect(rebuilt.y2!(v)).toBeCloseTo(frame.y2!(v), 9);
    }
    expect(frameFromMaps({ ...maps, y2: undefined }).y2).toBeUndefined();
  });

  it('keeps the scale of a long axis whose pixels are rounded to 0.01', () => {
    // 400 px for steps 0 to 100,000: one step is 0.004 px, less than the rounding
    const rounded = (v: number) => Math.round((50 + 0.004 * v) * 100) / 100;
    const x = frameFromMaps({
      ...PLOT_AREA,
      x: axisMap(rounded, false, [0, 100_000]),
      y: axisMap(PLOT_AREA.y, false, [0, 1]),
    }).x;
    expect(Math.abs(x(73_210) - (50 + 0.004 * 73_210))).toBeLessThan(0.01);
  });
});

describe('paintCanvas', () => {
  const trace: CurveTrace = { mode: 'lines', x: [0, 50], y: [0, 1], line: { color: 'red', width: 2 } };
  const withCanvas = () => {
    const recorded = recorder();
    const transforms: number[][] = [];
    const clears: number[][] = [];
    const context = Object.assign(recorded.context, {
      setTransform: (...m: number[]) => transforms.push(m),
      clearRect: (...r: number[]) => clears.push(r),
    }) as unknown as PaintContext;
    return { ...recorded, context, transforms, clears };
  };
  // PLOT_AREA as data
  const maps = {
    ...PLOT_AREA,
    x: axisMap(PLOT_AREA.x, false, [0, 100]),
    y: axisMap(PLOT_AREA.y, false, [0, 1]),
  };
  const paint = {
    width: 800,
    height: 400,
    ratio: 2,
    frame: maps,
    traces: [trace],
    axes: LINEAR,
    emphasizedRun: null,
  };

  it('clears the whole canvas, then paints in CSS px scaled to device px', () => {
    const { context, transforms, clears, path } = withCanvas();
    expect(paintCanvas(context, paint)).toEqual([{ trace, opacity: 1, widthScale: 1 }]);
    expect(clears).toEqual([[0, 0, 800, 400]]);
    expect(transforms).toEqual([
      [1, 0, 0, 1, 0, 0],
      [2, 0, 0, 2, 0, 0],
    ]);
    expect(path()).toEqual([
      ['moveTo', 50, 220],
      ['lineTo', 250, 20],
    ]);
  });

  it('only clears while there is no plot or no trace', () => {
    for (const empty of [
      { ...paint, frame: null },
      { ...paint, traces: [] },
    ]) {
      const { context, clears, path } = withCanvas();
      expect(paintCanvas(context, empty)).toEqual([]);
      expect([clears.length, path().length]).toEqual([1, 0]);
    }
  });

  it('lists the visible curves with their emphasis, as drawCurves paints them', () => {
    const hidden: CurveTrace = { ...trace, visible: false };
    const run: CurveTrace = { ...trace, meta: 'b', opacity: 0.5 };
    expect(curvesToDraw([trace, hidden, run], 'b')).toEqual([
      { trace, opacity: 1, widthScale: 1 },
      { trace: run, opacity: 0.5, widthScale: 1.75 },
    ]);
  });
});
