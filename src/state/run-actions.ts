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

/** Whether a run other than `runId` is called `name` (trimmed): names tell runs apart. */
export function isNameTaken(state: RichscopeState, runId: string, name: string): boolean {
  return state.runs.some((run) => run.id !== runId && run.name === name.trim());
}

/**
 * A colour for a run about to show data: its own, else `preferred` (a results bundle's stored
 * colour) unless another run has it, else the first palette colour no other run uses.
 */
function colourFor(state: RichscopeState, run: RunRecord, preferred = ''): string {
  if (run.colour) return run.colour;
  const used = state.runs.filter((r) => r.id !== run.id && r.colour).map((r) => r.colour.toLowerCase());
  return preferred && !used.includes(preferred.toLowerCase()) ? preferred : nextRunColour(used);
}

/**
 * A new, empty run called `name`; nothing when one is called so. Its id is its name, made unique
 * with `-2`, `-3`, ... (ids outlive renames). It gets its palette colour with its first checkpoint,
 * so a file that fails takes none.
 */
export const addRun = action<string>('addRun', (state, name) => {
  if (runNamed(state, name)) return state;
  const ids = new Set(state.runs.map((run) => run.id));
  let id = name;
  for (let i = 2; ids.has(id); i++) id = `${name}-${i}`;
  const run: RunRecord = {
    id,
    name,
    colour: '',
    visible: true,
    seedGroup: '',
    checkpoints: [],
    errors: [],
  };
  return { ...state, runs: [...state.runs, run] };
});

/** `run`'s checkpoints with `added` put in, in step order; one of the same step is replaced (the last added wins). */
function withCheckpoints(
  checkpoints: readonly CheckpointRecord[],
  added: readonly CheckpointRecord[],
): CheckpointRecord[] {
  const steps = new Set(added.map((c) => c.step));
  const latest = new Map(added.map((c) => [c.step, c]));
  return sortByStep([...checkpoints.filter((c) => !steps.has(c.step)), ...latest.values()]);
}

/** `addRun` for each of `names`, in one change (the runs of a drop). */
export const addRuns = action<readonly string[]>('addRuns', (state, names) =>
  names.reduce((next, name) => addRun.perform(next, name), state),
);

/** Adds a checkpoint to a run, in step order; one of the same step is replaced. */
export const putCheckpoint = action<{ runId: string; checkpoint: CheckpointRecord }>(
  'putCheckpoint',
  (state, { runId, checkpoint }) =>
    updateRun(state, runId, (run) => ({
      ...run,
      colour: colourFor(state, run),
      checkpoints: withCheckpoints(run.checkpoints, [checkpoint]),
    })),
);

/**
 * Adds many checkpoints to their runs in one change (results of a drop, committed together): each
 * run is sorted once, and takes its colour with its first checkpoint as `putCheckpoint` gives it.
 */
export const putCheckpoints = action<readonly { runId: string; checkpoint: CheckpointRecord }[]>(
  'putCheckpoints',
  (state, puts) => {
    const byRun = new Map<string, CheckpointRecord[]>();
    for (const { runId, checkpoint } of puts) {
      const list = byRun.get(runId);
      if (list) list.push(checkpoint);
      else byRun.set(runId, [checkpoint]);
    }
    let next = state;
    for (const [runId, added] of byRun)
      next = updateRun(next, runId, (run) => ({
        ...run,
        colour: colourFor(next, run),
        checkpoints: withCheckpoints(run.checkpoints, added),
      }));
    return next;
  },
);

