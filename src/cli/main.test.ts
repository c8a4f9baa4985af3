import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';

import { describe, expect, it } from 'vitest';

import { normalMatrix } from '../core/random';
import { encodeNpz } from '../train/npz-writer';
import { temporaryFolder } from '../io/testing';
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

/** The fields README.md's CLI section promises for `--json`, in its order (its backticked names). */
function documentedJsonFields(): string[] {
  const readme = readFileSync('README.md', 'utf8');
  const paragraph = readme.slice(
    readme.indexOf('`--json` prints a JSON array'),
    readme.indexOf('Without `--json`'),
  );
  return [...paragraph.matchAll(/`([^`]+)`/g)]
    .flatMap((m) => m[1].split(/,\s*/))
    .filter((name) => /^[A-Za-z][A-Za-z0-9]*$/.test(name));
}

type Json = unknown;
const isInt = (v: Json) => Number.isInteger(v);
const isNumber = (v: Json) => typeof v === 'number' && Number.isFinite(v);
const isFraction = (v: Json) => isNumber(v) && (v as number) >= -1e-12 && (v as number) <= 1 + 1e-12;
const isNumbers = (v: Json) => Array.isArray(v) && v.length > 0 && v.every(isNumber);
const orNull = (check: (v: Json) => boolean) => (v: Json) => v === null || check(v);
/** A held-out curve: fractions that never decrease */
const isCurve = (v: Json) =>
  isNumbers(v) && (v as number[]).every((x, k, a) => isFraction(x) && (k === 0 || x >= a[k - 1]));

/** Each documented field's type (and what holds between fields), checked on every record. */
const jsonFieldTypes: Record<string, (v: Json, r: Record<string, Json>) => boolean> = {
  source: (v) => typeof v === 'string' && v !== '',
  evalSource: orNull((v) => typeof v === 'string'),
  run: (v) => typeof v === 'string' && v !== '',
  step: isInt,
  n: (v) => isInt(v) && (v as number) > 1,
  p: (v) => isInt(v) && (v as number) > 0,
  C: (v) => isInt(v) && (v as number) > 0,
  evalN: (v) => isInt(v) && (v as number) > 0,
  r: (v, r) => isInt(v) && (v as number) >= 1 && (v as number) <= (r.C as number),
  dlr: isFraction,
  rankProfile: (v, r) => isNumbers(v) && (v as number[]).length === r.r && (v as number[]).at(-1) === r.dlr,
  dlrEnergy99: isFraction,
  r99: (v, r) => isInt(v) && (v as number) >= 1 && (v as number) <= (r.r as number),
  outputSpectrum: (v, r) => isNumbers(v) && (v as number[]).length === r.r && (v as number[])[0] === 1,
  linearCkaDistance: isFraction,
  rho: (v) => isNumbers(v) && (v as number[]).every((x, k, a) => x > 0 && (k === 0 || x <= a[k - 1])),
  relativeEigenvalues: (v, r) =>
    isNumbers(v) && (v as number[]).length === (r.rho as number[]).length && (v as number[])[0] === 1,
  mass: orNull(isCurve),
  utilization: (v, r) => isCurve(v) && (v as number[]).length === (r.rho as number[]).length,
  massNystrom: orNull((v) => isNumbers(v)),
  utilizationNystrom: (v, r) => isNumbers(v) && (v as number[]).length === (r.rho as number[]).length,
  dlrStdErr: orNull((v) => isNumber(v) && (v as number) >= 0),
  dlrEnergy99StdErr: orNull((v) => isNumber(v) && (v as number) >= 0),
  nc1: orNull((v) => isNumber(v) && (v as number) >= 0),
  participationRatio: (v, r) => isNumber(v) && (v as number) >= 1 && (v as number) <= (r.p as number),
  readoutResidual: (v) => isNumber(v) && (v as number) >= 0,
  storedPrecision: orNull((v) => ['float64', 'float32', 'float16', 'bfloat16'].includes(v as string)),
  accuracy: orNull(isFraction),
  evalAccuracy: orNull(isFraction),
  spectrumTruncated: (v) => typeof v === 'boolean',
  notes: (v) => Array.isArray(v) && v.every((note) => typeof note === 'string'),
  roles: (v) =>
    typeof v === 'object' &&
    v !== null &&
    typeof (v as Record<string, Json>).features === 'string' &&
    typeof (v as Record<string, Json>).logits === 'string' &&
    orNull((l) => typeof l === 'string')((v as Record<string, Json>).labels) &&
    Array.isArray((v as Record<string, Json>).layers) &&
    (v as Record<string, Json[]>).layers.at(-1) === (v as Record<string, Json>).features,
  // every layer in layer order, the penultimate (the checkpoint's own D_LR) last
  layers: (v, r) =>
    Array.isArray(v) &&
    v.length >= 1 &&
    v.every(
      (l: Record<string, Json>) =>
        typeof l.name === 'string' &&
        isInt(l.p) &&
        l.r === r.r &&
        orNull(isFraction)(l.dlr) &&
        orNull(isFraction)(l.dlrEnergy99),
    ) &&
    (v.at(-1) as Record<string, Json>).dlr === r.dlr &&
    (v.at(-1) as Record<string, Json>).p === r.p,
  kernelSimilarity: orNull(isFraction),
};

function expectDocumentedRecord(record: Record<string, Json>, options: { reference: boolean }) {
  const fields = documentedJsonFields().filter((f) => options.reference || f !== 'kernelSimilarity');
  expect(Object.keys(record).sort()).toEqual(fields.sort());
  for (const field of fields) expect(jsonFieldTypes[field](record[field], record), field).toBe(true);
  if (record.mass !== null) expect((record.mass as number[]).length).toBe((record.rho as number[]).length);
}

describe('richscope analyze (CLI)', () => {
  it('README documents 34 JSON fields, and the test knows the type of each', () => {
    const fields = documentedJsonFields();
    expect(fields).toHaveLength(34);
    expect(new Set(fields).size).toBe(34);
    expect(fields.sort()).toEqual(Object.keys(jsonFieldTypes).sort());
  });

  it('prints one JSON object per source with every documented field, typed, and the reference values', async () => {
    const { code, out } = await cli(
      fixture('mlp96_rich_step1500_train'),
      fixture('mlp96_lazy_step150_train'),
      '--eval',
      fixture('mlp96_rich_step1500_test'),
      '--eval',
      fixture('mlp96_lazy_step150_test'),
      '--reference',
      fixture('mlp96_rich_step0_train'),
      '--json',
    );
    expect(code).toBe(0);
    const records = JSON.parse(out) as Record<string, Json>[];
    expect(records).toHaveLength(2);
    for (const record of records) expectDocumentedRecord(record, { reference: true });
    expect(records.map((r) => [r.source, r.evalSource])).toEqual([
      [fixture('mlp96_rich_step1500_train'), fixture('mlp96_rich_step1500_test')],
      [fixture('mlp96_lazy_step150_train'), fixture('mlp96_lazy_step150_test')],
    ]);
    // the numbers are those of the float64 NumPy reference (scripts/reference.py), as in the app
    const expected = JSON.parse(readFileSync('fixtures/digits-mlp/expected.json', 'utf8'));
    for (const [record, name] of [
      [records[0], 'mlp96_rich_step1500'],
      [records[1], 'mlp96_lazy_step150'],
    ] as const) {
      const want = expected[name];
      expect([record.n, record.p, record.C, record.r, record.r99, record.evalN]).toEqual([
        want.n,
        want.p,
        want.C,
        want.r,
        want.r99,
        450,
      ]);
      const pairs: [string, Json, number | number[], boolean?][] = [
        ['dlr', record.dlr, want.dlr],
        ['rankProfile', record.rankProfile, want.rank_profile],
        ['dlrEnergy99', record.dlrEnergy99, want.dlr_energy99],
        ['outputSpectrum', record.outputSpectrum, want.output_spectrum],
        ['linearCkaDistance', record.linearCkaDistance, want.linear_cka_distance],
        ['rho', record.rho, want.rho, true],
        ['relativeEigenvalues', record.relativeEigenvalues, want.relative_eigenvalues],
        ['mass', record.mass, want.mass],
        ['utilization', record.utilization, want.utilization],
        ['massNystrom', record.massNystrom, want.mass_nystrom],
        ['utilizationNystrom', record.utilizationNystrom, want.utilization_nystrom],
        ['dlrStdErr', record.dlrStdErr, want.dlr_std_err],
        ['dlrEnergy99StdErr', record.dlrEnergy99StdErr, want.dlr_energy99_std_err],
        ['nc1', record.nc1, want.nc1, true],
        ['participationRatio', record.participationRatio, want.participation_ratio, true],
        ['readoutResidual', record.readoutResidual, want.readout_residual],
        ['accuracy', record.accuracy, want.accuracy],
        ['evalAccuracy', record.evalAccuracy, want.eval_accuracy],
      ];
      for (const [field, got, wanted, relative] of pairs) {
        const a = [got].flat() as number[];
        const b = [wanted].flat();
        expect(a, field).toHaveLength(b.length);
        a.forEach((x, k) =>
          expect(Math.abs(x - b[k]) / (relative ? Math.abs(b[k]) : 1), `${name}.${field}[${k}]`).toBeLessThan(
            1e-10,
          ),
        );
      }
      expect(record.roles).toEqual({
        features: 'features',
        logits: 'logits',
        labels: 'labels',
        layers: ['features'],
      });
      expect(record.spectrumTruncated).toBe(false);
    }
    expect(records[0].kernelSimilarity).toBeLessThan(0.95);
    expect(records.map((r) => r.step)).toEqual([1500, 150]); // from the file names, as in a folder
    expect(records[0].dlr).toBeLessThan(records[1].dlr as number);
  });

  it('gives null where labels are missing, and the run and step of a step_N folder', async () => {
    const root = temporaryFolder('richscope-cli-');
    const folder = checkpointFolder(join(root, 'demo', 'step_40'), 60, 5, 3, 7);
    rmSync(join(folder, 'labels.npy'));
    const { code, out } = await cli(join(root, 'demo'), '--json');
    expect(code).toBe(0);
    const [record] = JSON.parse(out) as Record<string, Json>[];
    expectDocumentedRecord(record, { reference: false });
    expect([record.step, record.mass, record.nc1, record.accuracy, record.evalAccuracy]).toEqual([
      40,
      null,
      null,
      null,
      null,
    ]);
    expect(typeof record.run).toBe('string');
    expect(record.roles).toEqual({
      features: 'features',
      logits: 'logits',
      labels: null,
      layers: ['features'],
    });
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
    // held-out: nested projections within [0, 1]; the paper's sums beside them exceed 1 there
    expect(Math.max(...onTest.utilization)).toBeLessThanOrEqual(1 + 1e-12);
    expect(Math.max(...onTest.utilizationNystrom)).toBeGreaterThan(1);
    expect(own.utilization).toEqual(own.utilizationNystrom);
  });

  it("says so when --eval replaces a checkpoint's own eval split", async () => {
    const root = temporaryFolder('richscope-eval-');
    const checkpoint = join(root, 'step_5');
    checkpointFolder(join(checkpoint, 'train'), 40, 4, 3, 1);
    checkpointFolder(join(checkpoint, 'test'), 30, 4, 3, 2);
    const other = checkpointFolder(join(root, 'other'), 25, 4, 3, 3);
    const [own] = JSON.parse((await cli(checkpoint, '--json')).out);
    expect(own.evalN).toBe(30);
    expect(own.notes.join(' ')).not.toContain('--eval');
    const [replaced] = JSON.parse((await cli(checkpoint, '--eval', other, '--json')).out);
    expect(replaced.evalN).toBe(25);
    expect(replaced.notes).toContainEqual(
      expect.stringMatching(/^--eval .*other replaced the checkpoint's own eval split \(.*test.*\)$/),
    );
  });

  it('gives D_LR its jackknife standard error, and --jackknife sets the groups or turns it off', async () => {
    const run = async (...args: string[]) =>
      JSON.parse((await cli(fixture('mlp96_rich_step1500_train'), '--json', ...args)).out)[0];
    const [byDefault, five, off] = [
      await run(),
      await run('--jackknife', '5'),
      await run('--jackknife', '0'),
    ];
    expect(byDefault.dlrStdErr).toBeGreaterThan(0);
    expect(byDefault.dlrEnergy99StdErr).toBeGreaterThan(0);
    expect(five.dlrStdErr).toBeGreaterThan(0);
    expect(five.dlrStdErr).not.toBe(byDefault.dlrStdErr);
    expect([off.dlrStdErr, off.dlrEnergy99StdErr]).toEqual([null, null]);
    expect(off.dlr).toBe(byDefault.dlr);
    const table = (await cli(fixture('mlp96_rich_step1500_train'))).out;
    expect(table).toContain(`${byDefault.dlr.toFixed(3)} ± ${byDefault.dlrStdErr.toFixed(3)}`);
    expect((await cli(fixture('mlp96_rich_step1500_train'), '--jackknife', '1')).code).toBe(2);
  });

  it('names each record of a sweep by its run, its step and a path that exists', async () => {
    const root = temporaryFolder('richscope-cli-');
    const sweep = join(root, 'SWEEP');
    for (const run of ['run0', 'run1'])
      for (const step of [5, 10]) checkpointFolder(join(sweep, run, `step_${step}`), 30, 4, 3, step);
    // step-less checkpoints take their position in the run, as in the app
    mkdirSync(join(sweep, 'loose'));
    for (const name of ['a', 'b'])
      copyFileSync(fixture('mlp96_rich_step0_train'), join(sweep, 'loose', `${name}.npz`));
    const records = JSON.parse((await cli(sweep, '--json')).out) as Record<string, Json>[];
    expect(records.map((r) => [r.run, r.step, relative(sweep, r.source as string)])).toEqual([
      ['loose', 0, join('loose', 'a.npz')],
      ['loose', 1, join('loose', 'b.npz')],
      ['run0', 5, join('run0', 'step_5')],
      ['run0', 10, join('run0', 'step_10')],
      ['run1', 5, join('run1', 'step_5')],
      ['run1', 10, join('run1', 'step_10')],
    ]);
    for (const record of records) expect(existsSync(record.source as string)).toBe(true);
    const table = (await cli(sweep)).out.split('\n');
    expect(table[0]).toMatch(/^run\s+step\s+source\s+n\s/);
    expect(table[1]).toMatch(/^loose\s+0\s/);
    // a lone file: the run from its name, as the app names it
    const [lone] = JSON.parse((await cli(fixture('mlp96_rich_step150_train'), '--json')).out);
    expect([lone.run, lone.step]).toEqual(['mlp96_rich', 150]);
  });

  it('reads a folder of features.npy, logits.npy and labels.npy, and a train/ + test/ pair', async () => {
    const root = temporaryFolder('richscope-cli-');
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

  it('--drop-nonfinite: refused without it; with it the rows holding NaN/Inf are left out and said so', async () => {
    const [n, p, c] = [60, 5, 3];
    const features = normalMatrix(n, p, 21).map(Math.abs);
    const logits = normalMatrix(n, c, 22);
    const labels = Array.from({ length: n }, (_, i) => i % c);
    const write = (dir: string, keep: (i: number) => boolean, phi: Float64Array, f: Float64Array) => {
      const rows = Array.from({ length: n }, (_, i) => i).filter(keep);
      mkdirSync(dir, { recursive: true });
      writeFileSync(
        join(dir, 'features.npy'),
        npy(
          rows.flatMap((i) => [...phi.subarray(i * p, (i + 1) * p)]),
          [rows.length, p],
          '<f8',
        ),
      );
      writeFileSync(
        join(dir, 'logits.npy'),
        npy(
          rows.flatMap((i) => [...f.subarray(i * c, (i + 1) * c)]),
          [rows.length, c],
          '<f8',
        ),
      );
      writeFileSync(
        join(dir, 'labels.npy'),
        npy(
          rows.map((i) => labels[i]),
          [rows.length],
          '<i8',
        ),
      );
      return dir;
    };
    const root = temporaryFolder('richscope-cli-');
    const badFeatures = features.slice();
    badFeatures[3 * p + 1] = NaN;
    const badLogits = logits.slice();
    badLogits[7 * c + 2] = Infinity;
    const dirty = write(join(root, 'dirty'), () => true, badFeatures, badLogits);
    const clean = write(join(root, 'clean'), (i) => i !== 3 && i !== 7, features, logits);

    const refused = await cli(dirty, '--json');
    expect(refused.code).toBe(2);
    expect(refused.err).toHaveLength(1);
    expect(refused.err[0]).toContain(join(dirty, 'features.npy'));
    expect(refused.err[0]).toMatch(/NaN\/Inf value, first in row 3/);

    const dropped = await cli(dirty, '--drop-nonfinite', '--json');
    expect(dropped.code).toBe(0);
    const [record] = JSON.parse(dropped.out);
    expect(record.n).toBe(n - 2);
    expect(record.notes.join('\n')).toMatch(/dropped 2 row\(s\) holding NaN\/Inf/);
    // the same numbers as the file without those two rows
    const [reference] = JSON.parse((await cli(clean, '--json')).out);
    for (const field of ['dlr', 'dlrEnergy99', 'linearCkaDistance', 'nc1', 'participationRatio']) {
      expect(Math.abs(record[field] - reference[field]), field).toBeLessThan(1e-12);
    }
    expect(record.rho).toHaveLength(reference.rho.length);
    record.rho.forEach((x: number, k: number) =>
      expect(Math.abs(x - reference.rho[k]) / reference.rho[k]).toBeLessThan(1e-10),
    );
  });

  it('gives arrays their roles by every name README.md documents, where shapes cannot tell', async () => {
    const readme = readFileSync('README.md', 'utf8');
    const listed = /Arrays are given roles by name \(([^)]*)\)/.exec(readme.replace(/\s+/g, ' '))![1];
    const [featureNames, logitNames, labelNames] = listed
      .split(/,\s*/)
      .map((group) => group.split('/').map((name) => name.replace(/`/g, '')));
    expect(featureNames).toEqual(['features', 'feats', 'penultimate', 'embeddings', 'hidden', 'phi']);
    expect(logitNames).toEqual(['logits', 'outputs', 'preds', 'scores']);
    expect(labelNames).toEqual(['labels', 'targets', 'y']);
    // features, logits and a third array of one shape, and a second small-integer vector beside the
    // labels: only the names decide
    const n = 40;
    const root = temporaryFolder('richscope-cli-roles-');
    const classes = Array.from({ length: n }, (_, i) => BigInt(i % 4));
    for (let i = 0; i < featureNames.length; i++) {
      const [features, logits, labels] = [featureNames[i], logitNames[i % 4], labelNames[i % 3]];
      const file = join(root, `roles${i}.npz`);
      writeFileSync(
        file,
        encodeNpz({
          [logits]: { data: normalMatrix(n, 8, 2 * i + 1), shape: [n, 8] },
          group: { data: BigInt64Array.from(classes, (v, k) => (v + BigInt(k % 3)) % 4n), shape: [n] },
          aux: { data: normalMatrix(n, 8, 99).map(Math.abs), shape: [n, 8] },
          [features]: { data: normalMatrix(n, 8, 2 * i + 2).map(Math.abs), shape: [n, 8] },
          [labels]: { data: BigInt64Array.from(classes), shape: [n] },
        }),
      );
      const { code, out, err } = await cli(file, '--json');
      expect(code, err.join('\n')).toBe(0);
      expect(JSON.parse(out)[0].roles, file).toEqual({ features, logits, labels, layers: [features] });
    }
  });

  it('--json prints one JSON array, a record a line', async () => {
    const good = fixture('mlp96_rich_step150_train');
    const { code, out } = await cli(good, fixture('mlp96_rich_step1500_train'), '--json');
    expect(code).toBe(0);
    const lines = out.split('\n');
    expect(lines).toHaveLength(4);
    expect(lines[0]).toBe('[');
    expect(lines[3]).toBe(']');
    expect(JSON.parse(lines[1].replace(/,$/, '')).source).toBe(good);
    expect(JSON.parse(out)).toHaveLength(2);
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
    const path = join(temporaryFolder('richscope-cli-'), 'features.npy');
    writeFileSync(path, Buffer.from(normalMatrix(8, 8, 4).buffer));
    const { code, err } = await cli(path);
    expect(code).toBe(2);
    expect(err).toHaveLength(1);
    expect(err[0]).toContain(path);
    expect(err[0]).not.toMatch(/\n|at .*\.ts:/);
  });

  it('reports the first bad source in argument order, while later checkpoints are read ahead', async () => {
    const path = join(temporaryFolder('richscope-cli-'), 'features.npy');
    writeFileSync(path, Buffer.from(normalMatrix(8, 8, 4).buffer));
    const good = fixture('mlp96_rich_step150_train');
    // a bad file before a missing one: the bad file is named, though the missing one is met first
    const first = await cli(path, 'no/such/file.npz', '--json');
    expect(first.code).toBe(2);
    expect(first.err).toHaveLength(1);
    expect(first.err[0]).toContain(path);
    // a good checkpoint, then a bad one read ahead while the good one is analysed
    const second = await cli(good, path, good, '--json');
    expect(second.code).toBe(2);
    expect(second.err).toHaveLength(1);
    expect(second.err[0]).toContain(path);
    // three good ones: records in argument order
    const third = await cli(good, fixture('mlp96_rich_step1500_train'), good, '--json');
    expect(third.code).toBe(0);
    expect(JSON.parse(third.out).map((r: { source: string }) => r.source)).toEqual([
      good,
      fixture('mlp96_rich_step1500_train'),
      good,
    ]);
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

describe('richscope analyze: D_LR by layer', () => {
  const layersFixture = (name: string) => `fixtures/layers-mlp/${name}.npz`;

  it('gives layers in layer order, the penultimate last, and one entry without other layers', async () => {
    const [record] = JSON.parse((await cli(layersFixture('layers_rich_step400_train'), '--json')).out);
    expect(record.layers.map((l: { name: string; p: number }) => [l.name, l.p])).toEqual([
      ['layer1', 32],
      ['layer2', 24],
      ['layer3', 16],
    ]);
    expect(record.layers[2]).toEqual({
      name: 'layer3',
      p: 16,
      r: record.r,
      dlr: record.dlr,
      dlrEnergy99: record.dlrEnergy99,
    });
    expect(record.roles).toEqual({
      features: 'layer3',
      logits: 'logits',
      labels: 'labels',
      layers: ['layer1', 'layer2', 'layer3'],
    });
    const [single] = JSON.parse((await cli(fixture('mlp96_rich_step150_train'), '--json')).out);
    expect(single.layers).toEqual([
      { name: 'features', p: 96, r: single.r, dlr: single.dlr, dlrEnergy99: single.dlrEnergy99 },
    ]);
  });

  it('prints one line per layer under its checkpoint', async () => {
    const { code, out } = await cli(
      layersFixture('layers_lazy_step400_train'),
      fixture('mlp96_rich_step150_train'),
    );
    expect(code).toBe(0);
    const lines = out.split('\n');
    expect(lines[1]).toMatch(
      /^layers_lazy\s+400\s+fixtures\/layers-mlp\/layers_lazy_step400_train\.npz\s+300\s+16\s+6/,
    );
    expect(lines.slice(2, 5).map((l) => l.trim().split(/\s+/).slice(0, 2))).toEqual([
      ['layer1', '(layer)'],
      ['layer2', '(layer)'],
      ['layer3', '(layer)'],
    ]);
    expect(lines[2]).toMatch(/layer1 \(layer\)\s+32\s+6\s+0\.6421\s+0\.6366$/);
    // a checkpoint with the penultimate layer only: its row is the layer
    expect(lines[5]).toMatch(/^mlp96_rich\s+150\s+fixtures\/digits-mlp/);
    expect(lines[6]).toBe('');
  });

  it('follows --layers: those arrays, in that order, the last one the features', async () => {
    const { code, out } = await cli(
      layersFixture('layers_lazy_step400_train'),
      '--layers',
      'layer2,layer1',
      '--json',
    );
    expect(code).toBe(0);
    const [record] = JSON.parse(out);
    expect(record.layers.map((l: { name: string }) => l.name)).toEqual(['layer2', 'layer1']);
    expect([record.p, record.roles.features]).toEqual([32, 'layer1']);
    const missing = await cli(layersFixture('layers_lazy_step400_train'), '--layers', 'layer1,nope');
    expect(missing.code).toBe(2);
    expect(missing.err[0]).toMatch(/no array named "nope" for --layers/);
    expect((await cli(layersFixture('layers_lazy_step400_train'), '--layers', 'layer1,,layer2')).code).toBe(
      2,
    );
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
