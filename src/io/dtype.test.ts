import { describe, expect, it } from 'vitest';

import { ALIGNMENT_SCRATCH_BYTES, decodeContiguous, parseNumpyDescr, type ElementType } from './dtype';

function elementType(descr: string): ElementType {
  const type = parseNumpyDescr(descr);
  if (typeof type === 'string') throw new Error(type);
  return type;
}

/** `values` encoded little-endian as `descr`, starting `shift` bytes into a larger buffer. */
function encodedAt(values: number[], descr: '<f4' | '<f8' | '<i2', shift: number): Uint8Array {
  const size = descr === '<f8' ? 8 : descr === '<f4' ? 4 : 2;
  const buffer = new ArrayBuffer(shift + values.length * size + 3);
  const view = new DataView(buffer, shift);
  values.forEach((v, i) => {
    if (descr === '<f8') view.setFloat64(i * size, v, true);
    else if (descr === '<f4') view.setFloat32(i * size, v, true);
    else view.setInt16(i * size, v, true);
  });
  return new Uint8Array(buffer, shift, values.length * size);
}

describe('decodeContiguous', () => {
  it('decodes data at any byte offset to the values a DataView reads', () => {
    const values = [0.5, -1.25, 3, 1e-3, -7.5e5, 42];
    for (const descr of ['<f4', '<f8', '<i2'] as const) {
      const expected =
        descr === '<f4'
          ? values.map(Math.fround)
          : descr === '<i2'
            ? values.map((v) => Math.trunc(v) % 32768)
            : values;
      const ints = descr === '<i2' ? expected : values;
      for (let shift = 0; shift < 8; shift++) {
        const out = new Float64Array(values.length + 2).fill(-9);
        decodeContiguous(encodedAt(ints, descr, shift), elementType(descr), values.length, out, 1);
        expect(Array.from(out)).toEqual([-9, ...expected, -9]);
      }
    }
  });

  it('gives each unaligned call its own data, longer or shorter than the last, and above the reused size', () => {
    const type = elementType('<f4');
    const long = Array.from({ length: 300 }, (_, i) => i / 8);
    const short = [11, 12, 13];
    const outLong = new Float64Array(long.length);
    const outShort = new Float64Array(short.length);
    decodeContiguous(encodedAt(long, '<f4', 1), type, long.length, outLong, 0);
    decodeContiguous(encodedAt(short, '<f4', 3), type, short.length, outShort, 0);
    expect(Array.from(outLong)).toEqual(long);
    expect(Array.from(outShort)).toEqual(short);

    const count = ALIGNMENT_SCRATCH_BYTES / 4 + 5;
    const bytes = new Uint8Array(count * 4 + 1).subarray(1);
    const view = new DataView(bytes.buffer, 1);
    for (let i = 0; i < count; i += 4099) view.setFloat32(i * 4, i, true);
    const out = new Float64Array(count);
    decodeContiguous(bytes, type, count, out, 0);
    for (let i = 0; i < count; i += 4099) expect(out[i]).toBe(i);
    expect(out[1]).toBe(0);
  });
});
