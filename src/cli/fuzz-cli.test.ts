/**
 * The CLI on damaged files, every format and both torch encodings, under a memory cap and a time
 * cap: each case must end in a result or a short exit-2 message, never a crash, a hang or a runaway
 * allocation. Cases run in child processes (fuzz-runner.ts) watched from here: the process is killed
 * when its resident memory passes MEMORY_CAP_MB or a case runs longer than CASE_TIME_CAP_MS.
 *
 * Deeper runs: RICHSCOPE_FUZZ_CLI_SEEDS=20 (flipped copies per file, in units of the default);
 * RICHSCOPE_FUZZ_REPORT=1 prints the worst time and memory per case.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { build } from 'esbuild';
import { zipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { mulberry32 } from '../io/fuzz-random';
import { buildNpy } from '../io/testing';
import type { FuzzCaseReport } from './fuzz-runner';

/** The bound: any file under 10 MB, in any format, costs the CLI less than this. */
const MEMORY_CAP_MB = 500;
/** A case taking longer is a hang (generous: the machine running the tests may be shared). */
const CASE_TIME_CAP_MS = Number(process.env.RICHSCOPE_FUZZ_CASE_MS ?? 10_000);
const SEEDS = Number(process.env.RICHSCOPE_FUZZ_CLI_SEEDS ?? 1);
const FIXTURES = fileURLToPath(new URL('../../fixtures/io/', import.meta.url));

interface FuzzCase {
  label: string;
  /** files of the case: name -> bytes (several make a folder SOURCE) */
  files: Record<string, Uint8Array>;
}

const fixture = (rel: string) => new Uint8Array(readFileSync(FIXTURES + rel));
const expected = JSON.parse(readFileSync(FIXTURES + 'expected.json', 'utf8')) as Record<
  string,
  Record<string, { values?: number[] }>
>;

/** Where the int64 labels of a fixture lie in its bytes (torch storages, npz members, safetensors). */
function labelRegion(bytes: Uint8Array, rel: string, key: string): [number, number] | null {
  const values = expected[rel]?.[key]?.values;
  if (!values) return null;
  const needle = new Uint8Array(BigInt64Array.from(values.map((v) => BigInt(v))).buffer);
  for (let at = 0; at + needle.length <= bytes.length; at++) {
    let k = 0;
    while (k < needle.length && bytes[at + k] === needle[k]) k++;
    if (k === needle.length) return [at, at + needle.length];
  }
  return null;
}

/** Truncated and byte-flipped copies of one source, plus flips inside its labels when found. */
function damagedCopies(
  rel: string,
  files: Record<string, Uint8Array>,
  target: string,
  labelsKey: string | null,
): FuzzCase[] {
  const original = files[target];
  const random = mulberry32(original.length * 31 + rel.length);
  const cases: FuzzCase[] = [];
  const withTarget = (label: string, bytes: Uint8Array) => ({ label, files: { ...files, [target]: bytes } });
  const cuts = new Set<number>([0, 8, 16, 40, original.length - 1]);
  while (cuts.size < 5 + 4 * SEEDS) cuts.add(Math.floor(random() * original.length));
  for (const cut of cuts) cases.push(withTarget(`${rel} cut at ${cut}`, original.slice(0, cut)));
  for (let k = 0; k < 12 * SEEDS; k++) {
    const copy = original.slice();
    const flips = 1 + Math.floor(random() * 3);
    for (let f = 0; f < flips; f++)
      copy[Math.floor(random() * copy.length)] ^= 1 + Math.floor(random() * 255);
    cases.push(withTarget(`${rel} flip case ${k}`, copy));
  }
  const region = labelsKey ? labelRegion(original, rel, labelsKey) : null;
  if (labelsKey && !region) throw new Error(`${rel}: labels ${labelsKey} not found in the bytes`);
  if (region) {
    const [from, to] = region;
    for (let k = 0; k < 6 * SEEDS; k++) {
      const copy = original.slice();
      // high bytes make labels of 2^40 .. 2^63 (and negative ones), as bit rot in a labels storage does
      for (let f = 0; f < 3; f++) {
        const row = Math.floor(random() * ((to - from) / 8));
        copy[from + row * 8 + 3 + Math.floor(random() * 5)] ^= 1 + Math.floor(random() * 255);
      }
      cases.push(withTarget(`${rel} labels flip case ${k}`, copy));
    }
  }
  return cases;
}

const single = (rel: string, labelsKey: string | null = 'labels') =>
  damagedCopies(rel, { [basename(rel)]: fixture(rel) }, basename(rel), labelsKey);

/** Float32 / int64 little-endian bytes of a .npy. */
const f4 = (values: Float32Array) => new Uint8Array(values.buffer);
const i8 = (values: number[]) => new Uint8Array(BigInt64Array.from(values.map((v) => BigInt(v))).buffer);

