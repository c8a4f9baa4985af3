/**
 * A minimal zip reader for .npz and torch.save archives: central directory (zip64 aware), stored
 * and deflated members. Deflated members inflate as a stream, piece by piece, so a member larger
 * than memory is readable forwards; seeking backwards restarts the stream.
 */
import { Inflate } from 'fflate';

import { readExact, sliceByteSource, viewOf } from './byte-source';
import { InputError, type ByteSource } from './types';

export interface ZipEntry {
  name: string;
  /** 0 stored, 8 deflated */
  method: number;
  compressedSize: number;
  uncompressedSize: number;
  localHeaderOffset: number;
  encrypted: boolean;
  /** CRC-32 of the uncompressed bytes (checked when a deflated member is inflated to its end) */
  crc32: number;
}

const CRC_TABLE = (() => {
  const table = new Int32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c;
  }
  return table;
})();

/** Continues a CRC-32 (start with 0) over `bytes`. */
export function updateCrc32(crc: number, bytes: Uint8Array): number {
  let c = ~crc;
  for (let i = 0; i < bytes.length; i++) c = CRC_TABLE[(c ^ bytes[i]) & 0xff] ^ (c >>> 8);
  return ~c >>> 0;
}

const EOCD = 0x06054b50;
const ZIP64_LOCATOR = 0x07064b50;
const ZIP64_EOCD = 0x06064b50;
const CENTRAL = 0x02014b50;
const LOCAL = 0x04034b50;

/** True when the bytes start like a zip file (a local header, or the empty-archive record). */
export function hasZipMagic(bytes: Uint8Array): boolean {
  return (
    bytes.length >= 4 &&
    bytes[0] === 0x50 &&
    bytes[1] === 0x4b &&
    ((bytes[2] === 3 && bytes[3] === 4) || (bytes[2] === 5 && bytes[3] === 6))
  );
}

function u64(view: DataView, at: number): number {
  const value = view.getBigUint64(at, true);
  return value > BigInt(Number.MAX_SAFE_INTEGER) ? Infinity : Number(value);
}

/** Reads the central directory. `what` names the expected kind in the not-a-zip message. */
export async function readZipEntries(src: ByteSource, what = 'zip archive'): Promise<ZipEntry[]> {
  const notZip = (why: string) => new InputError(src.name, `not a ${what}: ${why}`);
  if (src.size < 22) throw notZip(`${src.size} bytes is too short for a zip directory`);
  const tailLength = Math.min(src.size, 22 + 0xffff);
  const tailStart = src.size - tailLength;
  const tail = await readExact(src, tailStart, tailLength, 'zip directory');
  const tailView = viewOf(tail);
  let eocd = -1;
  for (let i = tail.length - 22; i >= 0; i--) {
    if (tailView.getUint32(i, true) === EOCD) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) {
    throw notZip(
      hasZipMagic(tail.subarray(0, 4))
        ? 'the end-of-directory record is missing (truncated?)'
        : 'no zip end-of-directory record',
    );
  }
  let entryCount = tailView.getUint16(eocd + 10, true);
  let directorySize = tailView.getUint32(eocd + 12, true);
  let directoryOffset = tailView.getUint32(eocd + 16, true);
  if (entryCount === 0xffff || directorySize === 0xffffffff || directoryOffset === 0xffffffff) {
    const locatorAt = eocd - 20;
    if (locatorAt >= 0 && tailView.getUint32(locatorAt, true) === ZIP64_LOCATOR) {
      const recordOffset = u64(tailView, locatorAt + 8);
      const record = viewOf(await readExact(src, recordOffset, 56, 'zip64 directory record'));
      if (record.getUint32(0, true) !== ZIP64_EOCD) throw notZip('bad zip64 directory record');
      entryCount = u64(record, 32);
      directorySize = u64(record, 40);
      directoryOffset = u64(record, 48);
    }
  }
  if (directoryOffset + directorySize > src.size) {
    throw new InputError(
      src.name,
      `truncated: the zip directory points past the end of the file (${src.size} bytes)`,
    );
  }
  const directory = await readExact(src, directoryOffset, directorySize, 'zip directory');
  const view = viewOf(directory);
  const decoder = new TextDecoder();
  const entries: ZipEntry[] = [];
  let at = 0;
  for (let k = 0; k < entryCount; k++) {
    if (at + 46 > directory.length || view.getUint32(at, true) !== CENTRAL) {
      throw new InputError(src.name, `corrupt zip directory at entry ${k}`);
    }
    const flags = view.getUint16(at + 8, true);
    const method = view.getUint16(at + 10, true);
    const crc32 = view.getUint32(at + 16, true);
    let compressedSize = view.getUint32(at + 20, true);
    let uncompressedSize = view.getUint32(at + 24, true);
    const nameLength = view.getUint16(at + 28, true);
    const extraLength = view.getUint16(at + 30, true);
    const commentLength = view.getUint16(at + 32, true);
    let localHeaderOffset = view.getUint32(at + 42, true);
    const end = at + 46 + nameLength + extraLength + commentLength;
    if (end > directory.length) throw new InputError(src.name, `corrupt zip directory at entry ${k}`);
    const name = decoder.decode(directory.subarray(at + 46, at + 46 + nameLength));
    // zip64 extra field: only the fields saturated in the fixed record are present, in this order
    let extra = at + 46 + nameLength;
    const extraEnd = extra + extraLength;
    while (extra + 4 <= extraEnd) {
      const id = view.getUint16(extra, true);
      const length = view.getUint16(extra + 2, true);
      if (id === 0x0001) {
        let field = extra + 4;
        const fieldEnd = Math.min(extra + 4 + length, extraEnd);
        if (uncompressedSize === 0xffffffff && field + 8 <= fieldEnd) {
          uncompressedSize = u64(view, field);
          field += 8;
        }
        if (compressedSize === 0xffffffff && field + 8 <= fieldEnd) {
          compressedSize = u64(view, field);
          field += 8;
        }
        if (localHeaderOffset === 0xffffffff && field + 8 <= fieldEnd) localHeaderOffset = u64(view, field);
      }
      extra += 4 + length;
    }
    entries.push({
      name,
      method,
      compressedSize,
      uncompressedSize,
      localHeaderOffset,
      encrypted: (flags & 1) !== 0,
      crc32,
    });
    at = end;
  }
  return entries;
}

