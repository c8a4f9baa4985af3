import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { fakeRun } from '../src/state/fake-records';
import { encodeResultsBundle } from '../src/state/results-bundle';
import { analysisApi, type AnalyzedFiles } from './analysis-api';

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
    expect(declared).toEqual({ run: null, step: null });
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
    const run = fakeRun('mlp96_rich', [{ step: 1500, label: 'step1500', ...analyzed }]);
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