/** An .npz (stored) of features (n x p), logits (n x c) and the given int64 labels. */
function npz(n: number, p: number, c: number, labels: number[]): Uint8Array {
  const random = mulberry32(n * 7 + p);
  const features = Float32Array.from({ length: n * p }, () => random());
  const logits = Float32Array.from({ length: n * c }, () => random());
  return zipSync(
    {
      'features.npy': buildNpy('<f4', [n, p], f4(features)),
      'logits.npy': buildNpy('<f4', [n, c], f4(logits)),
      'labels.npy': buildNpy('<i8', [n], i8(labels)),
    },
    { level: 0 },
  );
}

/** A fixture with labels rows 0 and 1 set to `a` and `b` (int64, in place). */
function withLabels(rel: string, key: string, a: number, b: number): Uint8Array {
  const bytes = fixture(rel);
  const [from] = labelRegion(bytes, rel, key)!;
  const view = new DataView(bytes.buffer, bytes.byteOffset);
  view.setBigInt64(from, BigInt(a), true);
  view.setBigInt64(from + 8, BigInt(b), true);
  return bytes;
}

function allCases(): FuzzCase[] {
  const npyFolder = {
    'features_f4.npy': fixture('npy/features_f4.npy'),
    'logits_column.npy': fixture('npy/logits_column.npy'),
    'labels_i8.npy': fixture('npy/labels_i8.npy'),
  };
  const cases: FuzzCase[] = [
    ...damagedCopies('npy/features_f4.npy', npyFolder, 'features_f4.npy', null),
    ...damagedCopies('npy/labels_i8.npy', npyFolder, 'labels_i8.npy', 'labels_i8'),
    ...single('npz/checkpoint_stored.npz'),
    ...single('npz/checkpoint_compressed.npz', null),
    ...single('npz/idiom_extras.npz'),
    ...single('npz/moments.npz', null),
    ...single('safetensors/checkpoint.safetensors'),
    ...single('torch/dict.pt'),
    ...single('torch/dict_legacy.pt'),
    ...single('torch/idiom_batches.pt'),
    ...single('torch/idiom_batches_legacy.pt'),
    ...single('torch/idiom_batch_tuples.pt', null),
    ...single('torch/idiom_lists.pt'),
    ...single('torch/idiom_numpy.pt'),
    ...single('torch/idiom_numpy_legacy.pt'),
    ...single('torch/idiom_splits.pt', null),
    ...single('torch/idiom_splits_legacy.pt', null),
    ...single('torch/idiom_onehot.pt', null),
    ...single('csv/table_header.csv', null),
  ];
  // label values that are class names, not sizes
  for (const large of [2 ** 40, 5e7, 2 ** 62]) {
    const labels = Array.from({ length: 500 }, (_, i) => (i === 17 ? large : i % 3));
    cases.push({
      label: `npz, 500 rows, one label ${large}`,
      files: { 'labels_large.npz': npz(500, 8, 3, labels) },
    });
    for (const [rel, key] of [
      ['torch/dict.pt', 'labels'],
      ['torch/dict_legacy.pt', 'labels'],
      ['safetensors/checkpoint.safetensors', 'labels'],
    ]) {
      cases.push({
        label: `${rel}, labels ${large} and 5e7`,
        files: { [basename(rel)]: withLabels(rel, key, large, 5e7) },
      });
    }
  }
  const distinct = Array.from({ length: 3000 }, (_, i) => 1000 * i);
  cases.push({ label: 'npz, 3000 distinct labels', files: { 'distinct.npz': npz(3000, 4, 3, distinct) } });
  // near 10 MB: a wide one (refused before its moment matrix is allocated) and a tall one (analysed)
  const cyclic = (n: number, c: number) => Array.from({ length: n }, (_, i) => i % c);
  cases.push({
    label: 'npz 8 MB, 500 x 4096 features',
    files: { 'wide.npz': npz(500, 4096, 10, cyclic(500, 10)) },
  });
  cases.push({
    label: 'npz 9 MB, 4000 x 500 features',
    files: { 'tall.npz': npz(4000, 500, 100, cyclic(4000, 100)) },
  });
  return cases;
}

interface ShardResult {
  reports: FuzzCaseReport[];
  /** why the watchdog killed the process, naming the case; null when it finished */
  killed: string | null;
  peakRssKb: number;
}

/** Resident memory of a process, KB (Linux /proc), or 0 when it cannot be read. */
function residentKb(pid: number): number {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
  } catch {
    return 0;
  }
}

