import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Moments } from '../src/core/types';
import { fakeRun } from '../src/session/fake-records';
import { createMemoryDatabase } from '../src/session/memory-database';
import { encodeResultsBundle } from '../src/session/results-bundle';
import type { StoredMoments } from '../src/session/session-format';
import { sharedChunkSizes, splitPass } from '../src/analysis/plan';
import type { ShardTask } from '../src/analysis/shard';
import { encodeNpy } from '../src/train/npz-writer';
import {
  analysisApi,
  createAnalysisApi,
  type AnalyzeFilesRequest,
  type AnalyzedFiles,
  type ShardableCheckpoint,
} from './analysis-api';

/** One checkpoint as three dropped .npy files (features, logits, labels), fit split only. */
function npyRequest(
  features: Float32Array,
  logits: Float32Array,
  labels: BigInt64Array,
  n: number,
  p: number,
  c: number,
): AnalyzeFilesRequest {
  const file = (name: string, bytes: Uint8Array) => ({
    file: new Blob([bytes as Uint8Array<ArrayBuffer>]),
    name,
  });
  return {
    fit: [
      file('features.npy', encodeNpy({ data: features, shape: [n, p] })),
      file('logits.npy', encodeNpy({ data: logits, shape: [n, c] })),
      file('labels.npy', encodeNpy({ data: labels, shape: [n] })),
    ],
    eval: null,
  };
}

const FIXTURES = path.resolve(import.meta.dirname, '../fixtures/digits-mlp');
const expected = JSON.parse(readFileSync(path.join(FIXTURES, 'expected-shared.json'), 'utf8'));
const fixture = (name: string) => ({ file: new Blob([readFileSync(path.join(FIXTURES, name))]), name });

async function analyzeRich1500(): Promise<AnalyzedFiles> {
  const outcome = await analysisApi.analyzeFiles({
    fit: [fixture('mlp96_rich_step1500_train.npz')],
    eval: [fixture('mlp96_rich_step1500_test.npz')],
  });
  if (!outcome.ok) throw new Error(outcome.message);
  return outcome.value;
}

describe('analysis API (what the worker exposes)', () => {
  it('analyses real train/test activations to the float64 reference', async () => {
    const phases = new Set<string>();
    const outcome = await analysisApi.analyzeFiles(
      { fit: [fixture('mlp96_lazy_step150_train.npz')], eval: [fixture('mlp96_lazy_step150_test.npz')] },
      (p) => phases.add(p.phase),
    );
    expect(outcome.ok).toBe(true);
    if (!outcome.ok) return;
    const { metrics, eval: evalSplit, declared } = outcome.value;
    expect(metrics.dlr).toBeCloseTo(expected.mlp96_lazy_step150.dlr, 9);
    expect(metrics.dlrEnergy99).toBeCloseTo(expected.mlp96_lazy_step150.dlr_energy99, 9);
    expect(metrics.evalN).toBe(450);
    expect(evalSplit?.n).toBe(450);
    expect(declared).toEqual({ run: null, step: null, savedStep: null });
    expect(phases.size).toBeGreaterThan(0);
  });

  it('returns a bad file as a failure naming it, not as an exception', async () => {
    const outcome = await analysisApi.analyzeFiles({
      fit: [{ file: new Blob(['not a zip']), name: 'broken_step0_train.npz' }],
      eval: null,
    });
    expect(outcome).toMatchObject({ ok: false, file: 'broken_step0_train.npz' });
  });

  it('re-reads a results bundle to the same metrics, recomputed from the moments', async () => {
    const analyzed = await analyzeRich1500();
    const run = fakeRun('mlp96_rich', [{ step: 1500, label: 'step1500', ...analyzed, momentsKey: null }]);
    const outcome = await analysisApi.importBundle(
      new Blob([encodeResultsBundle([run])]),
      'r.richscope.json',
    );
    expect(outcome.ok).toBe(true);
    if (!outcome.ok) return;
    const [checkpoint] = outcome.value[0].checkpoints;
    expect(checkpoint.step).toBe(1500);
    expect(checkpoint.metrics.dlr).toBe(analyzed.metrics.dlr);
    expect(checkpoint.metrics.mass).toEqual(analyzed.metrics.mass);
  });

  it('refuses a JSON file that is not a bundle', async () => {
    const outcome = await analysisApi.importBundle(new Blob(['{"a":1}']), 'other.richscope.json');
    expect(outcome).toMatchObject({ ok: false, file: 'other.richscope.json' });
  });
});

