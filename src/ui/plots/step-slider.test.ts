import { describe, expect, it } from 'vitest';
import { fakeCheckpoint, fakeRun } from '../testing';
import { defaultViewSettings } from '../../state/view-settings';
import { focusedRun, runsAtOtherSteps, sliderStep, sliderSteps } from './step-slider';

const a = fakeRun('a', [fakeCheckpoint(0), fakeCheckpoint(800), fakeCheckpoint(1600)]);
const b = fakeRun('b', [fakeCheckpoint(0), fakeCheckpoint(600)]);
const hidden = fakeRun('hidden', [fakeCheckpoint(5)], { visible: false });
const runs = [a, b, hidden];

describe('the spectra’s step', () => {
  it('moves through the visible runs’ steps, or the focused run’s', () => {
    expect(sliderSteps(runs, defaultViewSettings)).toEqual([0, 600, 800, 1600]);
    const single = { ...defaultViewSettings, spectraMode: 'checkpoints' as const, focusRun: 'b' };
    expect(sliderSteps(runs, single)).toEqual([0, 600]);
    expect(focusedRun(runs, { ...single, focusRun: 'gone' })?.id).toBe('a');
  });

  it('is the nearest step to the one asked for, the latest when none is', () => {
    expect(sliderStep([0, 600, 800], null)).toBe(800);
    expect(sliderStep([0, 600, 800], 650)).toBe(600);
    expect(sliderStep([], 650)).toBeUndefined();
  });

  it('names the runs drawn at another step, and that step', () => {
    const at = (step: number | null) =>
      runsAtOtherSteps(runs, { ...defaultViewSettings, step }).map((s) => [s.run.name, s.step]);
    expect(at(800)).toEqual([['b', 600]]);
    expect(at(600)).toEqual([['a', 800]]);
    expect(at(0)).toEqual([]);
    expect(at(null)).toEqual([['b', 600]]);
    expect(runsAtOtherSteps(runs, { ...defaultViewSettings, spectraMode: 'checkpoints' })).toEqual([]);
  });
});
