import { describe, expect, it } from 'vitest';
import { fakeMetrics, fakeMoments } from '../session/fake-records';
import type { RunRecord } from '../session/records';
import { runSummaries } from './run-summaries';

const run = (id: string, withEval: boolean): RunRecord => ({
  id,
  name: id,
  colour: '#000000',
  visible: true,
  seedGroup: '',
  errors: [],
  checkpoints: [
    {
      step: 3,
      label: 'step_3',
      fit: fakeMoments(),
      eval: withEval ? fakeMoments() : null,
      metrics: fakeMetrics({ dlr: 0.25 }),
      notes: ['n'],
      momentsKey: 'k',
    },
  ],
});

describe('runSummaries', () => {
  it('keeps everything but the moments, and says whether there is an eval split', () => {
    const [summary] = runSummaries([run('a', true)]);
    const [checkpoint] = summary.checkpoints;
    expect(checkpoint).not.toHaveProperty('fit');
    expect(checkpoint).not.toHaveProperty('eval');
    expect(checkpoint).toMatchObject({
      step: 3,
      label: 'step_3',
      notes: ['n'],
      momentsKey: 'k',
      hasEval: true,
    });
    expect(checkpoint.metrics.dlr).toBe(0.25);
    expect(runSummaries([run('b', false)])[0].checkpoints[0].hasEval).toBe(false);
  });

  it('gives the same summaries for the same runs, and keeps an unchanged run’s summary', () => {
    const a = run('a', true);
    const runs = [a, run('b', false)];
    expect(runSummaries(runs)).toBe(runSummaries(runs));
    const changed = [a, { ...runs[1], name: 'renamed' }];
    expect(runSummaries(changed)[0]).toBe(runSummaries(runs)[0]);
    expect(runSummaries(changed)[1].name).toBe('renamed');
  });
});
