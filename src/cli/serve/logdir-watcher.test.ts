import { appendFileSync, mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import type { LogdirEntry } from '../../io/logdir-listing';
import { LogdirWatcher, type LogdirWatcherOptions } from './logdir-watcher';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

let root: string;
let watcher: LogdirWatcher | null = null;

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'richscope-watch-'));
  mkdirSync(join(root, 'run'));
});

afterEach(() => {
  watcher?.close();
  watcher = null;
  rmSync(root, { recursive: true, force: true });
});

/** Starts a watcher and records every listing it publishes. */
async function follow(options: LogdirWatcherOptions): Promise<LogdirEntry[][]> {
  watcher = new LogdirWatcher(root, options);
  const listings: LogdirEntry[][] = [];
  watcher.subscribe((files) => listings.push(files));
  await watcher.start();
  return listings;
}

const sizesOf = (listings: LogdirEntry[][], path: string) =>
  listings.flatMap((files) => files.filter((f) => f.path === path).map((f) => f.size));

describe.each([
  ['fs.watch', false],
  ['polling', true],
])('LogdirWatcher (%s)', (_mode, poll) => {
  const options: LogdirWatcherOptions = { settleMs: 300, pollMs: 50, poll };

  it('lists the files present at start once they have settled', async () => {
    writeFileSync(join(root, 'run', 'step_1_train.npz'), 'abc');
    await follow(options);
    expect(watcher!.files().map((f) => [f.path, f.size])).toEqual([['run/step_1_train.npz', 3]]);
    expect(watcher!.mode).toBe(poll ? 'poll' : 'watch');
  });

  it('lists a file written in pieces only with its final size', async () => {
    // pauses between pieces well below the settling time, even on a busy machine
    const listings = await follow({ ...options, settleMs: 800 });
    const path = join(root, 'run', 'step_2_train.npz');
    writeFileSync(path, 'x'.repeat(100));
    for (let piece = 0; piece < 4; piece++) {
      await sleep(100);
      appendFileSync(path, 'y'.repeat(100));
    }
    await expect
      .poll(() => sizesOf(listings, 'run/step_2_train.npz').length, { timeout: 5000 })
      .toBeGreaterThan(0);
    await sleep(400);
    expect(new Set(sizesOf(listings, 'run/step_2_train.npz'))).toEqual(new Set([500]));
  });

  it('never lists a *.part file, and lists it under its final name once renamed', async () => {
    const listings = await follow(options);
    const part = join(root, 'run', 'step_3_train.npz.part');
    writeFileSync(part, 'abcd');
    await sleep(500);
    renameSync(part, join(root, 'run', 'step_3_train.npz'));
    await expect.poll(() => sizesOf(listings, 'run/step_3_train.npz'), { timeout: 5000 }).toEqual([4]);
    expect(listings.flat().some((f) => f.path.endsWith('.part'))).toBe(false);
  });

  it('drops a removed file, and a file rewritten in place until it settles again', async () => {
    writeFileSync(join(root, 'run', 'a.npz'), 'a');
    writeFileSync(join(root, 'run', 'b.npz'), 'b');
    await follow(options);
    rmSync(join(root, 'run', 'a.npz'));
    writeFileSync(join(root, 'run', 'b.npz'), 'bbbb');
    await expect.poll(() => watcher!.files().map((f) => f.path), { timeout: 5000 }).toEqual([]);
    await expect
      .poll(() => watcher!.files().map((f) => [f.path, f.size]), { timeout: 5000 })
      .toEqual([['run/b.npz', 4]]);
  });

  it('finds files in a folder created after the start', async () => {
    await follow(options);
    mkdirSync(join(root, 'late', 'deeper'), { recursive: true });
    writeFileSync(join(root, 'late', 'deeper', 'step_4.npz'), 'late');
    await expect
      .poll(() => watcher!.files().map((f) => f.path), { timeout: 5000 })
      .toEqual(['late/deeper/step_4.npz']);
  });
});
