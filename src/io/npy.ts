/**
 * NumPy .npy (format versions 1.0, 2.0, 3.0): the header is parsed eagerly, the data streamed by
 * row chunks. Fortran-order arrays are read column segment by column segment.
 */
import { fileStem, readExact, viewOf } from './byte-source';
import { parseNumpyDescr, type ElementType } from './dtype';
import {
  contiguousStrides,
  flattenNote,
  fortranStrides,
  product,
  stridedArrayReader,
  type StridedReadOptions,
  defaultStridedReadOptions,
} from './strided-reader';
import { InputError, type ArrayContainer, type ArrayReader, type ByteSource } from './types';

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY

/** A well-formed .npy whose elements are not numbers (strings, objects, records): an .npz skips it. */
export class NonNumericArrayError extends InputError {
  constructor(
    source: string,
    problem: string,
    /** the dtype as the header spells it ('<U7', '|O', 'a record') */
    readonly descr: string,
  ) {
    super(source, problem);
  }
}

export interface NpyHeader {
  version: string;
  type: ElementType;
  fortranOrder: boolean;
  shape: number[];
  /** byte offset of the first data element */
  dataOffset: number;
}

/** True when the bytes start with the .npy magic string. */
export function hasNpyMagic(bytes: Uint8Array): boolean {
  return MAGIC.every((b, i) => bytes[i] === b);
}

/** Parses and validates the header of the .npy held by `src` (a file or an npz member). */
export async function readNpyHeader(src: ByteSource, source = src.name): Promise<NpyHeader> {
  const lead = await src.read(0, 12);
  if (lead.length < 10 || !hasNpyMagic(lead)) {
    throw new InputError(
      source,
      `not a .npy file: it does not start with the bytes \\x93NUMPY (${src.size} bytes)`,
    );
  }
  const major = lead[6];
  const minor = lead[7];
  if (major < 1 || major > 3 || minor !== 0) {
    throw new InputError(
      source,
      `unsupported .npy format version ${major}.${minor} (supported: 1.0, 2.0, 3.0)`,
    );
  }
  if (major > 1 && lead.length < 12) throw new InputError(source, 'truncated: the .npy header is cut short');
  const lengthView = viewOf(lead);
  const headerLength = major === 1 ? lengthView.getUint16(8, true) : lengthView.getUint32(8, true);
  const headerStart = major === 1 ? 10 : 12;
  if (headerStart + headerLength > src.size) {
    throw new InputError(
      source,
      `truncated: the .npy header claims ${headerLength} bytes but the file holds ${src.size} bytes in all`,
    );
  }
  const headerBytes = await readExact(src, headerStart, headerLength, '.npy header', source);
  const text = new TextDecoder(major === 3 ? 'utf-8' : 'latin1').decode(headerBytes);
  const descrMatch = /['"]descr['"]\s*:\s*(['"])([^'"]*)\1/.exec(text);
  if (!descrMatch) {
    if (/['"]descr['"]\s*:\s*\[/.test(text)) {
      throw new NonNumericArrayError(
        source,
        'structured (record) arrays are not supported: save each field as its own array',
        'a record',
      );
    }
    throw new InputError(source, `malformed .npy header (no descr): ${JSON.stringify(text.slice(0, 120))}`);
  }
  const type = parseNumpyDescr(descrMatch[2]);
  if (typeof type === 'string') throw new NonNumericArrayError(source, type, descrMatch[2]);
  const fortranMatch = /['"]fortran_order['"]\s*:\s*(True|False)/.exec(text);
  const shapeMatch = /['"]shape['"]\s*:\s*\(([^)]*)\)/.exec(text);
  if (!fortranMatch || !shapeMatch) {
    throw new InputError(source, `malformed .npy header: ${JSON.stringify(text.slice(0, 120))}`);
  }
  const parts = shapeMatch[1]
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  if (!parts.every((s) => /^\d+L?$/.test(s))) {
    throw new InputError(source, `malformed .npy shape (${shapeMatch[1]})`);
  }
  const shape = parts.map((s) => Number.parseInt(s, 10));
  const dataOffset = headerStart + headerLength;
  const dataBytes = product(shape) * type.size;
  if (!Number.isSafeInteger(dataBytes) || dataOffset + dataBytes > src.size) {
    throw new InputError(
      source,
      `truncated: the header promises ${dataBytes} bytes of data (shape (${shape.join(', ')}), ${type.name}) but only ${Math.max(0, src.size - dataOffset)} bytes follow it`,
    );
  }
  return { version: `${major}.${minor}`, type, fortranOrder: fortranMatch[1] === 'True', shape, dataOffset };
}

/** A row reader over the data of an already parsed header. */
export function npyArrayReader(
  src: ByteSource,
  key: string,
  header: NpyHeader,
  options: StridedReadOptions = defaultStridedReadOptions,
): ArrayReader {
  const strides = header.fortranOrder ? fortranStrides(header.shape) : contiguousStrides(header.shape);
  return stridedArrayReader(
    src,
    key,
    { base: header.dataOffset, type: header.type, shape: header.shape, strides, offset: 0 },
    options,
  );
}

/** Opens a standalone .npy: one array named by the file stem. Zero-row arrays are refused. */
export async function openNpy(src: ByteSource): Promise<ArrayContainer> {
  const header = await readNpyHeader(src);
  const key = fileStem(src.name);
  if (header.shape.length > 0 && header.shape[0] === 0) {
    throw new InputError(src.name, `zero rows: the array has shape (${header.shape.join(', ')})`);
  }
  const note = flattenNote(key, header.shape);
  return {
    source: src.name,
    format: 'npy',
    arrays: [npyArrayReader(src, key, header)],
    notes: note ? [note] : [],
  };
}
