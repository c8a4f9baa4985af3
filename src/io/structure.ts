/**
 * From a pickled value (dicts, lists and tuples holding arrays, as torch.save writes them) to named
 * arrays, the way PyTorch users save activations. Pure: a tree in, named parts out.
 *
 *   {'features': f, 'logits': l}                    -> features, logits
 *   [{'features': f, 'logits': l}, ...] (batches)   -> features, logits, each the batches in order
 *   [(f, l, y), ...] (batches of tuples)            -> arr_0, arr_1, arr_2, each the batches in order
 *   {'features': [f per batch], ...}                -> features, the list in order
 *   (f, l, y) or [f, l, y]                          -> arr_0, arr_1, arr_2
 *   {'train': {...}, 'test': {...}}                 -> a fit split and an eval split
 *   {'model': {'fc.weight': w}}                     -> model.fc.weight
 *
 * Numbers and 0-d arrays become 0-d parts (the container's scalars: a step, or ignored with a note);
 * strings, None and other objects are ignored with a note naming them.
 */
import { EVAL_WORD, FIT_WORD } from './grouping';
import { InputError } from './types';

/** An array of the tree: a tensor or a NumPy array, opened later. */
export interface ArrayLeaf {
  shape: number[];
  /** why the array is not numeric ('strings <U7', 'object array'), or null */
  unsupported: string | null;
}

/** One named array: its parts in order (one part, or one per batch). */
export interface NamedParts<L> {
  key: string;
  parts: L[];
}

/** A plain number of the tree (a Python int or float), a 0-d part in the arrays. */
export interface ScalarLeaf {
  value: number;
}

export interface TreeLayout<L extends ArrayLeaf> {
  fit: NamedParts<L | ScalarLeaf>[];
  /** the file's own eval split and its key ('test'), when it holds {'train': ..., 'test': ...} */
  eval: { name: string; arrays: NamedParts<L | ScalarLeaf>[] } | null;
  /** entries that are not arrays, each with why: 'class_names (strings)' */
  ignored: string[];
  notes: string[];
}

export interface TreeLayoutOptions<L extends ArrayLeaf> {
  isLeaf(value: unknown): value is L;
  /** what a single array saved on its own is called (the file stem) */
  stem: string;
  /** shown in messages */
  source: string;
  /**
   * The most nodes a walk may visit: a pickle can reference one list from another many times over
   * (memo), so a few bytes could otherwise stand for billions of entries. Typically its byte count.
   */
  maxVisits: number;
}

/** Lists deeper than this are not walked (their entries are ignored with a note). */
const MAX_DEPTH = 8;

const isTree = (value: unknown): value is Map<unknown, unknown> | unknown[] =>
  value instanceof Map || Array.isArray(value);

const join = (key: string, part: string) => (key === '' ? part : `${key}.${part}`);

function describeIgnored(value: unknown): string {
  if (value === null || value === undefined) return 'None';
  if (typeof value === 'string') return 'a string';
  if (value instanceof Uint8Array) return 'bytes';
  if (value instanceof Set) return 'a set';
  if (Array.isArray(value)) return 'a list';
  if (value instanceof Map) return 'a dict';
  return 'not an array';
}

/** Walks one split's tree into named parts. */
class Walker<L extends ArrayLeaf> {
  readonly parts = new Map<string, (L | ScalarLeaf)[]>();
  private visits = 0;
  constructor(
    private readonly options: TreeLayoutOptions<L>,
    private readonly ignored: string[],
  ) {}

  private add(key: string, leaf: L | ScalarLeaf): void {
    const list = this.parts.get(key);
    if (list) list.push(leaf);
    else this.parts.set(key, [leaf]);
  }

  /** A record is one batch: a dict, or a tuple/list of arrays. */
  private isRecord(value: unknown): boolean {
    if (value instanceof Map) return true;
    return Array.isArray(value) && value.length > 0 && value.every((v) => this.options.isLeaf(v));
  }

  /** Batches: two or more records alike (dicts with the same keys, tuples of the same length), or one. */
  private batchesOf(list: unknown[]): boolean {
    if (list.length === 0 || !list.every((item) => this.isRecord(item))) return false;
    const first = list[0];
    if (first instanceof Map) {
      const keys = [...first.keys()].map(String).sort().join('\u0000');
      return list.every(
        (item) => item instanceof Map && [...item.keys()].map(String).sort().join('\u0000') === keys,
      );
    }
    return list.every((item) => Array.isArray(item) && item.length === (first as unknown[]).length);
  }

  /** A list of arrays under a dict key whose rows line up: the per-batch parts of one array. */
  private partsOf(list: unknown[]): boolean {
    if (list.length === 0) return false;
    const leaves = list.filter((v) => this.options.isLeaf(v)) as L[];
    if (leaves.length !== list.length) return false;
    const trailing = leaves[0].shape.slice(1).join(',');
    return leaves.every(
      (l) => l.shape.length > 0 && l.unsupported === null && l.shape.slice(1).join(',') === trailing,
    );
  }

