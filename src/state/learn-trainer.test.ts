import { describe, expect, it } from 'vitest';
import { fakeMetrics, fakeMoments } from '../session/fake-records';
import { createMemoryDatabase } from '../session/memory-database';
import { createSessionStorage } from '../session/session-db';
import type { MeasuredCheckpoint } from '../train/measure';
import { SCENARIO_PRESETS } from '../train/presets';
import type { TrainerEvent, TrainerSummary } from '../train/session';
import type { TrainerOptions } from '../train/trainer';
import { initialLearnState } from './learn-actions';
import { chosenOptions, createLearnTrainer, describeOptions, type StartTraining } from './learn-trainer';
import { createRichscopeStore } from './store';

/** A trainer the test drives: `emit` a checkpoint, `finish` or `fail` the run. */
function fakeTrainer() {
  const runs: {
    options: TrainerOptions;
    emit: (step: number) => void;
    finish: () => void;
    fail: (message: string) => void;
    stopped: boolean;
  }[] = [];
  const start: StartTraining = (options, onEvent) => {
    let settle: (summary: TrainerSummary | null) => void = () => undefined;
    let reject: (error: Error) => void = () => undefined;
    const done = new Promise<TrainerSummary | null>((resolve, rejectWith) => {
      settle = resolve;
      reject = rejectWith;
    });
    const run = {
      options,
      stopped: false,
      emit: (step: number) => onEvent(event(step)),
      finish: () => settle({ taskTitle: 't', checkpoints: 1, elapsedMs: 1, completed: true }),
      fail: (message: string) => reject(new Error(message)),
    };
    runs.push(run);
    return {
      done,
      where: 'worker',
      stop() {
        run.stopped = true;
        settle(null);
      },
    };
  };
  return { start, runs };
}

function event(step: number): TrainerEvent {
  const checkpoint: MeasuredCheckpoint = {
    step,
    trainLoss: 1,
    fit: fakeMoments(),
    eval: fakeMoments(),
    metrics: fakeMetrics({ dlr: step / 100 }),
  };
  return { checkpoint, problem: null, step, steps: 100, elapsedMs: step * 10 };
}

function setUp() {
  const app = createRichscopeStore({
    bridge: {
      analyzeFiles: () => Promise.reject(new Error('unused')),
      importBundle: () => Promise.reject(new Error('unused')),
    },
    session: createSessionStorage({
      database: async () => createMemoryDatabase(),
      reader: { readMoments: async () => new Map(), migrateLegacySession: async () => false },
    }),
    fetchFile: () => Promise.reject(new Error('offline')),
  });
  const trainer = fakeTrainer();
  const flushes: (() => void)[] = [];
  const learnTrainer = createLearnTrainer({
    store: app.handle,
    startTraining: trainer.start,
    importRun: app.actions.importRun,
    schedule: (flush) => {
      flushes.push(flush);
      return () => flushes.splice(flushes.indexOf(flush), 1);
    },
    now: () => 0,
  });
  const learn = () => app.store.getState().learn;
  const current = () => learn().runs.find((r) => r.id === learn().currentId)!;
  const tick = () => flushes.splice(0).forEach((flush) => flush());
  const settled = () => new Promise((resolve) => setTimeout(resolve, 0));
  return { app, trainer, learnTrainer, learn, current, tick, settled };
}

describe('the Learn view trainer', () => {
  it('starts from the first preset of the first scenario', () => {
    expect(initialLearnState.presetId).toBe(SCENARIO_PRESETS[initialLearnState.scenario][0].id);
    expect(chosenOptions(initialLearnState)).toBe(SCENARIO_PRESETS[initialLearnState.scenario][0].options);
  });

  it('copies checkpoints into the store at each flush, not at each event', async () => {
    const { trainer, learnTrainer, current, tick, settled } = setUp();
    learnTrainer.start();
    expect(current()).toMatchObject({ name: SCENARIO_PRESETS['lazy-vs-rich'][0].label, status: 'running' });
    trainer.runs[0].emit(10);
    trainer.runs[0].emit(20);
    expect(current().checkpoints).toEqual([]);
    tick();
    expect(current().checkpoints.map((c) => c.step)).toEqual([10, 20]);
    expect(current().elapsedMs).toEqual([100, 200]);
    trainer.runs[0].finish();
    await settled();
    expect(current().status).toBe('done');
  });

  it('caps the checkpoints of a run by widening the interval', () => {
    const { app, trainer, learnTrainer } = setUp();
    const options = { ...chosenOptions(initialLearnState), steps: 10_000, checkpointEvery: 10 };
    app.actions.editTrainerOptions(options);
    learnTrainer.start();
    expect(trainer.runs[0].options.checkpointEvery).toBe(50);
    expect(app.store.getState().learn.runs[0].name).toBe(describeOptions(trainer.runs[0].options));
  });

  it('runs every preset of the scenario in turn', async () => {
    const { trainer, learnTrainer, learn, settled } = setUp();
    learnTrainer.runAll();
    for (const [i, preset] of SCENARIO_PRESETS['lazy-vs-rich'].entries()) {
      expect(learn().presetId).toBe(preset.id);
      expect(trainer.runs[i].options).toEqual(preset.options);
      trainer.runs[i].finish();
      await settled();
    }
    expect(trainer.runs).toHaveLength(3);
    expect(learn().runs.map((r) => r.status)).toEqual(['done', 'done', 'done']);
  });

  it('stop ends the run and the queue', async () => {
    const { trainer, learnTrainer, learn, settled } = setUp();
    learnTrainer.runAll();
    learnTrainer.stop();
    await settled();
    expect(trainer.runs).toHaveLength(1);
    expect(trainer.runs[0].stopped).toBe(true);
    expect(learn().runs.map((r) => r.status)).toEqual(['stopped']);
  });

  it('a failed run says why', async () => {
    const { trainer, learnTrainer, current, settled } = setUp();
    learnTrainer.start();
    trainer.runs[0].fail('out of memory');
    await settled();
    expect(current()).toMatchObject({ status: 'failed', problems: ['out of memory'] });
  });

  it('leaving stops training and keeps what it trained', async () => {
    const { trainer, learnTrainer, current, tick, settled } = setUp();
    learnTrainer.start();
    trainer.runs[0].emit(10);
    learnTrainer.leave();
    await settled();
    tick();
    expect(trainer.runs[0].stopped).toBe(true);
    expect(current()).toMatchObject({ status: 'stopped' });
    expect(current().checkpoints.map((c) => c.step)).toEqual([10]);
  });

  it('sends a run to the dashboard under "Learn: <name>"', async () => {
    const { app, trainer, learnTrainer, current, tick, settled, learn } = setUp();
    learnTrainer.start();
    trainer.runs[0].emit(10);
    tick();
    trainer.runs[0].finish();
    await settled();
    learnTrainer.send(current());
    const name = `Learn: ${current().name}`;
    expect(learn().sentTo).toBe(name);
    expect(app.store.getState().runs.map((r) => [r.name, r.checkpoints.map((c) => c.metrics.dlr)])).toEqual([
      [name, [0.1]],
    ]);
  });
});
