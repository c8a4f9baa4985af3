import { describe, expect, it } from 'vitest';
import { fakeCheckpoint, fakeRun } from '../session/fake-records';
import { exportCsv, exportJson } from './export-data';

const runs = [
  fakeRun('rich, "quoted"', [fakeCheckpoint(150, { dlr: 0.1 + 0.2, nc1: null })]),
  fakeRun('lazy', [fakeCheckpoint(0, {}, false)]),
];

describe('CSV export', () => {
  it('has one value per row with full precision, quoted names and empty nulls', () => {
    const lines = exportCsv(runs).trimEnd().split('\n');
    expect(lines[0]).toBe('run,seed_group,step,label,quantity,k,value');
    expect(lines).toContain('"rich, ""quoted""",,150,step_150,dlr,,0.30000000000000004');
    expect(lines).toContain('"rich, ""quoted""",,150,step_150,nc1,,');
    expect(lines).toContain('lazy,,0,step_0,mass,4,0.95');
    expect(lines).toContain('lazy,,0,step_0,massNystrom,4,1.2');
    expect(lines).toContain('lazy,,0,step_0,dlrStdErr,,0.01');
    expect(lines).toContain('lazy,,0,step_0,spectrumTruncated,,0');
    // 17 scalars + 4 mass + 4 utilization + 4 + 4 Nyström + 4 relative + 4 rho + 2 profile + 2 output
    // spectrum, and 5 quantities of each of 2 layers per checkpoint
    expect(lines).toHaveLength(1 + 2 * (17 + 4 + 4 + 4 + 4 + 4 + 4 + 2 + 2 + 5 * 2));
  });

  it('has the layers in layer order, the penultimate last, k their position', () => {
    const lines = exportCsv(runs).trimEnd().split('\n');
    expect(lines).toContain('lazy,,0,step_0,layerName,1,layer1');
    expect(lines).toContain('lazy,,0,step_0,layerDlr,1,0.5');
    expect(lines).toContain('lazy,,0,step_0,layerName,2,features');
    expect(lines).toContain('"rich, ""quoted""",,150,step_150,layerDlr,2,0.30000000000000004');
    expect(lines).toContain('lazy,,0,step_0,layerP,1,6');
  });
});

describe('CSV export with seed groups', () => {
  const a = fakeRun('a', [fakeCheckpoint(0, { dlr: 0.2 }), fakeCheckpoint(5, { dlr: 0.1 })], {
    seedGroup: 'g',
  });
  const b = fakeRun('b', [fakeCheckpoint(0, { dlr: 0.4, mass: [0.7, 1, 1, 1] })], { seedGroup: ' g ' });
  const alone = fakeRun('alone', [fakeCheckpoint(0)], { seedGroup: 'solo' });

  it('names each run’s seed group', () => {
    const lines = exportCsv([a, alone]).split('\n');
    expect(lines).toContain('a,g,0,step_0,dlr,,0.2');
    expect(lines).toContain('alone,solo,0,step_0,dlr,,0.25');
  });

  it('adds mean and sd rows of each group at the steps its runs share, only with aggregation on', () => {
    expect(exportCsv([a, b, alone])).not.toContain('(mean of');
    const lines = exportCsv([a, b, alone], { aggregateSeeds: true }).trimEnd().split('\n');
    const group = lines.filter((l) => l.startsWith('g (mean of 2)'));
    const value = (prefix: string) =>
      Number(
        group
          .find((l) => l.startsWith(prefix))!
          .split(',')
          .at(-1),
      );
    // D_LR 0.2 and 0.4: mean 0.3, population sd 0.1
    expect(value('g (mean of 2),g,0,mean,dlr,,')).toBeCloseTo(0.3, 15);
    expect(value('g (mean of 2),g,0,sd,dlr,,')).toBeCloseTo(0.1, 15);
    // mass at k = 1: 0.5 and 0.7
    expect(value('g (mean of 2),g,0,mean,mass,1,')).toBeCloseTo(0.6, 15);
    expect(value('g (mean of 2),g,0,sd,mass,1,')).toBeCloseTo(0.1, 15);
    expect(group.filter((l) => l.includes(',mass,'))).toHaveLength(2 * 4);
    expect(group.some((l) => l.startsWith('g (mean of 2),g,5,'))).toBe(false); // step 5: only a has it
    expect(lines.some((l) => l.startsWith('solo'))).toBe(false); // a group of one is no aggregate
  });
});

describe('JSON export', () => {
  it('holds every run, checkpoint and metric', () => {
    const parsed = JSON.parse(exportJson(runs));
    expect(parsed.format).toBe('richscope-metrics');
    expect(parsed.runs.map((r: { name: string }) => r.name)).toEqual(['rich, "quoted"', 'lazy']);
    expect(parsed.runs[0].checkpoints[0].metrics.dlr).toBe(0.30000000000000004);
    expect(parsed.runs[0].checkpoints[0].hasEvalSplit).toBe(true);
    expect(parsed.runs[1].checkpoints[0].hasEvalSplit).toBe(false);
    expect(parsed.runs[1].checkpoints[0].metrics.mass).toEqual([0.5, 0.8, 0.9, 0.95]);
    expect(parsed.runs[1].checkpoints[0].metrics.massNystrom).toEqual([0.5, 0.8, 0.9, 1.2]);
    expect(parsed.runs[1].checkpoints[0].metrics.layers.map((l: { name: string }) => l.name)).toEqual([
      'layer1',
      'features',
    ]);
  });
});