export interface InflateSourceOptions {
  /** compressed bytes fed to the inflater per step (bounds the memory of one step) */
  pieceBytes: number;
}

export const defaultInflateSourceOptions: InflateSourceOptions = { pieceBytes: 1 << 16 };

/**
 * A ByteSource over one member's uncompressed bytes. Stored members are a window of the archive;
 * deflated ones inflate forwards on demand, keeping only the bytes not yet consumed.
 */
export async function openZipEntry(
  src: ByteSource,
  entry: ZipEntry,
  options: InflateSourceOptions = defaultInflateSourceOptions,
): Promise<ByteSource> {
  const name = `${src.name}:${entry.name}`;
  if (entry.encrypted) throw new InputError(name, 'encrypted zip members are not supported');
  const local = viewOf(await readExact(src, entry.localHeaderOffset, 30, 'zip member header', name));
  if (local.getUint32(0, true) !== LOCAL) throw new InputError(name, 'corrupt zip: bad local header');
  const dataStart = entry.localHeaderOffset + 30 + local.getUint16(26, true) + local.getUint16(28, true);
  if (dataStart + entry.compressedSize > src.size) {
    throw new InputError(
      name,
      `truncated: the member needs ${entry.compressedSize} bytes at ${dataStart} but the file holds ${src.size}`,
    );
  }
  if (entry.method === 0) {
    if (entry.uncompressedSize !== entry.compressedSize)
      throw new InputError(name, 'corrupt zip: stored member sizes differ');
    return sliceByteSource(src, dataStart, entry.compressedSize, name);
  }
  if (entry.method !== 8) {
    throw new InputError(
      name,
      `zip compression method ${entry.method} is not supported (only stored and deflated)`,
    );
  }
  // deflate expands at most ~1032x: a larger claim is a corrupt directory, not a real member
  if (entry.uncompressedSize > entry.compressedSize * 1032 + 1024) {
    throw new InputError(
      name,
      `corrupt zip: ${entry.uncompressedSize} bytes cannot come from ${entry.compressedSize} compressed bytes`,
    );
  }
  return inflatingSource(src, dataStart, entry, name, options);
}

function inflatingSource(
  src: ByteSource,
  dataStart: number,
  entry: ZipEntry,
  name: string,
  options: InflateSourceOptions,
): ByteSource {
  const { compressedSize, uncompressedSize: size } = entry;
  let crc = 0;
  let inflater: Inflate;
  let fed = 0; // compressed bytes pushed
  let produced = 0; // uncompressed bytes emitted so far
  let finished = false;
  let pieces: Uint8Array[] = [];
  let piecesStart = 0; // uncompressed offset of pieces[0]

  function restart(): void {
    fed = 0;
    produced = 0;
    crc = 0;
    finished = false;
    pieces = [];
    piecesStart = 0;
    inflater = new Inflate((data, final) => {
      if (data.length > 0) {
        pieces.push(data);
        produced += data.length;
        crc = updateCrc32(crc, data);
      }
      if (final) finished = true;
    });
  }
  restart();

  async function pump(): Promise<void> {
    if (fed >= compressedSize) {
      finished = true;
      return;
    }
    const length = Math.min(options.pieceBytes, compressedSize - fed);
    const piece = await readExact(src, dataStart + fed, length, 'compressed member', name);
    fed += length;
    try {
      inflater.push(piece, fed >= compressedSize);
    } catch (error) {
      throw new InputError(name, `corrupt compressed data: ${(error as Error).message}`);
    }
    if (fed >= compressedSize && (produced !== size || crc !== entry.crc32)) {
      throw new InputError(
        name,
        produced !== size
          ? `corrupt compressed data: ${produced} bytes inflated where the directory says ${size}`
          : 'corrupt compressed data: CRC-32 mismatch',
      );
    }
  }

  async function readNow(offset: number, length: number): Promise<Uint8Array> {
    const end = Math.min(size, offset + length);
    if (end <= offset) return new Uint8Array(0);
    if (offset < piecesStart) restart();
    // drop what lies wholly before the request as we go: reads move forwards, memory stays small
    const dropBefore = () => {
      while (pieces.length > 0 && piecesStart + pieces[0].length <= offset) {
        piecesStart += pieces[0].length;
        pieces.shift();
      }
    };
    while (produced < end && !finished) {
      await pump();
      dropBefore();
    }
    dropBefore();
    const available = Math.min(end, produced);
    if (available <= offset) return new Uint8Array(0);
    const out = new Uint8Array(available - offset);
    let at = piecesStart;
    for (const piece of pieces) {
      const from = Math.max(offset, at);
      const to = Math.min(available, at + piece.length);
      if (to > from) out.set(piece.subarray(from - at, to - at), from - offset);
      at += piece.length;
      if (at >= available) break;
    }
    return out;
  }

  // one stream state: concurrent readers (zipRows over arrays sharing a member) take turns
  let queue: Promise<unknown> = Promise.resolve();
  return {
    name,
    size,
    sequential: true,
    read(offset, length) {
      const result = queue.then(() => readNow(offset, length));
      queue = result.catch(() => undefined);
      return result;
    },
  };
}
