/**
 * Every number of one checkpoint from its moments (METHOD.md §3-§5): the single entry point of the UI
 * and CLI. The work falls into two independent halves, so a caller with two threads can run them side
 * by side: `outputMetrics` (D_LR and NC1: eigenproblems of size C) and `spectrumMetrics` (the p x p
 * feature spectrum and its curves). `analyzeMoments` runs both in turn.
 */
import { accuracy, nc1, readoutResidual } from './companion';
import { lowRankMeasure, type LowRankMeasure } from './low-rank-measure';
import {
  cumulativeProjection,
  directionEnergies,
  featureSpectrum,
  participationRatio,
  relativeEigenvalues,
} from './spectra';
import type { CheckpointMetrics, Moments } from './types';

/** The half of the metrics that lives in output space (METHOD.md §3, §5 NC1). */
export interface OutputMetrics {
  measure: LowRankMeasure;
  nc1: number | null;
}

/** The half that needs the eigendecomposition of S_pp (METHOD.md §4, §5 read-out and participation). */
export type SpectrumMetrics = Pick<
  CheckpointMetrics,
  | 'rho'
  | 'relativeEigenvalues'
  | 'mass'
  | 'utilization'
  | 'participationRatio'
  | 'readoutResidual'
  | 'spectrumTruncated'
>;

function checkSplits(fit: Moments, evalSplit: Moments): void {
  if (evalSplit.p !== fit.p || evalSplit.c !== fit.c) {
    throw new RangeError(
      `the eval split has p=${evalSplit.p}, C=${evalSplit.c} but the fit split has p=${fit.p}, C=${fit.c}`,
    );
  }
}

export function outputMetrics(fit: Moments): OutputMetrics {
  return { measure: lowRankMeasure(fit), nc1: nc1(fit) };
}

/** The eigenfunctions come from the fit split; the cumulative curves are measured on `evalSplit`. */
export function spectrumMetrics(fit: Moments, evalSplit: Moments = fit): SpectrumMetrics {
  checkSplits(fit, evalSplit);
  const spectrum = featureSpectrum(fit);
  const rho = Array.from(spectrum.rho);
  const sameTargets = evalSplit.targetKind === fit.targetKind && evalSplit.q === fit.q;
  // the read-out residual and the fit-split utilization share one projection of S_pf
  const fitOutputs = directionEnergies(spectrum, fit, 'f');
  const evalOutputs = evalSplit === fit ? fitOutputs : directionEnergies(spectrum, evalSplit, 'f');
  return {
    rho,
    relativeEigenvalues: relativeEigenvalues(rho),
    mass: evalSplit.q > 0 && sameTargets ? cumulativeProjection(spectrum, evalSplit, 'y') : null,
    utilization: cumulativeProjection(spectrum, evalSplit, 'f', evalOutputs) ?? [],
    participationRatio: participationRatio(rho),
    readoutResidual: readoutResidual(fit, spectrum, fitOutputs),
    spectrumTruncated: spectrum.truncated,
  };
}

/** Puts the two halves together with the counts and accuracies. */
export function combineMetrics(
  fit: Moments,
  evalSplit: Moments,
  outputs: OutputMetrics,
  spectra: SpectrumMetrics,
): CheckpointMetrics {
  const { measure } = outputs;
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
    nc1: outputs.nc1,
    ...spectra,
    accuracy: accuracy(fit),
    evalAccuracy: accuracy(evalSplit),
  };
}

/**
 * Metrics of a checkpoint: D_LR and companions on the fit split; the eigenfunctions come from the fit
 * split and the cumulative curves are measured on `evalSplit` (default: the fit split).
 */
export function analyzeMoments(fit: Moments, evalSplit: Moments = fit): CheckpointMetrics {
  checkSplits(fit, evalSplit);
  return combineMetrics(fit, evalSplit, outputMetrics(fit), spectrumMetrics(fit, evalSplit));
}
