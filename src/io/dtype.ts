/**
 * Element types shared by every binary format, and their exact decoding to float64. NumPy descrs,
 * safetensors names and torch storage classes all normalise to {@link ElementType}.
 */

export type ElementKind = 'float' | 'bfloat' | 'int' | 'uint' | 'bool';

export interface ElementType {
  /** human-readable: 'float32', 'bfloat16', 'int64', 'bool', ... */
  name: string;
  kind: ElementKind;
  /** bytes per element */
  size: number;
  littleEndian: boolean;
}

/** Integers and booleans are label candidates. */
export function isIntegerType(type: ElementType): boolean {
  return type.kind === 'int' || type.kind === 'uint' || type.kind === 'bool';
}

/** Reads one element at a byte offset of a DataView, exactly as float64. */
export type ElementDecoder = (view: DataView, byteOffset: number) => number;

/** IEEE half precision to float64 (every half is exactly representable). */
export function halfToNumber(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exponent = (bits >> 10) & 0x1f;
  const mantissa = bits & 0x3ff;
  if (exponent === 0) return sign * mantissa * 2 ** -24;
  if (exponent === 0x1f) return mantissa ? NaN : sign * Infinity;
  return sign * (1 + mantissa / 1024) * 2 ** (exponent - 15);
}

const bfloatScratch = new DataView(new ArrayBuffer(4));

/** bfloat16 is the top half of a float32. */
export function bfloat16ToNumber(bits: number): number {
  bfloatScratch.setUint32(0, bits << 16);
  return bfloatScratch.getFloat32(0);
}

export function elementDecoder(type: ElementType): ElementDecoder {
  const le = type.littleEndian;
  switch (`${type.kind}${type.size}`) {
    case 'float2':
      return (v, o) => halfToNumber(v.getUint16(o, le));
    case 'bfloat2':
      return (v, o) => bfloat16ToNumber(v.getUint16(o, le));
    case 'float4':
      return (v, o) => v.getFloat32(o, le);
    case 'float8':
      return (v, o) => v.getFloat64(o, le);
    case 'int1':
      return (v, o) => v.getInt8(o);
    case 'int2':
      return (v, o) => v.getInt16(o, le);
    case 'int4':
      return (v, o) => v.getInt32(o, le);
    // int64 beyond 2^53 rounds to the nearest double: labels and counts never get there
    case 'int8':
      return (v, o) => Number(v.getBigInt64(o, le));
    case 'uint1':
      return (v, o) => v.getUint8(o);
    case 'uint2':
      return (v, o) => v.getUint16(o, le);
    case 'uint4':
      return (v, o) => v.getUint32(o, le);
    case 'uint8':
      return (v, o) => Number(v.getBigUint64(o, le));
    case 'bool1':
      return (v, o) => (v.getUint8(o) === 0 ? 0 : 1);
    default:
      throw new Error(`no decoder for ${type.name}`);
  }
}

const hostLittleEndian = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** Unaligned reads are copied here, reused from call to call, up to this many bytes. */
export const ALIGNMENT_SCRATCH_BYTES = 1 << 24;
let alignmentScratch = new Uint8Array(0);

/**
 * `count` elements of `size` bytes from `bytes`, at an offset a typed-array view of that size accepts.
 * A member of an uncompressed zip starts wherever its name ended, so its data is often unaligned:
 * copying it into reused memory costs a copy, where a fresh copy costs page faults as well.
 */
function alignedBytes(bytes: Uint8Array, size: number, count: number): Uint8Array {
  if (bytes.byteOffset % size === 0) return bytes;
  const length = count * size;
  if (length > ALIGNMENT_SCRATCH_BYTES) return bytes.slice(0, length);
  if (alignmentScratch.length < length)
    alignmentScratch = new Uint8Array(
      Math.min(ALIGNMENT_SCRATCH_BYTES, Math.max(length, 2 * alignmentScratch.length)),
    );
  alignmentScratch.set(bytes.subarray(0, length));
  return alignmentScratch.subarray(0, length);
}

/** Whether `type` is a float32 or float64 in this machine's byte order: its bytes are its values. */
export function isNativeFloat(type: ElementType): boolean {
  return (
    type.kind === 'float' && (type.size === 4 || type.size === 8) && type.littleEndian === hostLittleEndian
  );
}

