import { describe, expect, it } from 'vitest';
import { initialState, type RichscopeState } from './app-state';
import { addJobs, clearJobs, removeJob, reportJobProgress, setPool } from './job-actions';

const queued = addJobs.perform(initialState, [{ id: 'j', runIds: ['r'], label: 'step_1', file: 'a.npz' }]);
const read = (state: RichscopeState, rowsDone: number, time: number) =>
  reportJobProgress.perform(state, {
    id: 'j',
    progress: { phase: 'read', rowsDone, rowsTotal: 100, file: 'a.npz', workers: 2 },
    time,
  });
const computing = reportJobProgress.perform(read(queued, 10, 0), {
  id: 'j',
  progress: { phase: 'compute', rowsDone: 100, rowsTotal: 100, file: 'a.npz', workers: 1 },
  time: 500,
});

describe('job actions', () => {
  it('addJobs queues with nothing read', () =>
    expect(queued.jobs).toEqual([
      {
        id: 'j',
        runIds: ['r'],
        label: 'step_1',
        file: 'a.npz',
        checkpoints: 1,
        checkpointsDone: 0,
        phase: 'queued',
        rowsDone: 0,
        rowsTotal: 0,
        workers: 0,
        samples: [],
      },
    ]));
  it('reportJobProgress takes the report', () =>
    expect(read(queued, 10, 0).jobs[0]).toMatchObject({
      phase: 'read',
      rowsDone: 10,
      rowsTotal: 100,
      workers: 2,
    }));
  it('reading adds a rate sample', () =>
    expect(read(read(queued, 10, 0), 30, 500).jobs[0].samples).toEqual([
      { time: 0, rowsDone: 10 },
      { time: 500, rowsDone: 30 },
    ]));
  it('computing adds no sample', () =>
    expect(computing.jobs[0].samples).toEqual([{ time: 0, rowsDone: 10 }]));
  it('removeJob', () => expect(removeJob.perform(queued, 'j').jobs).toEqual([]));
  it('clearJobs', () => expect(clearJobs.perform(queued).jobs).toEqual([]));
  it('setPool', () =>
    expect(setPool.perform(initialState, { alive: 3, busy: 1 }).pool).toEqual({ alive: 3, busy: 1 }));
});
