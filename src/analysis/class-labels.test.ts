/**
 * Labels are class names, never sizes: the one-hot columns are the distinct labels present, a label
 * >= C is its own class and a wrong answer, and no number in a file asks for more memory than the
 * file's size allows (core maxMomentColumns).
 */
import { describe, expect, it } from 'vitest';

import { maxMomentColumns } from '../core/moments';
import { normalMatrix } from '../core/random';
import { bytesByteSource } from '../io/byte-source';
import { buildNpy } from '../io/testing';
import { InputError } from '../io/types';
import { analyzeCheckpoint } from './analyze-checkpoint';

const float64Bytes = (values: Float64Array) => new Uint8Array(values.buffer.slice(0));
const int64Bytes = (values: number[]) =>
  new Uint8Array(BigInt64Array.from(values.map((v) => BigInt(v))).buffer);

/** features.npy, logits.npy (an affine map of the features plus noise) and labels.npy (int64). */
function checkpoint(n: number, p: number, c: number, labels: number[]) {
  const features = normalMatrix(n, p, 5);
  const noise = normalMatrix(n, c, 6);
  const logits = new Float64Array(n * c);
  for (let i = 0; i < n; i++)
    for (let k = 0; k < c; k++) {
      let v = 0.1 * noise[i * c + k];
      for (let j = 0; j < p; j++) v += features[i * p + j] * Math.sin(j + 3 * k);
      logits[i * c + k] = v;
    }
  return [
    bytesByteSource(buildNpy('<f8', [n, p], float64Bytes(features)), 'features.npy'),
    bytesByteSource(buildNpy('<f8', [n, c], float64Bytes(logits)), 'logits.npy'),
    bytesByteSource(buildNpy('<i8', [n], int64Bytes(labels)), 'labels.npy'),
  ];
}

async function refusal(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof InputError) return error.problem;
    throw error;
  }
  throw new Error('expected an InputError');
}

describe('class labels', () => {
  const n = 90;
  const plainLabels = Array.from({ length: n }, (_, i) => i % 3);

  it.each([2 ** 40, 5e7])('a label of %d is one more class and a wrong answer', async (large) => {
    // rows 0, 7, 14, ... get the large label; the same file with label 3 there is the reference
    const labels = plainLabels.map((label, i) => (i % 7 === 0 ? large : label));
    const renamed = plainLabels.map((label, i) => (i % 7 === 0 ? 3 : label));
    const named = await analyzeCheckpoint({ fit: checkpoint(n, 5, 3, labels) });
    const reference = await analyzeCheckpoint({ fit: checkpoint(n, 5, 3, renamed) });
    expect(named.fit.q).toBe(4);
    expect(named.metrics).toEqual(reference.metrics);
    const wrong = labels.filter((label) => label >= 3).length;
    expect(named.notes).toContain(
      `features.npy + logits.npy + labels.npy: ${wrong} row(s) of labels have a label >= C = 3 (largest ${large}): each such label is a class of its own, and those rows count as wrong in the accuracy`,
    );
    const plain = await analyzeCheckpoint({ fit: checkpoint(n, 5, 3, plainLabels) });
    expect(plain.fit.q).toBe(3);
    expect(named.metrics.dlr).toBe(plain.metrics.dlr);
  });

  it('absent classes take no column', async () => {
    const gaps = plainLabels.map((label) => label * 4); // 0, 4, 8
    const named = await analyzeCheckpoint({ fit: checkpoint(n, 5, 9, gaps) });
    expect(named.fit.q).toBe(3);
  });

  it('refuses more distinct labels than the input size allows, while counting them', async () => {
    const rows = maxMomentColumns(0) + 10;
    const distinct = Array.from({ length: rows }, (_, i) => 7 * i);
    const problem = await refusal(analyzeCheckpoint({ fit: checkpoint(rows, 2, 2, distinct) }));
    expect(problem).toBe(
      `labels holds more than ${maxMomentColumns(0) - 4} distinct labels (for 2 outputs): each label value is a one-hot column, and that is more than the input's size allows. Are these class indices? Choose another array with --labels KEY (CLI)`,
    );
  });

  it('refuses a moment matrix wider than the input may ask for, before allocating it', async () => {
    const p = maxMomentColumns(0);
    const problem = await refusal(analyzeCheckpoint({ fit: checkpoint(6, p, 2, [0, 1, 0, 1, 0, 1]) }));
    expect(problem).toMatch(
      new RegExp(
        `^the moment matrix would be ${p + 2} x ${p + 2} \\(${p} feature \\+ 2 output columns, [\\d.]+ MB\\): more than [\\d.]+ MB of input may ask for \\(at most ${p} columns\\)\\. With n = 6 rows the feature spectrum has rank at most 5 anyway: `,
      ),
    );
  });
});
