/**
 * Small hand-made runs for unit tests of the UI logic (not used by the app). Metrics are arbitrary
 * but shaped like real ones, so tests state exactly which numbers they expect.
 */
import type { CheckpointMetrics, Moments } from '../core/types';
import type { CheckpointRecord, RunRecord } from './records';

export function fakeMoments(p = 2, c = 2, q = 2): Moments {
  const d = p + c + q;
  const scatter = new Float64Array(d * d);
  for (let i = 0; i < d; i++) scatter[i * d + i] = i + 1;
  return {
    n: 10,
    p,
    c,
    q,
    targetKind: q > 0 ? 'onehot' : 'none',
    mean: new Float64Array(d).fill(0.5),
    scatter,
    correct: 7,
  };
}

export function fakeMetrics(overrides: Partial<CheckpointMetrics> = {}): CheckpointMetrics {
  const dlr = overrides.dlr ?? 0.25;
  return {
    n: 10,
    p: 4,
    C: 2,
    evalN: 10,
    r: 2,
    dlr: 0.25,
    rankProfile: [0.3, 0.25],
    dlrEnergy99: 0.25,
    r99: 2,
    outputSpectrum: [1, 0.5],
    linearCkaDistance: 0.2,
    rho: [4, 2, 1e-3, 1e-8],
    relativeEigenvalues: [1, 0.5, 2.5e-4, 2.5e-9],
    dlrStdErr: 0.01,
    dlrEnergy99StdErr: 0.012,
    mass: [0.5, 0.8, 0.9, 0.95],
    utilization: [0.6, 0.9, 1, 1],
    massNystrom: [0.5, 0.8, 0.9, 1.2],
    utilizationNystrom: [0.6, 0.9, 1, 1.1],
    nc1: 0.5,
    participationRatio: 1.8,
    readoutResidual: 0,
    accuracy: 0.7,
    evalAccuracy: 0.6,
    spectrumTruncated: false,
    layers: [
      { name: 'layer1', p: 6, r: 2, dlr: 0.5, dlrEnergy99: 0.5 },
      { name: 'features', p: 4, r: 2, dlr, dlrEnergy99: overrides.dlrEnergy99 ?? 0.25 },
    ],
    ...overrides,
  };
}

export function fakeCheckpoint(
  step: number,
  overrides: Partial<CheckpointMetrics> = {},
  withEval = true,
): CheckpointRecord {
  return {
    step,
    label: `step_${step}`,
    fit: fakeMoments(),
    eval: withEval ? fakeMoments() : null,
    metrics: fakeMetrics(overrides),
    notes: [],
    momentsKey: null,
  };
}

export function fakeRun(
  name: string,
  checkpoints: CheckpointRecord[],
  overrides: Partial<RunRecord> = {},
): RunRecord {
  return {
    id: name,
    name,
    colour: '#0072B2',
    visible: true,
    seedGroup: '',
    checkpoints,
    errors: [],
    ...overrides,
  };
}
