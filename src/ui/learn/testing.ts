/** Hand-made metrics for the Learn view's unit tests only. */
import type { CheckpointMetrics } from '../../core/types';

export function fakeMetrics(dlr: number): CheckpointMetrics {
  return {
    n: 100,
    p: 8,
    C: 4,
    evalN: 50,
    r: 4,
    dlr,
    rankProfile: [dlr],
    dlrEnergy99: dlr,
    r99: 4,
    outputSpectrum: [1],
    linearCkaDistance: dlr,
    rho: [1, 0.5],
    relativeEigenvalues: [1, 0.5],
    dlrStdErr: 0.01,
    dlrEnergy99StdErr: 0.01,
    mass: [0.5, 0.9],
    utilization: [0.6, 1],
    massNystrom: [0.5, 0.9],
    utilizationNystrom: [0.6, 1],
    nc1: 1,
    participationRatio: 1.8,
    readoutResidual: 0,
    accuracy: 0.9,
    evalAccuracy: 0.8,
    spectrumTruncated: false,
    layers: [
      { name: 'hidden1', p: 8, r: 4, dlr: Math.min(1, dlr + 0.1), dlrEnergy99: Math.min(1, dlr + 0.1) },
      { name: 'hidden2', p: 8, r: 4, dlr, dlrEnergy99: dlr },
    ],
  };
}
