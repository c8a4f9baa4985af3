/**
 * CSV / TSV / whitespace text tables. Streamed line by line: one pass at open validates every cell
 * and counts rows (so `rows` is known and errors come early, with line numbers), later passes
 * decode row blocks. A header naming columns like feature_0.., logit_0.., label splits the table
 * into one array per prefix; otherwise the table is one 2-D array named after the file.
 */
import { fileStem, throwIfAborted } from './byte-source';
import { InputError, type ArrayContainer, type ArrayReader, type ByteSource } from './types';

export interface CsvOptions {
  /** bytes read per step */
  readBytes: number;
}

export const defaultCsvOptions: CsvOptions = { readBytes: 1 << 16 };

/** Column-name prefixes that make a header split the table (the role vocabulary of roles.ts). */
const ROLE_PREFIX =
  /^(features?|feats?|penultimate|embeddings?|hidden|phi|logits?|outputs?|preds?|predictions?|scores?|labels?|targets?|y)$/i;

const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
const SPECIAL = /^[+-]?(nan|inf|infinity)$/i;

interface Line {
  text: string;
  /** 1-based line number in the file */
  number: number;
}

async function* readLines(src: ByteSource, options: CsvOptions, signal?: AbortSignal): AsyncGenerator<Line> {
  const decoder = new TextDecoder('utf-8');
  let carry = '';
  let number = 0;
  for (let offset = 0; offset < src.size; offset += options.readBytes) {
    throwIfAborted(signal);
    const bytes = await src.read(offset, options.readBytes);
    if (bytes.length === 0) break;
    const text = carry + decoder.decode(bytes, { stream: offset + bytes.length < src.size });
    const parts = text.split('\n');
    carry = parts.pop() ?? '';
    for (const part of parts) yield { text: part.replace(/\r$/, ''), number: ++number };
  }
  carry += decoder.decode();
  if (carry !== '') yield { text: carry.replace(/\r$/, ''), number: number + 1 };
}

type Splitter = (line: string) => string[];

function splitterFor(sample: string): { split: Splitter; name: string } {
  const unquote = (cell: string) =>
    cell
      .trim()
      .replace(/^"(.*)"$/, '$1')
      .trim();
  for (const [delimiter, name] of [
    ['\t', 'tab'],
    [',', 'comma'],
    [';', 'semicolon'],
  ] as const) {
    if (sample.includes(delimiter)) return { split: (line) => line.split(delimiter).map(unquote), name };
  }
  return { split: (line) => line.trim().split(/\s+/).map(unquote), name: 'whitespace' };
}

function parseCell(cell: string): number | null {
  if (NUMBER.test(cell)) return Number(cell);
  if (SPECIAL.test(cell)) {
    const negative = cell.startsWith('-');
    if (/nan/i.test(cell)) return NaN;
    return negative ? -Infinity : Infinity;
  }
  return null;
}

interface ColumnGroup {
  key: string;
  columns: number[];
  /** a single column without an index suffix is 1-D */
  vector: boolean;
}

function groupColumns(names: string[], stem: string): ColumnGroup[] {
  const prefixes = names.map((name) => {
    const match = /^(.*?)[_.\- ]?\[?(\d+)\]?$/.exec(name);
    return match && match[1] !== '' ? { prefix: match[1], indexed: true } : { prefix: name, indexed: false };
  });
  if (!prefixes.some((p) => ROLE_PREFIX.test(p.prefix))) {
    return [{ key: stem, columns: names.map((_, j) => j), vector: names.length === 1 }];
  }
  const groups = new Map<string, ColumnGroup>();
  prefixes.forEach(({ prefix, indexed }, j) => {
    const group = groups.get(prefix) ?? { key: prefix, columns: [], vector: !indexed };
    group.columns.push(j);
    if (indexed || group.columns.length > 1) group.vector = false;
    groups.set(prefix, group);
  });
  return [...groups.values()];
}

