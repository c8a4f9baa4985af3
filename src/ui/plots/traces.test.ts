import { describe, expect, it } from 'vitest';
import { fakeCheckpoint, fakeRun } from '../../session/fake-records';
import { defaultViewSettings } from '../../state/view-settings';
import { sequentialColour } from '../step-colours';
import {
  CURVE_FORM_NAMES,
  EVAL_SPLIT_NOTES,
  buildDlrTraces,
  buildTraces,
  cappedK,
  selectableDlrRuns,
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
    const heldOut = buildTraces('mass', [lazy], view);
    expect(heldOut[0].y).toEqual([0.5, 0.8, 0.9, 0.95]);
    expect(heldOut[0].hovertemplate).toContain(EVAL_SPLIT_NOTES.heldOut);
    expect(heldOut[0].hovertemplate).toContain(CURVE_FORM_NAMES.heldOut);
    const nystrom = buildTraces('mass', [lazy], { ...view, curveForm: 'nystrom' });
    expect(nystrom[0].y).toEqual([0.5, 0.8, 0.9, 1.2]);
    expect(nystrom[0].hovertemplate).toContain(EVAL_SPLIT_NOTES.nystrom);
    expect(buildTraces('utilization', [lazy], { ...view, curveForm: 'nystrom' })[0].y).toEqual([
      0.6, 0.9, 1, 1.1,
    ]);
    const fitOnly = buildTraces('mass', [lazy], { ...defaultViewSettings, step: 150 });
    expect(fitOnly[0].hovertemplate).not.toContain(EVAL_SPLIT_NOTES.heldOut);
    expect(buildTraces('eigenvalues', [lazy], view)[0].hovertemplate).not.toContain(CURVE_FORM_NAMES.heldOut);
  });

  it('draws no held-out curve for a checkpoint stored without one', () => {
    const old = fakeRun('old', [fakeCheckpoint(0, { mass: [], utilization: [] })]);
    expect(buildTraces('mass', [old], defaultViewSettings)).toEqual([]);
    expect(buildTraces('mass', [old], { ...defaultViewSettings, curveForm: 'nystrom' })).toHaveLength(1);
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

  it('falls back to the first visible run when the focused run is gone', () => {
    const view = { ...defaultViewSettings, spectraMode: 'checkpoints' as const, focusRun: 'deleted' };
    expect(buildTraces('eigenvalues', [lazy], view)[0].hovertemplate).toContain('run lazy');
  });
});

describe('buildDlrTraces', () => {
  it('draws D_LR per run, test accuracy on the second axis and the selection', () => {
    const traces = buildDlrTraces([rich, lazy], {
      ...defaultViewSettings,
      selectedRun: 'rich',
      selectedStep: 100,
    });
    const names = traces.map((t) => t.name);
    expect(names).toEqual(['rich', 'rich test accuracy', 'lazy', 'lazy test accuracy', 'selected']);
    expect(traces[0].y).toEqual([0.5, 0.2]);
    expect(traces[0].customdata).toEqual([
      ['rich', 0, 0.01],
      ['rich', 100, 0.01],
    ]);
    // error bars of one jackknife standard error, said in the hover
    expect(traces[0].error_y).toMatchObject({ type: 'data', array: [0.01, 0.01], visible: true });
    expect(traces[0].hovertemplate).toContain('jackknife s.e.');
    expect(traces[1].yaxis).toBe('y2');
    expect(traces[3].x).toEqual([0]); // lazy step 150 has no test split
    expect(traces[4].y).toEqual([0.2]);
  });

  it('draws no error bar where a checkpoint has no standard error, and none at all without any', () => {
    const partial = fakeRun('p', [
      fakeCheckpoint(0, { dlrStdErr: null }),
      fakeCheckpoint(10, { dlrStdErr: 0.02 }),
    ]);
    expect(buildDlrTraces([partial], defaultViewSettings)[0].error_y?.array).toEqual([NaN, 0.02]);
    const none = fakeRun('n', [fakeCheckpoint(0, { dlrStdErr: null })]);
    const [trace] = buildDlrTraces([none], defaultViewSettings);
    expect(trace.error_y).toBeUndefined();
    expect(trace.hovertemplate).not.toContain('jackknife');
  });

  it('lets the runs drawn point by point be selected, not hidden runs or aggregated seed groups', () => {
    const a = fakeRun('a', [fakeCheckpoint(0)], { seedGroup: 'g' });
    const b = fakeRun('b', [fakeCheckpoint(0)], { seedGroup: 'g' });
    const hidden = fakeRun('hidden', [fakeCheckpoint(0)], { visible: false });
    const all = [rich, a, b, hidden];
    const ids = (view = defaultViewSettings) => selectableDlrRuns(all, view).map((run) => run.id);
    expect(ids()).toEqual(['rich', 'a', 'b']);
    expect(ids({ ...defaultViewSettings, aggregateSeeds: true })).toEqual(['rich']);
  });
});

describe('withAlpha', () => {
  it('turns hex into rgba and leaves other colours alone', () => {
    expect(withAlpha('#0072B2', 0.2)).toBe('rgba(0, 114, 178, 0.2)');
    expect(withAlpha('red', 0.2)).toBe('red');
  });
});
