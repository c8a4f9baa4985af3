/**
 * The contract between file formats and the analysis: every parser turns a byte source into
 * named arrays whose rows can be streamed in order, decoded to float64, a chunk at a time.
 */

/** Random-access bytes: a browser File/Blob or a Node file handle, never read whole. */
export interface ByteSource {
  /** shown in messages: the file name or relative path */
  name: string;
  size: number;
  /**
   * bytes [offset, offset + length); shorter only at end of file. Read-only: they may be a view that
   * other reads share, so a reader that changes bytes copies them first.
   */
  read(offset: number, length: number): Promise<Uint8Array>;
  /**
   * True when reading backwards is expensive (a deflated zip member restarts its stream): readers
   * of non-contiguous layouts then fetch bigger row blocks, so a Fortran array costs few passes.
   */
  sequential?: boolean;
}

/** Element types as NumPy names them ('<f4', '>i8', '|b1', ...), normalised by the parser. */
export interface ArrayInfo {
  /** array name inside the container ('features', 'arr_0', 'model.fc.in', the file stem for .npy) */
  key: string;
  /** original shape; rows = shape[0], cols = product of the rest (1 for a 1-D array) */
  shape: number[];
  /** human-readable element type, e.g. 'float32', 'int64', 'bfloat16', 'bool' */
  dtype: string;
  /** true when the dtype holds integers or booleans (candidate labels) */
  integer: boolean;
}

export interface ArrayReader extends ArrayInfo {
  rows: number;
  cols: number;
  /**
   * Consecutive row blocks in order, each row-major (block rows x cols) decoded exactly to float64.
   * Every block has `chunkRows` rows except possibly the last.
   */
  readRows(chunkRows: number, signal?: AbortSignal): AsyncIterable<Float64Array>;
  /**
   * Rows [start, end) as `readRows` would give them, reading only their bytes. Present only when a
   * range costs no more than its own bytes (contiguous rows in a random-access source: C-order .npy,
   * stored npz and torch members, safetensors), so several workers can each read a part of one array.
   * Absent for Fortran order, deflated members, CSV and moments files.
   */
  readRowRange?(
    start: number,
    end: number,
    chunkRows: number,
    signal?: AbortSignal,
  ): AsyncIterable<Float64Array>;
  /**
   * Rows [start, start + rows) as the file holds them, not decoded: a view of their bytes. Present
   * beside `readRowRange` for native-endian float32 and float64 arrays, so a moment pass in float32
   * lanes reads a float32 file's values without a float64 copy between.
   */
  readStoredRows?(start: number, rows: number, signal?: AbortSignal): Promise<Float32Array | Float64Array>;
}

/** One opened file. */
export interface ArrayContainer {
  source: string;
  format: 'npy' | 'npz' | 'safetensors' | 'torch' | 'csv' | 'moments';
  arrays: ArrayReader[];
  /**
   * A second split held in the same file ({'train': {...}, 'test': {...}} saved at once): its arrays
   * and its key. `arrays` are then the fit split. The analysis takes it as the eval split when no
   * other is given, as it takes `*_test` beside `*_train` files.
   */
  evalSplit?: { name: string; arrays: ArrayReader[] };
  /** the checkpoint's step, from a 0-d integer named step, iteration or epoch saved in the file */
  step?: number;
  /** facts the user should know (e.g. 'features (n, 3, 8, 8) flattened to (n, 192)') */
  notes: string[];
}

/**
 * A refusal the user can act on: which file, what is wrong, what to do. Parsers throw only this;
 * the CLI prints `message` and exits 2, the UI shows it in an alert on that file.
 */
export class InputError extends Error {
  constructor(
    readonly source: string,
    readonly problem: string,
  ) {
    super(`${source}: ${problem}`);
    this.name = 'InputError';
  }
}
