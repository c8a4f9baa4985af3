/**
 * Large float64 arrays as IndexedDB keeps them best: a Blob. IndexedDB serialises an array's bytes
 * during put() (and Chromium then wraps and compresses them); a Blob is copied once and stored by
 * reference, several times faster to write and to read back (docs/benchmarks.md). Smaller arrays stay
 * as they are, so a sweep of small checkpoints does not become a file per array.
 */

/** Float64Arrays of at least this many bytes are stored as Blobs. */
export const BLOB_MIN_BYTES = 1 << 20;

/** A Float64Array as stored: its bytes in a Blob. */
interface StoredFloat64 {
  float64Blob: Blob;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

function isStoredFloat64(value: unknown): value is StoredFloat64 {
  return isPlainObject(value) && value.float64Blob instanceof Blob && Object.keys(value).length === 1;
}

/** `value` with every large Float64Array in it (in plain objects and arrays) as a Blob. */
export function packArrays<T>(value: T): T {
  if (value instanceof Float64Array)
    return (
      value.byteLength >= BLOB_MIN_BYTES
        ? { float64Blob: new Blob([value as Float64Array<ArrayBuffer>]) }
        : value
    ) as T;
  if (Array.isArray(value)) return value.map(packArrays) as T;
  if (isPlainObject(value))
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, packArrays(v)])) as T;
  return value;
}

/** `value` as it was given to `packArrays`; values stored without Blobs come back unchanged. */
export async function unpackArrays<T>(value: T): Promise<T> {
  if (isStoredFloat64(value)) return new Float64Array(await value.float64Blob.arrayBuffer()) as T;
  if (Array.isArray(value)) return (await Promise.all(value.map(unpackArrays))) as T;
  if (isPlainObject(value)) {
    const entries = await Promise.all(
      Object.entries(value).map(async ([k, v]) => [k, await unpackArrays(v)] as const),
    );
    return Object.fromEntries(entries) as T;
  }
  return value;
}
