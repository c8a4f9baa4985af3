/**
 * A small pickle interpreter for torch.save files. It never executes anything: GLOBAL resolves a
 * name only through the caller's allow-list (anything else is refused), REDUCE calls only what that
 * allow-list returned, and persistent ids go to the caller's loader. Dicts become Maps, lists and
 * tuples become arrays, longs beyond 2^53 become bigints.
 */
import { InputError } from './types';

/** Running off the end of the bytes given: the legacy torch reader retries with more of the file. */
export class PickleTruncatedError extends InputError {}

/** A callable the allow-list hands out: REDUCE and NEWOBJ call it with the argument tuple. */
export type PickleCallable = (args: unknown[]) => unknown;

/**
 * An object an allow-listed callable builds in two steps, as Python's `__reduce__` does: the call
 * makes it, then BUILD hands it its state (a NumPy array's shape, dtype and bytes). BUILD on any
 * other object drops the state (hooks, OrderedDict._metadata are never needed).
 */
export abstract class PickleObject {
  abstract setState(state: unknown): void;
}

export interface PickleOptions {
  /** shown in messages */
  source: string;
  /** the allow-list: a value for `module.name`, or undefined to refuse it */
  resolveGlobal(module: string, name: string): unknown;
  /** BINPERSID / PERSID: what the persistent id stands for */
  persistentLoad?(pid: unknown): unknown;
}

export interface PickleResult {
  value: unknown;
  /** offset just after the STOP opcode */
  end: number;
}

