import { zipSync } from 'fflate';
import { describe, expect, it } from 'vitest';

import { bytesByteSource } from './byte-source';
import { npyArrayReader, readNpyHeader } from './npy';
import { zipRows } from './stream-rows';
import { stridedArrayReader, type StridedLayout } from './strided-reader';
import { buildNpy, readAllRows, spySource } from './testing';
import { openZipEntry, readZipEntries } from './zip';

const storage = Float64Array.from({ length: 4000 }, (_, i) => i);
const source = () => spySource(bytesByteSource(new Uint8Array(storage.buffer), 'storage'));
const f8 = { name: 'float64', kind: 'float', size: 8, littleEndian: true } as const;

/** The values a layout addresses, element by element (the definition of a strided view). */
function direct(layout: StridedLayout): number[] {
  const out: number[] = [];
  const visit = (d: number, at: number) => {
    if (d === layout.shape.length) {
      out.push(storage[at]);
      return;
    }
    for (let i = 0; i < layout.shape[d]; i++) visit(d + 1, at + i * layout.strides[d]);
  };
  visit(0, layout.offset);
  return out;
}

describe('stridedArrayReader: shapes must be backed by distinct elements', () => {
  it('refuses an expanded view (stride 0), whose few bytes would stand for any number of rows', () => {
    const layout = { base: 0, type: f8, shape: [1e9, 64], strides: [0, 1], offset: 0 };
    expect(() => stridedArrayReader(source(), 'features', layout)).toThrow(
      'features: shape (1000000000, 64) is an expanded or overlapping view (strides 0, 1): its 64000000000 elements are not all in the file; save x.contiguous() instead',
    );
  });

  it('refuses an empty array claiming a vast extent, and reads a plain empty one', () => {
    const vast = { base: 0, type: f8, shape: [0, 1e15], strides: [1e15, 1], offset: 0 };
    expect(() => stridedArrayReader(source(), 'features', vast)).toThrow(
      'features: shape (0, 1000000000000000) holds no elements yet claims a vast extent',
    );
    const empty = stridedArrayReader(source(), 'features', { ...vast, shape: [0, 64], strides: [64, 1] });
    expect([empty.rows, empty.cols]).toEqual([0, 64]);
  });
});

describe('stridedArrayReader', () => {
  const layouts: [string, StridedLayout][] = [
    ['C order', { base: 0, type: f8, shape: [30, 7], strides: [7, 1], offset: 5 }],
    ['transposed', { base: 0, type: f8, shape: [30, 7], strides: [1, 30], offset: 0 }],
    ['every other row, offset window', { base: 0, type: f8, shape: [20, 5], strides: [22, 1], offset: 13 }],
    ['permuted 3-D', { base: 0, type: f8, shape: [10, 4, 3], strides: [1, 30, 10], offset: 2 }],
    ['0-d', { base: 0, type: f8, shape: [], strides: [], offset: 9 }],
    ['1-D strided', { base: 0, type: f8, shape: [50], strides: [3], offset: 1 }],
  ];
  // budgets that force: one window per chunk, one read per column, one read per row, one per element
  const sequentialBlockBytes = 1 << 26;
  const budgets = [
    { windowChunks: 4, minWindowBytes: 1 << 20, sequentialBlockBytes },
    { windowChunks: 1, minWindowBytes: 8 * 60, sequentialBlockBytes },
    { windowChunks: 0, minWindowBytes: 8 * 40, sequentialBlockBytes },
    { windowChunks: 0, minWindowBytes: 0, sequentialBlockBytes },
  ];
  it.each(layouts)('%s reads the same values under every read strategy', async (_, layout) => {
    const want = direct(layout);
    for (const budget of budgets) {
      const src = source();
      const reader = stridedArrayReader(src, 'x', layout, budget);
      expect(Array.from(await readAllRows(reader, 3))).toEqual(want);
      if (budget.minWindowBytes > 0)
        expect(Math.max(...src.reads)).toBeLessThanOrEqual(Math.max(budget.minWindowBytes, 3 * 7 * 8 * 4));
    }
  });
});

describe('a Fortran array in a deflated member', () => {
  it('is read in big blocks, one forward inflate pass each, and handed out in chunks', async () => {
    const rows = 1000;
    const cols = 3;
    const data = Float64Array.from({ length: rows * cols }, (_, i) => i); // column-major: (r, c) = c * rows + r
    const npy = buildNpy('<f8', [rows, cols], new Uint8Array(data.buffer), true);
    const zip = zipSync({ 'f.npy': [npy, { level: 6 }] });
    const src = spySource(bytesByteSource(zip, 'f.npz'));
    const [entry] = await readZipEntries(src);
    const member = await openZipEntry(src, entry, { pieceBytes: 256 });
    const header = await readNpyHeader(member);
    const blockRows = 250;
    const reader = npyArrayReader(member, 'f', header, {
      windowChunks: 4,
      minWindowBytes: 0,
      sequentialBlockBytes: blockRows * cols * 8,
    });
    src.reads.length = 0;
    const values = await readAllRows(reader, 7);
    const want = Array.from({ length: rows * cols }, (_, k) => (k % cols) * rows + Math.floor(k / cols));
    expect(Array.from(values)).toEqual(want);
    // blocks of 245 rows (35 chunks of 7): at most 5 passes over the compressed bytes (not one per 7-row chunk)
    const compressedBytes = src.reads.reduce((a, b) => a + b, 0);
    expect(compressedBytes).toBeLessThanOrEqual(5 * entry.compressedSize);
  });
});

describe('a deflated member shared by two readers', () => {
  it('serves concurrent readers in turn without mixing up the stream', async () => {
    const data = Float64Array.from({ length: 3000 }, (_, i) => Math.sin(i));
    const npy = buildNpy('<f8', [1000, 3], new Uint8Array(data.buffer));
    const zip = zipSync({ 'a.npy': [npy, { level: 6 }] });
    const src = bytesByteSource(zip, 'shared.npz');
    const [entry] = await readZipEntries(src);
    const member = await openZipEntry(src, entry, { pieceBytes: 512 });
    const header = await readNpyHeader(member);
    const a = npyArrayReader(member, 'a', header);
    const b = npyArrayReader(member, 'b', header);
    const seen: number[] = [];
    for await (const [blockA, blockB] of zipRows([a, b], 64)) {
      expect(blockB).toEqual(blockA);
      seen.push(...blockA);
    }
    expect(seen).toEqual(Array.from(data));
  });
});
