/**
 * Byte sources that run anywhere (browser main thread, Web Worker, Node, tests). The Node file
 * source lives in `node-byte-source.ts` so this module never pulls `node:fs` into a worker bundle.
 */
import { InputError, type ByteSource } from './types';

/**
 * Reads shorter than this are served from one window of this many bytes read ahead: every read of a
 * dropped file is a round trip to the browser's file system, and a parser's many small reads (zip and
 * npy headers, a small file's arrays) would otherwise each pay it.
 */
export const BLOB_READ_AHEAD_BYTES = 1 << 20;

/**
 * Files up to this size are read whole, in one read, and every read of them is a view of those bytes.
 * A sweep's checkpoint is a few such files: one round trip each (a browser's file system, Node's
 * thread pool) instead of one per parser read, and no copy after it. Fresh memory is expensive on
 * this project's machines (first writes page-fault), so the copies saved count too.
 */
export const WHOLE_FILE_BYTES = 4 << 20;

/** A browser File or Blob, read a slice at a time so a 10 GB drop never sits in memory. */
export function blobByteSource(file: Blob, name: string): ByteSource {
  let window: { offset: number; bytes: Uint8Array } | null = null;
  const readSlice = async (offset: number, end: number) =>
    new Uint8Array(await file.slice(offset, end).arrayBuffer());
  // a small file's one read, shared by every read that comes while it runs
  let whole: Promise<Uint8Array> | null = null;
  return {
    name,
    size: file.size,
    async read(offset, length) {
      const end = Math.min(file.size, offset + length);
      if (end <= offset) return new Uint8Array(0);
      if (file.size <= WHOLE_FILE_BYTES) {
        whole ??= readSlice(0, file.size);
        return (await whole).subarray(offset, end);
      }
      if (end - offset >= BLOB_READ_AHEAD_BYTES) return readSlice(offset, end);
      if (!window || offset < window.offset || end > window.offset + window.bytes.length) {
        const windowEnd = Math.min(file.size, offset + BLOB_READ_AHEAD_BYTES);
        window = { offset, bytes: await readSlice(offset, windowEnd) };
      }
      // a view: a window is replaced, never written, so what earlier reads gave stays as it was
      return window.bytes.subarray(offset - window.offset, end - window.offset);
    },
  };
}

/** Bytes already in memory (tests, small members, fixtures built on the fly). */
export function bytesByteSource(bytes: Uint8Array, name: string): ByteSource {
  return {
    name,
    size: bytes.length,
    read(offset, length) {
      const end = Math.min(bytes.length, offset + length);
      return Promise.resolve(end <= offset ? new Uint8Array(0) : bytes.subarray(offset, end));
    },
  };
}

/** A window [offset, offset + length) of another source, e.g. a stored zip member. */
export function sliceByteSource(src: ByteSource, offset: number, length: number, name: string): ByteSource {
  const size = Math.max(0, Math.min(length, src.size - offset));
  return {
    name,
    size,
    read(at, n) {
      const end = Math.min(size, at + n);
      if (end <= at) return Promise.resolve(new Uint8Array(0));
      return src.read(offset + at, end - at);
    },
  };
}

/**
 * Exactly `length` bytes at `offset`, or an InputError naming what was being read: the one place
 * where a short file turns into a message instead of a RangeError deep in a decoder.
 */
export async function readExact(
  src: ByteSource,
  offset: number,
  length: number,
  what: string,
  source = src.name,
): Promise<Uint8Array> {
  if (length === 0) return new Uint8Array(0);
  if (offset < 0 || offset + length > src.size) {
    throw new InputError(
      source,
      `truncated: ${what} needs bytes ${offset}..${offset + length} but the file holds ${src.size} bytes`,
    );
  }
  const bytes = await src.read(offset, length);
  if (bytes.length < length) {
    throw new InputError(
      source,
      `truncated: ${what} needs ${length} bytes at ${offset} but only ${bytes.length} could be read`,
    );
  }
  return bytes;
}

/** A DataView over exactly these bytes (subarrays keep their own byteOffset). */
export function viewOf(bytes: Uint8Array): DataView {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** The file name without folders and extension: 'runs/a/features.npy' -> 'features'. */
export function fileStem(name: string): string {
  const base = name.split(/[\\/]/).pop() ?? name;
  const dot = base.lastIndexOf('.');
  return dot > 0 ? base.slice(0, dot) : base;
}

/** Thrown between blocks when the caller aborts: the reason it gave, or a standard AbortError. */
export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) {
    throw signal.reason ?? new DOMException('The operation was aborted.', 'AbortError');
  }
}
