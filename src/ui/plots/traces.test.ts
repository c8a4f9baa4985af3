import { describe, expect, it } from 'vitest';
import { fakeCheckpoint, fakeRun } from '../testing';
import { defaultViewSettings } from '../../state/view-settings';
import { sequentialColour } from '../step-colours';
import { RUN_DASHES } from '../run-style';
import { extentTraces } from './curve-canvas';
import {
  allStepsCurves,
  allStepsExtent,
  CURVE_FORM_NAMES,
  EVAL_SPLIT_NOTES,
  buildTraces,
  cappedK,
  spectrumHoverTitle,
  MANY_CHECKPOINTS,
  STEP_BANDS,
  stepBand,
  stepColourBarTrace,
  withAlpha,
} from './traces';

const rich = fakeRun(
  'rich',
  [fakeCheckpoint(0, { dlr: 0.5 }), fakeCheckpoint(100, { dlr: 0.2, mass: [0.1, 0.2, 0.3, 0.4] })],
  {
    colour: '#D55E00',
  },
);
const lazy = fakeRun('lazy', [fakeCheckpoint(0), fakeCheckpoint(150, {}, false)]);

describe('cappedK', () => {
  it('stops at the last relative eigenvalue above the cap', () => {
    expect(cappedK([1, 0.5, 2.5e-4, 2.5e-9], 1e-6)).toBe(3);
    expect(cappedK([1, 0.5, 2.5e-4, 2.5e-9], 0)).toBe(4);
    expect(cappedK([1, 0.5], 0.9)).toBe(1);
    expect(cappedK([], 1e-6)).toBe(0);
  });
});

