/**
 * The browser's two metrics workers sharing the direction energies (the back-transformation and the
 * curves' products, most of the spectrum half), without shared memory: the spectrum half offers
 * copies of what the energies read, the output half's worker takes them once its own half is done,
 * and both claim blocks (of directions, or one target each: `energyBlocks`) from a counter on the
 * main thread (the relay), the spectrum half from the front and the helper from the back. The helper
 * sends its blocks back; the spectrum half copies them in. Each block is computed by the same code
 * whichever worker takes it (`fillEnergyBlock`), so the metrics equal the one-worker ones to the bit.
 *
 * The CLI shares the same blocks between threads through shared memory instead (thread-halves.ts).
 */
import { finishSpectrum, planSpectrum, type SpectrumMetrics, type SpectrumPlan } from '../core/analyze';
import {
  copyEnergyBlock,
  energyBlocks,
  everyBlock,
  fillDirectionEnergies,
  fillEnergyBlock,
  targetRows,
  type EnergyArrays,
  type EnergyTarget,
  type FeatureSpectrum,
} from '../core/spectra';
import type { Moments } from '../core/types';

/** Copies of what the direction energies read, for another worker; every array may be transferred. */
export interface EnergyWork {
  spectrum: FeatureSpectrum;
  /** each target's S_pg as p x width rows (stride = width), without its projections */
  targets: EnergyTarget[];
  /** which targets keep their projections (the held-out curves') */
  projected: boolean[];
  /** whether the kept eigenvectors are written too */
  keepVectors: boolean;
}

/** The blocks a helper computed, in arrays laid out as the spectrum half's. */
export interface HelperEnergies extends EnergyArrays {
  blocks: number[];
}

/** What the spectrum half gets back once no block is left to claim. */
export interface HelperOutcome {
  /** the helper's blocks; null when it took none */
  done: HelperEnergies | null;
  /** blocks the helper claimed but never sent (it failed): the spectrum half computes them */
  missing: number[];
}

/** The main thread's side of the sharing, as each worker calls it (through comlink: every answer may be a promise). */
export interface EnergyRelay {
  /** the spectrum half: what the helper needs and how many blocks there are; null: nothing to share */
  offer(work: EnergyWork | null, count: number): void | Promise<void>;
  /** the next block from that end; -1 when none is left */
  claim(side: 'front' | 'back'): number | Promise<number>;
  /** the spectrum half, its claims done: waits for the helper's blocks if it took any */
  helped(): HelperOutcome | Promise<HelperOutcome>;
  /** the helper: the work once offered; null when there is none for it */
  take(): EnergyWork | null | Promise<EnergyWork | null>;
  /** the helper: its blocks, once it has claimed the last */
  deliver(done: HelperEnergies): void | Promise<void>;
}

/** The relay, plus what the main thread tells it: a half's call has settled (done, failed or stopped). */
export interface MainEnergyRelay extends EnergyRelay {
  ended(half: 'spectrum' | 'helper'): void;
}

export function createEnergyRelay(): MainEnergyRelay {
  let work: EnergyWork | null | undefined;
  let next = 0;
  let last = -1;
  let helper: 'waiting' | 'working' | 'delivered' | 'gone' = 'waiting';
  let delivered: HelperEnergies | null = null;
  const helperClaims: number[] = [];
  let answerTake: ((work: EnergyWork | null) => void) | null = null;
  let answerHelped: ((outcome: HelperOutcome) => void) | null = null;

  const giveWork = (): EnergyWork | null => {
    if (helper !== 'waiting' || !work || next > last) {
      if (helper === 'waiting') helper = 'gone';
      return null;
    }
    helper = 'working';
    return work;
  };
  const answerPendingTake = () => {
    const answer = answerTake;
    answerTake = null;
    answer?.(giveWork());
  };

  return {
    offer(offered, count) {
      work = offered;
      next = 0;
      last = offered ? count - 1 : -1;
      answerPendingTake();
    },
    claim(side) {
      if (next > last) return -1;
      if (side === 'front') return next++;
      helperClaims.push(last);
      return last--;
    },
    helped() {
      if (helper === 'delivered') return { done: delivered, missing: [] };
      if (helper === 'working') return new Promise((resolve) => (answerHelped = resolve));
      // never took the work (it gets none now), or took it and failed: its claims are computed here
      helper = 'gone';
      answerPendingTake();
      return { done: null, missing: helperClaims.slice() };
    },
    take() {
      if (work === undefined && helper === 'waiting') return new Promise((resolve) => (answerTake = resolve));
      return giveWork();
    },
    deliver(done) {
      if (helper !== 'working') return;
      helper = 'delivered';
      delivered = done;
      answerHelped?.({ done, missing: [] });
    },
    ended(half) {
      if (half === 'spectrum') {
        work = null;
        next = 0;
        last = -1;
        if (helper === 'waiting') helper = 'gone';
        answerTake?.(null);
        answerTake = null;
        return;
      }
      if (helper === 'working') answerHelped?.({ done: null, missing: helperClaims.slice() });
      if (helper !== 'delivered') helper = 'gone';
    },
  };
}