/** Parses one pickle starting at `start` and returns its value and where it stopped. */
export function loadPickle(bytes: Uint8Array, start: number, options: PickleOptions): PickleResult {
  const { source } = options;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const utf8 = new TextDecoder('utf-8');
  const latin1 = new TextDecoder('latin1');
  let pos = start;
  let stack: unknown[] = [];
  const marks: unknown[][] = [];
  const memo = new Map<number, unknown>();

  const fail = (problem: string): never => {
    throw new InputError(source, `cannot read pickle at byte ${pos}: ${problem}`);
  };
  const need = (n: number): number => {
    if (n < 0 || pos + n > bytes.length) {
      throw new PickleTruncatedError(source, `truncated: the pickle ends early (at byte ${bytes.length})`);
    }
    const at = pos;
    pos += n;
    return at;
  };
  const readLine = (): string => {
    const end = bytes.indexOf(0x0a, pos);
    if (end < 0) need(bytes.length - pos + 1);
    const line = latin1.decode(bytes.subarray(pos, end));
    pos = end + 1;
    return line;
  };
  // not `stack.push(popMark())`: that would push onto the stack popMark just replaced
  const push = (value: unknown): void => {
    stack.push(value);
  };
  const pop = (): unknown => {
    if (stack.length === 0) fail('stack underflow');
    return stack.pop();
  };
  const top = (): unknown => {
    if (stack.length === 0) fail('stack underflow');
    return stack[stack.length - 1];
  };
  const popMark = (): unknown[] => {
    const items = stack;
    const previous = marks.pop();
    if (!previous) fail('MARK missing');
    stack = previous as unknown[];
    return items;
  };
  const callable = (value: unknown): PickleCallable => {
    if (typeof value !== 'function') fail(`cannot call ${describe(value)}`);
    return value as PickleCallable;
  };
  const resolve = (module: string, name: string): unknown => {
    const value = options.resolveGlobal(module, name);
    if (value === undefined) {
      const hint = module.startsWith('numpy')
        ? ' (NumPy arrays are read from their bytes, but no other NumPy object: save plain arrays, or use np.savez)'
        : '';
      throw new InputError(source, `refusing to load unknown global ${module}.${name}${hint}`);
    }
    return value;
  };
  const setItems = (target: unknown, items: unknown[]): void => {
    if (!(target instanceof Map)) fail('SETITEM on a non-dict');
    if (items.length % 2 !== 0) fail('odd number of dict items');
    for (let i = 0; i < items.length; i += 2) (target as Map<unknown, unknown>).set(items[i], items[i + 1]);
  };
  const appendItems = (target: unknown, items: unknown[]): void => {
    if (target instanceof Set) for (const item of items) target.add(item);
    else if (Array.isArray(target)) for (const item of items) target.push(item);
    else fail('APPEND on a non-list');
  };
  const signedLittle = (at: number, length: number): number | bigint => {
    if (length === 0) return 0;
    let value = 0n;
    for (let i = length - 1; i >= 0; i--) value = (value << 8n) | BigInt(bytes[at + i]);
    if (bytes[at + length - 1] & 0x80) value -= 1n << BigInt(8 * length);
    return value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER)
      ? Number(value)
      : value;
  };
  const textInt = (line: string): number | bigint | boolean => {
    if (line === '01') return true;
    if (line === '00') return false;
    const digits = line.replace(/L$/, '');
    if (!/^[+-]?\d+$/.test(digits)) fail(`bad integer ${JSON.stringify(line)}`);
    const value = BigInt(digits);
    return value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER)
      ? Number(value)
      : value;
  };

  for (;;) {
    const op = bytes[need(1)];
    switch (op) {
      case 0x80: // PROTO
        need(1);
        break;
      case 0x95: // FRAME
        need(8);
        break;
      case 0x2e: // STOP
        return { value: pop(), end: pos };
      case 0x28: // MARK
        marks.push(stack);
        stack = [];
        break;
      case 0x30: // POP
        if (stack.length === 0) popMark();
        else pop();
        break;
      case 0x31: // POP_MARK
        popMark();
        break;
      case 0x32: // DUP
        stack.push(top());
        break;
      case 0x4e: // NONE
        stack.push(null);
        break;
      case 0x88: // NEWTRUE
        stack.push(true);
        break;
      case 0x89: // NEWFALSE
        stack.push(false);
        break;
      case 0x49: // INT
        stack.push(textInt(readLine()));
        break;
      case 0x4c: // LONG
        stack.push(textInt(readLine()));
        break;
      case 0x4a: // BININT
        stack.push(view.getInt32(need(4), true));
        break;
      case 0x4b: // BININT1
        stack.push(bytes[need(1)]);
        break;
      case 0x4d: // BININT2
        stack.push(view.getUint16(need(2), true));
        break;
      case 0x8a: {
        // LONG1
        const length = bytes[need(1)];
        stack.push(signedLittle(need(length), length));
        break;
      }
      case 0x8b: {
        // LONG4
        const length = view.getInt32(need(4), true);
        if (length > 64) fail('integer too long');
        stack.push(signedLittle(need(length), length));
        break;
      }
      case 0x47: // BINFLOAT
        stack.push(view.getFloat64(need(8), false));
        break;
      case 0x46: {
        // FLOAT
        const value = Number(readLine());
        if (Number.isNaN(value)) fail('bad float');
        stack.push(value);
        break;
      }
      case 0x58: {
        // BINUNICODE
        const length = view.getUint32(need(4), true);
        stack.push(utf8.decode(bytes.subarray(need(length), pos)));
        break;
      }
      case 0x8c: {
        // SHORT_BINUNICODE
        const length = bytes[need(1)];
        stack.push(utf8.decode(bytes.subarray(need(length), pos)));
        break;
      }
      case 0x8d: {
        // BINUNICODE8
        const length = Number(view.getBigUint64(need(8), true));
        stack.push(utf8.decode(bytes.subarray(need(length), pos)));
        break;
      }
      case 0x56: // UNICODE (raw-unicode-escape; the names torch writes are ASCII)
        stack.push(readLine());
        break;
      case 0x54: {
        // BINSTRING
        const length = view.getInt32(need(4), true);
        stack.push(latin1.decode(bytes.subarray(need(length), pos)));
        break;
      }
      case 0x55: {
        // SHORT_BINSTRING
        const length = bytes[need(1)];
        stack.push(latin1.decode(bytes.subarray(need(length), pos)));
        break;
      }
      case 0x53: {
        // STRING: a quoted repr
        const line = readLine();
        stack.push(line.length >= 2 ? line.slice(1, -1) : fail('bad STRING'));
        break;
      }
      case 0x42: {
        // BINBYTES
        const length = view.getUint32(need(4), true);
        stack.push(bytes.slice(need(length), pos));
        break;
      }
      case 0x43: {
        // SHORT_BINBYTES
        const length = bytes[need(1)];
        stack.push(bytes.slice(need(length), pos));
        break;
      }
      case 0x8e:
      case 0x96: {
        // BINBYTES8, BYTEARRAY8
        const length = Number(view.getBigUint64(need(8), true));
        stack.push(bytes.slice(need(length), pos));
        break;
      }
      case 0x7d: // EMPTY_DICT
        stack.push(new Map());
        break;
      case 0x64: {
        // DICT
        const dict = new Map();
        setItems(dict, popMark());
        push(dict);
        break;
      }
      case 0x5d: // EMPTY_LIST
        stack.push([]);
        break;
      case 0x6c: // LIST
        push(popMark());
        break;
      case 0x29: // EMPTY_TUPLE
        stack.push([]);
        break;
      case 0x74: // TUPLE
        push(popMark());
        break;
      case 0x85: // TUPLE1
        stack.push([pop()]);
        break;
      case 0x86: {
        // TUPLE2
        const b = pop();
        stack.push([pop(), b]);
        break;
      }
      case 0x87: {
        // TUPLE3
        const c = pop();
        const b = pop();
        stack.push([pop(), b, c]);
        break;
      }
      case 0x8f: // EMPTY_SET
        stack.push(new Set());
        break;
      case 0x90: {
        // ADDITEMS
        const items = popMark();
        appendItems(top(), items);
        break;
      }
      case 0x91: // FROZENSET
        push(new Set(popMark()));
        break;
      case 0x61: {
        // APPEND
        const item = pop();
        appendItems(top(), [item]);
        break;
      }
      case 0x65: {
        // APPENDS
        const items = popMark();
        appendItems(top(), items);
        break;
      }
      case 0x73: {
        // SETITEM
        const value = pop();
        const key = pop();
        setItems(top(), [key, value]);
        break;
      }
      case 0x75: {
        // SETITEMS
        const items = popMark();
        setItems(top(), items);
        break;
      }
      case 0x63: {
        // GLOBAL
        const module = readLine();
        const name = readLine();
        stack.push(resolve(module, name));
        break;
      }
      case 0x93: {
        // STACK_GLOBAL
        const name = pop();
        const module = pop();
        if (typeof module !== 'string' || typeof name !== 'string') fail('STACK_GLOBAL needs two strings');
        stack.push(resolve(module as string, name as string));
        break;
      }
      case 0x52: {
        // REDUCE
        const args = pop();
        const fn = callable(pop());
        if (!Array.isArray(args)) fail('REDUCE arguments are not a tuple');
        stack.push(fn(args as unknown[]));
        break;
      }
      case 0x81: {
        // NEWOBJ
        const args = pop();
        const cls = callable(pop());
        if (!Array.isArray(args)) fail('NEWOBJ arguments are not a tuple');
        stack.push(cls(args as unknown[]));
        break;
      }
      case 0x62: {
        // BUILD
        const state = pop();
        const target = top();
        if (target instanceof PickleObject) target.setState(state);
        break;
      }
      case 0x51: {
        // BINPERSID
        const pid = pop();
        if (!options.persistentLoad) fail('persistent id without a loader');
        stack.push(options.persistentLoad!(pid));
        break;
      }
      case 0x50: {
        // PERSID
        const pid = readLine();
        if (!options.persistentLoad) fail('persistent id without a loader');
        stack.push(options.persistentLoad!(pid));
        break;
      }
      case 0x71: // BINPUT
        memo.set(bytes[need(1)], top());
        break;
      case 0x72: // LONG_BINPUT
        memo.set(view.getUint32(need(4), true), top());
        break;
      case 0x70: // PUT
        memo.set(Number(readLine()), top());
        break;
      case 0x94: // MEMOIZE
        memo.set(memo.size, top());
        break;
      case 0x68: // BINGET
      case 0x6a: // LONG_BINGET
      case 0x67: {
        // GET
        const index =
          op === 0x68 ? bytes[need(1)] : op === 0x6a ? view.getUint32(need(4), true) : Number(readLine());
        if (!memo.has(index)) fail(`memo ${index} is not set`);
        stack.push(memo.get(index));
        break;
      }
      default:
        fail(`unsupported pickle opcode 0x${op.toString(16).padStart(2, '0')}`);
    }
  }
}

function describe(value: unknown): string {
  if (value === null) return 'None';
  if (Array.isArray(value)) return 'a tuple';
  if (value instanceof Map) return 'a dict';
  return typeof value;
}