describe('buildTraces across runs', () => {
  it('draws one trace per visible run at the nearest checkpoint, capped in k', () => {
    const traces = buildTraces('mass', [rich, lazy], { ...defaultViewSettings, step: 90 });
    expect(traces.map((t) => t.name)).toEqual(['rich', 'lazy']);
    expect(traces[0].y).toEqual([0.1, 0.2, 0.3]); // rich step 100, K = 3 at 1e-6
    expect(traces[0].x).toEqual([1, 2, 3]);
    expect(traces[0].line?.color).toBe('#D55E00');
    expect(traces[1].hovertemplate).toContain('step 150');
  });

  it('draws the held-out curves by default and the Nyström sums, never clipped, as the option; hovers say which', () => {
    const view = { ...defaultViewSettings, step: 0, kMinRelative: 0 };
    expect(buildTraces('mass', [lazy], view)[0].y).toEqual([0.5, 0.8, 0.9, 0.95]);
    expect(buildTraces('mass', [lazy], { ...view, curveForm: 'nystrom' })[0].y).toEqual([0.5, 0.8, 0.9, 1.2]);
    expect(buildTraces('utilization', [lazy], { ...view, curveForm: 'nystrom' })[0].y).toEqual([
      0.6, 0.9, 1, 1.1,
    ]);
    expect(spectrumHoverTitle('mass', true, 'heldOut')).toContain(EVAL_SPLIT_NOTES.heldOut);
    expect(spectrumHoverTitle('mass', true, 'heldOut')).toContain(CURVE_FORM_NAMES.heldOut);
    expect(spectrumHoverTitle('mass', true, 'nystrom')).toContain(EVAL_SPLIT_NOTES.nystrom);
    expect(spectrumHoverTitle('mass', false, 'heldOut')).not.toContain(EVAL_SPLIT_NOTES.heldOut);
    expect(spectrumHoverTitle('eigenvalues', true, 'heldOut')).toBe('k = %{x}');
  });

  it('draws no held-out curve for a checkpoint stored without one', () => {
    const old = fakeRun('old', [fakeCheckpoint(0, { mass: [], utilization: [] })]);
    expect(buildTraces('mass', [old], defaultViewSettings)).toEqual([]);
    expect(buildTraces('mass', [old], { ...defaultViewSettings, curveForm: 'nystrom' })).toHaveLength(1);
  });

  it('names each run and the step it is drawn at in the one hover for all runs', () => {
    const traces = buildTraces('utilization', [rich, lazy], { ...defaultViewSettings, step: 100 });
    expect(traces.map((t) => t.hovertemplate)).toEqual([
      'rich · step 100: Π̂(k) = %{y:.4g}<extra></extra>',
      'lazy · step 150: Π̂(k) = %{y:.4g}<extra></extra>',
    ]);
    expect(traces.map((t) => t.meta)).toEqual(['rich', 'lazy']);
  });

  it('tells runs of one colour apart by dash', () => {
    const twin = fakeRun('twin', [fakeCheckpoint(0)], { colour: '#D55E00' });
    const view = { ...defaultViewSettings, step: 0 };
    const plain = buildTraces('eigenvalues', [rich, twin], view);
    expect(plain.map((t) => [t.line?.color, t.line?.dash])).toEqual([
      ['#D55E00', 'solid'],
      ['#D55E00', RUN_DASHES[1]],
    ]);
    expect(plain.map((t) => t.opacity)).toEqual([undefined, undefined]);
  });

  it('hands plotly the same arrays for an unchanged run', () => {
    const view = { ...defaultViewSettings, step: 100 };
    const [first] = buildTraces('mass', [rich], view);
    const [again] = buildTraces('mass', [rich], { ...view }, 'light');
    expect(again.y).toBe(first.y);
    expect(again.x).toBe(first.x);
  });

  it('skips hidden runs and runs without labels in the mass panel', () => {
    const noLabels = fakeRun('unlabelled', [fakeCheckpoint(0, { mass: null })]);
    const hidden = { ...rich, visible: false };
    expect(buildTraces('mass', [hidden, noLabels], defaultViewSettings)).toEqual([]);
    expect(buildTraces('eigenvalues', [noLabels], defaultViewSettings)).toHaveLength(1);
  });

  it('aggregates a seed group into a band and a mean line', () => {
    const a = fakeRun('a', [fakeCheckpoint(0, { utilization: [0.2, 0.4, 0.6, 1] })], { seedGroup: 'g' });
    const b = fakeRun('b', [fakeCheckpoint(0, { utilization: [0.4, 0.6, 0.8, 1] })], { seedGroup: 'g' });
    const traces = buildTraces('utilization', [a, b], { ...defaultViewSettings, aggregateSeeds: true });
    expect(traces).toHaveLength(2);
    expect(traces[0].fill).toBe('toself');
    expect(traces[1].name).toBe('g (mean ± sd over seeds)');
    expect(traces[1].y).toEqual([0.30000000000000004, 0.5, 0.7]);
  });
});

