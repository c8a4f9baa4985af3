/**
 * From a drop (files and folders) to analysis work: results bundles are recognised by name, every
 * other file goes through the io grouping rules (src/io/grouping.ts) into runs of checkpoints with
 * fit and eval splits.
 */
import { groupFilesWithErrors, type UnplacedFile } from '../io/grouping';
import { RESULTS_BUNDLE_SUFFIX } from '../session/results-bundle';

/** A dropped or picked file with the path the user knows it by (folder-relative for folder drops). */
export interface DroppedFile {
  file: Blob;
  path: string;
}

/** The files of one checkpoint, as grouping found them. */
export interface CheckpointFiles {
  run: string;
  /** null when the name holds no step: the store then uses the checkpoint's position in its run */
  step: number | null;
  label: string;
  fit: DroppedFile[];
  eval: DroppedFile[] | null;
}

export interface AnalysisPlan {
  bundles: DroppedFile[];
  checkpoints: CheckpointFiles[];
  /** files the grouping rules could not place, with why (each becomes one alert) */
  unplaced: UnplacedFile[];
}

export function isResultsBundle(path: string): boolean {
  return path.toLowerCase().endsWith(RESULTS_BUNDLE_SUFFIX);
}

/** Splits a drop into results bundles and checkpoints (grouped by run, in each run's step order). */
export function planAnalysis(files: readonly DroppedFile[]): AnalysisPlan {
  const bundles = files.filter((f) => isResultsBundle(f.path));
  const data = files.filter((f) => !isResultsBundle(f.path));
  const byPath = new Map(data.map((f) => [f.path, f]));
  const pick = (paths: string[]) => paths.map((p) => byPath.get(p)!).filter(Boolean);
  const { runs, unplaced } = groupFilesWithErrors([...byPath.keys()]);
  const checkpoints = runs.flatMap((group) =>
    group.checkpoints.map((c) => ({
      run: group.run,
      step: c.step,
      label: c.label,
      fit: pick(c.splits.fit),
      eval: c.splits.eval ? pick(c.splits.eval) : null,
    })),
  );
  return { bundles, checkpoints, unplaced };
}
