/**
 * safetensors: an 8-byte little-endian header length, a JSON header of
 * {name: {dtype, shape, data_offsets: [begin, end]}}, then the raw little-endian data section.
 */
import { readExact, viewOf } from './byte-source';
import type { ElementType } from './dtype';
import { contiguousStrides, flattenNote, product, stridedArrayReader } from './strided-reader';
import { InputError, type ArrayContainer, type ArrayReader, type ByteSource } from './types';

const TYPES: Record<string, Omit<ElementType, 'littleEndian'>> = {
  F16: { name: 'float16', kind: 'float', size: 2 },
  BF16: { name: 'bfloat16', kind: 'bfloat', size: 2 },
  F32: { name: 'float32', kind: 'float', size: 4 },
  F64: { name: 'float64', kind: 'float', size: 8 },
  I8: { name: 'int8', kind: 'int', size: 1 },
  I16: { name: 'int16', kind: 'int', size: 2 },
  I32: { name: 'int32', kind: 'int', size: 4 },
  I64: { name: 'int64', kind: 'int', size: 8 },
  U8: { name: 'uint8', kind: 'uint', size: 1 },
  U16: { name: 'uint16', kind: 'uint', size: 2 },
  U32: { name: 'uint32', kind: 'uint', size: 4 },
  U64: { name: 'uint64', kind: 'uint', size: 8 },
  BOOL: { name: 'bool', kind: 'bool', size: 1 },
};

/** Header sizes above this are corrupt (the reference implementation caps at 100 MB). */
const MAX_HEADER_BYTES = 100_000_000;

/** True when the first 9 bytes look like a safetensors header length followed by '{'. */
export function looksLikeSafetensors(lead: Uint8Array, size: number): boolean {
  if (lead.length < 9) return false;
  const length = viewOf(lead).getBigUint64(0, true);
  return length > 1n && length + 8n <= BigInt(size) && lead[8] === 0x7b;
}

export async function openSafetensors(src: ByteSource): Promise<ArrayContainer> {
  const lead = await readExact(src, 0, 8, 'safetensors header length');
  const headerLength = Number(viewOf(lead).getBigUint64(0, true));
  if (headerLength > MAX_HEADER_BYTES || 8 + headerLength > src.size) {
    throw new InputError(
      src.name,
      `truncated or not safetensors: the header claims ${headerLength} bytes but the file holds ${src.size}`,
    );
  }
  const headerBytes = await readExact(src, 8, headerLength, 'safetensors header');
  let header: unknown;
  try {
    header = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(headerBytes));
  } catch (error) {
    throw new InputError(src.name, `not safetensors: the header is not JSON (${(error as Error).message})`);
  }
  if (typeof header !== 'object' || header === null || Array.isArray(header)) {
    throw new InputError(src.name, 'not safetensors: the header is not a JSON object');
  }
  const dataStart = 8 + headerLength;
  const dataSize = src.size - dataStart;
  const arrays: ArrayReader[] = [];
  const notes: string[] = [];
  for (const [key, value] of Object.entries(header as Record<string, unknown>)) {
    if (key === '__metadata__') continue;
    const info = value as { dtype?: unknown; shape?: unknown; data_offsets?: unknown };
    const bad = (problem: string) => new InputError(src.name, `tensor ${key}: ${problem}`);
    if (typeof info !== 'object' || info === null) throw bad('malformed header entry');
    const base = typeof info.dtype === 'string' ? TYPES[info.dtype] : undefined;
    if (!base) {
      throw bad(`unsupported dtype ${String(info.dtype)} (supported: ${Object.keys(TYPES).join(', ')})`);
    }
    const shape = info.shape;
    if (!Array.isArray(shape) || !shape.every((s) => Number.isSafeInteger(s) && s >= 0))
      throw bad('malformed shape');
    const offsets = info.data_offsets;
    if (
      !Array.isArray(offsets) ||
      offsets.length !== 2 ||
      !offsets.every((o) => Number.isSafeInteger(o) && o >= 0) ||
      offsets[1] < offsets[0]
    ) {
      throw bad('malformed data_offsets');
    }
    const [begin, end] = offsets as [number, number];
    const expected = product(shape as number[]) * base.size;
    if (end - begin !== expected) {
      throw bad(
        `data_offsets span ${end - begin} bytes but shape (${shape.join(', ')}) of ${base.name} needs ${expected}`,
      );
    }
    if (end > dataSize) {
      throw bad(`truncated: data_offsets end at ${end} but the data section holds ${dataSize} bytes`);
    }
    const type: ElementType = { ...base, littleEndian: true };
    const note = flattenNote(key, shape as number[]);
    if (note) notes.push(note);
    arrays.push(
      stridedArrayReader(src, key, {
        base: dataStart + begin,
        type,
        shape: shape as number[],
        strides: contiguousStrides(shape as number[]),
        offset: 0,
      }),
    );
  }
  if (arrays.length === 0) throw new InputError(src.name, 'the safetensors file holds no tensors');
  return { source: src.name, format: 'safetensors', arrays, notes };
}
