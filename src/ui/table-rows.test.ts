import { describe, expect, it } from 'vitest';
import { fakeCheckpoint, fakeRun } from '../session/fake-records';
import { tableRows } from './table-rows';

const runs = [
  fakeRun('run10', [fakeCheckpoint(0, { dlr: 0.4, nc1: null }), fakeCheckpoint(100, { dlr: 0.1, nc1: 2 })]),
  fakeRun('run9', [fakeCheckpoint(50, { dlr: 0.3, nc1: 1 })]),
];
const describeRows = (rows: ReturnType<typeof tableRows>) =>
  rows.map((r) => `${r.run.name}@${r.checkpoint.step}`);

describe('tableRows', () => {
  it('sorts run names naturally and keeps step order within a run', () => {
    expect(describeRows(tableRows(runs, 'run', false))).toEqual(['run9@50', 'run10@0', 'run10@100']);
  });

  it('sorts by a metric in both directions', () => {
    expect(describeRows(tableRows(runs, 'dlr', false))).toEqual(['run10@100', 'run9@50', 'run10@0']);
    expect(describeRows(tableRows(runs, 'dlr', true))).toEqual(['run10@0', 'run9@50', 'run10@100']);
  });

  it('puts missing values last either way', () => {
    expect(describeRows(tableRows(runs, 'nc1', false))).toEqual(['run9@50', 'run10@100', 'run10@0']);
    expect(describeRows(tableRows(runs, 'nc1', true))).toEqual(['run10@100', 'run9@50', 'run10@0']);
  });
});
