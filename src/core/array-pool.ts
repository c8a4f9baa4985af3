/**
 * Float64Arrays handed out zeroed and taken back when their holder is done with them, for work that
 * repeats with the same shapes: a sweep's checkpoints each make the jackknife's G group scatters, and
 * fresh arrays there cost page faults and, through V8's count of external memory, full garbage
 * collections (docs/benchmarks.md, "The CLI on the 50 x 20 sweep").
 */
import type { Allocate } from './types';

export interface ArrayPool {
  /** A zeroed array: one taken back earlier with this length, or a fresh one. */
  allocate: Allocate;
  /**
   * Takes back arrays this pool handed out, for the next `allocate` of their length; others are
   * ignored, and so is an array that would take the kept bytes past the pool's bound. Nothing may
   * read or write an array once it is given back.
   */
  recycle(arrays: Iterable<Float64Array>): void;
  /** Bytes held for reuse. */
  readonly keptBytes: number;
}

export function createArrayPool(maxKeptBytes: number): ArrayPool {
  const free = new Map<number, Float64Array[]>();
  const handedOut = new WeakSet<Float64Array>();
  let keptBytes = 0;
  return {
    allocate(length) {
      const kept = free.get(length)?.pop();
      if (kept) keptBytes -= kept.byteLength;
      const array = kept ?? new Float64Array(length);
      handedOut.add(array);
      return array;
    },
    recycle(arrays) {
      for (const array of arrays) {
        // a transferred (detached) array has no bytes left to keep
        if (!handedOut.delete(array) || array.length === 0) continue;
        if (keptBytes + array.byteLength > maxKeptBytes) continue;
        array.fill(0);
        keptBytes += array.byteLength;
        const list = free.get(array.length);
        if (list) list.push(array);
        else free.set(array.length, [array]);
      }
    },
    get keptBytes() {
      return keptBytes;
    },
  };
}
