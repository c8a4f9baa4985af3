import { describe, expect, it } from 'vitest';
import { fakeCheckpoint, fakeRun } from '../session/fake-records';
import type { RunRecord } from '../session/records';
import { initialState, type RichscopeState } from './app-state';
import { addJob } from './job-actions';
import { RUN_PALETTE } from './run-colours';
import {
  addRun,
  addRunError,
  adoptRunStyle,
  dismissRunError,
  pruneEmptyRuns,
  putCheckpoint,
  removeAllRuns,
  removeRun,
  removeRunIfUnused,
  renameRun,
  replaceCheckpoints,
  restoreRuns,
  setMomentsKey,
  setRunColour,
  setRunVisible,
  setSeedGroup,
} from './run-actions';

const withRuns = (...runs: RunRecord[]): RichscopeState => ({ ...initialState, runs });
const run = (state: RichscopeState, id: string) => state.runs.find((r) => r.id === id)!;
const ids = (state: RichscopeState) => state.runs.map((r) => r.id);
const steps = (state: RichscopeState, id: string) => run(state, id).checkpoints.map((c) => c.step);

const c1 = fakeCheckpoint(1);
const c2 = fakeCheckpoint(2);
const c3 = fakeCheckpoint(3);
const error = { file: 'x.npz', message: 'not a zip archive' };
const a = fakeRun('a', [c1, c3], { colour: RUN_PALETTE[0] });
const empty = fakeRun('empty', [], { colour: RUN_PALETTE[1] });
const failed = fakeRun('failed', [], { colour: RUN_PALETTE[2], errors: [error] });
const state = withRuns(a, empty, failed);

describe('run actions', () => {
  it('addRun appends a run', () =>
    expect(ids(addRun.perform(state, 'new'))).toEqual(['a', 'empty', 'failed', 'new']));
  it('addRun gives the next free colour', () =>
    expect(run(addRun.perform(state, 'new'), 'new').colour).toBe(RUN_PALETTE[3]));
  it('addRun keeps a run of that name', () => expect(addRun.perform(state, 'a')).toBe(state));
  it('addRun makes the id unique', () =>
    expect(ids(addRun.perform(withRuns(fakeRun('b', [], { id: 'a' })), 'a'))).toEqual(['a', 'a-2']));
  it('putCheckpoint adds in step order', () =>
    expect(steps(putCheckpoint.perform(state, { runId: 'a', checkpoint: c2 }), 'a')).toEqual([1, 2, 3]));
  it('putCheckpoint replaces the same step', () =>
    expect(
      run(putCheckpoint.perform(state, { runId: 'a', checkpoint: fakeCheckpoint(3) }), 'a').checkpoints[1],
    ).not.toBe(c3));
  it('putCheckpoint on a removed run changes nothing', () =>
    expect(putCheckpoint.perform(state, { runId: 'gone', checkpoint: c2 })).toBe(state));
  it('replaceCheckpoints sorts by step', () =>
    expect(steps(replaceCheckpoints.perform(state, { runId: 'a', checkpoints: [c3, c2] }), 'a')).toEqual([
      2, 3,
    ]));
  it('replaceCheckpoints clears errors', () =>
    expect(
      run(replaceCheckpoints.perform(state, { runId: 'failed', checkpoints: [c1] }), 'failed').errors,
    ).toEqual([]));
  it('setMomentsKey keys that very record', () =>
    expect(
      run(setMomentsKey.perform(state, { checkpoint: c3, momentsKey: 'k' }), 'a').checkpoints.map(
        (c) => c.momentsKey,
      ),
    ).toEqual([null, 'k']));
  it('setMomentsKey skips a record no run holds', () =>
    expect(setMomentsKey.perform(state, { checkpoint: c2, momentsKey: 'k' })).toBe(state));
  it('addRunError appends', () =>
    expect(run(addRunError.perform(state, { runId: 'failed', error }), 'failed').errors).toEqual([
      error,
      error,
    ]));
  it('dismissRunError removes one', () =>
    expect(run(dismissRunError.perform(state, { runId: 'failed', index: 0 }), 'failed').errors).toEqual([]));
  it('renameRun trims', () =>
    expect(run(renameRun.perform(state, { runId: 'a', name: '  b ' }), 'a').name).toBe('b'));
  it('renameRun ignores a blank name', () =>
    expect(renameRun.perform(state, { runId: 'a', name: '  ' })).toBe(state));
  it('setRunColour', () =>
    expect(run(setRunColour.perform(state, { runId: 'a', colour: '#123456' }), 'a').colour).toBe('#123456'));
  it('setRunVisible', () =>
    expect(run(setRunVisible.perform(state, { runId: 'a', visible: false }), 'a').visible).toBe(false));
  it('setSeedGroup', () =>
    expect(run(setSeedGroup.perform(state, { runId: 'a', seedGroup: 's1' }), 'a').seedGroup).toBe('s1'));
  it('adoptRunStyle takes colour and seed group', () =>
    expect(
      run(adoptRunStyle.perform(state, { runId: 'a', colour: '#111111', seedGroup: 's' }), 'a'),
    ).toMatchObject({ colour: '#111111', seedGroup: 's' }));
  it('adoptRunStyle keeps a seed group for an empty one', () =>
    expect(
      run(
        adoptRunStyle.perform(withRuns({ ...a, seedGroup: 'mine' }), {
          runId: 'a',
          colour: '#111111',
          seedGroup: '',
        }),
        'a',
      ).seedGroup,
    ).toBe('mine'));
  it('removeRun', () => expect(ids(removeRun.perform(state, 'empty'))).toEqual(['a', 'failed']));
  it('removeRun of an unknown id changes nothing', () =>
    expect(removeRun.perform(state, 'gone')).toBe(state));
  it('removeAllRuns clears runs and notices', () =>
    expect(removeAllRuns.perform({ ...state, notices: ['n'] })).toMatchObject({ runs: [], notices: [] }));
  it('removeRunIfUnused removes an empty run', () =>
    expect(ids(removeRunIfUnused.perform(state, 'empty'))).toEqual(['a', 'failed']));
  it('removeRunIfUnused keeps a run with errors', () =>
    expect(removeRunIfUnused.perform(state, 'failed')).toBe(state));
  it('removeRunIfUnused keeps a run with a job', () =>
    expect(
      ids(
        removeRunIfUnused.perform(
          addJob.perform(state, { id: 'j', runId: 'empty', label: 'l', file: 'f' }),
          'empty',
        ),
      ),
    ).toEqual(['a', 'empty', 'failed']));
  it('pruneEmptyRuns keeps checkpoints and errors', () =>
    expect(ids(pruneEmptyRuns.perform(state))).toEqual(['a', 'failed']));
  it('restoreRuns puts stored runs first, then new ones', () =>
    expect(ids(restoreRuns.perform(withRuns(empty, a), [failed, a]))).toEqual(['failed', 'a', 'empty']));
  it('restoreRuns of nothing keeps the runs', () =>
    expect(ids(restoreRuns.perform(state, []))).toEqual(['a', 'empty', 'failed']));
  it('restoreRuns makes the state ready', () => expect(restoreRuns.perform(state, []).ready).toBe(true));
});
