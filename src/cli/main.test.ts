import { mkdtempSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { describe, expect, it } from 'vitest';

import { normalMatrix } from '../core/random';
import { run } from './main';

async function cli(...argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await run(
    argv,
    (l) => out.push(l),
    (l) => err.push(l),
  );
  return { code, out: out.join('\n'), err };
}

/** A little-endian float64 / int64 .npy (format 1.0), enough to build folder sources in tests. */
function npy(values: ArrayLike<number>, shape: number[], dtype: '<f8' | '<i8'): Buffer {
  let header = `{'descr': '${dtype}', 'fortran_order': False, 'shape': (${shape.join(', ')}${shape.length === 1 ? ',' : ''}), }`;
  header += ' '.repeat(64 - ((10 + header.length + 1) % 64)) + '\n';
  const prefix = Buffer.alloc(10);
  prefix.write('\x93NUMPY', 0, 'latin1');
  prefix[6] = 1;
  prefix.writeUInt16LE(header.length, 8);
  const data = Buffer.alloc(values.length * 8);
  for (let i = 0; i < values.length; i++) {
    if (dtype === '<f8') data.writeDoubleLE(values[i], i * 8);
    else data.writeBigInt64LE(BigInt(values[i]), i * 8);
  }
  return Buffer.concat([prefix, Buffer.from(header, 'latin1'), data]);
}

function checkpointFolder(root: string, n: number, p: number, c: number, seed: number): string {
  mkdirSync(root, { recursive: true });
  writeFileSync(join(root, 'features.npy'), npy(normalMatrix(n, p, seed).map(Math.abs), [n, p], '<f8'));
  writeFileSync(join(root, 'logits.npy'), npy(normalMatrix(n, c, seed + 1), [n, c], '<f8'));
  writeFileSync(
    join(root, 'labels.npy'),
    npy(
      Array.from({ length: n }, (_, i) => i % c),
      [n],
      '<i8',
    ),
  );
  return root;
}

const fixture = (name: string) => `fixtures/digits-mlp/${name}.npz`;

describe('richscope analyze (CLI)', () => {
  it('prints one JSON object per source with the contract fields', async () => {
    const { code, out } = await cli(
      fixture('mlp96_rich_step150_train'),
      fixture('mlp96_lazy_step150_train'),
      '--json',
    );
    expect(code).toBe(0);
    const records = JSON.parse(out);
    expect(records).toHaveLength(2);
    for (const field of [
      'source',
      'n',
      'p',
      'C',
      'r',
      'dlr',
      'dlrEnergy99',
      'r99',
      'linearCkaDistance',
      'rho',
      'mass',
      'utilization',
      'nc1',
      'participationRatio',
      'readoutResidual',
    ]) {
      expect(records[0]).toHaveProperty(field);
    }
    expect(records[0].source).toBe(fixture('mlp96_rich_step150_train'));
    expect(records[0].step).toBe(150); // from the file name, as in a folder
    expect(records[0].rho).toHaveLength(96);
    expect(records[0].dlr).toBeLessThan(records[1].dlr);
  });

  it('measures the spectra on the --eval split', async () => {
    const own = JSON.parse((await cli(fixture('mlp96_rich_step1500_train'), '--json')).out)[0];
    const onTest = JSON.parse(
      (
        await cli(
          fixture('mlp96_rich_step1500_train'),
          '--eval',
          fixture('mlp96_rich_step1500_test'),
          '--json',
        )
      ).out,
    )[0];
    expect(onTest.dlr).toBe(own.dlr);
    expect(onTest.evalN).toBe(450);
    expect(onTest.utilization).not.toEqual(own.utilization);
    expect(own.utilization[own.utilization.length - 1]).toBeCloseTo(1, 8);
  });

  it('reads a folder of features.npy, logits.npy and labels.npy, and a train/ + test/ pair', async () => {
    const root = mkdtempSync(join(tmpdir(), 'richscope-cli-'));
    const single = checkpointFolder(join(root, 'single'), 60, 5, 3, 1);
    const { code, out } = await cli(single, '--json');
    expect(code).toBe(0);
    const [record] = JSON.parse(out);
    expect([record.n, record.p, record.C, record.source]).toEqual([60, 5, 3, single]);
    checkpointFolder(join(root, 'pair', 'train'), 80, 5, 3, 2);
    checkpointFolder(join(root, 'pair', 'test'), 40, 5, 3, 3);
    const pair = JSON.parse((await cli(join(root, 'pair'), '--json')).out);
    expect(pair).toHaveLength(1);
    expect([pair[0].n, pair[0].evalN]).toEqual([80, 40]);
  });

  it('prints a readable table without --json', async () => {
    const { code, out } = await cli(fixture('mlp96_rich_step150_train'));
    expect(code).toBe(0);
    expect(out.split('\n')[0]).toMatch(/source\s+n\s+p\s+C\s+r\s+D_LR/);
    expect(out).toContain('1347');
  });

  it('exits 2 with one line naming the source for a missing file', async () => {
    const { code, err } = await cli('no/such/file.npz', '--json');
    expect(code).toBe(2);
    expect(err).toEqual(['richscope: no/such/file.npz: no such file or folder']);
  });

  it('exits 2 with one line for random bytes named .npy', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'richscope-cli-')), 'features.npy');
    writeFileSync(path, Buffer.from(normalMatrix(8, 8, 4).buffer));
    const { code, err } = await cli(path);
    expect(code).toBe(2);
    expect(err).toHaveLength(1);
    expect(err[0]).toContain(path);
    expect(err[0]).not.toMatch(/\n|at .*\.ts:/);
  });

  it('exits 2 when a role override names no array', async () => {
    const { code, err } = await cli(fixture('mlp96_rich_step150_train'), '--features', 'nope');
    expect(code).toBe(2);
    expect(err[0]).toMatch(/nope/);
  });

  it('exits 2 on bad arguments', async () => {
    expect((await cli()).code).toBe(2);
    expect((await cli('--frobnicate', 'x')).code).toBe(2);
    expect((await cli('a', 'b', '--eval', 'c', '--eval', 'd', '--eval', 'e')).code).toBe(2);
  });
});