  walk(node: unknown, key: string, depth: number): void {
    if (++this.visits > this.options.maxVisits) {
      throw new InputError(
        this.options.source,
        `the pickle refers to its entries more than ${this.options.maxVisits} times (more than its bytes): refusing it`,
      );
    }
    const { isLeaf, stem } = this.options;
    if (isLeaf(node)) {
      if (node.unsupported !== null) this.ignored.push(`${key || stem} (${node.unsupported})`);
      else this.add(key || stem, node);
      return;
    }
    if (typeof node === 'number' || typeof node === 'boolean') {
      if (key !== '') this.add(key, { value: Number(node) });
      return;
    }
    if (typeof node === 'bigint') {
      if (key !== '') this.ignored.push(`${key} (an integer beyond 2^53)`);
      return;
    }
    if (!isTree(node) || depth >= MAX_DEPTH) {
      if (key !== '')
        this.ignored.push(`${key} (${isTree(node) ? 'nested too deep' : describeIgnored(node)})`);
      return;
    }
    if (node instanceof Map) {
      for (const [k, v] of node) this.walk(v, join(key, String(k)), depth + 1);
      return;
    }
    if (this.batchesOf(node)) {
      for (const item of node) {
        if (item instanceof Map) this.walk(item, key, depth + 1);
        else
          (item as unknown[]).forEach((v, i) =>
            this.walk(v, join(key, key === '' ? `arr_${i}` : String(i)), depth + 2),
          );
      }
      return;
    }
    if (key !== '' && this.partsOf(node)) {
      for (const leaf of node) this.add(key, leaf as L);
      return;
    }
    if (node.length > 1 && node.every((item) => item instanceof Map)) {
      // dicts that share keys but not all of them: batches that disagree, said plainly
      const keysOf = (item: unknown) => [...(item as Map<unknown, unknown>).keys()].map(String);
      const firstKeys = keysOf(node[0]);
      const odd = node.findIndex((item) => keysOf(item).join() !== firstKeys.join());
      if (keysOf(node[odd]).some((k) => firstKeys.includes(k))) {
        throw new InputError(
          this.options.source,
          `${key ? `${key}: ` : ''}batch ${odd} holds (${keysOf(node[odd]).join(', ')}) where batch 0 holds (${firstKeys.join(', ')}); every batch must hold the same arrays`,
        );
      }
    }
    node.forEach((v, i) => this.walk(v, join(key, key === '' ? `arr_${i}` : String(i)), depth + 1));
  }

  result(): NamedParts<L | ScalarLeaf>[] {
    return [...this.parts].map(([key, parts]) => ({ key, parts }));
  }
}

/** The eval split's key of a {'train': ..., 'test': ...} dict, in this order of preference. */
const EVAL_PREFERENCE = ['test', 'testing', 'eval', 'val', 'valid', 'validation'];

/** Names the arrays of a pickled tree, splitting it when it holds a fit and an eval split. */
export function layoutTree<L extends ArrayLeaf>(
  value: unknown,
  options: TreeLayoutOptions<L>,
): TreeLayout<L> {
  const ignored: string[] = [];
  const notes: string[] = [];
  if (value instanceof Map) {
    const splitKeys = (word: RegExp) =>
      [...value.keys()].filter(
        (k): k is string => typeof k === 'string' && word.test(k) && isTree(value.get(k)),
      );
    const fitKeys = splitKeys(FIT_WORD);
    const evalKeys = splitKeys(EVAL_WORD).sort(
      (a, b) => EVAL_PREFERENCE.indexOf(a.toLowerCase()) - EVAL_PREFERENCE.indexOf(b.toLowerCase()),
    );
    if (fitKeys.length === 1 && evalKeys.length > 0) {
      const [fitKey] = fitKeys;
      const [evalKey, ...others] = evalKeys;
      const fit = new Walker(options, ignored);
      const evalWalker = new Walker(options, ignored);
      // entries beside the splits (a step, class names) belong to both: read them with the fit split
      for (const [k, v] of value) {
        if (k === fitKey) fit.walk(v, '', 1);
        else if (k === evalKey) evalWalker.walk(v, '', 1);
        else if (typeof k === 'string' && others.includes(k)) ignored.push(`${k} (another eval split)`);
        else if (isTree(v) || options.isLeaf(v))
          ignored.push(`${String(k)} (beside the ${fitKey} and ${evalKey} splits)`);
        else fit.walk(v, String(k), 1);
      }
      notes.push(`${fitKey} and ${evalKey}: read as the fit and eval splits of one checkpoint`);
      return { fit: fit.result(), eval: { name: evalKey, arrays: evalWalker.result() }, ignored, notes };
    }
  }
  const walker = new Walker(options, ignored);
  walker.walk(value, '', 0);
  return { fit: walker.result(), eval: null, ignored, notes };
}
