/** Turns the CLI's SOURCE arguments (files or folders) into checkpoints, with the app's grouping rules. */
import { readdir, stat } from 'node:fs/promises';
import { basename, dirname, join, relative, sep } from 'node:path';

import { groupFilesWithErrors } from '../io/grouping';
import { InputError } from '../io/types';

export interface CheckpointPaths {
  /**
   * What the output calls it, a path that exists: the SOURCE argument; in a folder of several
   * checkpoints, the checkpoint's fit file, or the folder holding its fit files alone, else those
   * files joined by ' + '.
   */
  source: string;
  /** the run as the app names it; null for a lone file, whose name (or its own metadata) then says */
  run: string | null;
  step: number | null;
  /** what the app calls the run and step of a lone file or a step-less checkpoint (its position in the run) */
  fallback: { run: string; step: number };
  fit: string[];
  eval: string[] | null;
}

async function listFiles(folder: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(folder, { withFileTypes: true, recursive: true })) {
    if (entry.isFile() && !entry.name.startsWith('.'))
      out.push(relative(folder, join(entry.parentPath, entry.name)));
  }
  return out.sort();
}

/**
 * Expands one SOURCE. A file is one checkpoint (its step read from its name, as in a folder); a
 * folder is grouped like a folder drop in the app.
 */
export async function expandSource(path: string): Promise<CheckpointPaths[]> {
  let info;
  try {
    info = await stat(path);
  } catch {
    throw new InputError(path, 'no such file or folder');
  }
  if (!info.isDirectory()) {
    const named = groupFilesWithErrors([basename(path)]).runs[0];
    const step = named?.checkpoints[0]?.step ?? null;
    const fallback = { run: named?.run ?? basename(path), step: step ?? 0 };
    return [{ source: path, run: null, step, fallback, fit: [path], eval: null }];
  }
  const files = await listFiles(path);
  if (files.length === 0) throw new InputError(path, 'the folder holds no files');
  const { runs, unplaced } = groupFilesWithErrors(files);
  const checkpoints = runs.flatMap((run) =>
    run.checkpoints.map((checkpoint, position) => ({ run, checkpoint, position })),
  );
  if (checkpoints.length === 0) {
    const why = unplaced.length > 0 ? ` (${unplaced[0].path}: ${unplaced[0].problem})` : '';
    throw new InputError(path, `found no checkpoint (features and logits) in the folder${why}`);
  }
  const everyFile = checkpoints.flatMap(({ checkpoint: { splits } }) => [
    ...splits.fit,
    ...(splits.eval ?? []),
  ]);
  return checkpoints.map(({ run, checkpoint, position }) => ({
    source: checkpoints.length === 1 ? path : join(path, checkpointSource(checkpoint.splits, everyFile)),
    run: run.run,
    step: checkpoint.step,
    fallback: { run: run.run, step: checkpoint.step ?? position },
    fit: checkpoint.splits.fit.map((f) => join(path, f)),
    eval: checkpoint.splits.eval?.map((f) => join(path, f)) ?? null,
  }));
}

/**
 * One checkpoint's fit files (relative to the SOURCE folder) as one existing path: the file, or the
 * folder that holds them and no file of another checkpoint, else the files joined by ' + '.
 */
function checkpointSource(
  { fit, eval: evalFiles }: { fit: string[]; eval: string[] | null },
  everyFile: string[],
): string {
  if (fit.length === 1) return fit[0];
  const folder = fit.map(dirname).reduce(commonFolder);
  const inside = (file: string) => file.startsWith(folder + sep);
  const own = new Set([...fit, ...(evalFiles ?? [])]);
  const alone = folder !== '.' && everyFile.every((file) => own.has(file) || !inside(file));
  return alone ? folder : fit.join(' + ');
}

function commonFolder(a: string, b: string): string {
  const x = a.split(sep);
  const y = b.split(sep);
  let k = 0;
  while (k < x.length && k < y.length && x[k] === y[k]) k++;
  return k === 0 ? '.' : x.slice(0, k).join(sep);
}
