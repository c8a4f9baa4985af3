import { existsSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

import { RecordSpool } from './record-spool';

describe('RecordSpool', () => {
  it('gives back every record in order, whole, across chunk boundaries and inside characters', () => {
    const records = Array.from({ length: 40 }, (_, i) =>
      JSON.stringify({
        i,
        name: `run ${'é→𝛼'.repeat(i)}`,
        values: Array.from({ length: i }, (_, k) => k / 3),
      }),
    );
    const spool = new RecordSpool();
    try {
      records.forEach((record) => spool.add(record));
      expect(spool.count).toBe(40);
      // 7-byte chunks split records and multi-byte characters alike
      for (const chunkBytes of [7, 64, 1 << 20]) expect([...spool.records(chunkBytes)]).toEqual(records);
    } finally {
      spool.dispose();
    }
  });

  it('an empty spool gives nothing; dispose removes its file', () => {
    const spool = new RecordSpool();
    expect(existsSync(spool.file)).toBe(true);
    expect([...spool.records()]).toEqual([]);
    spool.dispose();
    expect(existsSync(path.dirname(spool.file))).toBe(false);
  });
});
