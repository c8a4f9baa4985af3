import { describe, expect, it } from 'vitest';
import { initialState, type RichscopeState } from './app-state';
import {
  advancePlay,
  focusRun,
  followHash,
  orderLayers,
  selectCheckpoint,
  setLogK,
  setSmoothing,
  showAcrossCheckpoints,
  showAcrossRuns,
  showLayerSteps,
  showStep,
  sortBy,
  togglePlay,
  zoomK,
} from './view-actions';
import { defaultViewSettings, type ViewSettings } from './view-settings';

const at = (view: Partial<ViewSettings>, playing = false): RichscopeState => ({
  ...initialState,
  view: { ...defaultViewSettings, ...view },
  playing,
});
const steps = [0, 100, 200];

describe('view actions', () => {
  it('showAcrossRuns starts at the latest step', () =>
    expect(showAcrossRuns.perform(at({ spectraMode: 'checkpoints', step: 5 })).view).toMatchObject({
      spectraMode: 'runs',
      step: null,
    }));
  it('showAcrossCheckpoints focuses the run', () =>
    expect(showAcrossCheckpoints.perform(at({ step: 5 }), 'r').view).toMatchObject({
      spectraMode: 'checkpoints',
      step: null,
      focusRun: 'r',
    }));
  it('focusRun starts at the latest step', () =>
    expect(focusRun.perform(at({ step: 5 }), 'r').view).toMatchObject({ focusRun: 'r', step: null }));
  it('showStep', () => expect(showStep.perform(at({}), 100).view.step).toBe(100));
  it('orderLayers keeps the order given; null shows every layer', () => {
    expect(orderLayers.perform(at({}), ['b', 'a']).view.layers).toEqual(['b', 'a']);
    expect(orderLayers.perform(at({ layers: ['a'] }), null).view.layers).toBeNull();
  });
  it('showLayerSteps', () =>
    expect(showLayerSteps.perform(at({}), 'group:g').view.layerStepsRun).toBe('group:g'));
  it('togglePlay plays from the slider', () =>
    expect(togglePlay.perform(at({ step: 100 }), { steps, current: 1 })).toMatchObject({
      playing: true,
      view: { step: 100 },
    }));
  it('togglePlay at the end restarts', () =>
    expect(togglePlay.perform(at({ step: 200 }), { steps, current: 2 })).toMatchObject({
      playing: true,
      view: { step: 0 },
    }));
  it('togglePlay pauses', () =>
    expect(togglePlay.perform(at({ step: 200 }, true), { steps, current: 2 })).toMatchObject({
      playing: false,
      view: { step: 200 },
    }));
  it('advancePlay moves one step', () =>
    expect(advancePlay.perform(at({}, true), { steps, current: 0 })).toMatchObject({
      playing: true,
      view: { step: 100 },
    }));
  it('advancePlay stops on the last step', () =>
    expect(advancePlay.perform(at({}, true), { steps, current: 1 })).toMatchObject({
      playing: false,
      view: { step: 200 },
    }));
  it('advancePlay after the last wraps', () =>
    expect(advancePlay.perform(at({}, true), { steps, current: 2 })).toMatchObject({
      playing: true,
      view: { step: 0 },
    }));
  it('setLogK keeps a zoom it can show', () =>
    expect(setLogK.perform(at({ kRange: [1, 30] }), true).view.kRange).toEqual([1, 30]));
  it('setLogK drops a zoom reaching k <= 0', () =>
    expect(setLogK.perform(at({ kRange: [-0.5, 30] }), true).view.kRange).toBeNull());
  it('zoomK', () => expect(zoomK.perform(at({}), [2, 5]).view.kRange).toEqual([2, 5]));
  it('sortBy a new column: ascending', () =>
    expect(sortBy.perform(at({ sortColumn: 'run', sortDescending: true }), 'dlr').view).toMatchObject({
      sortColumn: 'dlr',
      sortDescending: false,
    }));
  it('sortBy the same column: flips', () =>
    expect(sortBy.perform(at({ sortColumn: 'dlr', sortDescending: false }), 'dlr').view.sortDescending).toBe(
      true,
    ));
  it('selectCheckpoint drives the spectra to its step', () =>
    expect(selectCheckpoint.perform(at({ step: 5 }), { runId: 'r', step: 3 }).view).toMatchObject({
      step: 3,
      selectedRun: 'r',
    }));
  it('selectCheckpoint across checkpoints shows its run at its step', () =>
    expect(
      selectCheckpoint.perform(at({ spectraMode: 'checkpoints', focusRun: 'q' }), { runId: 'r', step: 3 })
        .view,
    ).toMatchObject({ focusRun: 'r', step: 3 }));
  it('setSmoothing', () => expect(setSmoothing.perform(at({}), 0.6).view.smoothing).toBe(0.6));
  it('selectCheckpoint', () =>
    expect(selectCheckpoint.perform(at({}), { runId: 'r', step: 3 }).view).toMatchObject({
      selectedRun: 'r',
      selectedStep: 3,
    }));
  it('selectCheckpoint of no run clears the step', () =>
    expect(
      selectCheckpoint.perform(at({ selectedRun: 'r', selectedStep: 3 }), { runId: null, step: 3 }).view
        .selectedStep,
    ).toBeNull());
  it('followHash replaces route and view', () =>
    expect(followHash.perform(at({ step: 5 }), { route: 'learn', view: defaultViewSettings })).toMatchObject({
      route: 'learn',
      view: defaultViewSettings,
    }));
});
