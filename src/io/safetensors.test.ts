import { describe, expect, it } from 'vitest';

import { bytesByteSource } from './byte-source';
import { openSafetensors } from './safetensors';
import { fixtureSource } from './testing';
import { InputError } from './types';

function buildSafetensors(header: unknown, data: Uint8Array): Uint8Array {
  const text = new TextEncoder().encode(JSON.stringify(header));
  const out = new Uint8Array(8 + text.length + data.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(text.length), true);
  out.set(text, 8);
  out.set(data, 8 + text.length);
  return out;
}

async function problem(bytes: Uint8Array): Promise<string> {
  const error = await openSafetensors(bytesByteSource(bytes, 'x.safetensors')).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(InputError);
  return (error as InputError).problem;
}

describe('openSafetensors', () => {
  it('reads tensors stored in any order, with the flattening note', async () => {
    const container = await openSafetensors(fixtureSource('safetensors/all_dtypes.safetensors'));
    expect(container.arrays.map((a) => a.dtype)).toContain('bfloat16');
    expect(container.notes).toEqual(['images (13, 3, 2, 2) flattened to (13, 12)']);
  });

  it('refuses data_offsets past the end of the file', async () => {
    const bytes = buildSafetensors(
      { a: { dtype: 'F32', shape: [4], data_offsets: [0, 16] } },
      new Uint8Array(8),
    );
    expect(await problem(bytes)).toBe(
      'tensor a: truncated: data_offsets end at 16 but the data section holds 8 bytes',
    );
  });

  it('refuses data_offsets that disagree with the shape', async () => {
    const bytes = buildSafetensors(
      { a: { dtype: 'F32', shape: [3], data_offsets: [0, 16] } },
      new Uint8Array(16),
    );
    expect(await problem(bytes)).toBe(
      'tensor a: data_offsets span 16 bytes but shape (3) of float32 needs 12',
    );
  });

  it('refuses unsupported dtypes', async () => {
    const bytes = buildSafetensors(
      { a: { dtype: 'C64', shape: [1], data_offsets: [0, 8] } },
      new Uint8Array(8),
    );
    expect(await problem(bytes)).toMatch(/^tensor a: unsupported dtype C64 \(supported: F16, BF16, F32/);
  });

  it('refuses a header length beyond the file', async () => {
    const bytes = buildSafetensors({}, new Uint8Array(0));
    new DataView(bytes.buffer).setBigUint64(0, 1000n, true);
    expect(await problem(bytes)).toMatch(/^truncated or not safetensors: the header claims 1000 bytes/);
  });
});
