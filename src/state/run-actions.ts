/**
 * Runs and their checkpoints: every change a named, pure action (action.ts). A run is found by id;
 * an action on a run that is not there (removed meanwhile) changes nothing.
 */
import type { CheckpointRecord, FileError, RunRecord } from '../session/records';
import { action } from './action';
import type { RichscopeState } from './app-state';
import { nextRunColour } from './run-colours';

function sortByStep(checkpoints: readonly CheckpointRecord[]): CheckpointRecord[] {
  return [...checkpoints].sort((a, b) => a.step - b.step);
}

function updateRun(
  state: RichscopeState,
  runId: string,
  change: (run: RunRecord) => RunRecord,
): RichscopeState {
  if (!state.runs.some((run) => run.id === runId)) return state;
  return { ...state, runs: state.runs.map((run) => (run.id === runId ? change(run) : run)) };
}

/** The run called `name`, if there is one. */
export function runNamed(state: RichscopeState, name: string): RunRecord | undefined {
  return state.runs.find((run) => run.name === name);
}

/**
 * A new, empty run called `name` with the next free palette colour; nothing when one is called so.
 * Its id is its name, made unique with `-2`, `-3`, ... (ids outlive renames).
 */
export const addRun = action<string>('addRun', (state, name) => {
  if (runNamed(state, name)) return state;
  const ids = new Set(state.runs.map((run) => run.id));
  let id = name;
  for (let i = 2; ids.has(id); i++) id = `${name}-${i}`;
  const run: RunRecord = {
    id,
    name,
    colour: nextRunColour(state.runs.map((r) => r.colour)),
    visible: true,
    seedGroup: '',
    checkpoints: [],
    errors: [],
  };
  return { ...state, runs: [...state.runs, run] };
});

/** Adds a checkpoint to a run, in step order; one of the same step is replaced. */
export const putCheckpoint = action<{ runId: string; checkpoint: CheckpointRecord }>(
  'putCheckpoint',
  (state, { runId, checkpoint }) =>
    updateRun(state, runId, (run) => ({
      ...run,
      checkpoints: sortByStep([...run.checkpoints.filter((c) => c.step !== checkpoint.step), checkpoint]),
    })),
);

/** Replaces every checkpoint of a run (another producer's run sent again) and clears its errors. */
export const replaceCheckpoints = action<{ runId: string; checkpoints: readonly CheckpointRecord[] }>(
  'replaceCheckpoints',
  (state, { runId, checkpoints }) =>
    updateRun(state, runId, (run) => ({ ...run, errors: [], checkpoints: sortByStep(checkpoints) })),
);

/** Gives a checkpoint (this very record) the key its moments were stored under. */
export const setMomentsKey = action<{ checkpoint: CheckpointRecord; momentsKey: string }>(
  'setMomentsKey',
  (state, { checkpoint, momentsKey }) => {
    const run = state.runs.find((r) => r.checkpoints.includes(checkpoint));
    if (!run) return state;
    return updateRun(state, run.id, (r) => ({
      ...r,
      checkpoints: r.checkpoints.map((c) => (c === checkpoint ? { ...c, momentsKey } : c)),
    }));
  },
);

/** A file of the run that could not be analysed (shown inline in the run). */
export const addRunError = action<{ runId: string; error: FileError }>(
  'addRunError',
  (state, { runId, error }) => updateRun(state, runId, (run) => ({ ...run, errors: [...run.errors, error] })),
);

export const dismissRunError = action<{ runId: string; index: number }>(
  'dismissRunError',
  (state, { runId, index }) =>
    updateRun(state, runId, (run) => ({ ...run, errors: run.errors.filter((_, i) => i !== index) })),
);

/** Renames a run; a blank name is ignored, and the name is trimmed. */
export const renameRun = action<{ runId: string; name: string }>('renameRun', (state, { runId, name }) => {
  const trimmed = name.trim();
  return trimmed ? updateRun(state, runId, (run) => ({ ...run, name: trimmed })) : state;
});

export const setRunColour = action<{ runId: string; colour: string }>(
  'setRunColour',
  (state, { runId, colour }) => updateRun(state, runId, (run) => ({ ...run, colour })),
);

/** A results bundle's colour and seed group for a run (an empty seed group keeps the run's own). */
export const adoptRunStyle = action<{ runId: string; colour: string; seedGroup: string }>(
  'adoptRunStyle',
  (state, { runId, colour, seedGroup }) =>
    updateRun(state, runId, (run) => ({ ...run, colour, seedGroup: seedGroup || run.seedGroup })),
);

export const setRunVisible = action<{ runId: string; visible: boolean }>(
  'setRunVisible',
  (state, { runId, visible }) => updateRun(state, runId, (run) => ({ ...run, visible })),
);

export const setSeedGroup = action<{ runId: string; seedGroup: string }>(
  'setSeedGroup',
  (state, { runId, seedGroup }) => updateRun(state, runId, (run) => ({ ...run, seedGroup })),
);

export const removeRun = action<string>('removeRun', (state, runId) =>
  state.runs.some((run) => run.id === runId)
    ? { ...state, runs: state.runs.filter((run) => run.id !== runId) }
    : state,
);

/** Removes every run, and the notices with them. */
export const removeAllRuns = action('removeAllRuns', (state) => ({ ...state, runs: [], notices: [] }));

/** Removes a run created for a drop that ended up holding nothing (no checkpoint, error or job). */
export const removeRunIfUnused = action<string>('removeRunIfUnused', (state, runId) => {
  const run = state.runs.find((r) => r.id === runId);
  const unused =
    run &&
    run.checkpoints.length === 0 &&
    run.errors.length === 0 &&
    !state.jobs.some((job) => job.runId === runId);
  return unused ? { ...state, runs: state.runs.filter((r) => r.id !== runId) } : state;
});

/** Drops runs left with neither checkpoints nor errors (their analysis was cancelled). */
export const pruneEmptyRuns = action('pruneEmptyRuns', (state) => ({
  ...state,
  runs: state.runs.filter((run) => run.checkpoints.length > 0 || run.errors.length > 0),
}));

/**
 * The stored session is loaded (`runs`, possibly none): its runs come first, followed by runs added
 * meanwhile that it does not hold; from now on changes are saved.
 */
export const restoreRuns = action<readonly RunRecord[]>('restoreRuns', (state, stored) => ({
  ...state,
  runs:
    stored.length === 0
      ? state.runs
      : [...stored, ...state.runs.filter((run) => !stored.some((r) => r.id === run.id))],
  ready: true,
}));
