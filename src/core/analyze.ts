/**
 * Every number of one checkpoint from its moments (docs/method.md §3-§5): the single entry point of the UI
 * and CLI. The work falls into two independent halves, so a caller with two threads can run them side
 * by side: `outputMetrics` (D_LR and NC1: eigenproblems of size C) and `spectrumMetrics` (the p x p
 * feature spectrum and its curves). `analyzeMoments` runs both in turn.
 */
import { accuracy, nc1, readoutResidual } from './companion';
import { jackknifeErrors, type JackknifeErrors } from './jackknife';
import { checkpointLayers, earlierLayerMetrics } from './layer-dlr';
import type { ReducedSymmetricEigen } from './linalg';
import { lowRankMeasureWithDirections, type LowRankMeasure } from './low-rank-measure';
import { nestedFactor } from './nested-projections';
import {
  cumulativeProjection,
  energyTarget,
  everyBlock,
  featureSpectrum,
  fillDirectionEnergies,
  heldOutCurve,
  heldOutGram,
  heldOutTarget,
  participationRatio,
  relativeEigenvalues,
  type EnergyTarget,
  type FeatureSpectrum,
  type HeldOutTarget,
} from './spectra';
import {
  allocateLocal,
  type Allocate,
  type CheckpointMetrics,
  type LayerMetrics,
  type Moments,
} from './types';

/** The half of the metrics that lives in output space (docs/method.md §3, §5 NC1, §7 jackknife, §8). */
export interface OutputMetrics {
  measure: LowRankMeasure;
  nc1: number | null;
  /** D_LR of the layers before the penultimate, in layer order (docs/method.md §8) */
  layers: LayerMetrics[];
  /** null without per-group moments, or when a deleted group leaves D_LR undefined */
  jackknife: JackknifeErrors | null;
}

/** The half that needs the eigendecomposition of S_pp (docs/method.md §4, §5 read-out and participation). */
export type SpectrumMetrics = Pick<
  CheckpointMetrics,
  | 'rho'
  | 'relativeEigenvalues'
  | 'mass'
  | 'utilization'
  | 'massNystrom'
  | 'utilizationNystrom'
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
  return {
    measure,
    nc1: nc1(fit),
    layers: earlierLayerMetrics(fit, directions),
    jackknife: fit.groups ? jackknifeErrors(fit.groups) : null,
  };
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
  /**
   * p x K, filled with the kept eigenvectors when the curves are measured on a split other than the
   * fit split (the held-out curves need V^T S^eval_pp V); null on the fit split, where the nested
   * projections are the Nyström sums (docs/method.md §4.1)
   */
  vectors: Float64Array | null;
  /** the target (index) each result reads: fit outputs (read-out residual), eval outputs, eval labels */
  fitOutputs: number | null;
  evalOutputs: number | null;
  evalLabels: number | null;
}

/**
 * The eigendecomposition and the targets of the curves (read in place from the splits' moments);
 * `allocate` places the arrays it creates. `reduced`: the decomposition when already made.
 */
export function planSpectrum(
  fit: Moments,
  evalSplit: Moments = fit,
  allocate: Allocate = allocateLocal,
  reduced?: ReducedSymmetricEigen,
): SpectrumPlan {
  checkSplits(fit, evalSplit);
  const spectrum = featureSpectrum(fit, allocate, reduced);
  const heldOut = evalSplit !== fit;
  const count = spectrum.rho.length;
  const targets: EnergyTarget[] = [];
  const add = (split: Moments, g: 'f' | 'y') => {
    const target = energyTarget(split, g);
    if (target === null) return null;
    if (heldOut && split === evalSplit) target.projections = allocate(count * target.width);
    return targets.push(target) - 1;
  };
  const fitOutputs = add(fit, 'f');
  // the read-out residual and the fit-split utilization share one projection of S_pf
  const evalOutputs = evalSplit === fit ? fitOutputs : add(evalSplit, 'f');
  const sameTargets = evalSplit.targetKind === fit.targetKind && evalSplit.q === fit.q;
  const evalLabels = evalSplit.q > 0 && sameTargets ? add(evalSplit, 'y') : null;
  const energies = targets.map(() => allocate(count));
  const vectors = heldOut ? allocate(spectrum.p * count) : null;
  return { spectrum, targets, energies, vectors, fitOutputs, evalOutputs, evalLabels };
}

