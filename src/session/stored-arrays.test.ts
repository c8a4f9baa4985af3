/** Large arrays go to IndexedDB as Blobs and come back bit for bit; everything else is left alone. */
import { describe, expect, it } from 'vitest';

import { createMemoryDatabase } from './memory-database';
import { readMoments, storeMoments } from './session-db';
import type { StoredMoments } from './session-format';
import { BLOB_MIN_BYTES, packArrays, unpackArrays } from './stored-arrays';

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
    expect(unpacked).toEqual(value);
    expect(new Uint8Array(unpacked.a.buffer)).toEqual(new Uint8Array(big.buffer));
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
    expect(read.get(keys[0])).toEqual(stored);

    const older = createMemoryDatabase([['moments/old', stored]]);
    expect((await readMoments(older, ['moments/old'])).get('moments/old')).toEqual(stored);
  });
});
