/** Every number of one checkpoint from its moments (METHOD.md §3-§5): the single entry point of the UI and CLI. */
import { accuracy, nc1, readoutResidual } from './companion';
import { lowRankMeasure } from './low-rank-measure';
import {
  cumulativeProjection,
  directionEnergies,
  featureSpectrum,
  participationRatio,
  relativeEigenvalues,
} from './spectra';
import type { CheckpointMetrics, Moments } from './types';

/**
 * Metrics of a checkpoint: D_LR and companions on the fit split; the eigenfunctions come from the fit
 * split and the cumulative curves are measured on `evalSplit` (default: the fit split).
 */
export function analyzeMoments(fit: Moments, evalSplit: Moments = fit): CheckpointMetrics {
  if (evalSplit.p !== fit.p || evalSplit.c !== fit.c) {
    throw new RangeError(
      `the eval split has p=${evalSplit.p}, C=${evalSplit.c} but the fit split has p=${fit.p}, C=${fit.c}`,
    );
  }
  const measure = lowRankMeasure(fit);
  const spectrum = featureSpectrum(fit);
  const rho = Array.from(spectrum.rho);
  const sameTargets = evalSplit.targetKind === fit.targetKind && evalSplit.q === fit.q;
  // the read-out residual and the fit-split utilization share one projection of S_pf
  const fitOutputs = directionEnergies(spectrum, fit, 'f');
  const evalOutputs = evalSplit === fit ? fitOutputs : directionEnergies(spectrum, evalSplit, 'f');
  return {
    n: fit.n,
    p: fit.p,
    C: fit.c,
    evalN: evalSplit.n,
    r: measure.r,
    dlr: measure.dlr,
    rankProfile: measure.rankProfile,
    dlrEnergy99: measure.dlrEnergy99,
    r99: measure.r99,
    outputSpectrum: measure.outputSpectrum,
    linearCkaDistance: measure.linearCkaDistance,
    rho,
    relativeEigenvalues: relativeEigenvalues(rho),
    mass: evalSplit.q > 0 && sameTargets ? cumulativeProjection(spectrum, evalSplit, 'y') : null,
    utilization: cumulativeProjection(spectrum, evalSplit, 'f', evalOutputs) ?? [],
    nc1: nc1(fit),
    participationRatio: participationRatio(rho),
    readoutResidual: readoutResidual(fit, spectrum, fitOutputs),
    accuracy: accuracy(fit),
    evalAccuracy: evalSplit === fit ? accuracy(fit) : accuracy(evalSplit),
    spectrumTruncated: spectrum.truncated,
  };
}
