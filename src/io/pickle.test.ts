import { describe, expect, it } from 'vitest';

import { loadPickle, PickleTruncatedError } from './pickle';
import { fixtureBytes } from './testing';
import { InputError } from './types';

const noGlobals = { source: 'p.pkl', resolveGlobal: () => undefined };

/** Maps to plain objects so toEqual can compare them. */
function plain(value: unknown): unknown {
  if (value instanceof Map) return Object.fromEntries([...value].map(([k, v]) => [String(k), plain(v)]));
  if (Array.isArray(value)) return value.map(plain);
  return value;
}

describe('loadPickle', () => {
  it.each([0, 1, 2, 3, 4, 5])('decodes protocol %i', (protocol) => {
    const bytes = fixtureBytes(`pickle/plain_p${protocol}.pkl`);
    const { value, end } = loadPickle(bytes, 0, noGlobals);
    expect(end).toBe(bytes.length);
    expect(plain(value)).toEqual({
      int: 5,
      neg: -300,
      large: 70000,
      big: 2n ** 70n,
      negbig: -(2n ** 65n),
      float: 2.5,
      str: 'h\u00e9llo',
      list: [1, 2, 3],
      again: [1, 2, 3],
      tuple: [1, 'a', null],
      empty: [],
      true: true,
      false: false,
      none: null,
      nested: { k: [1.5, -0.25] },
    });
    // memoised objects stay shared, as in Python
    const map = value as Map<string, unknown>;
    expect(map.get('list')).toBe(map.get('again'));
  });

  it('refuses an unknown global without calling anything', () => {
    // GLOBAL 'os system', then STOP
    const bytes = new TextEncoder().encode('cos\nsystem\n.');
    expect(() => loadPickle(bytes, 0, noGlobals)).toThrow(
      new InputError('p.pkl', 'refusing to load unknown global os.system'),
    );
  });

  it('reports a pickle cut short as truncated', () => {
    const bytes = fixtureBytes('pickle/plain_p2.pkl');
    expect(() => loadPickle(bytes.subarray(0, bytes.length - 5), 0, noGlobals)).toThrow(PickleTruncatedError);
  });

  it('refuses unknown opcodes', () => {
    expect(() => loadPickle(Uint8Array.from([0x80, 2, 0xff]), 0, noGlobals)).toThrow(
      /unsupported pickle opcode 0xff/,
    );
  });
});