/** Replaces every checkpoint of a run (another producer's run sent again) and clears its errors. */
export const replaceCheckpoints = action<{ runId: string; checkpoints: readonly CheckpointRecord[] }>(
  'replaceCheckpoints',
  (state, { runId, checkpoints }) =>
    updateRun(state, runId, (run) => ({
      ...run,
      colour: checkpoints.length > 0 ? colourFor(state, run) : run.colour,
      errors: [],
      checkpoints: sortByStep(checkpoints),
    })),
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

/** Renames a run; a blank name, or one another run has (`isNameTaken`), is refused; the name is trimmed. */
export const renameRun = action<{ runId: string; name: string }>('renameRun', (state, { runId, name }) => {
  const trimmed = name.trim();
  return trimmed && !isNameTaken(state, runId, trimmed)
    ? updateRun(state, runId, (run) => ({ ...run, name: trimmed }))
    : state;
});

export const setRunColour = action<{ runId: string; colour: string }>(
  'setRunColour',
  (state, { runId, colour }) => updateRun(state, runId, (run) => ({ ...run, colour })),
);

/**
 * A results bundle's colour and seed group for a run (an empty seed group keeps the run's own). A
 * run that has a colour keeps it, and the stored one yields to a run already shown with it, so
 * colours stay distinct.
 */
export const adoptRunStyle = action<{ runId: string; colour: string; seedGroup: string }>(
  'adoptRunStyle',
  (state, { runId, colour, seedGroup }) =>
    updateRun(state, runId, (run) => ({
      ...run,
      colour: colourFor(state, run, colour),
      seedGroup: seedGroup || run.seedGroup,
    })),
);

export const setRunVisible = action<{ runId: string; visible: boolean }>(
  'setRunVisible',
  (state, { runId, visible }) => updateRun(state, runId, (run) => ({ ...run, visible })),
);

export const setSeedGroup = action<{ runId: string; seedGroup: string }>(
  'setSeedGroup',
  (state, { runId, seedGroup }) => updateRun(state, runId, (run) => ({ ...run, seedGroup })),
);

/** Shows or hides several runs at once (show all / hide all of the runs listed). */
export const setRunsVisible = action<{ runIds: readonly string[]; visible: boolean }>(
  'setRunsVisible',
  (state, { runIds, visible }) => ({
    ...state,
    runs: state.runs.map((run) =>
      runIds.includes(run.id) && run.visible !== visible ? { ...run, visible } : run,
    ),
  }),
);

/** The run under the pointer, drawn forward in every plot (null: none). */
export const hoverRun = action<string | null>('hoverRun', (state, runId) =>
  state.hoveredRun === runId ? state : { ...state, hoveredRun: runId },
);

/** Removes a run; `undoRemove` brings it back until the next removal or `forgetRemoved`. */
export const removeRun = action<string>('removeRun', (state, runId) => {
  const position = state.runs.findIndex((run) => run.id === runId);
  if (position === -1) return state;
  return {
    ...state,
    runs: state.runs.filter((run) => run.id !== runId),
    removed: { runs: [state.runs[position]], positions: [position] },
    hoveredRun: state.hoveredRun === runId ? null : state.hoveredRun,
  };
});

/** Removes every run, and the notices with them; `undoRemove` brings the runs back. */
export const removeAllRuns = action('removeAllRuns', (state) => ({
  ...state,
  runs: [],
  notices: [],
  hoveredRun: null,
  removed:
    state.runs.length > 0 ? { runs: state.runs, positions: state.runs.map((_, i) => i) } : state.removed,
}));

/** Puts the runs of the last removal back where they were (unless a run of that name exists again). */
export const undoRemove = action('undoRemove', (state) => {
  if (!state.removed) return state;
  const runs = [...state.runs];
  state.removed.runs.forEach((run, i) => {
    if (!runs.some((r) => r.id === run.id || r.name === run.name))
      runs.splice(Math.min(state.removed!.positions[i], runs.length), 0, run);
  });
  return { ...state, runs, removed: null };
});

/** Drops the undo of the last removal: its runs' stored moments are deleted with the next save. */
export const forgetRemoved = action('forgetRemoved', (state) =>
  state.removed ? { ...state, removed: null } : state,
);

/**
 * Removes the runs that hold no checkpoint and have no analysis pending (every file failed, or the
 * analysis was cancelled), or only those of `runIds` when given: no empty run stays behind. Their
 * errors become notices.
 */
export function dropEmptyRuns(state: RichscopeState, runIds?: ReadonlySet<string>): RichscopeState {
  const candidates = state.runs.filter(
    (run) => (runIds === undefined || runIds.has(run.id)) && run.checkpoints.length === 0,
  );
  if (candidates.length === 0) return state;
  const pending = new Set(state.jobs.flatMap((job) => job.runIds));
  const empty = candidates.filter((run) => !pending.has(run.id));
  if (empty.length === 0) return state;
  const errors = empty.flatMap((run) => run.errors.map((e) => `${e.file}: ${e.message}`));
  return {
    ...state,
    runs: state.runs.filter((run) => !empty.includes(run)),
    notices: [...state.notices, ...errors],
  };
}

/** A run created for a drop that ended up holding no checkpoint (and no job) goes; its errors become notices. */
export const removeRunIfUnused = action<string>('removeRunIfUnused', (state, runId) =>
  dropEmptyRuns(state, new Set([runId])),
);

/** Drops every run left without checkpoints (their analysis was cancelled); their errors become notices. */
export const pruneEmptyRuns = action('pruneEmptyRuns', (state) => dropEmptyRuns(state));

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
