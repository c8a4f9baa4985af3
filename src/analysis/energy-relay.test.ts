/**
 * The relay that lets the output half's worker take direction blocks of the spectrum half: who gets
 * which block, what happens when the helper never comes or fails, and that the shared spectrum equals
 * the one-worker spectrum to the bit.
 */
import { describe, expect, it } from 'vitest';

import { spectrumMetrics } from '../core/analyze';
import { createMomentAccumulator } from '../core/moments';
import { createNormal, createRandom } from '../core/random';
import type { Moments } from '../core/types';
import {
  createEnergyRelay,
  energyWorkBuffers,
  helperEnergiesBuffers,
  helpWithEnergies,
  spectrumSharingEnergies,
  type EnergyRelay,
  type EnergyWork,
  type HelperEnergies,
} from './energy-relay';

function moments(n: number, p: number, c: number, seed: number): Moments {
  const normal = createNormal(createRandom(seed));
  const features = Float64Array.from({ length: n * p }, () => Math.max(0, normal()));
  const logits = Float64Array.from({ length: n * c }, (_, i) => normal() + features[i % (n * p)]);
  const labels = Array.from({ length: n }, (_, i) => i % c);
  const accumulator = createMomentAccumulator(
    { p, c, targets: { kind: 'onehot', classes: c } },
    { precision: 'float64' },
  );
  accumulator.add({ rows: n, features, logits, labels });
  return accumulator.result();
}

const work = {} as EnergyWork;
const flush = () => new Promise((resolve) => setTimeout(resolve, 0));

/**
 * A relay as two workers see it through comlink: what one worker sends the other arrives as a
 * structured clone whose arrays were transferred (the sender's are detached), and every answer is a
 * promise. Records the blocks each side claimed.
 */
function workerRelay(relay: EnergyRelay) {
  const claimed = { front: [] as number[], back: [] as number[] };
  const moved = <T>(value: T, buffers: ArrayBuffer[]) => structuredClone(value, { transfer: buffers });
  const remote: EnergyRelay = {
    offer: async (offered, count) => relay.offer(moved(offered, energyWorkBuffers(offered)), count),
    claim: async (side) => {
      const b = await relay.claim(side);
      if (b >= 0) claimed[side].push(b);
      return b;
    },
    helped: async () => {
      const outcome = await relay.helped();
      return moved(outcome, helperEnergiesBuffers(outcome.done));
    },
    take: async () => relay.take(),
    deliver: async (done) => relay.deliver(moved(done, helperEnergiesBuffers(done))),
  };
  return { remote, claimed };
}

describe('createEnergyRelay', () => {
  it('hands every block once, the front to the spectrum half and the back to the helper', async () => {
    const relay = createEnergyRelay();
    const taken = relay.take();
    relay.offer(work, 5);
    await expect(taken).resolves.toBe(work);
    expect([relay.claim('front'), relay.claim('back'), relay.claim('front'), relay.claim('back')]).toEqual([
      0, 4, 1, 3,
    ]);
    expect([relay.claim('front'), relay.claim('back'), relay.claim('front')]).toEqual([2, -1, -1]);
    const helped = relay.helped();
    const done = { blocks: [4, 3], energies: [], projections: [], vectors: null } satisfies HelperEnergies;
    relay.deliver(done);
    await expect(helped).resolves.toEqual({ done, missing: [] });
  });

  it('gives a helper that comes after the last claim nothing, and does not wait for one that never came', async () => {
    const relay = createEnergyRelay();
    relay.offer(work, 2);
    relay.claim('front');
    relay.claim('front');
    expect(relay.take()).toBeNull();

    const unused = createEnergyRelay();
    unused.offer(work, 2);
    unused.claim('front');
    unused.claim('front');
    expect(unused.helped()).toEqual({ done: null, missing: [] });
    expect(unused.take()).toBeNull();
  });

  it('hands the spectrum half the blocks of a helper that failed', async () => {
    const relay = createEnergyRelay();
    relay.offer(work, 4);
    expect(relay.take()).toBe(work);
    expect([relay.claim('back'), relay.claim('front'), relay.claim('back'), relay.claim('front')]).toEqual([
      3, 0, 2, 1,
    ]);
    const helped = relay.helped();
    relay.ended('helper');
    await expect(helped).resolves.toEqual({ done: null, missing: [3, 2] });
    // failed before the spectrum half asked
    const early = createEnergyRelay();
    early.offer(work, 3);
    early.take();
    early.claim('back');
    early.ended('helper');
    expect(early.claim('front')).toBe(0);
    expect(early.claim('front')).toBe(1);
    expect(early.claim('front')).toBe(-1);
    expect(early.helped()).toEqual({ done: null, missing: [2] });
  });

  it('answers a waiting helper with nothing when the spectrum half offers none or ends first', async () => {
    const relay = createEnergyRelay();
    const taken = relay.take();
    relay.offer(null, 1);
    await expect(taken).resolves.toBeNull();

    const failed = createEnergyRelay();
    const waiting = failed.take();
    failed.ended('spectrum');
    await expect(waiting).resolves.toBeNull();
    expect(failed.claim('back')).toBe(-1);
  });
});

describe('spectrumSharingEnergies with helpWithEnergies', () => {
  it('equals the one-worker spectrum to the bit, each side computing blocks', async () => {
    const fit = moments(420, 300, 5, 1);
    const heldOut = moments(350, 300, 5, 2);
    // on the fit split every target is a block; with an eval split, blocks of 256 directions
    for (const evalSplit of [fit, heldOut]) {
      const { remote, claimed } = workerRelay(createEnergyRelay());
      const helper = helpWithEnergies(remote);
      const spectra = await spectrumSharingEnergies(fit, evalSplit, remote);
      await helper;
      expect(spectra).toEqual(spectrumMetrics(fit, evalSplit));
      expect(claimed.front.length).toBeGreaterThan(0);
      expect(claimed.back.length).toBeGreaterThan(0);
      expect([...claimed.front, ...claimed.back].sort()).toEqual([0, 1]);
    }
  });

  it('computes every block itself when the helper never comes, or fails after claiming', async () => {
    const fit = moments(420, 300, 5, 1);
    const heldOut = moments(350, 300, 5, 2);
    const alone = createEnergyRelay();
    expect(await spectrumSharingEnergies(fit, heldOut, alone)).toEqual(spectrumMetrics(fit, heldOut));

    const relay = createEnergyRelay();
    const failing: EnergyRelay = {
      ...relay,
      // the helper's worker claims a block, then stops without sending it
      take: async () => {
        const taken = await relay.take();
        relay.claim('back');
        relay.ended('helper');
        return taken;
      },
    };
    const helper = failing.take();
    const spectra = await spectrumSharingEnergies(fit, heldOut, relay);
    await helper;
    expect(spectra).toEqual(spectrumMetrics(fit, heldOut));
  });

  it('shares nothing when there is a single block', async () => {
    const fit = moments(120, 40, 3, 4);
    const relay = createEnergyRelay();
    const helper = helpWithEnergies(relay);
    await flush();
    expect(await spectrumSharingEnergies(fit, fit, relay)).toEqual(spectrumMetrics(fit));
    await helper;
    expect(relay.claim('back')).toBe(-1);
  });
});
