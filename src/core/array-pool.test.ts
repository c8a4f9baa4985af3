import { describe, expect, it } from 'vitest';

import { createArrayPool } from './array-pool';

describe('createArrayPool', () => {
  it('hands a given-back array out again, zeroed, for the same length only', () => {
    const pool = createArrayPool(1024);
    const first = pool.allocate(8);
    first.fill(3);
    pool.recycle([first]);
    expect(pool.keptBytes).toBe(64);
    expect(pool.allocate(4)).not.toBe(first);
    const again = pool.allocate(8);
    expect(again).toBe(first);
    expect(Array.from(again)).toEqual(new Array(8).fill(0));
    expect(pool.keptBytes).toBe(0);
    expect(pool.allocate(8)).not.toBe(first);
  });

  it('ignores arrays it did not hand out, arrays given back twice, and arrays past its bound', () => {
    const pool = createArrayPool(100);
    const foreign = new Float64Array(8);
    pool.recycle([foreign]);
    expect(pool.keptBytes).toBe(0);
    const [a, b] = [pool.allocate(8), pool.allocate(8)];
    pool.recycle([a, a, b]);
    // a is kept (64 bytes); b would take the pool to 128 bytes, over its 100
    expect(pool.keptBytes).toBe(64);
    expect(pool.allocate(8)).toBe(a);
    expect(pool.allocate(8)).not.toBe(b);
  });

  it('keeps nothing of an array whose buffer was transferred away', () => {
    const pool = createArrayPool(1024);
    const array = pool.allocate(8);
    structuredClone(array.buffer, { transfer: [array.buffer] });
    pool.recycle([array]);
    expect(pool.keptBytes).toBe(0);
  });
});
