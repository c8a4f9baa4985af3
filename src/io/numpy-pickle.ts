/**
 * NumPy arrays pickled inside torch.save files (`torch.save({'features': x.numpy()})`). NumPy's
 * `ndarray.__reduce__` pickles an empty `_reconstruct(ndarray, (0,), b'b')`, then BUILDs it with
 * (version, shape, dtype, fortran_order, raw bytes); a dtype is `dtype(code, False, True)` BUILT with
 * its byte order; a NumPy scalar is `scalar(dtype, raw bytes)`. Exactly these globals are allowed,
 * in the `numpy.core` and `numpy._core` spellings, plus `_codecs.encode`, which protocol 2 (torch's
 * default) uses to spell bytes as a latin-1 string. Nothing is called: arrays are built from their
 * bytes, and object arrays (whose items would need unpickling) are never read.
 */
import { bytesByteSource } from './byte-source';
import { parseNumpyDescr, type ElementType } from './dtype';
import { PickleObject, type PickleCallable } from './pickle';
import { contiguousStrides, fortranStrides, product, stridedArrayReader } from './strided-reader';
import { InputError, type ArrayReader } from './types';

/** A `numpy.dtype` under construction: the type code now, the byte order when BUILT. */
export class PickledDtype extends PickleObject {
  private order = '|';
  private structured = false;
  constructor(readonly code: string) {
    super();
  }
  setState(state: unknown): void {
    // (version, byteorder, subarray, names, fields, elsize, alignment, flags[, metadata])
    if (!Array.isArray(state)) return;
    if (typeof state[1] === 'string') this.order = state[1];
    this.structured = state[3] !== null && state[3] !== undefined;
  }
  /** The element type, or a sentence saying why the array is not numeric. */
  elementType(): ElementType | string {
    const descr = `${this.order === '=' ? '' : this.order}${this.code}`;
    if (this.structured) return `structured dtype ${descr}`;
    const type = parseNumpyDescr(descr);
    return typeof type === 'string' ? `dtype ${descr}` : type;
  }
}

/** A NumPy array rebuilt from its pickled bytes (shape () for a NumPy scalar). */
export class PickledArray extends PickleObject {
  shape: number[] = [0];
  fortranOrder = false;
  dtype: PickledDtype | null = null;
  /** the raw bytes, C or Fortran order; null for object arrays */
  data: Uint8Array | null = null;
  constructor(private readonly source: string) {
    super();
  }
  setState(state: unknown): void {
    // (version, shape, dtype, is_fortran, rawdata), or the same without the version
    if (!Array.isArray(state) || state.length < 4) throw this.malformed('its state is not a tuple');
    const [shape, dtype, fortran, raw] = state.slice(state.length - 4);
    if (!Array.isArray(shape) || !shape.every((d) => Number.isSafeInteger(d) && (d as number) >= 0))
      throw this.malformed('bad shape');
    if (!(dtype instanceof PickledDtype)) throw this.malformed('bad dtype');
    this.shape = shape as number[];
    this.dtype = dtype;
    this.fortranOrder = fortran === true;
    this.data = raw instanceof Uint8Array ? raw : null;
    const type = dtype.elementType();
    if (typeof type !== 'string' && this.data !== null) this.checkSize(type);
  }
  /** Why the array is not numeric (strings, objects, records), or null. */
  get unsupported(): string | null {
    const type = this.elementType();
    return typeof type === 'string' ? type : null;
  }
  /** The element type, or why the array is not numeric (strings, objects, records). */
  elementType(): ElementType | string {
    if (!this.dtype) return 'an array never given its data';
    const type = this.dtype.elementType();
    if (typeof type === 'string') return type;
    if (this.data === null) return 'object array';
    return type;
  }
  /** Rows of the array, decoded as every other format's are. */
  reader(key: string): ArrayReader {
    const type = this.elementType();
    if (typeof type === 'string') throw new InputError(this.source, `${key}: ${type}`);
    const strides = this.fortranOrder ? fortranStrides(this.shape) : contiguousStrides(this.shape);
    return stridedArrayReader(bytesByteSource(this.data!, this.source), key, {
      base: 0,
      type,
      shape: this.shape,
      strides,
      offset: 0,
    });
  }
  private checkSize(type: ElementType): void {
    const bytes = product(this.shape) * type.size;
    if (bytes !== this.data!.length)
      throw this.malformed(
        `shape (${this.shape.join(', ')}) of ${type.name} needs ${bytes} bytes but it holds ${this.data!.length}`,
      );
  }
  private malformed(problem: string): InputError {
    return new InputError(this.source, `malformed NumPy array in the pickle: ${problem}`);
  }
}

/** The ndarray class, passed to `_reconstruct` (and only there). */
class NdarrayClass {}

/** Protocol 2 spells bytes as `_codecs.encode(text, 'latin1')`: each character is one byte. */
function latin1Bytes(source: string): PickleCallable {
  return ([text, encoding]) => {
    if (typeof text !== 'string' || (encoding !== 'latin1' && encoding !== 'latin-1'))
      throw new InputError(source, 'refusing _codecs.encode other than of a string to latin1 bytes');
    const bytes = new Uint8Array(text.length);
    for (let i = 0; i < text.length; i++) {
      const code = text.charCodeAt(i);
      if (code > 0xff) throw new InputError(source, 'malformed bytes in the pickle (not latin-1)');
      bytes[i] = code;
    }
    return bytes;
  };
}

/** The allow-list entries (`module.name` -> value) for NumPy arrays and scalars in a pickle. */
export function numpyGlobals(source: string): Record<string, unknown> {
  const ndarray = new NdarrayClass();
  const reconstruct: PickleCallable = ([cls]) => {
    if (cls !== ndarray) throw new InputError(source, 'refusing _reconstruct of anything but an ndarray');
    return new PickledArray(source);
  };
  const dtype: PickleCallable = ([code]) => {
    if (typeof code !== 'string') throw new InputError(source, 'malformed NumPy dtype in the pickle');
    return new PickledDtype(code);
  };
  const scalar: PickleCallable = ([type, raw]) => {
    if (!(type instanceof PickledDtype)) throw new InputError(source, 'malformed NumPy scalar in the pickle');
    const array = new PickledArray(source);
    // object scalars carry a Python object, not bytes: setState then keeps no data
    array.setState([[], type, false, raw instanceof Uint8Array ? raw : null]);
    return array;
  };
  const entries: Record<string, unknown> = {
    'numpy.ndarray': ndarray,
    'numpy.dtype': dtype,
    '_codecs.encode': latin1Bytes(source),
  };
  for (const core of ['numpy.core.multiarray', 'numpy._core.multiarray']) {
    entries[`${core}._reconstruct`] = reconstruct;
    entries[`${core}.scalar`] = scalar;
  }
  return entries;
}