/**
 * `count` elements of a native float type (`isNativeFloat`) as a typed view of `bytes`, copied only
 * when unaligned (into memory of its own, not the reused scratch, since the view is kept).
 */
export function nativeFloatView(
  bytes: Uint8Array,
  type: ElementType,
  count: number,
): Float32Array | Float64Array {
  const own = bytes.byteOffset % type.size === 0 ? bytes : bytes.slice(0, count * type.size);
  return type.size === 4
    ? new Float32Array(own.buffer, own.byteOffset, count)
    : new Float64Array(own.buffer, own.byteOffset, count);
}

/**
 * Decodes `count` consecutive elements starting at `bytes[0]` into `out[outOffset..]`. Uses a
 * typed-array view when alignment and byte order allow (the common float32 case), else a DataView.
 */
export function decodeContiguous(
  bytes: Uint8Array,
  type: ElementType,
  count: number,
  out: Float64Array,
  outOffset: number,
): void {
  const native = type.littleEndian === hostLittleEndian || type.size === 1;
  if (native) {
    bytes = alignedBytes(bytes, type.size, count);
    const buffer = bytes.buffer;
    const at = bytes.byteOffset;
    let typed:
      | Float32Array
      | Float64Array
      | Int32Array
      | Int16Array
      | Int8Array
      | Uint8Array
      | Uint16Array
      | Uint32Array
      | null = null;
    if (type.kind === 'float' && type.size === 4) typed = new Float32Array(buffer, at, count);
    else if (type.kind === 'float' && type.size === 8) typed = new Float64Array(buffer, at, count);
    else if (type.kind === 'int' && type.size === 4) typed = new Int32Array(buffer, at, count);
    else if (type.kind === 'int' && type.size === 2) typed = new Int16Array(buffer, at, count);
    else if (type.kind === 'int' && type.size === 1) typed = new Int8Array(buffer, at, count);
    else if (type.kind === 'uint' && type.size === 1) typed = new Uint8Array(buffer, at, count);
    else if (type.kind === 'uint' && type.size === 2) typed = new Uint16Array(buffer, at, count);
    else if (type.kind === 'uint' && type.size === 4) typed = new Uint32Array(buffer, at, count);
    if (typed) {
      // a native conversion: one element loop here would see every array type, and run slowly for all
      out.set(typed, outOffset);
      return;
    }
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const decode = elementDecoder(type);
  for (let i = 0; i < count; i++) out[outOffset + i] = decode(view, i * type.size);
}

const numpyKinds: Record<string, ElementKind> = { f: 'float', i: 'int', u: 'uint', b: 'bool' };

/**
 * A NumPy descr ('<f4', '>i8', '|b1') as an ElementType, or a sentence saying why it is refused.
 * Object arrays are refused without unpickling them: a pickle can run arbitrary code.
 */
export function parseNumpyDescr(descr: string): ElementType | string {
  const match = /^([<>|=]?)([a-zA-Z])(\d*)$/.exec(descr);
  if (!match) return `unsupported dtype ${descr}: save a plain numeric array (float, int, uint or bool)`;
  const [, order, code, digits] = match;
  const size = digits === '' ? 0 : Number(digits);
  if (code === 'O') {
    return `object arrays (dtype ${descr}) are refused: reading them needs unpickling, which can run code; save a numeric array (e.g. np.asarray(x, dtype=np.float32))`;
  }
  if (code === 'c')
    return `complex dtype ${descr} is not supported: save the real part (x.real) or real and imaginary parts as separate columns`;
  if (code === '?') return parseNumpyDescr(`|b1`);
  const kind = numpyKinds[code];
  const validSize =
    (kind === 'float' && (size === 2 || size === 4 || size === 8)) ||
    ((kind === 'int' || kind === 'uint') && (size === 1 || size === 2 || size === 4 || size === 8)) ||
    (kind === 'bool' && size === 1);
  if (!kind || !validSize) {
    return `unsupported dtype ${descr}: supported are float16/32/64, int8..64, uint8..64 and bool`;
  }
  const littleEndian = order === '>' ? false : order === '<' || size === 1 ? true : hostLittleEndian;
  const name = kind === 'bool' ? 'bool' : `${kind}${size * 8}`;
  return { name, kind, size, littleEndian };
}
