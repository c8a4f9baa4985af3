/**
 * From the relative paths of a drop (a folder tree or flat names) to runs of checkpoints, each
 * with a fit split (train) and an optional eval split (test). Pure: paths in, plan out.
 *
 *   runA/step_200/features.npy, runA/step_200/logits.npy  -> run runA, step 200, fit = both
 *   rich_step200_train.npz, rich_step200_test.npz          -> run rich, step 200, fit + eval
 *   runA/train/step_5/x.npz, runA/test/step_5/x.npz        -> run runA, step 5, fit + eval
 */
import { SUPPORTED_EXTENSIONS, extensionOf } from './extensions';
import { isLayerName } from './layers';
import { ROLE_WORDS } from './roles';

export interface CheckpointGroup {
  /** parsed from step_200, step200, epoch-3, ckpt1000, it5000, iter_5, or a numeric folder; null if none */
  step: number | null;
  /** what the user sees: the step token as written ('epoch-3'), else the file or run name */
  label: string;
  splits: { fit: string[]; eval: string[] | null };
}

export interface RunGroup {
  run: string;
  /** ordered by step (checkpoints without a step first, by label) */
  checkpoints: CheckpointGroup[];
}

export interface UnplacedFile {
  path: string;
  problem: string;
}

const STEP = /(?<![A-Za-z])(step|epoch|ckpt|checkpoint|iteration|iter|it)[_\-=]?(\d+)(?![0-9])/i;
/** Names of a fit split (a folder, a file-name part, a key of a saved dict). */
export const FIT_WORD = /^(train|training|fit)$/i;
/** Names of an eval split. */
export const EVAL_WORD = /^(test|testing|eval|val|valid|validation)$/i;
const SPLIT_IN_STEM = /(^|[_\-.])(train|training|test|testing|eval|val|valid|validation)(?=$|[_\-.])/i;

const trimSeparators = (s: string) => s.replace(/^[_\-.\s]+|[_\-.\s]+$/g, '');

/** Names of what a file holds rather than of a run (`runA/moments_step5.npz` belongs to runA). */
const CONTENT_WORD = /^(moments|acts)$/i;

/** A file named for what its array holds (features.npy, logits.npy, layer3.npy): one array of a checkpoint. */
function isRoleName(name: string): boolean {
  const parts = name.split(/[^A-Za-z0-9]+/).filter((t) => t !== '');
  if (isLayerName(name)) return true;
  return (
    parts.length > 0 &&
    parts.every((t) => Object.values(ROLE_WORDS).some((re) => re.test(t)) || /^arr$|^\d+$/i.test(t))
  );
}

interface PlacedFile {
  path: string;
  run: string;
  step: number | null;
  label: string;
  /** distinguishes step-less checkpoints of one run ('a.npz' vs 'b.npz') */
  base: string;
  split: 'fit' | 'eval';
}

function placeFile(path: string): PlacedFile | UnplacedFile {
  const clean = path.replace(/\\/g, '/').replace(/^\.?\/+/, '');
  const segments = clean.split('/').filter((s) => s !== '' && s !== '.');
  const file = segments.pop() ?? '';
  const ext = extensionOf(file);
  if (file.startsWith('.') || !SUPPORTED_EXTENSIONS.includes(ext)) {
    return { path, problem: `not an array file (expected ${SUPPORTED_EXTENSIONS.join(', ')})` };
  }
  let stem = file.slice(0, file.length - ext.length);
  let split: 'fit' | 'eval' = 'fit';
  let splitMarked = false;
  const stemSplit = SPLIT_IN_STEM.exec(stem);
  if (stemSplit) {
    split = FIT_WORD.test(stemSplit[2]) ? 'fit' : 'eval';
    splitMarked = true;
    stem = trimSeparators(stem.slice(0, stemSplit.index) + stem.slice(stemSplit.index + stemSplit[0].length));
  }
  const folders: string[] = [];
  for (const folder of segments) {
    if (FIT_WORD.test(folder) || EVAL_WORD.test(folder)) {
      if (!splitMarked) split = FIT_WORD.test(folder) ? 'fit' : 'eval';
      splitMarked = true;
    } else {
      folders.push(folder);
    }
  }

  const stemStep = STEP.exec(stem);
  if (stemStep) {
    const prefix = trimSeparators(stem.slice(0, stemStep.index));
    const namesContent = CONTENT_WORD.test(prefix) || isRoleName(prefix);
    const run = prefix !== '' && !(namesContent && folders.length > 0) ? prefix : (folders.at(-1) ?? 'run');
    return { path, run, step: Number(stemStep[2]), label: stemStep[0], base: '', split };
  }
  for (let k = folders.length - 1; k >= 0; k--) {
    const folderStep = STEP.exec(folders[k]);
    const numeric = /^\d+$/.test(folders[k]);
    if (folderStep || numeric) {
      const prefix = folderStep ? trimSeparators(folders[k].slice(0, folderStep.index)) : '';
      const run = prefix !== '' ? prefix : (folders[k - 1] ?? 'run');
      const step = folderStep ? Number(folderStep[2]) : Number(folders[k]);
      return { path, run, step, label: folderStep ? folderStep[0] : folders[k], base: '', split };
    }
  }
  const base = isRoleName(stem) ? '' : stem;
  if (folders.length > 0) {
    const run = folders[folders.length - 1];
    return { path, run, step: null, label: base || run, base, split };
  }
  const run = base || 'run';
  return { path, run, step: null, label: run, base: '', split };
}

/** Groups paths into runs and checkpoints, and lists the files it could not place (with why). */
export function groupFilesWithErrors(paths: string[]): { runs: RunGroup[]; unplaced: UnplacedFile[] } {
  const unplaced: UnplacedFile[] = [];
  const runs = new Map<string, Map<string, PlacedFile[]>>();
  for (const path of paths) {
    const placed = placeFile(path);
    if ('problem' in placed) {
      unplaced.push(placed);
      continue;
    }
    const checkpoints = runs.get(placed.run) ?? new Map<string, PlacedFile[]>();
    runs.set(placed.run, checkpoints);
    const key = `${placed.step ?? ''}\u0000${placed.base}`;
    checkpoints.set(key, [...(checkpoints.get(key) ?? []), placed]);
  }
  const collator = new Intl.Collator('en', { numeric: true });
  const result: RunGroup[] = [];
  for (const run of [...runs.keys()].sort(collator.compare)) {
    const checkpoints: CheckpointGroup[] = [];
    for (const files of runs.get(run)!.values()) {
      const fit = files
        .filter((f) => f.split === 'fit')
        .map((f) => f.path)
        .sort(collator.compare);
      const evalPaths = files
        .filter((f) => f.split === 'eval')
        .map((f) => f.path)
        .sort(collator.compare);
      if (fit.length === 0) {
        for (const path of evalPaths) {
          unplaced.push({ path, problem: 'a test split without a train split for the same checkpoint' });
        }
        continue;
      }
      checkpoints.push({
        step: files[0].step,
        label: files[0].label,
        splits: { fit, eval: evalPaths.length > 0 ? evalPaths : null },
      });
    }
    if (checkpoints.length === 0) continue;
    checkpoints.sort((a, b) =>
      a.step === b.step
        ? collator.compare(a.label, b.label)
        : a.step === null
          ? -1
          : b.step === null
            ? 1
            : a.step - b.step,
    );
    result.push({ run, checkpoints });
  }
  return { runs: result, unplaced };
}

/** The runs of `groupFilesWithErrors`, for callers that report unplaced files elsewhere. */
export function groupFiles(paths: string[]): RunGroup[] {
  return groupFilesWithErrors(paths).runs;
}