describe('buildTraces across the checkpoints of one run', () => {
  it('colours checkpoints by their step, not their position', () => {
    const uneven = fakeRun('uneven', [fakeCheckpoint(0), fakeCheckpoint(100), fakeCheckpoint(1000)]);
    const view = { ...defaultViewSettings, spectraMode: 'checkpoints' as const, focusRun: 'uneven' };
    const colours = buildTraces('eigenvalues', [uneven], view).map((t) => t.line?.color);
    expect(colours).toEqual([sequentialColour(0), sequentialColour(0.085), sequentialColour(0.85)]);
    const bar = stepColourBarTrace([uneven], view, 'light')!;
    expect(bar.marker).toMatchObject({ cmin: 0, cmax: 1000, showscale: true });
    expect(stepColourBarTrace([uneven], defaultViewSettings, 'light')).toBeNull();
  });

  it('shows checkpoints up to the slider step, coloured on the sequential scale', () => {
    const view = { ...defaultViewSettings, spectraMode: 'checkpoints' as const, focusRun: 'rich', step: 0 };
    expect(buildTraces('eigenvalues', [lazy, rich], view).map((t) => t.name)).toEqual(['step 0']);
    const all = buildTraces('eigenvalues', [lazy, rich], { ...view, step: null });
    expect(all.map((t) => t.name)).toEqual(['step 0', 'step 100']);
    expect(all[0].line?.color).toBe('#440154');
    expect(all[1].line?.color).toBe(sequentialColour(0.85));
    const dark = buildTraces('eigenvalues', [lazy, rich], { ...view, step: null }, 'dark');
    expect(dark.map((t) => t.line?.color)).toEqual([sequentialColour(0.35), sequentialColour(1)]);
    expect(all[1].line?.width).toBeGreaterThan(all[0].line!.width!);
  });

  /** Relative luminance of '#rrggbb' (WCAG): viridis grows lighter from its start to its end. */
  const luminance = (colour: string) => {
    const [r, g, b] = [1, 3, 5].map((i) => {
      const c = parseInt(colour.slice(i, i + 2), 16) / 255;
      return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
    });
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  };
  const longRun = (count: number) =>
    fakeRun(
      'long',
      Array.from({ length: count }, (_, i) => fakeCheckpoint(10 * i)),
    );
  const acrossLong = { ...defaultViewSettings, spectraMode: 'checkpoints' as const, focusRun: 'long' };

  it(`draws up to ${MANY_CHECKPOINTS} checkpoints one trace each, named and hovered, lighter with step`, () => {
    const traces = buildTraces('eigenvalues', [longRun(MANY_CHECKPOINTS)], acrossLong);
    expect(traces.map((t) => t.name)).toEqual(
      Array.from({ length: MANY_CHECKPOINTS }, (_, i) => `step ${10 * i}`),
    );
    expect(traces.every((t) => t.hovertemplate !== undefined)).toBe(true);
    const lights = traces.map((t) => luminance(t.line!.color as string));
    for (let i = 1; i < lights.length; i++) expect(lights[i]).toBeGreaterThan(lights[i - 1]);
  });

  it(`draws more than ${MANY_CHECKPOINTS} checkpoints as ${STEP_BANDS} colour bands and the current step`, () => {
    const traces = buildTraces('eigenvalues', [longRun(200)], acrossLong);
    expect(traces).toHaveLength(STEP_BANDS + 1);
    const bands = traces.slice(0, -1);
    const current = traces[traces.length - 1];
    expect(current.name).toBe('step 1990');
    expect(current.hovertemplate).toContain('long · step 1990');
    expect(bands.every((t) => t.hoverinfo === 'skip')).toBe(true);
    // every earlier checkpoint is drawn once: its k values, then a gap
    const curves = bands.flatMap((t) => (t.y as (number | null)[]).filter((y) => y === null));
    expect(curves).toHaveLength(199);
    expect(bands[0].name).toBe('steps 0–160');
    // the bands' colours, then the current one's, grow lighter with step
    const lights = traces.map((t) => luminance(t.line!.color as string));
    for (let i = 1; i < lights.length; i++) expect(lights[i]).toBeGreaterThan(lights[i - 1]);
    // at an earlier slider step only the checkpoints up to it, coloured on the whole run's scale
    const early = buildTraces('eigenvalues', [longRun(200)], { ...acrossLong, step: 150 });
    expect(early.map((t) => t.name)).toEqual(['steps 0–140', 'step 150']);
  });

  it('puts a step scale position in one of the even bands, the last one included', () => {
    expect([0, 0.05, 1 / STEP_BANDS, 0.5, 0.999, 1].map(stepBand)).toEqual([
      0,
      0,
      1,
      STEP_BANDS / 2,
      STEP_BANDS - 1,
      STEP_BANDS - 1,
    ]);
  });

  it('falls back to the first visible run when the focused run is gone', () => {
    const view = { ...defaultViewSettings, spectraMode: 'checkpoints' as const, focusRun: 'deleted' };
    expect(buildTraces('eigenvalues', [lazy], view)[0].hovertemplate).toContain('lazy · step 0');
  });
});

describe('withAlpha', () => {
  it('turns hex into rgba and leaves other colours alone', () => {
    expect(withAlpha('#0072B2', 0.2)).toBe('rgba(0, 114, 178, 0.2)');
    expect(withAlpha('red', 0.2)).toBe('red');
  });
});

