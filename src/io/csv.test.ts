import { describe, expect, it } from 'vitest';

import { bytesByteSource } from './byte-source';
import { openCsv } from './csv';
import { fixtureSource, readAllRows } from './testing';
import { InputError } from './types';

const text = (s: string, name = 't.csv') => bytesByteSource(new TextEncoder().encode(s), name);

async function problem(s: string): Promise<string> {
  const error = await openCsv(text(s)).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(InputError);
  return (error as InputError).problem;
}

describe('openCsv', () => {
  it('splits a header of feature_*/logit_*/label into arrays by prefix', async () => {
    const container = await openCsv(fixtureSource('csv/table_header.csv'));
    expect(container.arrays.map((a) => [a.key, a.shape, a.integer])).toEqual([
      ['feature', [13, 6], false],
      ['logit', [13, 3], false],
      ['label', [13], true],
    ]);
    expect(container.notes).toEqual(['comma-separated, header on line 1, 13 rows']);
  });

  it('reads a headerless table as one array named after the file', async () => {
    const container = await openCsv(fixtureSource('csv/plain_noheader.csv'));
    expect(container.arrays.map((a) => [a.key, a.shape])).toEqual([['plain_noheader', [13, 6]]]);
  });

  it('sniffs tabs, and whitespace with a np.savetxt comment header', async () => {
    expect((await openCsv(fixtureSource('csv/table.tsv'))).notes[0]).toMatch(
      /^tab-separated, header on line 1/,
    );
    const saved = await openCsv(fixtureSource('csv/savetxt.txt'));
    expect(saved.notes[0]).toMatch(/^whitespace-separated, header on line 1/);
    expect(saved.arrays.map((a) => [a.key, a.shape])).toEqual([['savetxt', [13, 6]]]);
  });

  it('streams in small pieces with exactly the same values', async () => {
    const src = fixtureSource('csv/table_header.csv');
    const small = await openCsv(src, { readBytes: 7 });
    const big = await openCsv(src);
    for (let k = 0; k < 3; k++) {
      expect(await readAllRows(small.arrays[k], 4)).toEqual(await readAllRows(big.arrays[k], 5));
    }
  });

  it('reads nan and inf as numbers', async () => {
    const container = await openCsv(text('1,nan\n-inf,2\n'));
    expect(Array.from(await readAllRows(container.arrays[0]))).toEqual([1, NaN, -Infinity, 2]);
  });

  it('refuses a non-numeric cell with its line and column', async () => {
    expect(await problem('a,b\n1,2\n3,x7\n')).toBe('line 3, column 2 (b): "x7" is not a number');
  });

  it('refuses ragged rows', async () => {
    expect(await problem('1,2\n3\n')).toBe('line 2: 1 columns where 2 were expected (comma-separated)');
  });

  it('refuses a header without rows', async () => {
    expect(await problem('feature_0,label\n')).toBe('zero rows: only a header (line 1)');
  });
});