function runShard(runner: string, manifest: string, labels: string[]): Promise<ShardResult> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--max-old-space-size=384', runner, manifest], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const reports: FuzzCaseReport[] = [];
    let current = -1;
    let caseStarted = performance.now();
    let killed: string | null = null;
    let peakRssKb = 0;
    let buffered = '';
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.stdout.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      const lines = buffered.split('\n');
      buffered = lines.pop() ?? '';
      for (const line of lines) {
        const message = JSON.parse(line) as { start?: number; done?: FuzzCaseReport };
        if (message.start !== undefined) {
          current = message.start;
          caseStarted = performance.now();
        } else if (message.done) reports.push(message.done);
      }
    });
    const watchdog = setInterval(() => {
      const rss = residentKb(child.pid!);
      peakRssKb = Math.max(peakRssKb, rss);
      const what = current >= 0 ? labels[current] : 'start-up';
      if (rss > MEMORY_CAP_MB * 1024) killed = `${what}: resident memory ${Math.round(rss / 1024)} MB`;
      else if (performance.now() - caseStarted > CASE_TIME_CAP_MS)
        killed = `${what}: no answer in ${CASE_TIME_CAP_MS} ms`;
      if (killed) child.kill('SIGKILL');
    }, 20);
    child.on('exit', (code) => {
      clearInterval(watchdog);
      if (!killed && code !== 0) killed = `runner exited with ${code}: ${stderr.slice(0, 400)}`;
      resolve({ reports, killed, peakRssKb });
    });
  });
}

describe('CLI fuzz: damaged files end in a result or one short refusal, in bounded time and memory', () => {
  let folder = '';
  let runner = '';
  beforeAll(async () => {
    folder = mkdtempSync(join(tmpdir(), 'richscope-fuzz-cli-'));
    runner = join(folder, 'fuzz-runner.mjs');
    await build({
      entryPoints: [fileURLToPath(new URL('./fuzz-runner.ts', import.meta.url))],
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      outfile: runner,
      logLevel: 'warning',
      banner: {
        js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);",
      },
    });
  });
  afterAll(() => rmSync(folder, { recursive: true, force: true }));

  it('every case, under the caps', { timeout: 600_000 }, async () => {
    const cases = allCases();
    const paths = cases.map((c, i) => {
      const dir = join(folder, 'cases', String(i));
      mkdirSync(dir, { recursive: true });
      for (const [name, bytes] of Object.entries(c.files)) writeFileSync(join(dir, name), bytes);
      const names = Object.keys(c.files);
      return names.length === 1 ? join(dir, names[0]) : dir;
    });
    // two children, cases dealt alternately, so one slow case does not hold up the rest
    const shards = [0, 1].map((s) => cases.map((_, i) => i).filter((i) => i % 2 === s));
    const results = await Promise.all(
      shards.map((indices, s) => {
        const manifest = join(folder, `manifest-${s}.json`);
        writeFileSync(manifest, JSON.stringify(indices.map((i) => paths[i])));
        return runShard(
          runner,
          manifest,
          indices.map((i) => cases[i].label),
        ).then((result) => ({
          ...result,
          reports: result.reports.map((r) => ({ ...r, index: indices[r.index] })),
        }));
      }),
    );
    expect(results.map((r) => r.killed)).toEqual([null, null]);
    const reports = results.flatMap((r) => r.reports);
    expect(reports).toHaveLength(cases.length);
    const crashes = reports
      .filter((r) => r.outcome === 'crash')
      .map((r) => `${cases[r.index].label}: ${r.message}`);
    expect(crashes).toEqual([]);
    const outcomes = { result: 0, refused: 0 };
    for (const r of reports) outcomes[r.outcome as 'result' | 'refused']++;
    expect(outcomes.refused).toBeGreaterThan(0);
    expect(outcomes.result).toBeGreaterThan(0);
    const slowest = reports.reduce((a, b) => (b.ms > a.ms ? b : a));
    const peakKb = Math.max(...results.map((r) => r.peakRssKb), ...reports.map((r) => r.maxRssKb));
    expect(peakKb).toBeLessThan(MEMORY_CAP_MB * 1024);
    // the label-value cases: one class each, counted wrong, never a size
    const outcomeOf = (pattern: RegExp) =>
      reports.filter((r) => pattern.test(cases[r.index].label)).map((r) => r.outcome);
    expect(outcomeOf(/one label/)).toEqual(['result', 'result', 'result']);
    expect(outcomeOf(/labels .* and 5e7/)).toEqual(Array(9).fill('result'));
    expect(outcomeOf(/3000 distinct labels/)).toEqual(['refused']);
    expect(outcomeOf(/^npz 8 MB/)).toEqual(['refused']);
    expect(outcomeOf(/^npz 9 MB/)).toEqual(['result']);
    if (process.env.RICHSCOPE_FUZZ_REPORT) {
      const large = reports.filter((r) => /MB,/.test(cases[r.index].label));
      console.log(
        [
          `${cases.length} cases: ${outcomes.result} results, ${outcomes.refused} refusals`,
          `slowest case ${slowest.ms.toFixed(0)} ms (${cases[slowest.index].label})`,
          `peak resident memory ${(peakKb / 1024).toFixed(0)} MB (the runners' high-water mark over all their cases, Node included)`,
          ...large.map(
            (r) =>
              `${cases[r.index].label}: ${r.outcome} in ${r.ms.toFixed(0)} ms ${r.message.slice(0, 160)}`,
          ),
        ].join('\n'),
      );
    }
  });
});
