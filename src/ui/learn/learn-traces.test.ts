import { describe, expect, it } from 'vitest';
import { defaultTrainerOptions } from '../../train/trainer';
import { fakeMetrics } from './testing';
import {
  buildLearnAccuracyTraces,
  buildLearnDlrTraces,
  buildLearnLayerTraces,
  toRunRecord,
} from './learn-traces';
import type { LearnRun } from '../../state/learn-actions';

function run(dlrs: number[]): LearnRun {
  return {
    id: 'r1',
    name: 'rich',
    colour: '#0072B2',
    options: defaultTrainerOptions,
    status: 'done',
    problems: [],
    elapsedMs: dlrs.map((_, i) => i * 100),
    checkpoints: dlrs.map((dlr, i) => ({
      step: (i + 1) * 10,
      trainLoss: 1,
      fit: null as never,
      eval: null as never,
      metrics: fakeMetrics(dlr),
    })),
  };
}

describe('learn traces', () => {
  it('draws D_LR and D_LR (99% output energy) per run against step, by their dashboard names', () => {
    const traces = buildLearnDlrTraces([run([0.5, 0.3])]);
    expect(traces.map((t) => t.name)).toEqual(['rich: D_LR', 'rich: D_LR (99% output energy)']);
    expect(traces[0].x).toEqual([10, 20]);
    expect(traces[0].y).toEqual([0.5, 0.3]);
    expect(traces[1].line?.dash).toBe('dash');
  });

  it('draws D_LR of every hidden layer against step, the penultimate solid', () => {
    const traces = buildLearnLayerTraces([run([0.5, 0.3])]);
    expect(traces.map((t) => t.name)).toEqual(['rich: hidden1', 'rich: hidden2']);
    expect(traces[0].y).toEqual([0.6, 0.4]); // fakeMetrics: hidden1 = D_LR + 0.1
    expect(traces[1].y).toEqual([0.5, 0.3]);
    expect([traces[0].line?.dash, traces[1].line?.dash]).toEqual(['dot', 'solid']);
  });

  it('draws train and test accuracy', () => {
    const traces = buildLearnAccuracyTraces([run([0.5])]);
    expect(traces.map((t) => t.name)).toEqual(['rich: train', 'rich: test']);
  });

  it('turns a run into a dashboard record with one checkpoint per measurement', () => {
    const record = toRunRecord(run([0.5, 0.4, 0.3]));
    expect(record.checkpoints.map((c) => c.step)).toEqual([10, 20, 30]);
    expect(record.visible).toBe(true);
  });
});
