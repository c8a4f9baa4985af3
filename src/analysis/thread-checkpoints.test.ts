/**
 * Whole checkpoints on worker threads: a thread's result is the serial stream's, errors keep their
 * kind across the thread boundary, and each task gets its own answer however the threads interleave.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { fileByteSource } from '../io/node-byte-source';
import { InputError } from '../io/types';
import { analyzeCheckpoint } from './analyze-checkpoint';
import { bundleNodeWorker } from './testing';
import {
  analyzeCheckpointFiles,
  checkpointResult,
  CheckpointThreads,
  type CheckpointFiles,
} from './thread-checkpoints';

const digits = 'fixtures/digits-mlp';
const files = (step: number): CheckpointFiles => ({
  fit: [join(digits, `mlp96_lazy_step${step}_train.npz`)],
  eval: [join(digits, `mlp96_lazy_step${step}_test.npz`)],
});
const options = { dropNonFinite: false };

let scratch = '';
beforeAll(() => {
  scratch = mkdtempSync(join(tmpdir(), 'richscope-thread-checkpoints-'));
  writeFileSync(join(scratch, 'broken.npz'), new Uint8Array([1, 2, 3]));
  writeFileSync(
    join(scratch, 'exits.mjs'),
    "import { parentPort } from 'node:worker_threads'; parentPort.on('message', () => process.exit(3));",
  );
  // answers with the files it was given, after a delay that differs from task to task
  writeFileSync(
    join(scratch, 'echo.mjs'),
    "import { parentPort } from 'node:worker_threads';\n" +
      "parentPort.on('message', (files) => setTimeout(() => parentPort.postMessage({ ok: true, result: { notes: files.fit } }), 5 * (files.fit[0].length % 4)));",
  );
});
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('one checkpoint from its paths', () => {
  it('gives the result of the serial stream, without the moments', async () => {
    const message = await analyzeCheckpointFiles(files(150), options);
    const sources = await Promise.all(
      [...files(150).fit, ...files(150).eval!].map((f) => fileByteSource(f, f)),
    );
    const serial = await analyzeCheckpoint({ fit: [sources[0]], eval: [sources[1]] }).finally(() =>
      Promise.all(sources.map((s) => s.close())),
    );
    const { fit: _fit, eval: _eval, ...expected } = serial;
    expect(message).toEqual({ ok: true, result: expected });
  });

  it('sends an input error as its parts, and rebuilds it as an InputError', async () => {
    const broken = join(scratch, 'broken.npz');
    const message = await analyzeCheckpointFiles({ fit: [broken], eval: null }, options);
    expect(message.ok).toBe(false);
    const error = (() => {
      try {
        checkpointResult(message);
      } catch (thrown) {
        return thrown;
      }
    })();
    expect(error).toBeInstanceOf(InputError);
    expect((error as InputError).source).toBe(broken);
    expect(message).toMatchObject({ ok: false, message: (error as Error).message });
  });

  it('rebuilds any other error with its name and message', () => {
    expect(() =>
      checkpointResult({ ok: false, input: null, name: 'RangeError', message: 'too big' }),
    ).toThrow(expect.objectContaining({ name: 'RangeError', message: 'too big' }));
  });
});

describe('the worker threads', () => {
  it('analyse on real threads what this thread does', async () => {
    const threads = new CheckpointThreads(2, options, await bundleNodeWorker());
    try {
      const steps = [0, 150, 1500];
      const results = await Promise.all(steps.map((step) => threads.analyze(files(step))));
      const here = await Promise.all(steps.map((step) => analyzeCheckpointFiles(files(step), options)));
      expect(results).toEqual(here.map(checkpointResult));
      await expect(threads.analyze({ fit: [join(scratch, 'broken.npz')], eval: null })).rejects.toThrow(
        InputError,
      );
    } finally {
      await threads.close();
    }
  }, 60_000);

  it('give each task its own answer when they finish out of order', async () => {
    const threads = new CheckpointThreads(3, options, join(scratch, 'echo.mjs'));
    try {
      const names = Array.from({ length: 12 }, (_, k) => 'x'.repeat(k + 1));
      const results = await Promise.all(names.map((name) => threads.analyze({ fit: [name], eval: null })));
      expect(results.map((r) => r.notes[0])).toEqual(names);
    } finally {
      await threads.close();
    }
  });

  it('fail every task, waiting ones too, when a thread dies', async () => {
    const threads = new CheckpointThreads(1, options, join(scratch, 'exits.mjs'));
    try {
      const tasks = [1, 2, 3].map((k) => threads.analyze({ fit: [`f${k}`], eval: null }));
      for (const task of tasks) await expect(task).rejects.toThrow('exited with code 3');
    } finally {
      await threads.close();
    }
  });
});
