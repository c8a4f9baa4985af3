/**
 * The Node byte source (CLI, tests). The only module of `src/io` that imports Node built-ins, so
 * everything else bundles into a Web Worker.
 */
import { open } from 'node:fs/promises';
import { basename } from 'node:path';

import { WHOLE_FILE_BYTES } from './byte-source';
import { InputError, type ByteSource } from './types';

/**
 * Buffers of whole files read before, given back when their source closes. A sweep reads thousands
 * of small files; fresh buffers for each count as new external memory, which drives V8 to a full
 * garbage collection every few checkpoints.
 */
const freeBuffers: ArrayBuffer[] = [];
const FREE_BUFFERS = 8;

function wholeFileBuffer(size: number): Uint8Array<ArrayBuffer> {
  const at = freeBuffers.findIndex((b) => b.byteLength >= size && b.byteLength <= 2 * size + 65536);
  if (at < 0) return new Uint8Array(size);
  const [buffer] = freeBuffers.splice(at, 1);
  return new Uint8Array(buffer, 0, size);
}

/** A ByteSource over an open file; call `close()` when done (the CLI closes after each checkpoint). */
export interface FileByteSource extends ByteSource {
  close(): Promise<void>;
}

/**
 * Opens `path` for positional reads: every `read` is one `FileHandle.read` at an offset, so a file
 * larger than memory streams. A file of up to `WHOLE_FILE_BYTES` is read whole from the moment it is
 * opened (so opening the next checkpoint's files reads them while this one is analysed), and its
 * reads are views of those bytes. `name` (default: the base name) is what messages show.
 */
export async function fileByteSource(path: string, name = basename(path)): Promise<FileByteSource> {
  let handle;
  try {
    handle = await open(path, 'r');
  } catch (error) {
    throw new InputError(name, `cannot open ${path}: ${(error as Error).message}`);
  }
  const { size } = await handle.stat();
  const fh = handle;
  const readRange = async (
    offset: number,
    end: number,
    buffer: Uint8Array<ArrayBuffer> = new Uint8Array(end - offset),
  ) => {
    let filled = 0;
    while (filled < buffer.length) {
      const { bytesRead } = await fh.read(buffer, filled, buffer.length - filled, offset + filled);
      if (bytesRead === 0) break;
      filled += bytesRead;
    }
    return filled === buffer.length ? buffer : buffer.subarray(0, filled);
  };
  const whole = size <= WHOLE_FILE_BYTES ? readRange(0, size, wholeFileBuffer(size)) : null;
  // a failed read surfaces at the first `read`; until then it is not an unhandled rejection
  whole?.catch(() => undefined);
  return {
    name,
    size,
    async read(offset, length) {
      const end = Math.min(size, offset + length);
      if (end <= offset) return new Uint8Array(0);
      if (whole) return (await whole).subarray(offset, end);
      return readRange(offset, end);
    },
    async close() {
      const bytes = await whole?.catch(() => undefined);
      await fh.close();
      if (bytes && freeBuffers.length < FREE_BUFFERS) freeBuffers.push(bytes.buffer);
    },
  };
}
