import { deflateSync } from 'fflate';
import { describe, expect, it } from 'vitest';

import { bytesByteSource } from './byte-source';
import { openNpz } from './npz';
import { openContainer } from './open-container';
import { buildNpy, fixtureSource, readAllRows, spySource } from './testing';
import { InputError } from './types';
import { openZipEntry, readZipEntries, updateCrc32 } from './zip';

interface Member {
  name: string;
  data: Uint8Array;
  deflate: boolean;
}

/** A zip written by hand; with `zip64`, sizes and offsets live only in zip64 records. */
function buildZip(members: Member[], zip64 = false): Uint8Array {
  const parts: Uint8Array[] = [];
  const central: Uint8Array[] = [];
  let offset = 0;
  const encoder = new TextEncoder();
  for (const member of members) {
    const name = encoder.encode(member.name);
    const body = member.deflate ? deflateSync(member.data) : member.data;
    const local = new Uint8Array(30 + name.length);
    const lv = new DataView(local.buffer);
    lv.setUint32(0, 0x04034b50, true);
    lv.setUint16(8, member.deflate ? 8 : 0, true);
    lv.setUint32(18, body.length, true);
    lv.setUint32(22, member.data.length, true);
    lv.setUint16(26, name.length, true);
    local.set(name, 30);
    const extra = zip64 ? new Uint8Array(4 + 24) : new Uint8Array(0);
    if (zip64) {
      const ev = new DataView(extra.buffer);
      ev.setUint16(0, 0x0001, true);
      ev.setUint16(2, 24, true);
      ev.setBigUint64(4, BigInt(member.data.length), true);
      ev.setBigUint64(12, BigInt(body.length), true);
      ev.setBigUint64(20, BigInt(offset), true);
    }
    const entry = new Uint8Array(46 + name.length + extra.length);
    const cv = new DataView(entry.buffer);
    cv.setUint32(0, 0x02014b50, true);
    cv.setUint16(10, member.deflate ? 8 : 0, true);
    cv.setUint32(16, updateCrc32(0, member.data), true);
    cv.setUint32(20, zip64 ? 0xffffffff : body.length, true);
    cv.setUint32(24, zip64 ? 0xffffffff : member.data.length, true);
    cv.setUint16(28, name.length, true);
    cv.setUint16(30, extra.length, true);
    cv.setUint32(42, zip64 ? 0xffffffff : offset, true);
    entry.set(name, 46);
    entry.set(extra, 46 + name.length);
    central.push(entry);
    parts.push(local, body);
    offset += local.length + body.length;
  }
  const directorySize = central.reduce((s, c) => s + c.length, 0);
  const tail: Uint8Array[] = [];
  if (zip64) {
    const record = new Uint8Array(56);
    const rv = new DataView(record.buffer);
    rv.setUint32(0, 0x06064b50, true);
    rv.setBigUint64(24, BigInt(members.length), true);
    rv.setBigUint64(32, BigInt(members.length), true);
    rv.setBigUint64(40, BigInt(directorySize), true);
    rv.setBigUint64(48, BigInt(offset), true);
    const locator = new Uint8Array(20);
    const locv = new DataView(locator.buffer);
    locv.setUint32(0, 0x07064b50, true);
    locv.setBigUint64(8, BigInt(offset + directorySize), true);
    tail.push(record, locator);
  }
  const eocd = new Uint8Array(22);
  const ev = new DataView(eocd.buffer);
  ev.setUint32(0, 0x06054b50, true);
  ev.setUint16(8, zip64 ? 0xffff : members.length, true);
  ev.setUint16(10, zip64 ? 0xffff : members.length, true);
  ev.setUint32(12, zip64 ? 0xffffffff : directorySize, true);
  ev.setUint32(16, zip64 ? 0xffffffff : offset, true);
  tail.push(eocd);
  const all = [...parts, ...central, ...tail];
  const out = new Uint8Array(all.reduce((s, p) => s + p.length, 0));
  let at = 0;
  for (const p of all) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

const features = new Float64Array(40 * 3).map((_, i) => i / 8);
const labels = new BigInt64Array(40).map((_, i) => BigInt(i % 4));
const featuresNpy = buildNpy('<f8', [40, 3], new Uint8Array(features.buffer));
const labelsNpy = buildNpy('<i8', [40], new Uint8Array(labels.buffer));

describe('openNpz', () => {
  it.each([
    ['stored', false, false],
    ['deflated', true, false],
    ['stored zip64', false, true],
    ['deflated zip64', true, true],
  ])('reads %s members', async (_, deflate, zip64) => {
    const zip = buildZip(
      [
        { name: 'features.npy', data: featuresNpy, deflate },
        { name: 'labels.npy', data: labelsNpy, deflate },
      ],
      zip64,
    );
    const container = await openNpz(bytesByteSource(zip, 'hand.npz'));
    expect(container.arrays.map((a) => a.key)).toEqual(['features', 'labels']);
    expect(Array.from(await readAllRows(container.arrays[0], 7))).toEqual(Array.from(features));
    expect(Array.from(await readAllRows(container.arrays[1], 7))).toEqual(Array.from(labels, Number));
  });

  it('keeps extra arrays under their own keys', async () => {
    const container = await openNpz(fixtureSource('npz/checkpoint_compressed.npz'));
    expect(container.arrays.map((a) => a.key).sort()).toEqual([
      'extra_notes',
      'features',
      'labels',
      'logits',
    ]);
  });

  it('inflates a big member as a stream: no read larger than one compressed piece', async () => {
    const src = spySource(fixtureSource('npz/big_compressed.npz'));
    const container = await openNpz(src);
    src.reads.length = 0;
    for (const reader of container.arrays) await readAllRows(reader, 256);
    expect(Math.max(...src.reads)).toBeLessThanOrEqual(1 << 16);
    expect(src.reads.length).toBeGreaterThanOrEqual(2);
  });

  it('a deflated member read backwards restarts its stream and still decodes exactly', async () => {
    const zip = buildZip([{ name: 'a.npy', data: featuresNpy, deflate: true }]);
    const src = bytesByteSource(zip, 'a.npz');
    const [entry] = await readZipEntries(src);
    const member = await openZipEntry(src, entry, { pieceBytes: 16 });
    const late = await member.read(500, 100);
    const early = await member.read(3, 50);
    expect(early).toEqual(featuresNpy.subarray(3, 53));
    expect(late).toEqual(featuresNpy.subarray(500, 600));
  });

  it('refuses a deflated member whose CRC-32 does not match', async () => {
    const zip = buildZip([{ name: 'features.npy', data: featuresNpy, deflate: true }]);
    const view = new DataView(zip.buffer);
    const central = zip.length - 22 - (46 + 'features.npy'.length);
    view.setUint32(central + 16, view.getUint32(central + 16, true) ^ 1, true);
    const error = await openNpz(bytesByteSource(zip, 'crc.npz'))
      .then((c) => readAllRows(c.arrays[0]))
      .catch((e: unknown) => e);
    expect((error as InputError).message).toBe(
      'crc.npz:features.npy: corrupt compressed data: CRC-32 mismatch',
    );
  });

  it('refuses a file that is not a zip', async () => {
    const error = await openNpz(fixtureSource('npz/bad_not_zip.npz')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InputError);
    expect((error as InputError).message).toBe(
      'npz/bad_not_zip.npz: not a .npz (zip) file: no zip end-of-directory record',
    );
    const viaContainer = await openContainer(fixtureSource('npz/bad_not_zip.npz')).catch((e: unknown) => e);
    expect((viaContainer as InputError).problem).toMatch(/^not a \.npz \(zip\) file/);
  });

  it('refuses a corrupt deflate stream with an InputError', async () => {
    const zip = buildZip([{ name: 'features.npy', data: featuresNpy, deflate: true }]);
    zip.fill(0xff, 40, 60);
    const result = await openNpz(bytesByteSource(zip, 'bad.npz'))
      .then((c) => readAllRows(c.arrays[0]))
      .catch((e: unknown) => e);
    expect(result).toBeInstanceOf(InputError);
  });
});
