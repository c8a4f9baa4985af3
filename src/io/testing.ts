/**
 * Test helpers for src/io (imported only by *.test.ts): fixtures from fixtures/io as in-memory
 * byte sources, whole-array reads, the expected values written by fixtures/io/generate.py, array
 * descriptions, the problem an InputError states, and temporary folders that tests leave behind none of.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { onTestFinished } from 'vitest';

import { bytesByteSource } from './byte-source';
import { InputError, type ArrayInfo, type ArrayReader, type ByteSource } from './types';

export const FIXTURES = fileURLToPath(new URL('../../fixtures/io/', import.meta.url));

export interface ExpectedArray {
  shape: number[];
  dtype: string;
  values?: number[];
  sum?: number;
  sumsq?: number;
  first?: number;
  last?: number;
}

export function fixtureBytes(rel: string): Uint8Array {
  return new Uint8Array(readFileSync(FIXTURES + rel));
}

export function fixtureSource(rel: string): ByteSource {
  return bytesByteSource(fixtureBytes(rel), rel);
}

export const expected = JSON.parse(readFileSync(FIXTURES + 'expected.json', 'utf8')) as Record<
  string,
  Record<string, ExpectedArray>
>;

/** Every value of an array via `readRows(chunkRows)`, checking the block sizes on the way. */
export async function readAllRows(reader: ArrayReader, chunkRows = 5): Promise<Float64Array> {
  const out = new Float64Array(reader.rows * reader.cols);
  let at = 0;
  let blocks = 0;
  for await (const block of reader.readRows(chunkRows)) {
    const rows = block.length / Math.max(1, reader.cols);
    const wanted = Math.min(chunkRows, reader.rows - blocks * chunkRows);
    if (rows !== wanted)
      throw new Error(`block ${blocks} of ${reader.key} has ${rows} rows, wanted ${wanted}`);
    out.set(block, at);
    at += block.length;
    blocks++;
  }
  if (at !== out.length) throw new Error(`${reader.key}: read ${at} of ${out.length} values`);
  return out;
}

/** A byte source that records the length of every read. */
export function spySource(src: ByteSource): ByteSource & { reads: number[] } {
  const reads: number[] = [];
  return {
    name: src.name,
    size: src.size,
    reads,
    read(offset, length) {
      reads.push(length);
      return src.read(offset, length);
    },
  };
}

/** A minimal .npy (version 1.0) built in memory. */
export function buildNpy(descr: string, shape: number[], data: Uint8Array, fortran = false): Uint8Array {
  const shapeText = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
  let header = `{'descr': '${descr}', 'fortran_order': ${fortran ? 'True' : 'False'}, 'shape': ${shapeText}, }`;
  const total = 10 + header.length + 1;
  header += ' '.repeat((64 - (total % 64)) % 64) + '\n';
  const out = new Uint8Array(10 + header.length + data.length);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0]);
  new DataView(out.buffer).setUint16(8, header.length, true);
  out.set(new TextEncoder().encode(header), 10);
  out.set(data, 10 + header.length);
  return out;
}

/** An array's description as the container lists it. */
export const arrayInfo = (key: string, shape: number[], integer = false): ArrayInfo => ({
  key,
  shape,
  dtype: integer ? 'int64' : 'float32',
  integer,
});

/** The problem of the InputError `run` throws; anything else fails the test. */
export function inputProblem(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    if (error instanceof InputError) return error.problem;
    throw error;
  }
  throw new Error('expected an InputError');
}

/** A fresh folder in the system's temporary directory, removed with its contents when the calling test ends. */
export function temporaryFolder(prefix: string): string {
  const folder = mkdtempSync(join(tmpdir(), prefix));
  onTestFinished(() => rmSync(folder, { recursive: true, force: true }));
  return folder;
}
