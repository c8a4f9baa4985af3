import { describe, expect, it } from 'vitest';
import { defaultTrainerOptions } from '../train/trainer';
import { initialState, type RichscopeState } from './app-state';
import {
  chooseScenario,
  choosePreset,
  editTrainerOptions,
  leaveLearn,
  noteLearnRunSent,
  startLearnRun,
  updateLearnRun,
  type LearnRun,
} from './learn-actions';
import { RUN_PALETTE } from './run-colours';

const options = defaultTrainerOptions;
const start = (state: RichscopeState, name: string) => startLearnRun.perform(state, { name, options });
const names = (state: RichscopeState) => state.learn.runs.map((r) => r.name);
const one = start(initialState, 'rich');
const three = start(start(one, 'lazy'), 'last');
const done: LearnRun = { ...one.learn.runs[0], status: 'done' };

describe('learn actions', () => {
  it('chooseScenario takes its first preset', () =>
    expect(
      chooseScenario.perform(initialState, { scenario: 'grokking', presetId: 'grokking' }).learn,
    ).toMatchObject({ scenario: 'grokking', presetId: 'grokking', customOptions: null }));
  it('choosePreset drops edited settings', () =>
    expect(
      choosePreset.perform(editTrainerOptions.perform(initialState, options), 'lazy-alpha').learn,
    ).toMatchObject({ presetId: 'lazy-alpha', customOptions: null }));
  it('editTrainerOptions leaves the preset', () =>
    expect(editTrainerOptions.perform(initialState, options).learn).toMatchObject({
      presetId: null,
      customOptions: options,
    }));
  it('startLearnRun numbers runs', () =>
    expect(three.learn.runs.map((r) => r.id)).toEqual(['learn-1', 'learn-2', 'learn-3']));
  it('startLearnRun makes the new run current', () => expect(three.learn.currentId).toBe('learn-3'));
  it('startLearnRun gives distinct colours', () =>
    expect(three.learn.runs.map((r) => r.colour)).toEqual(RUN_PALETTE.slice(0, 3)));
  it('startLearnRun starts running and empty', () =>
    expect(one.learn.runs[0]).toMatchObject({
      status: 'running',
      checkpoints: [],
      problems: [],
      elapsedMs: [],
    }));
  it('a rerun replaces the old run', () =>
    expect(names(start(three, 'rich'))).toEqual(['lazy', 'last', 'rich']));
  it('a rerun keeps its colour', () =>
    expect(start(three, 'rich').learn.runs[2].colour).toBe(RUN_PALETTE[0]));
  it('at most four runs stay', () =>
    expect(names(start(start(three, 'four'), 'five'))).toEqual(['lazy', 'last', 'four', 'five']));
  it('startLearnRun clears the sent note', () =>
    expect(start(noteLearnRunSent.perform(one, 'Learn: rich'), 'x').learn.sentTo).toBeNull());
  it('updateLearnRun replaces the copy', () =>
    expect(updateLearnRun.perform(one, done).learn.runs).toEqual([done]));
  it('updateLearnRun of a dropped run changes nothing', () =>
    expect(updateLearnRun.perform(initialState, done)).toBe(initialState));
  it('leaveLearn stops a running run', () =>
    expect(leaveLearn.perform(one).learn.runs[0].status).toBe('stopped'));
  it('leaveLearn keeps a finished run', () =>
    expect(leaveLearn.perform(updateLearnRun.perform(one, done)).learn.runs[0]).toBe(done));
  it('leaveLearn clears the notes', () =>
    expect(leaveLearn.perform(noteLearnRunSent.perform(one, 'x')).learn).toMatchObject({
      sentTo: null,
      onMainThread: false,
    }));
});
