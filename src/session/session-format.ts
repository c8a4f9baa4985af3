/**
 * What the stored session holds (pure; used on the main thread, in workers and in tests). Two kinds
 * of entries share one IndexedDB object store (src/session/session-db.ts):
 *
 * - `session`: the small metadata the main thread rewrites on every change of the runs (names,
 *   colours, steps, metrics, notes, errors), each checkpoint naming the key of its moments;
 * - `moments/<time>-<random>`: one checkpoint's moments ({ fit, eval }, Float64Arrays as they are),
 *   written once by the worker that computed them and never rewritten.
 *
 * `runs` is the version-1 layout (every run with its moments in one record); it is moved to this
 * layout once, in a worker, the first time it is found.
 *
 * Since version 3 the `session` entry is an index ({@link SessionIndex}): runs with the moments keys
 * of their checkpoints, and each checkpoint's metadata in an entry of its own
 * (`checkpoint/<moments key>`), written once for each version of the checkpoint. A save then clones
 * the runs and the checkpoints that changed, not every checkpoint's curves, so hiding a run with a
 * sweep of hundreds of checkpoints loaded stays a short task of the page.
 * A version-2 `session` (the checkpoints inline) is still read, and the next save replaces it.
 */
import { layersOf } from '../core/layer-dlr';
import { momentBuffers, type CheckpointMetrics, type Moments } from '../core/types';
import type { CheckpointRecord, FileError, RunRecord } from './records';

export const SESSION_KEY = 'session';
export const LEGACY_RUNS_KEY = 'runs';
export const MOMENTS_PREFIX = 'moments/';
export const CHECKPOINT_PREFIX = 'checkpoint/';
export const SESSION_VERSION = 2;
export const SESSION_INDEX_VERSION = 3;

/** One checkpoint's moments, stored under its own key. */
export interface StoredMoments {
  fit: Moments;
  eval: Moments | null;
}

export type StoredCheckpoint = Omit<CheckpointRecord, 'fit' | 'eval' | 'momentsKey'> & {
  /** key of the checkpoint's {@link StoredMoments} */
  moments: string;
};

export type StoredRun = Omit<RunRecord, 'checkpoints'> & { checkpoints: StoredCheckpoint[] };

/** The `session` entry. */
export interface StoredSession {
  version: typeof SESSION_VERSION;
  runs: StoredRun[];
}

/** A run of the index: its checkpoints as the keys of their moments. */
export type IndexedRun = Omit<RunRecord, 'checkpoints'> & { checkpoints: string[] };

/** The `session` entry from version 3 on. */
export interface SessionIndex {
  version: typeof SESSION_INDEX_VERSION;
  runs: IndexedRun[];
}

/** A run as version 1 stored it: moments inline, no keys. */
export type LegacyRun = Omit<RunRecord, 'checkpoints'> & {
  checkpoints: Omit<CheckpointRecord, 'momentsKey'>[];
};

/**
 * A new key for one checkpoint's moments: `moments/` + the time in ms (base 36, so keys sort by age)
 * + random letters, unique across workers and tabs.
 */
export function newMomentsKey(now: number = Date.now()): string {
  const random = crypto.getRandomValues(new Uint32Array(2));
  return `${MOMENTS_PREFIX}${now.toString(36).padStart(9, '0')}-${random[0].toString(36)}${random[1].toString(36)}`;
}

/** When a moments key was made (ms), or null when the key is not one of {@link newMomentsKey}'s. */
export function momentsKeyTime(key: string): number | null {
  const match = /^moments\/([0-9a-z]+)-[0-9a-z]+$/.exec(key);
  return match ? parseInt(match[1], 36) : null;
}

export function isMomentsKey(key: string): boolean {
  return key.startsWith(MOMENTS_PREFIX);
}

/** The key of the metadata entry of the checkpoint whose moments are under `momentsKey`. */
export function checkpointKey(momentsKey: string): string {
  return `${CHECKPOINT_PREFIX}${momentsKey}`;
}

/** The moments key a checkpoint metadata key belongs to, or null when `key` is not one. */
export function momentsKeyOfCheckpointKey(key: string): string | null {
  return key.startsWith(CHECKPOINT_PREFIX) ? key.slice(CHECKPOINT_PREFIX.length) : null;
}

/** A checkpoint as its metadata entry (and a version-2 session) holds it: no moments, their key. */
export function storedCheckpoint(checkpoint: CheckpointRecord & { momentsKey: string }): StoredCheckpoint {
  const { fit: _fit, eval: _eval, momentsKey, ...rest } = checkpoint;
  return { ...rest, moments: momentsKey };
}