/** The layout of a checkpoint the shards can take, and a task for rows [start, end) of its fit split. */
async function shardable(api: typeof analysisApi, request: AnalyzeFilesRequest) {
  const outcome = await api.readLayout(request);
  if (!outcome.ok || outcome.value.kind !== 'shardable') throw new Error('expected a shardable layout');
  const layout: ShardableCheckpoint = outcome.value;
  const shard = (start: number, end: number): ShardTask => ({
    split: 'fit',
    start,
    end,
    shape: layout.fit.shape,
    ...splitPass(layout.fit),
    groups: layout.jackknife?.groups ?? 0,
  });
  return { layout, shard };
}

describe('analysis API: one checkpoint sharded across workers', () => {
  /** features / logits / labels .npy files of a seeded checkpoint, as dropped Blobs */
  function checkpointFiles(n: number, p: number, c: number) {
    let seed = 7;
    const next = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648 - 0.5;
    const features = new Float32Array(n * p).map(() => Math.max(0, next()));
    const logits = new Float32Array(n * c);
    const labels = new BigInt64Array(n);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < c; j++)
        logits[i * c + j] = features[i * p + j] + features[i * p + j + c] + 0.1 * next();
      labels[i] = BigInt(i % c);
    }
    return npyRequest(features, logits, labels, n, p, c);
  }

  it('layout, shards and finish give the single-worker result', async () => {
    const request = checkpointFiles(600, 24, 5);
    const { layout, shard } = await shardable(analysisApi, request);
    // a short pass: exact float64 products even for float32 arrays
    expect(layout.fit).toMatchObject({ rows: 600, float32: true });
    expect(shard(0, 600).precision).toBe('float64');
    const rowsSeen: number[] = [];
    const parts = [];
    for (const [start, end] of [
      [0, 250],
      [250, 600],
    ]) {
      const outcome = await analysisApi.accumulateShard(request, shard(start, end), (rows) =>
        rowsSeen.push(rows),
      );
      if (!outcome.ok || outcome.value.kind !== 'moments') throw new Error('expected moments');
      parts.push(outcome.value.moments);
    }
    expect(rowsSeen.at(-1)).toBe(350);
    const finished = await analysisApi.finishShards(layout, { fit: parts, eval: null });
    const single = await analysisApi.analyzeFiles(request);
    if (!finished.ok || !single.ok) throw new Error('expected both to succeed');
    expect(finished.value.fit.n).toBe(600);
    expect(Math.abs(finished.value.metrics.dlr - single.value.metrics.dlr)).toBeLessThan(1e-12);
    expect(finished.value.metrics.accuracy).toBe(single.value.metrics.accuracy);
    expect(finished.value.notes).toEqual(single.value.notes);
  });

  it('two workers sharing a shard, claiming chunks from either end, give the moments of one', async () => {
    const request = checkpointFiles(400, 30, 6);
    const { layout, shard } = await shardable(analysisApi, request);
    const task = { ...shard(0, 400), chunkRows: 24 };
    const chunks = sharedChunkSizes(400, 24).length;
    let claimed = 0;
    const claim = () => claimed++ < chunks;
    const [front, back, whole] = await Promise.all([
      analysisApi.accumulateShard(request, { ...task, share: { from: 'front' } }, undefined, claim),
      analysisApi.accumulateShard(request, { ...task, share: { from: 'back' } }, undefined, claim),
      analysisApi.accumulateShard(request, task),
    ]);
    const parts = [front, back, whole].map((outcome) => {
      if (!outcome.ok || outcome.value.kind !== 'moments') throw new Error('expected moments');
      return outcome.value.moments;
    });
    expect(parts[0].n).toBeGreaterThan(0);
    expect(parts[1].n).toBeGreaterThan(0);
    expect(parts[0].n + parts[1].n).toBe(400);
    const shared = await analysisApi.finishShards(layout, { fit: parts.slice(0, 2), eval: null });
    const one = await analysisApi.finishShards(layout, { fit: [parts[2]], eval: null });
    if (!shared.ok || !one.ok) throw new Error('expected both to finish');
    expect(shared.value.fit.n).toBe(400);
    shared.value.fit.scatter.forEach((x, i) => expect(x).toBeCloseTo(one.value.fit.scatter[i], 10));
    expect(Math.abs(shared.value.metrics.dlr - one.value.metrics.dlr)).toBeLessThan(1e-12);
  });

  it('the metrics in two halves (merge, output half, spectrum half, assembly) equal the one-worker finish', async () => {
    const request = checkpointFiles(400, 30, 6);
    const { layout, shard } = await shardable(analysisApi, request);
    const part = async (start: number, end: number) => {
      const outcome = await analysisApi.accumulateShard(request, shard(start, end));
      if (!outcome.ok || outcome.value.kind !== 'moments') throw new Error('expected moments');
      return outcome.value.moments;
    };
    const parts = { fit: [await part(0, 150), await part(150, 400)], eval: null };
    const oneWorker = await analysisApi.finishShards(layout, parts);
    const merged = await analysisApi.mergeShards(layout, parts);
    if (!oneWorker.ok || !merged.ok) throw new Error('expected the merges to succeed');
    // the copy for the output half carries the jackknife's per-group moments; the stored fit does not
    const { groups, ...copy } = merged.value.fitCopy;
    expect(copy).toEqual(merged.value.fit);
    expect(groups).toHaveLength(10);
    expect(merged.value.fit.groups).toBeUndefined();
    expect(merged.value.fitCopy.scatter).not.toBe(merged.value.fit.scatter);
    const outputs = await analysisApi.outputHalf(layout, merged.value.fitCopy);
    const spectra = await analysisApi.spectrumHalf(layout, { fit: merged.value.fit, eval: null });
    if (!outputs.ok || !spectra.ok) throw new Error('expected both halves to succeed');
    const combined = await analysisApi.combineHalves(
      layout,
      { fit: spectra.value.fit, eval: spectra.value.eval },
      outputs.value.outputs,
      spectra.value.spectra,
    );
    if (!combined.ok) throw new Error(combined.message);
    expect(combined.value).toEqual(oneWorker.value);
  });

  it('names the files when the output half meets degenerate data, as the single worker does', async () => {
    const request = checkpointFiles(50, 8, 3);
    // constant logits: D_LR is 0/0
    request.fit[1] = {
      file: new Blob([
        encodeNpy({ data: new Float32Array(50 * 3).fill(2), shape: [50, 3] }) as Uint8Array<ArrayBuffer>,
      ]),
      name: 'logits.npy',
    };
    const { layout, shard } = await shardable(analysisApi, request);
    const part = await analysisApi.accumulateShard(request, shard(0, 50));
    if (!part.ok || part.value.kind !== 'moments') throw new Error('expected moments');
    const outputs = await analysisApi.outputHalf(layout, part.value.moments);
    const single = await analysisApi.analyzeFiles(request);
    expect(single.ok).toBe(false);
    expect(outputs).toEqual(single);
  });

  it('leaves deflated npz to the single worker', async () => {
    const outcome = await analysisApi.readLayout({
      fit: [fixture('mlp96_rich_step1500_train.npz')],
      eval: [fixture('mlp96_rich_step1500_test.npz')],
    });
    expect(outcome).toMatchObject({ ok: true, value: { kind: 'serial' } });
  });
});