/** Opens a delimited text table, validating every cell. */
export async function openCsv(
  src: ByteSource,
  options: CsvOptions = defaultCsvOptions,
): Promise<ArrayContainer> {
  let split: Splitter | null = null;
  let delimiterName = '';
  let header: string[] | null = null;
  let headerLine = 0;
  let width = -1;
  let rows = 0;
  let integerColumns: boolean[] = [];
  for await (const line of readLines(src, options)) {
    let text = line.text;
    if (text.trim() === '') continue;
    if (text.startsWith('#')) {
      // np.savetxt writes its header as a '# ' comment on line 1
      if (line.number !== 1) continue;
      text = text.replace(/^#\s*/, '');
      if (text === '') continue;
    }
    if (!split) {
      ({ split, name: delimiterName } = splitterFor(text));
      const cells = split(text);
      width = cells.length;
      integerColumns = new Array<boolean>(width).fill(true);
      if (cells.some((c) => parseCell(c) === null)) {
        header = cells;
        headerLine = line.number;
        continue;
      }
    } else if (line.text.startsWith('#')) {
      continue;
    }
    const cells = split(text);
    if (cells.length !== width) {
      throw new InputError(
        src.name,
        `line ${line.number}: ${cells.length} columns where ${width} were expected (${delimiterName}-separated)`,
      );
    }
    cells.forEach((cell, j) => {
      const value = parseCell(cell);
      if (value === null) {
        const column = header ? `column ${j + 1} (${header[j]})` : `column ${j + 1}`;
        throw new InputError(
          src.name,
          `line ${line.number}, ${column}: ${JSON.stringify(cell.slice(0, 40))} is not a number`,
        );
      }
      if (!Number.isInteger(value)) integerColumns[j] = false;
    });
    rows++;
  }
  if (rows === 0) {
    throw new InputError(
      src.name,
      header ? `zero rows: only a header (line ${headerLine})` : 'zero rows: the file is empty',
    );
  }
  const names = header ?? Array.from({ length: width }, (_, j) => `column_${j}`);
  const groups = header ? groupColumns(names, fileStem(src.name)) : groupColumns([], fileStem(src.name));
  if (!header) groups[0].columns = names.map((_, j) => j);
  if (!header) groups[0].vector = width === 1;
  const splitter = split as Splitter;
  const arrays = groups.map((group) => csvArrayReader(src, group, rows, splitter, integerColumns, options));
  const notes = [
    `${delimiterName}-separated, ${header ? `header on line ${headerLine}` : 'no header'}, ${rows} rows`,
  ];
  return { source: src.name, format: 'csv', arrays, notes };
}

function csvArrayReader(
  src: ByteSource,
  group: ColumnGroup,
  rows: number,
  split: Splitter,
  integerColumns: boolean[],
  options: CsvOptions,
): ArrayReader {
  const cols = group.columns.length;
  const integer = group.columns.every((j) => integerColumns[j]);
  return {
    key: group.key,
    shape: group.vector ? [rows] : [rows, cols],
    dtype: integer ? 'int64' : 'float64',
    integer,
    rows,
    cols,
    async *readRows(chunkRows: number, signal?: AbortSignal) {
      if (!Number.isInteger(chunkRows) || chunkRows < 1) {
        throw new InputError(src.name, `chunkRows must be a positive integer, got ${chunkRows}`);
      }
      let block = new Float64Array(Math.min(chunkRows, rows) * cols);
      let filled = 0;
      let seen = 0;
      let first = true;
      for await (const line of readLines(src, options, signal)) {
        let text = line.text;
        if (text.trim() === '') continue;
        if (text.startsWith('#')) {
          if (line.number !== 1) continue;
          text = text.replace(/^#\s*/, '');
          if (text === '') continue;
        }
        const cells = split(text);
        if (first) {
          first = false;
          if (cells.some((c) => parseCell(c) === null)) continue;
        }
        if (seen >= rows) break;
        group.columns.forEach((j, k) => {
          const value = parseCell(cells[j] ?? '');
          if (value === null)
            throw new InputError(src.name, `line ${line.number}: the file changed while being read`);
          block[filled * cols + k] = value;
        });
        filled++;
        seen++;
        if (filled * cols === block.length || seen === rows) {
          yield block.length === filled * cols ? block : block.slice(0, filled * cols);
          filled = 0;
          block = new Float64Array(Math.min(chunkRows, rows - seen) * cols);
        }
      }
      if (seen < rows) throw new InputError(src.name, 'the file changed while being read (fewer rows)');
    },
  };
}
