import { describe, expect, it } from 'vitest';
import { fakeCheckpoint, fakeRun } from '../session/fake-records';
import type { RunRecord } from '../session/records';
import { initialState, type RichscopeState } from './app-state';
import { addJobs } from './job-actions';
import { RUN_PALETTE } from './run-colours';
import {
  addRun,
  addRunError,
  adoptRunStyle,
  dismissRunError,
  forgetRemoved,
  hoverRun,
  isNameTaken,
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
  setRunsVisible,
  setSeedGroup,
  undoRemove,
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
  it('addRun gives no colour yet', () => expect(run(addRun.perform(state, 'new'), 'new').colour).toBe(''));
  it('a run’s first checkpoint gives it the next free colour', () =>
    expect(
      run(putCheckpoint.perform(addRun.perform(state, 'new'), { runId: 'new', checkpoint: c2 }), 'new')
        .colour,
    ).toBe(RUN_PALETTE[3]));
  it('a failed run took no colour: the next run gets the one it would have had', () => {
    const afterFailure = pruneEmptyRuns.perform(addRun.perform(withRuns(a), 'broken'));
    const next = putCheckpoint.perform(addRun.perform(afterFailure, 'next'), {
      runId: 'next',
      checkpoint: c1,
    });
    expect(run(next, 'next').colour).toBe(RUN_PALETTE[1]);
  });
  it('replaceCheckpoints gives a new run its colour', () =>
    expect(
      run(
        replaceCheckpoints.perform(addRun.perform(state, 'new'), { runId: 'new', checkpoints: [c1] }),
        'new',
      ).colour,
    ).toBe(RUN_PALETTE[3]));
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
  it('renameRun refuses another run’s name', () =>
    expect(renameRun.perform(state, { runId: 'a', name: ' empty ' })).toBe(state));
  it('isNameTaken', () => {
    expect(isNameTaken(state, 'a', ' failed')).toBe(true);
    expect(isNameTaken(state, 'a', 'a')).toBe(false);
  });
  it('setRunColour', () =>
    expect(run(setRunColour.perform(state, { runId: 'a', colour: '#123456' }), 'a').colour).toBe('#123456'));
  it('setRunVisible', () =>
    expect(run(setRunVisible.perform(state, { runId: 'a', visible: false }), 'a').visible).toBe(false));
  it('setSeedGroup', () =>
    expect(run(setSeedGroup.perform(state, { runId: 'a', seedGroup: 's1' }), 'a').seedGroup).toBe('s1'));
  it('adoptRunStyle gives a new run the stored colour and seed group', () =>
    expect(
      run(
        adoptRunStyle.perform(addRun.perform(state, 'new'), {
          runId: 'new',
          colour: '#111111',
          seedGroup: 's',
        }),
        'new',
      ),
    ).toMatchObject({ colour: '#111111', seedGroup: 's' }));
  it('adoptRunStyle: a stored colour another run has yields to the next free one', () =>
    expect(
      run(
        adoptRunStyle.perform(addRun.perform(state, 'new'), {
          runId: 'new',
          colour: RUN_PALETTE[0],
          seedGroup: '',
        }),
        'new',
      ).colour,
    ).toBe(RUN_PALETTE[3]));
  it('adoptRunStyle keeps the colour of a run that has one', () =>
    expect(
      run(adoptRunStyle.perform(state, { runId: 'a', colour: '#111111', seedGroup: '' }), 'a').colour,
    ).toBe(RUN_PALETTE[0]));
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
  it('removeRun keeps the run for an undo, in its place', () => {
    const removed = removeRun.perform(state, 'empty');
    expect(removed.removed).toEqual({ runs: [empty], positions: [1] });
    expect(undoRemove.perform(removed).runs).toEqual(state.runs);
    expect(undoRemove.perform(removed).removed).toBeNull();
  });
  it('removeAllRuns can be undone', () =>
    expect(undoRemove.perform(removeAllRuns.perform(state)).runs).toEqual(state.runs));
  it('undoRemove skips a run whose name is back meanwhile', () =>
    expect(ids(undoRemove.perform(addRun.perform(removeRun.perform(state, 'empty'), 'empty')))).toEqual([
      'a',
      'failed',
      'empty',
    ]));
  it('forgetRemoved drops the undo', () =>
    expect(forgetRemoved.perform(removeRun.perform(state, 'a')).removed).toBeNull());
  it('setRunsVisible hides and shows several', () =>
    expect(
      setRunsVisible.perform(state, { runIds: ['a', 'failed'], visible: false }).runs.map((r) => r.visible),
    ).toEqual([false, true, false]));
  it('hoverRun, and a removed run is hovered no more', () => {
    const hovered = hoverRun.perform(state, 'a');
    expect(hovered.hoveredRun).toBe('a');
    expect(hoverRun.perform(hovered, 'a')).toBe(hovered);
    expect(removeRun.perform(hovered, 'a').hoveredRun).toBeNull();
  });
  it('removeRun of an unknown id changes nothing', () =>
    expect(removeRun.perform(state, 'gone')).toBe(state));
  it('removeAllRuns clears runs and notices', () =>
    expect(removeAllRuns.perform({ ...state, notices: ['n'] })).toMatchObject({ runs: [], notices: [] }));
  it('removeRunIfUnused removes an empty run', () =>
    expect(ids(removeRunIfUnused.perform(state, 'empty'))).toEqual(['a', 'failed']));
  it('removeRunIfUnused removes a run with only errors; they become notices', () => {
    const after = removeRunIfUnused.perform(state, 'failed');
    expect(ids(after)).toEqual(['a', 'empty']);
    expect(after.notices).toEqual(['x.npz: not a zip archive']);
  });
  it('removeRunIfUnused keeps a run with a job', () =>
    expect(
      ids(
        removeRunIfUnused.perform(
          addJobs.perform(state, [{ id: 'j', runIds: ['empty'], label: 'l', file: 'f' }]),
          'empty',
        ),
      ),
    ).toEqual(['a', 'empty', 'failed']));
  it('pruneEmptyRuns keeps runs with checkpoints; errors of the others become notices', () => {
    const after = pruneEmptyRuns.perform(state);
    expect(ids(after)).toEqual(['a']);
    expect(after.notices).toEqual(['x.npz: not a zip archive']);
  });
  it('restoreRuns puts stored runs first, then new ones', () =>
    expect(ids(restoreRuns.perform(withRuns(empty, a), [failed, a]))).toEqual(['failed', 'a', 'empty']));
  it('restoreRuns of nothing keeps the runs', () =>
    expect(ids(restoreRuns.perform(state, []))).toEqual(['a', 'empty', 'failed']));
  it('restoreRuns makes the state ready', () => expect(restoreRuns.perform(state, []).ready).toBe(true));
});