/**
 * The held-out curves of docs/method.md §4.1 (a plan whose vectors are kept): the nested projections
 * of the eval split's labels (mass) and outputs (utilization), null where the target is absent or has
 * no variance there.
 */
export interface HeldOutCurves {
  mass: number[] | null;
  utilization: number[] | null;
}

/** What the held-out mass and utilization curves read, for a caller that computes them itself. */
export function heldOutTargets(
  plan: SpectrumPlan,
  evalSplit: Moments,
): { mass: HeldOutTarget | null; utilization: HeldOutTarget | null } {
  const target = (index: number | null, g: 'f' | 'y') =>
    index === null ? null : heldOutTarget(plan.targets[index].projections!, evalSplit, g);
  return { mass: target(plan.evalLabels, 'y'), utilization: target(plan.evalOutputs, 'f') };
}

/** The held-out curves on this thread: G, its factor, then each target's solve. */
export function heldOutCurves(plan: SpectrumPlan, evalSplit: Moments): HeldOutCurves {
  const count = plan.spectrum.rho.length;
  const factor = nestedFactor(heldOutGram(plan.vectors!, count, evalSplit), count);
  const { mass, utilization } = heldOutTargets(plan, evalSplit);
  return {
    mass: mass && heldOutCurve(factor, mass),
    utilization: utilization && heldOutCurve(factor, utilization),
  };
}

/**
 * The spectrum half's results once every direction energy of the plan is filled. `heldOut`: the
 * held-out curves when already computed (on two threads); else they are computed here when the plan
 * keeps its vectors.
 */
export function finishSpectrum(
  plan: SpectrumPlan,
  fit: Moments,
  evalSplit: Moments = fit,
  heldOut?: HeldOutCurves,
): SpectrumMetrics {
  const { spectrum, vectors } = plan;
  const energies = (index: number | null) => (index === null ? null : plan.energies[index]);
  const rho = Array.from(spectrum.rho);
  const nystrom = (index: number | null, g: 'f' | 'y') =>
    index === null ? null : cumulativeProjection(spectrum, evalSplit, g, energies(index));
  const massNystrom = nystrom(plan.evalLabels, 'y');
  const utilizationNystrom = nystrom(plan.evalOutputs, 'f') ?? [];
  // on the fit split the e_k are orthonormal and the nested projections are the sums themselves
  let mass = massNystrom && massNystrom.slice();
  let utilization = utilizationNystrom.slice();
  if (vectors !== null) {
    heldOut ??= heldOutCurves(plan, evalSplit);
    mass = heldOut.mass;
    utilization = heldOut.utilization ?? [];
  }
  return {
    rho,
    relativeEigenvalues: relativeEigenvalues(rho),
    mass,
    utilization,
    massNystrom,
    utilizationNystrom,
    participationRatio: participationRatio(rho),
    readoutResidual: readoutResidual(fit, spectrum, energies(plan.fitOutputs)),
    spectrumTruncated: spectrum.truncated,
  };
}

/** The eigenfunctions come from the fit split; the cumulative curves are measured on `evalSplit`. */
export function spectrumMetrics(fit: Moments, evalSplit: Moments = fit): SpectrumMetrics {
  const plan = planSpectrum(fit, evalSplit);
  fillDirectionEnergies(plan.spectrum, plan.targets, plan.energies, everyBlock(), plan.vectors ?? undefined);
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
    dlrStdErr: outputs.jackknife?.dlrStdErr ?? null,
    dlrEnergy99StdErr: outputs.jackknife?.dlrEnergy99StdErr ?? null,
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
