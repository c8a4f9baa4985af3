/** Turns the CLI's SOURCE arguments (files or folders) into checkpoints, with the app's grouping rules. */
import { readdir, stat } from 'node:fs/promises';
import { basename, join, relative } from 'node:path';

import { groupFilesWithErrors } from '../io/grouping';
import { InputError } from '../io/types';

export interface CheckpointPaths {
  /** what the output calls it: the SOURCE argument, or folder/checkpoint for runs in a folder */
  source: string;
  run: string | null;
  step: number | null;
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
    const named = groupFilesWithErrors([basename(path)]).runs[0]?.checkpoints[0];
    return [{ source: path, run: null, step: named?.step ?? null, fit: [path], eval: null }];
  }
  const files = await listFiles(path);
  if (files.length === 0) throw new InputError(path, 'the folder holds no files');
  const { runs, unplaced } = groupFilesWithErrors(files);
  const checkpoints = runs.flatMap((run) => run.checkpoints.map((checkpoint) => ({ run, checkpoint })));
  if (checkpoints.length === 0) {
    const why = unplaced.length > 0 ? ` (${unplaced[0].path}: ${unplaced[0].problem})` : '';
    throw new InputError(path, `found no checkpoint (features and logits) in the folder${why}`);
  }
  return checkpoints.map(({ run, checkpoint }) => ({
    source: checkpoints.length === 1 ? path : join(path, checkpoint.label),
    run: run.run,
    step: checkpoint.step,
    fit: checkpoint.splits.fit.map((f) => join(path, f)),
    eval: checkpoint.splits.eval?.map((f) => join(path, f)) ?? null,
  }));
}
