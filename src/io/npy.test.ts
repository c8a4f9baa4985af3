import { describe, expect, it } from 'vitest';

import { bytesByteSource } from './byte-source';
import { openNpy } from './npy';
import { openContainer } from './open-container';
import { buildNpy, fixtureBytes, fixtureSource, readAllRows, spySource } from './testing';
import { InputError } from './types';

async function refusal(promise: Promise<unknown>): Promise<InputError> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(InputError);
  return error as InputError;
}

describe('openNpy', () => {
  it('flattens a 4-D array to (n, prod) with a note', async () => {
    const container = await openNpy(fixtureSource('npy/features_4d.npy'));
    expect(container.notes).toEqual(['features_4d (13, 3, 2, 2) flattened to (13, 12)']);
    expect(container.arrays[0]).toMatchObject({ rows: 13, cols: 12, key: 'features_4d' });
  });

  it('reads format versions 1.0, 2.0 and 3.0 alike', async () => {
    const values = await Promise.all(
      ['features_f8', 'features_v2', 'features_v3'].map(async (stem) => {
        const container = await openNpy(fixtureSource(`npy/${stem}.npy`));
        return Array.from(await readAllRows(container.arrays[0], 3));
      }),
    );
    expect(values[1]).toEqual(values[0]);
    expect(values[2]).toEqual(values[0]);
  });

  it('treats (n,) and (n, 1) as one column', async () => {
    const vector = (await openNpy(fixtureSource('npy/logits_vector.npy'))).arrays[0];
    const column = (await openNpy(fixtureSource('npy/logits_column.npy'))).arrays[0];
    expect([vector.rows, vector.cols, column.rows, column.cols]).toEqual([13, 1, 13, 1]);
    expect(await readAllRows(vector)).toEqual(await readAllRows(column));
  });

  it('marks integer and bool arrays as integer', async () => {
    for (const code of ['i1', 'u8', 'b1', 'be_i8']) {
      expect((await openNpy(fixtureSource(`npy/labels_${code}.npy`))).arrays[0].integer).toBe(true);
    }
    expect((await openNpy(fixtureSource('npy/features_f2.npy'))).arrays[0].integer).toBe(false);
  });
});

describe('openNpy refusals', () => {
  it('refuses a truncated file (data cut short)', async () => {
    const bytes = fixtureBytes('npy/features_f8.npy');
    const error = await refusal(openNpy(bytesByteSource(bytes.subarray(0, bytes.length - 9), 'cut.npy')));
    expect(error.message).toBe(
      'cut.npy: truncated: the header promises 624 bytes of data (shape (13, 6), float64) but only 615 bytes follow it',
    );
  });

  it('refuses a header promising more bytes than the file holds', async () => {
    const bytes = fixtureBytes('npy/features_f8.npy').slice();
    const text = new TextDecoder('latin1').decode(bytes.subarray(0, 128));
    const at = text.indexOf('(13, 6)');
    bytes.set(new TextEncoder().encode('(93, 6)'), at);
    const error = await refusal(openNpy(bytesByteSource(bytes, 'grown.npy')));
    expect(error.problem).toMatch(
      /^truncated: the header promises 4464 bytes of data \(shape \(93, 6\), float64\)/,
    );
  });

  it('refuses a file cut inside its header', async () => {
    const bytes = fixtureBytes('npy/features_f8.npy').subarray(0, 40);
    const error = await refusal(openNpy(bytesByteSource(bytes, 'head.npy')));
    expect(error.problem).toBe(
      'truncated: the .npy header claims 118 bytes but the file holds 40 bytes in all',
    );
  });

  it('refuses object arrays without unpickling them', async () => {
    const error = await refusal(openNpy(fixtureSource('npy/bad_object.npy')));
    expect(error.problem).toMatch(/^object arrays \(dtype \|O\) are refused: reading them needs unpickling/);
  });

  it('refuses complex dtypes', async () => {
    const error = await refusal(openNpy(fixtureSource('npy/bad_complex.npy')));
    expect(error.problem).toMatch(/^complex dtype <c16 is not supported/);
  });

  it('refuses unsupported dtypes', async () => {
    const error = await refusal(openNpy(fixtureSource('npy/bad_unicode.npy')));
    expect(error.problem).toBe(
      'unsupported dtype <U2: supported are float16/32/64, int8..64, uint8..64 and bool',
    );
  });

  it('refuses zero rows', async () => {
    const error = await refusal(openNpy(fixtureSource('npy/bad_zero_rows.npy')));
    expect(error.message).toBe('npy/bad_zero_rows.npy: zero rows: the array has shape (0, 6)');
  });

  it('refuses a file without the magic string', async () => {
    const error = await refusal(
      openNpy(bytesByteSource(new TextEncoder().encode('hello world, not numpy'), 'x.npy')),
    );
    expect(error.problem).toMatch(/^not a \.npy file: it does not start with the bytes \\x93NUMPY/);
  });

  it('refuses random bytes named .npy through openContainer', async () => {
    let seed = 7;
    const random = Uint8Array.from(
      { length: 300 },
      () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) & 0xff,
    );
    random[0] = 0x11; // not a zip, pickle or npy lead byte
    const error = await refusal(openContainer(bytesByteSource(random, 'noise.npy')));
    expect(error.message).toMatch(/^noise\.npy: not a \.npy file/);
  });
});

