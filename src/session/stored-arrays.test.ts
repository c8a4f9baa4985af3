/** Large arrays go to IndexedDB as Blobs and come back bit for bit; everything else is left alone. */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';

import { createMemoryDatabase } from './memory-database';
import { readMoments, storeMoments } from './session-db';
import type { StoredMoments } from './session-format';
import { BLOB_MIN_BYTES, packArrays, unpackArrays } from './stored-arrays';

/**
 * The value with each Float64Array replaced by its length and a digest of its bytes: compared with
 * `toEqual`, bit for bit, without an element-by-element walk of a million-byte array.
 */
function digested(value: unknown): unknown {
  if (value instanceof Float64Array) {
    const bytes = new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
    return `Float64Array(${value.length}) ${createHash('sha256').update(bytes).digest('hex')}`;
  }
  if (Array.isArray(value)) return value.map(digested);
  if (value !== null && typeof value === 'object' && !(value instanceof Blob))
    return Object.fromEntries(Object.entries(value).map(([key, entry]) => [key, digested(entry)]));
  return value;
}

const large = () => Float64Array.from({ length: BLOB_MIN_BYTES / 8 }, (_, i) => Math.sin(i) / 3);

function moments(scatter: Float64Array): StoredMoments {
  const d = Math.round(Math.sqrt(scatter.length));
  const fit = {
    n: 10,
    p: d - 1,
    c: 1,
    q: 0,
    targetKind: 'none' as const,
    mean: new Float64Array(d).fill(0.25),
    scatter,
    correct: null,
  };
  return { fit, eval: null };
}

describe('packArrays', () => {
  it('stores Float64Arrays of BLOB_MIN_BYTES or more as Blobs, at any depth, and unpacks them', async () => {
    const big = large();
    const small = new Float64Array(BLOB_MIN_BYTES / 8 - 1).fill(1);
    const value = { a: big, b: [small, { c: big, d: 'text', e: null, f: 3 }] };
    const packed = packArrays(value);
    expect(packed.a).toEqual({ float64Blob: expect.any(Blob) });
    expect(packed.b[0]).toBe(small);
    expect((packed.b[1] as { c: unknown }).c).toEqual({ float64Blob: expect.any(Blob) });
    const unpacked = await unpackArrays(structuredClone(packed));
    expect(unpacked.a).toBeInstanceOf(Float64Array);
    expect(digested(unpacked)).toEqual(digested(value));
  });

  it('leaves values without large arrays as they are', async () => {
    const value = { x: new Float64Array(3), y: [1, 'two'], z: undefined };
    expect(packArrays(value)).toEqual(value);
    expect(await unpackArrays(value)).toEqual(value);
  });
});

describe('moments in the session database', () => {
  it('writes a large scatter as a Blob and reads it back bit for bit; older entries read as before', async () => {
    const db = createMemoryDatabase();
    const stored = moments(large());
    const { keys, committed } = storeMoments(db, [stored]);
    await committed;
    expect((db.entries.get(keys[0]) as { fit: { scatter: unknown } }).fit.scatter).toEqual({
      float64Blob: expect.any(Blob),
    });
    const read = await readMoments(db, keys);
    expect(read.get(keys[0])?.fit.scatter).toBeInstanceOf(Float64Array);
    expect(digested(read.get(keys[0]))).toEqual(digested(stored));

    const older = createMemoryDatabase([['moments/old', stored]]);
    expect(digested((await readMoments(older, ['moments/old'])).get('moments/old'))).toEqual(
      digested(stored),
    );
  });
});