/** The arrays of `work` and of `energies`, for a transfer. */
export function energyWorkBuffers(work: EnergyWork | null): ArrayBuffer[] {
  if (!work) return [];
  const { reduced, rho } = work.spectrum;
  const arrays = [
    rho,
    reduced.values,
    reduced.tridiagonalVectors,
    ...reduced.reflectorBlocks.flatMap((block) => [block.y, block.tt]),
    ...work.targets.map((target) => target.scatter),
  ];
  return distinctBuffers(arrays);
}

export function helperEnergiesBuffers(done: HelperEnergies | null): ArrayBuffer[] {
  if (!done) return [];
  const projections = done.projections.filter((a): a is Float64Array => a !== null);
  return distinctBuffers([...done.energies, ...projections, ...(done.vectors ? [done.vectors] : [])]);
}

function distinctBuffers(arrays: Float64Array[]): ArrayBuffer[] {
  return [...new Set(arrays.map((a) => a.buffer as ArrayBuffer))];
}

/** Copies of what the plan's direction energies read, each in a buffer of its own. */
function energyWork(plan: SpectrumPlan): EnergyWork {
  const { spectrum } = plan;
  const { p } = spectrum;
  const { reduced } = spectrum;
  return {
    spectrum: {
      ...spectrum,
      rho: spectrum.rho.slice(),
      reduced: {
        ...reduced,
        values: reduced.values.slice(),
        tridiagonalVectors: reduced.tridiagonalVectors.slice(),
        reflectorBlocks: reduced.reflectorBlocks.map((block) => ({
          ...block,
          y: block.y.slice(),
          tt: block.tt.slice(),
        })),
      },
    },
    targets: plan.targets.map((target) => ({
      scatter: targetRows(target, p),
      stride: target.width,
      width: target.width,
      n: target.n,
    })),
    projected: plan.targets.map((target) => target.projections !== undefined),
    keepVectors: plan.vectors !== null,
  };
}

/**
 * The spectrum half with a helper: offers the energies' work when there are two blocks or more,
 * computes the blocks it claims, then copies in the helper's (or computes those the helper claimed
 * and lost). Equal to `spectrumMetrics` to the bit.
 */
export async function spectrumSharingEnergies(
  fit: Moments,
  evalSplit: Moments,
  relay: EnergyRelay,
): Promise<SpectrumMetrics> {
  const plan = planSpectrum(fit, evalSplit);
  const { spectrum, targets } = plan;
  const vectors = plan.vectors ?? undefined;
  const blocks = energyBlocks(spectrum, targets, vectors !== undefined);
  if (blocks.count < 2) {
    await relay.offer(null, blocks.count);
    fillDirectionEnergies(spectrum, targets, plan.energies, everyBlock(), vectors);
    return finishSpectrum(plan, fit, evalSplit);
  }
  await relay.offer(energyWork(plan), blocks.count);
  for (let b = await relay.claim('front'); b >= 0; b = await relay.claim('front'))
    fillEnergyBlock(spectrum, targets, plan.energies, blocks, b, vectors);
  const { done, missing } = await relay.helped();
  const arrays: EnergyArrays = {
    energies: plan.energies,
    projections: targets.map((target) => target.projections ?? null),
    vectors: plan.vectors,
  };
  if (done) for (const b of done.blocks) copyEnergyBlock(blocks, b, spectrum.p, done, arrays);
  for (const b of missing) fillEnergyBlock(spectrum, targets, plan.energies, blocks, b, vectors);
  return finishSpectrum(plan, fit, evalSplit);
}

/** The helper's side: takes the work if it is still offered, computes blocks from the back, sends them. */
export async function helpWithEnergies(relay: EnergyRelay): Promise<void> {
  const work = await relay.take();
  if (!work) return;
  const { spectrum, keepVectors } = work;
  const count = spectrum.rho.length;
  const targets = work.targets.map((target, t) =>
    work.projected[t] ? { ...target, projections: new Float64Array(count * target.width) } : target,
  );
  const done: HelperEnergies = {
    blocks: [],
    energies: targets.map(() => new Float64Array(count)),
    projections: targets.map((target) => target.projections ?? null),
    vectors: keepVectors ? new Float64Array(spectrum.p * count) : null,
  };
  const blocks = energyBlocks(spectrum, targets, keepVectors);
  for (let b = await relay.claim('back'); b >= 0; b = await relay.claim('back')) {
    fillEnergyBlock(spectrum, targets, done.energies, blocks, b, done.vectors ?? undefined);
    done.blocks.push(b);
  }
  await relay.deliver(done);
}
