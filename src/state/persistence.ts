/**
 * The stored session, kept in step with the store from outside it (as Excalidraw's LocalData keeps
 * its scene): a subscription notices every change of the runs and, once the changes pause, writes
 * the session's metadata (src/session/session-db.ts). No action knows about storage.
 *
 * Moments are not written here: the worker that computed a checkpoint stored them under its key.
 * Two things the state cannot show are handed over explicitly: moments a worker stored for a result
 * the store then dropped (`discard`), and the moments of a run computed on the main thread
 * (`storeImported`, the Learn view's small ones).
 */
import type { CheckpointRecord, RunRecord } from '../session/records';
import type { SessionStorage } from '../session/session-db';
import type { RichscopeStore } from './app-state';
import { addNoticeOnce, addNotices, storeProblemNotice } from './notice-actions';
import { setMomentsKey } from './run-actions';

export interface SessionPersistenceOptions {
  /** ms without a change of the runs before the session is written */
  saveDelayMs: number;
  /**
   * While analyses run, ms from one save to the next at least. Every save writes the whole session,
   * so saving at each pause of a long drop would cost time growing with the square of its checkpoints;
   * a reload during the drop loses at most this much of it.
   */
  busySaveIntervalMs: number;
}

export const defaultSessionPersistenceOptions: SessionPersistenceOptions = {
  saveDelayMs: 300,
  busySaveIntervalMs: 5000,
};

export function persistSession(
  store: RichscopeStore,
  session: SessionStorage,
  options: SessionPersistenceOptions = defaultSessionPersistenceOptions,
) {
  const { getState, dispatch } = store;

  /**
   * Keys of stored moments that have entered the store (or were stored for a result it dropped).
   * Each save deletes those no checkpoint holds any more: a removed run, a replaced checkpoint.
   */
  const storedKeys = new Set<string>();

  /** Writes the session's metadata, deleting the moments no checkpoint holds in the same write. */
  let lastSave = Number.NEGATIVE_INFINITY;
  const save = () => {
    saveTimer = undefined;
    if (!getState().ready) return;
    lastSave = Date.now();
    const runs = getState().runs;
    // The moments of runs an undo may bring back are kept too.
    const undoable = getState().removed?.runs ?? [];
    const held = new Set([...runs, ...undoable].flatMap((run) => run.checkpoints.map((c) => c.momentsKey)));
    const discard = [...storedKeys].filter((key) => !held.has(key));
    session
      .save(runs, discard)
      .then(() => discard.forEach((key) => storedKeys.delete(key)))
      .catch(() => undefined);
  };
  let saveTimer: ReturnType<typeof setTimeout> | undefined;
  let savingWhileBusy = false;
  const scheduleSave = () => {
    if (getState().jobs.length > 0) {
      // a save is already due: changes meanwhile join it rather than push it back
      if (saveTimer !== undefined && savingWhileBusy) return;
      clearTimeout(saveTimer);
      savingWhileBusy = true;
      const wait = Math.max(options.saveDelayMs, lastSave + options.busySaveIntervalMs - Date.now());
      saveTimer = setTimeout(save, wait);
      return;
    }
    clearTimeout(saveTimer);
    savingWhileBusy = false;
    saveTimer = setTimeout(save, options.saveDelayMs);
  };

  const unsubscribe = store.subscribe((state, previous) => {
    if (state.runs !== previous.runs)
      for (const run of state.runs)
        for (const c of run.checkpoints) if (c.momentsKey) storedKeys.add(c.momentsKey);
    const changed =
      state.runs !== previous.runs || state.ready !== previous.ready || state.removed !== previous.removed;
    // the last analysis ended: a save held back while they ran comes now
    const idleAgain = state.jobs.length === 0 && previous.jobs.length > 0 && savingWhileBusy;
    if (state.ready && (changed || idleAgain)) scheduleSave();
  });

  /** Moments stored for results the store dropped: deleted by the next save. */
  const discard = (keys: readonly (string | null)[]): void => {
    for (const key of keys) if (key) storedKeys.add(key);
    scheduleSave();
  };

  const holds = (checkpoint: CheckpointRecord) =>
    getState().runs.some((run) => run.checkpoints.includes(checkpoint));

  return {
    discard,

    /**
     * Stores the moments of checkpoints computed on the main thread, one per task so that no clone
     * blocks the page, and gives each its key once written. Checkpoints replaced or removed meanwhile
     * are skipped (or their moments discarded). A refusal (a full disk) is said once, as a notice.
     */
    async storeImported(checkpoints: readonly CheckpointRecord[]): Promise<void> {
      for (const checkpoint of checkpoints) {
        if (!holds(checkpoint)) continue;
        let key: string | null;
        try {
          key = await session.storeMoments({ fit: checkpoint.fit, eval: checkpoint.eval });
        } catch (error) {
          dispatch(addNoticeOnce, storeProblemNotice((error as Error)?.message ?? String(error)));
          return;
        }
        if (key === null) return; // no storage here
        if (holds(checkpoint)) dispatch(setMomentsKey, { checkpoint, momentsKey: key });
        else discard([key]);
      }
    },

    /**
     * The runs of the stored session (their moments read in the session worker), or none. What could
     * not be restored becomes a notice; a blocked or corrupt database must not keep the app from
     * starting, so it yields none.
     */
    async load(): Promise<RunRecord[]> {
      try {
        const restored = await session.load();
        if (restored && restored.lost > 0)
          dispatch(addNotices, [
            `${restored.lost} checkpoint${restored.lost === 1 ? '' : 's'} of the last session could not be ` +
              'restored: their stored moments are missing.',
          ]);
        return restored?.runs ?? [];
      } catch (error) {
        dispatch(addNotices, [
          `The last session could not be restored: ${(error as Error)?.message ?? error}`,
        ]);
        return [];
      }
    },

    /** Stops listening (a pending save is dropped). */
    stop(): void {
      unsubscribe();
      clearTimeout(saveTimer);
    },
  };
}

export type SessionPersistence = ReturnType<typeof persistSession>;
