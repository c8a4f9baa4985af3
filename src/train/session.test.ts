import { describe, expect, it } from 'vitest';
import { runTrainingSession, transferablesOf } from './session';
import type { TrainerEvent } from './session';
import { defaultMixtureTaskOptions } from './tasks';
import { defaultTrainerOptions } from './trainer';

const options = {
  ...defaultTrainerOptions,
  task: { ...defaultMixtureTaskOptions, dim: 6, trainSize: 80, testSize: 40 },
  width: 12,
  steps: 30,
  checkpointEvery: 10,
};

describe('runTrainingSession', () => {
  it('reports every checkpoint with its step and the moment buffers to transfer', async () => {
    const events: TrainerEvent[] = [];
    const summary = await runTrainingSession(options, { onEvent: (e) => events.push(e) });
    expect(events.map((e) => e.step)).toEqual([10, 20, 30]);
    expect(summary).toMatchObject({ checkpoints: 3, completed: true });
    // mean and scatter of both splits, and of the fit split's earlier hidden layer (depth 2)
    expect(transferablesOf(events[0])).toHaveLength(6);
    expect(events[0].checkpoint!.metrics.layers.map((l) => l.name)).toEqual(['hidden1', 'hidden2']);
    expect(events[2].elapsedMs).toBeGreaterThanOrEqual(events[0].elapsedMs);
  });

  it('stops between checkpoints when asked', async () => {
    const events: TrainerEvent[] = [];
    const summary = await runTrainingSession(options, {
      onEvent: (e) => events.push(e),
      shouldStop: () => true,
    });
    expect(events).toHaveLength(1);
    expect(summary.completed).toBe(false);
  });
});