describe('analysis API: storing the moments for the next visit', () => {
  const bits = (m: Moments | null) =>
    m ? [...new Uint8Array(m.mean.buffer), ...new Uint8Array(m.scatter.buffer)] : null;

  /** A checkpoint with features, logits and labels .npy files (seeded). */
  function npyCheckpoint(n: number, p: number, c: number, constantLogits = false) {
    let seed = 3;
    const next = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648 - 0.5;
    const features = new Float32Array(n * p).map(() => next());
    const logits = new Float32Array(n * c).map((_, i) =>
      constantLogits ? 1 : features[i % (n * p)] + next(),
    );
    const labels = new BigInt64Array(n).map((_, i) => BigInt(i % c));
    return npyRequest(features, logits, labels, n, p, c);
  }

  async function shardParts(
    api: ReturnType<typeof createAnalysisApi>,
    request: ReturnType<typeof npyCheckpoint>,
  ) {
    const { layout, shard } = await shardable(api, request);
    const part = async (start: number, end: number) => {
      const outcome = await api.accumulateShard(request, shard(start, end));
      if (!outcome.ok || outcome.value.kind !== 'moments') throw new Error('expected moments');
      return outcome.value.moments;
    };
    return { layout, parts: { fit: [await part(0, 40), await part(40, 90)], eval: null } };
  }

  it('stores the moments it hands over, bit for bit, under the key it returns; only when asked', async () => {
    const db = createMemoryDatabase();
    const api = createAnalysisApi({ database: async () => db });
    const request = {
      fit: [fixture('mlp96_rich_step1500_train.npz')],
      eval: [fixture('mlp96_rich_step1500_test.npz')],
    };
    const unasked = await api.analyzeFiles(request);
    expect(unasked).toMatchObject({ ok: true, value: { momentsKey: null, storeProblem: null } });
    expect(db.entries.size).toBe(0);
    const outcome = await api.analyzeFiles(request, undefined, true);
    if (!outcome.ok) throw new Error(outcome.message);
    const { momentsKey, fit, eval: evalMoments } = outcome.value;
    const stored = db.entries.get(momentsKey!) as StoredMoments;
    expect(bits(stored.fit)).toEqual(bits(fit));
    expect(bits(stored.eval)).toEqual(bits(evalMoments));
    expect(stored.fit).toEqual(fit);
  });

  it('sharded path: the moments stored before the metrics are the ones returned after them', async () => {
    const db = createMemoryDatabase();
    const api = createAnalysisApi({ database: async () => db });
    const request = npyCheckpoint(90, 12, 4);
    const { layout, parts } = await shardParts(api, request);
    const finished = await api.finishShards(layout, structuredClone(parts), true);
    if (!finished.ok) throw new Error(finished.message);
    expect(bits((db.entries.get(finished.value.momentsKey!) as StoredMoments).fit)).toEqual(
      bits(finished.value.fit),
    );

    const merged = await api.mergeShards(layout, structuredClone(parts), true);
    if (!merged.ok) throw new Error(merged.message);
    const spectra = await api.spectrumHalf(layout, { fit: merged.value.fit, eval: null });
    if (!spectra.ok) throw new Error(spectra.message);
    // the output half's worker stores them, from its copy of the fit moments without their groups
    const outputs = await api.outputHalf(layout, merged.value.fitCopy, { eval: merged.value.evalCopy });
    if (!outputs.ok) throw new Error(outputs.message);
    const { stored } = outputs.value;
    expect(stored.storeProblem).toBeNull();
    const record = db.entries.get(stored.momentsKey!) as StoredMoments;
    expect(bits(record.fit)).toEqual(bits(spectra.value.fit));
    expect(record.fit).toEqual(spectra.value.fit);
    const combined = await api.combineHalves(
      layout,
      { fit: spectra.value.fit, eval: null },
      outputs.value.outputs,
      spectra.value.spectra,
      stored,
    );
    expect(combined).toMatchObject({ ok: true, value: { momentsKey: stored.momentsKey } });
  });

  it('deletes what it stored when the metrics then fail; reports a refused write without failing', async () => {
    const db = createMemoryDatabase();
    const api = createAnalysisApi({ database: async () => db });
    const degenerate = npyCheckpoint(90, 12, 4, true);
    const { layout, parts } = await shardParts(api, degenerate);
    const failed = await api.finishShards(layout, parts, true);
    expect(failed.ok).toBe(false);
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(db.entries.size).toBe(0);

    db.failWrites = new Error('The quota has been exceeded.');
    const request = npyCheckpoint(90, 12, 4);
    const outcome = await api.analyzeFiles(request, undefined, true);
    expect(outcome).toMatchObject({
      ok: true,
      value: { momentsKey: null, storeProblem: 'The quota has been exceeded.' },
    });
    expect(db.entries.size).toBe(0);
  });

  it('stores each checkpoint of a results bundle under its own key', async () => {
    const db = createMemoryDatabase();
    const api = createAnalysisApi({ database: async () => db });
    const analyzed = await analyzeRich1500();
    const checkpoint = (step: number) => ({ step, label: `step${step}`, ...analyzed, momentsKey: null });
    const bundle = encodeResultsBundle([
      fakeRun('a', [checkpoint(1), checkpoint(2)]),
      fakeRun('b', [checkpoint(3)]),
    ]);
    const outcome = await api.importBundle(new Blob([bundle]), 'r.richscope.json', true);
    if (!outcome.ok) throw new Error(outcome.message);
    const keys = outcome.value.flatMap((run) => run.checkpoints.map((c) => c.momentsKey));
    expect(new Set(keys).size).toBe(3);
    for (const c of outcome.value.flatMap((run) => run.checkpoints)) {
      const stored = db.entries.get(c.momentsKey!) as StoredMoments;
      // the moments only: label and notes live in the session's metadata
      expect(Object.keys(stored).sort()).toEqual(['eval', 'fit']);
      expect(bits(stored.fit)).toEqual(bits(c.fit));
      expect(bits(stored.eval)).toEqual(bits(c.eval));
    }
  });
});

