import { describe, expect, it } from 'vitest';
import { fakeCheckpoint, fakeRun } from '../testing';
import { defaultViewSettings } from '../../state/view-settings';
import {
  buildDlrTraces,
  DLR_MARKER_POINTS,
  drawsAccuracy,
  selectableDlrRuns,
  selectionRing,
} from './dlr-traces';
import { smoothCurve } from './smoothing';

const rich = fakeRun(
  'rich',
  [fakeCheckpoint(0, { dlr: 0.5 }), fakeCheckpoint(100, { dlr: 0.2, mass: [0.1, 0.2, 0.3, 0.4] })],
  {
    colour: '#D55E00',
  },
);
const lazy = fakeRun('lazy', [fakeCheckpoint(0), fakeCheckpoint(150, {}, false)]);

describe('buildDlrTraces', () => {
  it(`marks each checkpoint up to ${DLR_MARKER_POINTS} drawn, and draws lines alone past that`, () => {
    const run = (name: string, steps: number) =>
      fakeRun(
        name,
        Array.from({ length: steps }, (_, i) => fakeCheckpoint(i * 10)),
      );
    const modes = (runs: ReturnType<typeof run>[]) =>
      new Set(buildDlrTraces(runs, defaultViewSettings).map((t) => t.mode));
    const half = DLR_MARKER_POINTS / 2;
    expect(modes([run('a', half), run('b', half)])).toEqual(new Set(['lines+markers']));
    expect(modes([run('a', half), run('b', half + 1)])).toEqual(new Set(['lines']));
  });

  it('draws error bars of one jackknife standard error, said in the hover', () => {
    const [trace] = buildDlrTraces([rich], defaultViewSettings);
    expect(trace.error_y).toMatchObject({ type: 'data', array: [0.01, 0.01], visible: true });
    expect(trace.hovertemplate).toContain('%{text}');
    expect(trace.text).toEqual([' ± 0.0100 (jackknife s.e.)', ' ± 0.0100 (jackknife s.e.)']);
  });

  it('draws no error bar where a checkpoint has no standard error, and none at all without any', () => {
    const partial = fakeRun('p', [
      fakeCheckpoint(0, { dlrStdErr: null }),
      fakeCheckpoint(10, { dlrStdErr: 0.02 }),
    ]);
    expect(buildDlrTraces([partial], defaultViewSettings)[0].error_y?.array).toEqual([NaN, 0.02]);
    const [none] = buildDlrTraces(
      [fakeRun('n', [fakeCheckpoint(0, { dlrStdErr: null })])],
      defaultViewSettings,
    );
    expect(none.error_y).toBeUndefined();
    expect(none.hovertemplate).not.toContain('%{text}');
  });

  it('draws D_LR per run and test accuracy on the second axis (the selection is a ring of the layout)', () => {
    const traces = buildDlrTraces([rich, lazy], {
      ...defaultViewSettings,
      selectedRun: 'rich',
      selectedStep: 100,
    });
    const names = traces.map((t) => t.name);
    expect(names).toEqual(['rich', 'rich test accuracy', 'lazy', 'lazy test accuracy']);
    expect(traces[0].y).toEqual([0.5, 0.2]);
    expect(traces[0].customdata).toEqual([
      ['rich', 0],
      ['rich', 100],
    ]);
    expect(traces[1].yaxis).toBe('y2');
    expect(traces[3].x).toEqual([0]); // lazy step 150 has no test split
  });

  it('keeps the raw points under a smoothed line, which the hover skips', () => {
    const long = fakeRun(
      'long',
      [0, 1, 2, 3].map((s) => fakeCheckpoint(s, { dlr: [0.8, 0.2, 0.6, 0.4][s] })),
    );
    const traces = buildDlrTraces([long], { ...defaultViewSettings, smoothing: 0.5 });
    expect(traces.map((t) => t.name)).toEqual(['long', 'long (smoothed)', 'long test accuracy']);
    expect(traces[0].y).toEqual([0.8, 0.2, 0.6, 0.4]);
    expect(traces[1].y).toEqual(smoothCurve([0.8, 0.2, 0.6, 0.4], 0.5));
    expect(traces[1].hoverinfo).toBe('skip');
    expect(traces[0].opacity).toBeLessThan(1);
    expect(buildDlrTraces([long], defaultViewSettings).map((t) => t.name)).toEqual([
      'long',
      'long test accuracy',
    ]);
  });

  it('names test accuracy in the hover, each trace under its run (whose emphasis Plot applies)', () => {
    const traces = buildDlrTraces([rich, lazy], defaultViewSettings);
    expect(traces[1].hovertemplate).toBe('rich · test accuracy = %{y:.1%}<extra></extra>');
    expect(traces.map((t) => t.meta)).toEqual(['rich', 'rich', 'lazy', 'lazy']);
    expect(drawsAccuracy([rich], defaultViewSettings)).toBe(true);
    const noTest = fakeRun('noTest', [fakeCheckpoint(0, {}, false)]);
    expect(drawsAccuracy([noTest], defaultViewSettings)).toBe(false);
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

describe('selectionRing', () => {
  it('rings the selected checkpoint in its run colour, at its step and D_LR', () => {
    const selection = { selectedRun: 'rich', selectedStep: 100 };
    const ring = { kind: 'ring', x: 100, y: 0.2, colour: '#D55E00' };
    expect(selectionRing([rich, lazy], selection, false)).toEqual(ring);
    expect(selectionRing([rich, lazy], selection, true)).toEqual(ring);
  });

  it('is null without a selection, for a hidden run, a step the run lacks, or step 0 on a log axis', () => {
    expect(selectionRing([rich], { selectedRun: null, selectedStep: null }, false)).toBeNull();
    const hidden = { ...rich, visible: false };
    expect(selectionRing([hidden], { selectedRun: 'rich', selectedStep: 100 }, false)).toBeNull();
    expect(selectionRing([rich], { selectedRun: 'rich', selectedStep: 50 }, false)).toBeNull();
    expect(selectionRing([rich], { selectedRun: 'rich', selectedStep: 0 }, true)).toBeNull();
    expect(selectionRing([rich], { selectedRun: 'rich', selectedStep: 0 }, false)).toMatchObject({ x: 0 });
  });
});
