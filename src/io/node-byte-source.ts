/**
 * The Node byte source (CLI, tests). The only module of `src/io` that imports Node built-ins, so
 * everything else bundles into a Web Worker.
 */
import { open } from 'node:fs/promises';
import { basename } from 'node:path';

import { InputError, type ByteSource } from './types';

/** A ByteSource over an open file; call `close()` when done (the CLI closes after each checkpoint). */
export interface FileByteSource extends ByteSource {
  close(): Promise<void>;
}

/**
 * Opens `path` for positional reads: every `read` is one `FileHandle.read` at an offset, so a file
 * larger than memory streams. `name` (default: the base name) is what messages show.
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
  return {
    name,
    size,
    async read(offset, length) {
      const end = Math.min(size, offset + length);
      if (end <= offset) return new Uint8Array(0);
      const buffer = new Uint8Array(end - offset);
      let filled = 0;
      while (filled < buffer.length) {
        const { bytesRead } = await fh.read(buffer, filled, buffer.length - filled, offset + filled);
        if (bytesRead === 0) break;
        filled += bytesRead;
      }
      return filled === buffer.length ? buffer : buffer.subarray(0, filled);
    },
    close: () => fh.close(),
  };
}