describe('allStepsCurves', () => {
  const view = { ...defaultViewSettings, kMinRelative: 0 };
  const a = fakeRun('a', [
    fakeCheckpoint(0, { utilization: [0.1, 0.2, 0.3, 1] }),
    fakeCheckpoint(100, { utilization: [0.5, 0.6, 0.7, 1] }),
  ]);
  const b = fakeRun('b', [fakeCheckpoint(50, { utilization: [0.2, 0.9, 0.95, 1] })]);
  const hidden = fakeRun('hidden', [fakeCheckpoint(0, { utilization: [0, 0, 0, 0] })], { visible: false });

  it("holds every checkpoint's curve of the visible runs, whatever the slider's step", () => {
    for (const step of [0, 100, null]) {
      const curves = allStepsCurves('utilization', [a, b, hidden], { ...view, step });
      expect(curves?.map((c) => c.y)).toEqual([
        [0.1, 0.2, 0.3, 1],
        [0.5, 0.6, 0.7, 1],
        [0.2, 0.9, 0.95, 1],
      ]);
      expect(curves?.[0].x).toEqual([1, 2, 3, 4]);
    }
  });

  it('holds the same curves in both modes: the run shown across its checkpoints too, when hidden', () => {
    const runs = [a, b, hidden];
    const focused = { ...view, focusRun: 'hidden' };
    const inRuns = allStepsCurves('utilization', runs, focused);
    expect(inRuns?.map((c) => c.y)).toEqual([
      [0.1, 0.2, 0.3, 1],
      [0.5, 0.6, 0.7, 1],
      [0.2, 0.9, 0.95, 1],
      [0, 0, 0, 0],
    ]);
    expect(allStepsCurves('utilization', runs, { ...focused, spectraMode: 'checkpoints' })).toEqual(inRuns);
  });

  it('allStepsExtent spans what allStepsCurves holds, on linear and log axes, one run at a time', () => {
    const runs = [a, b, hidden];
    for (const axes of [
      { logX: false, logY: false, logY2: false },
      { logX: true, logY: true, logY2: false },
    ]) {
      for (const shown of [view, { ...view, focusRun: 'hidden' }]) {
        const extent = allStepsExtent('utilization', runs, shown, axes)!;
        expect(extentTraces(extent, axes)).toEqual(
          extentTraces(allStepsCurves('utilization', runs, shown)!, axes),
        );
      }
    }
    const axes = { logX: false, logY: false, logY2: false };
    // a run's part is kept: hiding another run leaves it the same array
    const before = allStepsExtent('utilization', [a, b], view, axes)!;
    const after = allStepsExtent('utilization', [a, { ...b, visible: false }], view, axes)!;
    expect(after).toEqual(before.slice(0, 1));
    expect(after[0]).toBe(before[0]);
    expect(extentTraces(after, axes)[0].y).toEqual([0.1, 1]);
    // the linear extent starts at 0 with the hidden run focused; the log one at the smallest positive value
    const focused = { ...view, focusRun: 'hidden' };
    expect(extentTraces(allStepsExtent('utilization', runs, focused, axes)!, axes)[0].y).toEqual([0, 1]);
    const log = { logX: false, logY: true, logY2: false };
    expect(extentTraces(allStepsExtent('utilization', runs, focused, log)!, log)[0].y).toEqual([0.1, 1]);
  });

  it('holds nothing for seed groups drawn as bands', () => {
    const grouped = [
      fakeRun('s1', a.checkpoints, { seedGroup: 'g' }),
      fakeRun('s2', a.checkpoints, { seedGroup: 'g' }),
    ];
    expect(allStepsCurves('utilization', grouped, { ...view, aggregateSeeds: true })).toBeNull();
    expect(
      allStepsExtent(
        'utilization',
        grouped,
        { ...view, aggregateSeeds: true },
        { logX: false, logY: false, logY2: false },
      ),
    ).toBeNull();
    expect(
      allStepsCurves('utilization', grouped, { ...view, aggregateSeeds: true, spectraMode: 'checkpoints' }),
    ).toHaveLength(2);
  });
});
