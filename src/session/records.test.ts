import { describe, expect, it } from 'vitest';
import { fakeMetrics, fakeMoments } from './fake-records';
import { toCheckpointRecord } from './records';

describe('toCheckpointRecord', () => {
  it('labels an imported checkpoint by step, keeps its objects, and leaves its moments unstored', () => {
    const fit = fakeMoments();
    const metrics = fakeMetrics();
    // A trainer checkpoint carries more (trainLoss): the record holds the imported fields only.
    const trainerCheckpoint = { step: 150, trainLoss: 0.3, fit, eval: null, metrics };
    const record = toCheckpointRecord(trainerCheckpoint);
    expect(record).toEqual({
      step: 150,
      label: 'step 150',
      fit,
      eval: null,
      metrics,
      notes: [],
      momentsKey: null,
    });
    expect(record.fit).toBe(fit);
    expect(record.metrics).toBe(metrics);
  });
});
