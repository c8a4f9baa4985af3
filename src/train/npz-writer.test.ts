import { describe, expect, it } from 'vitest';
import { bytesByteSource } from '../io/byte-source';
import { openNpz } from '../io/npz';
import { crc32, encodeNpy, encodeNpz } from './npz-writer';

async function readAll(reader: {
  readRows(chunkRows: number): AsyncIterable<Float64Array>;
}): Promise<number[]> {
  const out: number[] = [];
  for await (const block of reader.readRows(1000)) out.push(...block);
  return out;
}

describe('npz writer', () => {
  it('computes the standard CRC-32', () => {
    expect(crc32(new TextEncoder().encode('123456789'))).toBe(0xcbf43926);
  });

  it('writes .npy headers padded to 64 bytes', () => {
    const bytes = encodeNpy({ data: new Float32Array(6), shape: [2, 3] });
    const headerLength = new DataView(bytes.buffer).getUint16(8, true);
    expect((10 + headerLength) % 64).toBe(0);
    expect(new TextDecoder().decode(bytes.subarray(10, 10 + headerLength))).toContain("'shape': (2, 3)");
    expect(() => encodeNpy({ data: new Float32Array(5), shape: [2, 3] })).toThrow(RangeError);
  });

  it('round-trips features, logits and int64 labels through the app\u2019s own .npz reader', async () => {
    const features = Float32Array.from({ length: 12 }, (_, i) => i / 3);
    const logits = Float32Array.from({ length: 8 }, (_, i) => -i);
    const labels = BigInt64Array.from([0n, 1n, 1n, 0n]);
    const bytes = encodeNpz({
      features: { data: features, shape: [4, 3] },
      logits: { data: logits, shape: [4, 2] },
      labels: { data: labels, shape: [4] },
    });
    const container = await openNpz(bytesByteSource(bytes, 'x.npz'));
    const byKey = Object.fromEntries(container.arrays.map((a) => [a.key, a]));
    expect(byKey.features.shape).toEqual([4, 3]);
    expect(byKey.features.dtype).toBe('float32');
    expect(byKey.labels.dtype).toBe('int64');
    expect(await readAll(byKey.features)).toEqual(Array.from(features));
    expect(await readAll(byKey.logits)).toEqual(Array.from(logits));
    expect(await readAll(byKey.labels)).toEqual([0, 1, 1, 0]);
    expect(encodeNpz({ a: { data: features, shape: [12] } })).toEqual(
      encodeNpz({ a: { data: features, shape: [12] } }),
    );
  });
});