describe('analysis API: a batch of small checkpoints', () => {
  const bits = (m: Moments | null) =>
    m ? [...new Uint8Array(m.mean.buffer), ...new Uint8Array(m.scatter.buffer)] : null;

  it('gives each checkpoint the outcome analyzeFiles gives it, a bad file failing its own only; stores the good ones', async () => {
    const db = createMemoryDatabase();
    const api = createAnalysisApi({ database: async () => db });
    const lazy = {
      fit: [fixture('mlp96_lazy_step150_train.npz')],
      eval: [fixture('mlp96_lazy_step150_test.npz')],
    };
    const rich = {
      fit: [fixture('mlp96_rich_step1500_train.npz')],
      eval: [fixture('mlp96_rich_step1500_test.npz')],
    };
    const broken = { fit: [{ file: new Blob(['not a zip']), name: 'broken_step0_train.npz' }], eval: null };
    const heard: [number, string][] = [];
    const outcomes = await api.analyzeBatch(
      [lazy, broken, rich],
      (index, file) => heard.push([index, file]),
      true,
    );
    expect(heard).toEqual([
      [0, 'mlp96_lazy_step150_train.npz'],
      [1, 'broken_step0_train.npz'],
      [2, 'mlp96_rich_step1500_train.npz'],
    ]);
    expect(outcomes.map((o) => o.ok)).toEqual([true, false, true]);
    expect(outcomes[1]).toMatchObject({ ok: false, file: 'broken_step0_train.npz' });
    const [first, , last] = outcomes;
    if (!first.ok || !last.ok) throw new Error('expected results');
    expect(first.value.metrics.dlr).toBeCloseTo(expected.mlp96_lazy_step150.dlr, 9);
    expect(last.value.metrics).toEqual((await analyzeRich1500()).metrics);
    for (const { value } of [first, last]) {
      const stored = db.entries.get(value.momentsKey!) as StoredMoments;
      expect(bits(stored.fit)).toEqual(bits(value.fit));
      expect(bits(stored.eval)).toEqual(bits(value.eval));
    }
    expect(db.entries.size).toBe(2);
  });

  it("asks for every later checkpoint's files before analysing the first", async () => {
    const asked: string[] = [];
    /** A fixture whose reads are written down as they are asked for. */
    const recorded = (name: string) => {
      const { file } = fixture(name);
      const slice = file.slice.bind(file);
      file.slice = (...args: Parameters<Blob['slice']>) => {
        asked.push(name);
        return slice(...args);
      };
      return { file, name };
    };
    const steps = ['lazy_step0', 'lazy_step150', 'rich_step0'];
    const requests = steps.map((step) => ({
      fit: [recorded(`mlp96_${step}_train.npz`)],
      eval: [recorded(`mlp96_${step}_test.npz`)],
    }));
    const askedBeforeFirst: string[][] = [];
    const api = createAnalysisApi({ database: async () => null });
    const outcomes = await api.analyzeBatch(requests, (index) => {
      if (index === 0) askedBeforeFirst.push([...new Set(asked)]);
    });
    expect(outcomes.every((o) => o.ok)).toBe(true);
    expect(askedBeforeFirst[0]).toEqual(
      expect.arrayContaining(steps.slice(1).flatMap((s) => [`mlp96_${s}_train.npz`, `mlp96_${s}_test.npz`])),
    );
  });
});
