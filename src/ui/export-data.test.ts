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
    expect(lines[0]).toBe('run,step,label,quantity,k,value');
    expect(lines).toContain('"rich, ""quoted""",150,step_150,dlr,,0.30000000000000004');
    expect(lines).toContain('"rich, ""quoted""",150,step_150,nc1,,');
    expect(lines).toContain('lazy,0,step_0,mass,4,0.95');
    expect(lines).toContain('lazy,0,step_0,massNystrom,4,1.2');
    expect(lines).toContain('lazy,0,step_0,dlrStdErr,,0.01');
    expect(lines).toContain('lazy,0,step_0,spectrumTruncated,,0');
    // 17 scalars + 4 mass + 4 utilization + 4 + 4 Nyström + 4 relative + 4 rho + 2 profile + 2 output
    // spectrum, and 5 quantities of each of 2 layers per checkpoint
    expect(lines).toHaveLength(1 + 2 * (17 + 4 + 4 + 4 + 4 + 4 + 4 + 2 + 2 + 5 * 2));
  });

  it('has the layers in layer order, the penultimate last, k their position', () => {
    const lines = exportCsv(runs).trimEnd().split('\n');
    expect(lines).toContain('lazy,0,step_0,layerName,1,layer1');
    expect(lines).toContain('lazy,0,step_0,layerDlr,1,0.5');
    expect(lines).toContain('lazy,0,step_0,layerName,2,features');
    expect(lines).toContain('"rich, ""quoted""",150,step_150,layerDlr,2,0.30000000000000004');
    expect(lines).toContain('lazy,0,step_0,layerP,1,6');
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
