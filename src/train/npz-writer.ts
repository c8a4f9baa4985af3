/**
 * A tiny writer for NumPy `.npy` (format 1.0) and `.npz` (an uncompressed "stored" zip of `.npy`
 * entries), enough for the `examples` script to save trainer checkpoints the app reads back with its
 * own parsers. Output is byte-for-byte reproducible: entries keep their order and carry a fixed
 * timestamp (1980-01-01 00:00).
 */

import type { SplitActivations } from './trainer';

export type NpyData = Float32Array | Float64Array | Int32Array | BigInt64Array;

/** One array to store: its data (row-major) and shape (product = data.length). */
export interface NpyArray {
  data: NpyData;
  shape: number[];
}

function descr(data: NpyData): string {
  if (data instanceof Float32Array) return '<f4';
  if (data instanceof Float64Array) return '<f8';
  if (data instanceof Int32Array) return '<i4';
  return '<i8';
}

/** The bytes of a `.npy` file (little-endian, C order, header padded to a multiple of 64 bytes). */
export function encodeNpy({ data, shape }: NpyArray): Uint8Array {
  const count = shape.reduce((a, b) => a * b, 1);
  if (count !== data.length)
    throw new RangeError(`npy: shape [${shape.join(', ')}] needs ${count} values, got ${data.length}`);
  const shapeText = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
  let header = `{'descr': '${descr(data)}', 'fortran_order': False, 'shape': ${shapeText}, }`;
  const unpadded = 10 + header.length + 1;
  header += ' '.repeat((64 - (unpadded % 64)) % 64) + '\n';
  const out = new Uint8Array(10 + header.length + data.byteLength);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0], 0); // \x93NUMPY v1.0
  new DataView(out.buffer).setUint16(8, header.length, true);
  for (let i = 0; i < header.length; i++) out[10 + i] = header.charCodeAt(i);
  // Typed arrays are little-endian on every platform the app and Node run on.
  out.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), 10 + header.length);
  return out;
}

const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

/** CRC-32 (IEEE 802.3, as in zip and gzip). */
export function crc32(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (let i = 0; i < bytes.length; i++) c = CRC_TABLE[(c ^ bytes[i]) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/** A zip archive with every entry stored (method 0). Names are ASCII; no zip64 (entries < 4 GiB). */
export function encodeStoredZip(entries: { name: string; bytes: Uint8Array }[]): Uint8Array {
  const DOS_DATE = 0x0021; // 1980-01-01
  const parts: Uint8Array[] = [];
  const central: Uint8Array[] = [];
  let offset = 0;
  for (const { name, bytes } of entries) {
    const nameBytes = new TextEncoder().encode(name);
    const crc = crc32(bytes);
    const local = new Uint8Array(30 + nameBytes.length);
    const lv = new DataView(local.buffer);
    lv.setUint32(0, 0x04034b50, true);
    lv.setUint16(4, 20, true); // version needed
    lv.setUint16(12, DOS_DATE, true);
    lv.setUint32(14, crc, true);
    lv.setUint32(18, bytes.length, true);
    lv.setUint32(22, bytes.length, true);
    lv.setUint16(26, nameBytes.length, true);
    local.set(nameBytes, 30);
    const entry = new Uint8Array(46 + nameBytes.length);
    const cv = new DataView(entry.buffer);
    cv.setUint32(0, 0x02014b50, true);
    cv.setUint16(4, 20, true); // version made by
    cv.setUint16(6, 20, true);
    cv.setUint16(14, DOS_DATE, true);
    cv.setUint32(16, crc, true);
    cv.setUint32(20, bytes.length, true);
    cv.setUint32(24, bytes.length, true);
    cv.setUint16(28, nameBytes.length, true);
    cv.setUint32(42, offset, true);
    entry.set(nameBytes, 46);
    parts.push(local, bytes);
    central.push(entry);
    offset += local.length + bytes.length;
  }
  const centralSize = central.reduce((a, b) => a + b.length, 0);
  const end = new Uint8Array(22);
  const ev = new DataView(end.buffer);
  ev.setUint32(0, 0x06054b50, true);
  ev.setUint16(8, entries.length, true);
  ev.setUint16(10, entries.length, true);
  ev.setUint32(12, centralSize, true);
  ev.setUint32(16, offset, true);
  const all = [...parts, ...central, end];
  const out = new Uint8Array(all.reduce((a, b) => a + b.length, 0));
  let at = 0;
  for (const part of all) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

/** The bytes of an `.npz`: one `<key>.npy` entry per array, in the given order. */
export function encodeNpz(arrays: Record<string, NpyArray>): Uint8Array {
  return encodeStoredZip(
    Object.entries(arrays).map(([key, array]) => ({ name: `${key}.npy`, bytes: encodeNpy(array) })),
  );
}

/**
 * One split of a training checkpoint as the `.npz` the dashboard reads: features (the final layer's
 * input), logits (that layer's own output h, affine in the features: what D_LR compares, docs/method.md
 * §1) and labels.
 */
export function encodeSplitNpz(split: SplitActivations): Uint8Array {
  const p = split.features.length / split.n;
  const c = split.outputs.length / split.n;
  return encodeNpz({
    features: { data: split.features, shape: [split.n, p] },
    logits: { data: split.outputs, shape: [split.n, c] },
    labels: { data: BigInt64Array.from(split.labels, (v) => BigInt(v)), shape: [split.n] },
  });
}