/**
 * The metadata of `runs`: every checkpoint whose moments are stored (momentsKey set), without the
 * moments. A run left with no stored checkpoint and no error is not worth restoring and is left out.
 */
export function toStoredSession(runs: readonly RunRecord[]): StoredSession {
  const stored = storedRuns(runs, (checkpoint) => storedCheckpoint(checkpoint));
  return { version: SESSION_VERSION, runs: stored };
}

/** The index of `runs`: what {@link toStoredSession} keeps, each checkpoint as its moments key. */
export function toSessionIndex(runs: readonly RunRecord[]): SessionIndex {
  return { version: SESSION_INDEX_VERSION, runs: storedRuns(runs, (checkpoint) => checkpoint.momentsKey) };
}

function storedRuns<T>(
  runs: readonly RunRecord[],
  store: (checkpoint: CheckpointRecord & { momentsKey: string }) => T,
): (Omit<RunRecord, 'checkpoints'> & { checkpoints: T[] })[] {
  const stored: (Omit<RunRecord, 'checkpoints'> & { checkpoints: T[] })[] = [];
  for (const { checkpoints, ...run } of runs) {
    const kept: T[] = [];
    for (const checkpoint of checkpoints)
      if (checkpoint.momentsKey !== null)
        kept.push(store({ ...checkpoint, momentsKey: checkpoint.momentsKey }));
    if (kept.length > 0 || run.errors.length > 0) stored.push({ ...run, checkpoints: kept });
  }
  return stored;
}

/**
 * Whether `entry` is a `session` entry of `version` whose every run has an id, a list of errors and
 * checkpoints that `isCheckpoint` accepts.
 */
function wellFormedSession(entry: unknown, version: number, isCheckpoint: (checkpoint: unknown) => boolean) {
  const session = entry as { version?: unknown; runs?: unknown } | undefined;
  return (
    session?.version === version &&
    Array.isArray(session.runs) &&
    (session.runs as { id?: unknown; checkpoints?: unknown; errors?: unknown }[]).every(
      (run) =>
        typeof run?.id === 'string' &&
        Array.isArray(run.checkpoints) &&
        Array.isArray(run.errors) &&
        run.checkpoints.every(isCheckpoint),
    )
  );
}

/** The `session` entry if it is an index this version reads, else null. */
export function readSessionIndex(value: unknown): SessionIndex | null {
  return wellFormedSession(value, SESSION_INDEX_VERSION, (key) => typeof key === 'string')
    ? (value as SessionIndex)
    : null;
}

/**
 * The session an index stands for, its checkpoints' metadata looked up by moments key; a checkpoint
 * whose metadata is missing or malformed is left out and counted as lost.
 */
export function joinSessionIndex(
  index: SessionIndex,
  metadata: (momentsKey: string) => unknown,
): { session: StoredSession; lost: number } {
  let lost = 0;
  const runs = index.runs.map((run) => {
    const checkpoints: StoredCheckpoint[] = [];
    for (const key of run.checkpoints) {
      const checkpoint = metadata(key) as StoredCheckpoint | undefined;
      const wellFormed =
        typeof checkpoint?.step === 'number' &&
        typeof checkpoint.metrics === 'object' &&
        checkpoint.metrics !== null;
      if (wellFormed) checkpoints.push({ ...checkpoint, moments: key });
      else lost++;
    }
    return { ...run, checkpoints };
  });
  return { session: { version: SESSION_VERSION, runs }, lost };
}

/** The moments keys a session refers to. */
export function momentsKeysOf(session: StoredSession): string[] {
  return session.runs.flatMap((run) => run.checkpoints.map((c) => c.moments));
}

/** The `session` entry if `value` is one this version reads, else null (absent, newer or damaged). */
export function readStoredSession(value: unknown): StoredSession | null {
  const hasMomentsKey = (checkpoint: unknown) =>
    typeof (checkpoint as StoredCheckpoint | undefined)?.moments === 'string';
  return wellFormedSession(value, SESSION_VERSION, hasMomentsKey) ? (value as StoredSession) : null;
}

/** Said of a checkpoint restored from a session stored before the held-out curves existed. */
export const NYSTROM_ONLY_NOTE =
  "Stored before the held-out curves existed: only the paper's Nyström sums of Π*(k) and Π̂(k) are kept for this checkpoint (drop its files again for the held-out curves, docs/method.md §4.1).";