describe('richscope analyze --reference', () => {
  it('adds the kernel similarity to the reference checkpoint', async () => {
    const { code, out } = await cli(
      fixture('mlp96_lazy_step1500_train'),
      fixture('mlp96_rich_step1500_train'),
      '--reference',
      fixture('mlp96_rich_step0_train'),
      '--json',
    );
    expect(code).toBe(0);
    const [lazy, rich] = JSON.parse(out);
    expect(lazy.kernelSimilarity).toBeCloseTo(1, 8);
    expect(rich.kernelSimilarity).toBeLessThan(0.95);
    expect(
      (await cli(fixture('mlp96_rich_step1500_train'), '--reference', fixture('mlp96_rich_step0_train'))).out,
    ).toContain('CKA to ref');
  });
});

describe('richscope commands', () => {
  it('--version prints the package version', async () => {
    const { version } = JSON.parse(readFileSync('package.json', 'utf8')) as { version: string };
    expect(await cli('--version')).toEqual({ code: 0, out: version, err: [] });
  });

  it('analyze is the default command', async () => {
    const named = await cli('analyze', fixture('mlp96_rich_step150_train'), '--json');
    const bare = await cli(fixture('mlp96_rich_step150_train'), '--json');
    expect(named.code).toBe(0);
    expect(JSON.parse(named.out)[0].dlr).toBe(JSON.parse(bare.out)[0].dlr);
  });

  it('serve takes exactly one LOGDIR, and explains itself', async () => {
    expect((await cli('serve')).code).toBe(2);
    expect((await cli('serve', 'a', 'b')).err[0]).toMatch(/one LOGDIR/);
    expect((await cli('serve', 'runs', '--port', 'x')).err[0]).toMatch(/--port takes a number/);
    expect((await cli('serve', '--help')).out).toMatch(/^usage: richscope serve LOGDIR/);
  });
});
