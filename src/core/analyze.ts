/**
 * Every number of one checkpoint from its moments (docs/method.md §3-§5): the single entry point of the UI
 * and CLI. The work falls into two independent halves, so a caller with two threads can run them side
 * by side: `outputMetrics` (D_LR and NC1: eigenproblems of size C) and `spectrumMetrics` (the p x p
 * feature spectrum and its curves). `analyzeMoments` runs both in turn.
 */
import { accuracy, nc1, readoutResidual } from './companion';
import { checkpointLayers, earlierLayerMetrics } from './layer-dlr';
import { lowRankMeasureWithDirections, type LowRankMeasure } from './low-rank-measure';
import {
  cumulativeProjection,
  energyTarget,
  everyBlock,
  featureSpectrum,
  fillDirectionEnergies,
  participationRatio,
  relativeEigenvalues,
  type EnergyTarget,
  type FeatureSpectrum,
} from './spectra';
import {
  allocateLocal,
  type Allocate,
  type CheckpointMetrics,
  type LayerMetrics,
  type Moments,
} from './types';

/** The half of the metrics that lives in output space (docs/method.md §3, §5 NC1, §8). */
export interface OutputMetrics {
  measure: LowRankMeasure;
  nc1: number | null;
  /** D_LR of the layers before the penultimate, in layer order (docs/method.md §8) */
  layers: LayerMetrics[];
}

/** The half that needs the eigendecomposition of S_pp (docs/method.md §4, §5 read-out and participation). */
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
  const { measure, directions } = lowRankMeasureWithDirections(fit);
  return { measure, nc1: nc1(fit), layers: earlierLayerMetrics(fit, directions) };
}

/**
 * The spectrum half between its two serial steps: the eigendecomposition is done and the direction
 * energies (the back-transformation and the curves' products, most of the half's work) are still to
 * be filled, by one thread or shared among several (fillDirectionEnergies hands out blocks).
 */
export interface SpectrumPlan {
  spectrum: FeatureSpectrum;
  targets: EnergyTarget[];
  /** one array per target, a value per kept direction */
  energies: Float64Array[];
  /** the target (index) each result reads: fit outputs (read-out residual), eval outputs, eval labels */
  fitOutputs: number | null;
  evalOutputs: number | null;
  evalLabels: number | null;
}

/**
 * The eigendecomposition and the targets of the curves (read in place from the splits' moments);
 * `allocate` places the arrays it creates.
 */
export function planSpectrum(
  fit: Moments,
  evalSplit: Moments = fit,
  allocate: Allocate = allocateLocal,
): SpectrumPlan {
  checkSplits(fit, evalSplit);
  const spectrum = featureSpectrum(fit, allocate);
  const targets: EnergyTarget[] = [];
  const add = (split: Moments, g: 'f' | 'y') => {
    const target = energyTarget(split, g);
    return target === null ? null : targets.push(target) - 1;
  };
  const fitOutputs = add(fit, 'f');
  // the read-out residual and the fit-split utilization share one projection of S_pf
  const evalOutputs = evalSplit === fit ? fitOutputs : add(evalSplit, 'f');
  const sameTargets = evalSplit.targetKind === fit.targetKind && evalSplit.q === fit.q;
  const evalLabels = evalSplit.q > 0 && sameTargets ? add(evalSplit, 'y') : null;
  const energies = targets.map(() => allocate(spectrum.rho.length));
  return { spectrum, targets, energies, fitOutputs, evalOutputs, evalLabels };
}

/** The spectrum half's results once every direction energy of the plan is filled. */
export function finishSpectrum(plan: SpectrumPlan, fit: Moments, evalSplit: Moments = fit): SpectrumMetrics {
  const { spectrum } = plan;
  const energies = (index: number | null) => (index === null ? null : plan.energies[index]);
  const rho = Array.from(spectrum.rho);
  return {
    rho,
    relativeEigenvalues: relativeEigenvalues(rho),
    mass:
      plan.evalLabels === null
        ? null
        : cumulativeProjection(spectrum, evalSplit, 'y', energies(plan.evalLabels)),
    utilization: cumulativeProjection(spectrum, evalSplit, 'f', energies(plan.evalOutputs)) ?? [],
    participationRatio: participationRatio(rho),
    readoutResidual: readoutResidual(fit, spectrum, energies(plan.fitOutputs)),
    spectrumTruncated: spectrum.truncated,
  };
}

/** The eigenfunctions come from the fit split; the cumulative curves are measured on `evalSplit`. */
export function spectrumMetrics(fit: Moments, evalSplit: Moments = fit): SpectrumMetrics {
  const plan = planSpectrum(fit, evalSplit);
  fillDirectionEnergies(plan.spectrum, plan.targets, plan.energies, everyBlock());
  return finishSpectrum(plan, fit, evalSplit);
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
    layers: checkpointLayers(fit, outputs.layers, measure),
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
