/**
 * From a drop (files and folders) to analysis work: results bundles are recognised by name, every
 * other file goes through the io grouping rules (src/io/grouping.ts) into runs of checkpoints with
 * fit and eval splits.
 */
import { SUPPORTED_EXTENSIONS, extensionOf } from '../io/extensions';
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
  /** files that hold no data (`isSideFile`): skipped, listed quietly */
  skipped: string[];
}

export function isResultsBundle(path: string): boolean {
  return path.toLowerCase().endsWith(RESULTS_BUNDLE_SUFFIX);
}

// Documentation that travels with runs, whatever its extension (README.txt is not a table).
const DOCUMENT_NAME = /^(readme|license|licence|changelog|notes?|citation|authors)([._-]|$)/i;

/**
 * A file a dropped folder holds beside the data, which is skipped rather than reported: hidden
 * files (.DS_Store), documents (README.md, LICENSE, notes.txt) and files of a kind Richscope does not
 * read (config.json, run.log, model.yaml); results bundles are data.
 */
export function isSideFile(path: string): boolean {
  if (isResultsBundle(path)) return false;
  const name = path.split(/[\\/]/).pop() ?? path;
  return (
    name.startsWith('.') || DOCUMENT_NAME.test(name) || !SUPPORTED_EXTENSIONS.includes(extensionOf(name))
  );
}

/**
 * Splits a drop into results bundles, checkpoints (grouped by run, in each run's step order) and
 * skipped side files.
 */
export function planAnalysis(files: readonly DroppedFile[]): AnalysisPlan {
  const bundles = files.filter((f) => isResultsBundle(f.path));
  const skipped = files.filter((f) => isSideFile(f.path)).map((f) => f.path);
  const data = files.filter((f) => !isResultsBundle(f.path) && !isSideFile(f.path));
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
  return { bundles, checkpoints, unplaced, skipped };
}
