/**
 * Which files of a followed log directory to (re)load, from its listing and what is loaded
 * already. Pure: listing in, plan out. Grouping is the folder drop's (src/io/grouping.ts) on
 * `NAME/PATH`, as if LOGDIR itself had been dropped.
 */
import { groupFiles } from '../io/grouping';
import type { LogdirEntry, LogdirListing } from '../io/logdir-listing';

/** LOGDIR-relative path -> the stamp of the version loaded (`stampOf`). */
export type LoadedStamps = ReadonlyMap<string, string>;

/** What identifies one version of a file: its size and modification time. */
export const stampOf = (entry: Pick<LogdirEntry, 'size' | 'mtimeMs'>): string =>
  `${entry.size}:${entry.mtimeMs}`;

/** Files that go to the store together, in one `addFiles` call. */
export interface LoadUnit {
  run: string;
  /** the units's files, LOGDIR-relative, with their listed size and time */
  files: LogdirEntry[];
}

interface ListedCheckpoint {
  run: string;
  step: number | null;
  files: LogdirEntry[];
}

/** The listing's checkpoints (files that grouping cannot place yet, e.g. a test split alone, are left out). */
function listedCheckpoints(listing: LogdirListing): ListedCheckpoint[] {
  const prefix = `${listing.name}/`;
  const byPath = new Map(listing.files.map((f) => [prefix + f.path, f]));
  return groupFiles([...byPath.keys()]).flatMap((group) =>
    group.checkpoints.map((c) => ({
      run: group.run,
      step: c.step,
      files: [...c.splits.fit, ...(c.splits.eval ?? [])].map((path) => byPath.get(path)!),
    })),
  );
}

/**
 * The checkpoints with a file that is new or changed since `loaded`, each with all its files
 * (fit and eval go together: a test split that lands after its train split reloads both). A run's
 * checkpoints without a step go together too, since the store numbers those by their position.
 */
export function planLogdirLoad(listing: LogdirListing, loaded: LoadedStamps): LoadUnit[] {
  const changed = (c: ListedCheckpoint) => c.files.some((f) => loaded.get(f.path) !== stampOf(f));
  const checkpoints = listedCheckpoints(listing);
  const units: LoadUnit[] = [];
  const runsWithChangedStepless = new Set(
    checkpoints.filter((c) => c.step === null && changed(c)).map((c) => c.run),
  );
  for (const run of runsWithChangedStepless) {
    const files = checkpoints.filter((c) => c.run === run && c.step === null).flatMap((c) => c.files);
    units.push({ run, files });
  }
  for (const c of checkpoints) if (c.step !== null && changed(c)) units.push({ run: c.run, files: c.files });
  return units;
}

/**
 * The stamps of an earlier visit that still hold: those of checkpoints the store has (restored
 * from the stored session). A checkpoint the store lost (a cancelled analysis, a session that
 * was not saved) is loaded again.
 */
export function keepStoredStamps(
  listing: LogdirListing,
  stored: LoadedStamps,
  hasCheckpoint: (run: string, step: number) => boolean,
): Map<string, string> {
  const kept = new Map<string, string>();
  for (const c of listedCheckpoints(listing)) {
    if (c.step === null || !hasCheckpoint(c.run, c.step)) continue;
    for (const f of c.files) {
      const stamp = stored.get(f.path);
      if (stamp !== undefined) kept.set(f.path, stamp);
    }
  }
  return kept;
}
