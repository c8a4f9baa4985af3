/**
 * Damaged files must end in a valid result or an InputError: never another exception, never a
 * hang. Truncated copies (many cut points) and byte-flipped copies (seeded) of every format.
 */
import { describe, expect, it } from 'vitest';

import { bytesByteSource } from './byte-source';
import { mulberry32 } from './fuzz-random';
import { readMomentsFile } from './moments-file';
import { openContainer } from './open-container';
import { fixtureBytes } from './testing';
import { InputError } from './types';

const FIXTURES = [
  'npy/features_f4.npy',
  'npy/features_fortran.npy',
  'npy/features_v3.npy',
  'npy/labels_be_i8.npy',
  'npz/checkpoint_stored.npz',
  'npz/checkpoint_compressed.npz',
  'npz/moments.npz',
  'safetensors/all_dtypes.safetensors',
  'torch/dict.pt',
  'torch/views.pt',
  'torch/nested.pt',
  'torch/views_legacy.pt',
  'torch/dtypes_legacy.pt',
  'torch/idiom_batches.pt',
  'torch/idiom_batches_legacy.pt',
  'torch/idiom_batch_tuples.pt',
  'torch/idiom_lists_legacy.pt',
  'torch/idiom_numpy.pt',
  'torch/idiom_numpy_legacy.pt',
  'torch/idiom_splits.pt',
  'torch/idiom_splits_legacy.pt',
  'torch/idiom_onehot.pt',
  'npz/idiom_extras.npz',
  'csv/table_header.csv',
  'csv/savetxt.txt',
];

const CASE_TIMEOUT_MS = 2000;
/** flipped copies per fixture; raise locally (RICHSCOPE_FUZZ_FLIPS=2000) for a deeper run */
const FLIP_CASES = Number(process.env.RICHSCOPE_FUZZ_FLIPS ?? 80);

/** Opens and fully reads a damaged copy; resolves to 'ok' or 'refused', rejects on anything else. */
async function openAndRead(bytes: Uint8Array, name: string): Promise<'ok' | 'refused'> {
  const src = bytesByteSource(bytes, name);
  try {
    const container = await openContainer(src);
    for (const reader of [...container.arrays, ...(container.evalSplit?.arrays ?? [])]) {
      for await (const block of reader.readRows(5)) expect(block.length % Math.max(1, reader.cols)).toBe(0);
    }
    if (container.format === 'moments') await readMomentsFile(src);
    return 'ok';
  } catch (error) {
    if (error instanceof InputError) return 'refused';
    throw error;
  }
}

async function withTimeout<T>(promise: Promise<T>, label: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`${label}: no answer within ${CASE_TIMEOUT_MS} ms`)),
      CASE_TIMEOUT_MS,
    );
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

describe('fuzz: damaged files are refused with an InputError or read validly', () => {
  it.each(FIXTURES)('%s', async (rel) => {
    const original = fixtureBytes(rel);
    const name = rel.split('/').pop()!;
    const random = mulberry32(rel.length * 7919 + original.length);
    const outcomes = { ok: 0, refused: 0 };
    // every cut in the first 64 bytes (headers), then 40 seeded cut points
    const cuts = new Set<number>(Array.from({ length: Math.min(64, original.length) }, (_, i) => i));
    while (cuts.size < Math.min(original.length, 104)) cuts.add(Math.floor(random() * original.length));
    for (const cut of cuts) {
      const label = `${rel} cut at ${cut}`;
      outcomes[await withTimeout(openAndRead(original.slice(0, cut), name), label)]++;
    }
    for (let k = 0; k < FLIP_CASES; k++) {
      const copy = original.slice();
      const flips = 1 + Math.floor(random() * 3);
      for (let f = 0; f < flips; f++) {
        copy[Math.floor(random() * copy.length)] ^= 1 + Math.floor(random() * 255);
      }
      const label = `${rel} flip case ${k}`;
      outcomes[await withTimeout(openAndRead(copy, name), label)]++;
    }
    // the intact file reads
    expect(await openAndRead(original, name)).toBe('ok');
    expect(outcomes.refused).toBeGreaterThan(0);
  });
});