describe('reading ahead', () => {
  const rows = 100;
  const cols = 3;
  const data = Float64Array.from({ length: rows * cols }, (_, i) => i);
  const bytes = buildNpy('<f8', [rows, cols], new Uint8Array(data.buffer));
  const blockBytes = 10 * cols * 8;

  it('asks for the next block of a C-order array while the consumer has the current one', async () => {
    const src = spySource(bytesByteSource(bytes, 'a.npy'));
    const reader = (await openNpy(src)).arrays[0];
    const before = src.reads.length;
    const seen: number[] = [];
    for await (const block of reader.readRows(10)) {
      // this block's read and the next one's (none after the last)
      const blockReads = src.reads.slice(before).filter((n) => n === blockBytes).length;
      expect(blockReads).toBe(Math.min(seen.length + 2, rows / 10));
      seen.push(block[0]);
    }
    expect(seen).toEqual(Array.from({ length: 10 }, (_, k) => k * 10 * cols));
    expect(src.reads.slice(before).filter((n) => n === blockBytes)).toHaveLength(rows / 10);
  });

  it('never reads ahead in a sequential source (a deflated member restarts its stream)', async () => {
    const spied = spySource(bytesByteSource(bytes, 'a.npy'));
    const src = { ...spied, sequential: true };
    const reader = (await openNpy(src)).arrays[0];
    const before = spied.reads.length;
    let blocks = 0;
    for await (const block of reader.readRows(10)) {
      blocks++;
      expect(spied.reads.slice(before).filter((n) => n === blockBytes)).toHaveLength(blocks);
      expect(block[0]).toBe((blocks - 1) * 10 * cols);
    }
  });
});

describe('Fortran order', () => {
  it('reads a big Fortran-order array in chunks, never the whole array in one read', async () => {
    const rows = 20_000;
    const cols = 40;
    const data = new Float64Array(rows * cols);
    // column-major: element (i, j) at j * rows + i
    for (let j = 0; j < cols; j++) for (let i = 0; i < rows; i++) data[j * rows + i] = i * 1000 + j;
    const bytes = buildNpy('<f8', [rows, cols], new Uint8Array(data.buffer), true);
    const src = spySource(bytesByteSource(bytes, 'big.npy'));
    const reader = (await openNpy(src)).arrays[0];
    const chunkRows = 1000;
    const chunkBytes = chunkRows * cols * 8;
    let r0 = 0;
    for await (const block of reader.readRows(chunkRows)) {
      expect(block[0]).toBe(r0 * 1000);
      expect(block[block.length - 1]).toBe((r0 + block.length / cols - 1) * 1000 + cols - 1);
      r0 += block.length / cols;
    }
    expect(r0).toBe(rows);
    expect(Math.max(...src.reads)).toBeLessThanOrEqual(4 * chunkBytes);
    expect(Math.max(...src.reads)).toBeLessThan(bytes.length / 4);
  });

  it('maps a 3-D Fortran array to C-order flattened columns', async () => {
    const fortran = (await openNpy(fixtureSource('npy/features_3d_fortran.npy'))).arrays[0];
    expect(fortran.shape).toEqual([13, 3, 2]);
    // the expected values (C order) are checked in formats.test.ts; here: chunk sizes agree
    expect(await readAllRows(fortran, 2)).toEqual(await readAllRows(fortran, 13));
  });
});