/**
 * Metrics as this version reads them, from a session stored by an earlier one: no jackknife standard
 * errors (null), and curves whose `mass` / `utilization` were the Nyström sums. Without an eval split
 * the two forms are equal (docs/method.md §4.1); with one, the held-out curves are unknown and left
 * empty (`note` says so), the sums kept as `massNystrom` / `utilizationNystrom`.
 */
export function upgradeStoredMetrics(
  metrics: CheckpointMetrics,
  hasEvalSplit: boolean,
): { metrics: CheckpointMetrics; note: string | null } {
  if (metrics.utilizationNystrom !== undefined) return { metrics, note: null };
  const upgraded: CheckpointMetrics = {
    ...metrics,
    dlrStdErr: metrics.dlrStdErr ?? null,
    dlrEnergy99StdErr: metrics.dlrEnergy99StdErr ?? null,
    massNystrom: metrics.mass,
    utilizationNystrom: metrics.utilization,
  };
  if (!hasEvalSplit) return { metrics: upgraded, note: null };
  return {
    metrics: { ...upgraded, mass: metrics.mass && [], utilization: [] },
    note: NYSTROM_ONLY_NOTE,
  };
}

/** The runs again, from their metadata and their moments; checkpoints whose moments are missing are counted as lost. */
export function restoreRuns(
  session: StoredSession,
  moments: ReadonlyMap<string, StoredMoments>,
): { runs: RunRecord[]; lost: number } {
  let lost = 0;
  const runs: RunRecord[] = [];
  for (const { checkpoints, ...run } of session.runs) {
    const restored: CheckpointRecord[] = [];
    for (const { moments: key, ...checkpoint } of checkpoints) {
      const stored = moments.get(key);
      if (!stored) {
        lost++;
        continue;
      }
      const upgraded = upgradeStoredMetrics(checkpoint.metrics, stored.eval !== null);
      // metrics stored before D_LR by layer (docs/method.md §8) hold the penultimate layer only
      const metrics = { ...upgraded.metrics, layers: layersOf(upgraded.metrics) };
      const notes = upgraded.note ? [...checkpoint.notes, upgraded.note] : checkpoint.notes;
      restored.push({ ...checkpoint, metrics, notes, fit: stored.fit, eval: stored.eval, momentsKey: key });
    }
    // the rule of toStoredSession: a run with no checkpoint left and no error has nothing to show
    if (restored.length > 0 || run.errors.length > 0) runs.push({ ...run, checkpoints: restored });
  }
  return { runs, lost };
}

function isMoments(value: unknown): value is Moments {
  const m = value as Moments | undefined;
  return m?.mean instanceof Float64Array && m.scatter instanceof Float64Array && typeof m.p === 'number';
}

/**
 * A version-1 session (`runs`) in this layout: the metadata and one moments entry per checkpoint,
 * keyed with `makeKey`. Malformed runs and checkpoints are left out rather than carried over.
 */
export function splitLegacySession(
  legacy: unknown,
  makeKey: () => string = newMomentsKey,
): { session: StoredSession; moments: [string, StoredMoments][] } {
  const moments: [string, StoredMoments][] = [];
  const runs: StoredRun[] = [];
  for (const run of Array.isArray(legacy) ? (legacy as LegacyRun[]) : []) {
    if (typeof run?.id !== 'string' || !Array.isArray(run.checkpoints)) continue;
    const checkpoints: StoredCheckpoint[] = [];
    for (const { fit, eval: evalMoments, ...checkpoint } of run.checkpoints) {
      if (!isMoments(fit) || (evalMoments !== null && !isMoments(evalMoments))) continue;
      const key = makeKey();
      moments.push([key, { fit, eval: evalMoments }]);
      checkpoints.push({ ...checkpoint, moments: key });
    }
    const errors: FileError[] = Array.isArray(run.errors) ? run.errors : [];
    if (checkpoints.length > 0 || errors.length > 0) runs.push({ ...run, errors, checkpoints });
  }
  return { session: { version: SESSION_VERSION, runs }, moments };
}

/** The distinct buffers of stored moments, to transfer them (a transfer list must not repeat one). */
export function transferablesOfMoments(stored: Iterable<StoredMoments>): ArrayBuffer[] {
  return momentBuffers(...[...stored].flatMap(({ fit, eval: evalMoments }) => [fit, evalMoments]));
}
