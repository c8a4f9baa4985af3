/**
 * Kernel similarity between two checkpoints (the paper's S_init, docs/method.md §5): linear CKA between
 * their features on the same samples in the same order. Needs both raw feature arrays; the two are
 * streamed together into the joint moments of [Phi_a | Phi_b].
 */
import { linearCka } from '../core/companion';
import { createMomentAccumulator, maxMomentColumns } from '../core/moments';
import { openContainer } from '../io/open-container';
import { detectRoles, type RoleOverrides } from '../io/roles';
import { zipRows } from '../io/stream-rows';
import { InputError, type ArrayReader, type ByteSource } from '../io/types';

/** A statistic that needs raw rows was asked of a moments file: shown as "needs raw activations", not as a failure. */
export class NeedsRawActivationsError extends InputError {
  override name = 'NeedsRawActivationsError';
}

async function featureReader(sources: ByteSource[], roles: RoleOverrides | undefined): Promise<ArrayReader> {
  const containers = await Promise.all(sources.map(openContainer));
  const name = sources.map((s) => s.name).join(' + ');
  if (containers.some((c) => c.format === 'moments')) {
    throw new InputError(
      name,
      'kernel similarity needs raw activations: a moments file holds only their statistics',
    );
  }
  return detectRoles(
    containers.flatMap((c) => c.arrays),
    roles,
    name,
  ).features;
}

/** Linear CKA in [0, 1] between the features of `a` and of `reference` (same samples, same order). */
export async function kernelSimilarity(
  a: ByteSource[],
  reference: ByteSource[],
  options: { roles?: RoleOverrides; chunkRows?: number; signal?: AbortSignal } = {},
): Promise<number> {
  const phiA = await featureReader(a, options.roles);
  const phiB = await featureReader(reference, options.roles);
  const source = `${a.map((s) => s.name).join(' + ')} vs ${reference.map((s) => s.name).join(' + ')}`;
  if (phiA.rows !== phiB.rows) {
    throw new InputError(
      source,
      `kernel similarity needs the same samples: ${phiA.rows} rows vs ${phiB.rows} rows`,
    );
  }
  const bytes = [...a, ...reference].reduce((sum, file) => sum + file.size, 0);
  if (phiA.cols + phiB.cols > maxMomentColumns(bytes)) {
    throw new InputError(
      source,
      `kernel similarity of ${phiA.cols} and ${phiB.cols} feature columns needs a ${phiA.cols + phiB.cols}-column moment matrix, wider than these files' size allows (${maxMomentColumns(bytes)})`,
    );
  }
  const joint = createMomentAccumulator({ p: phiA.cols, c: phiB.cols, targets: { kind: 'none' } });
  for await (const [blockA, blockB] of zipRows([phiA, phiB], options.chunkRows ?? 4096, options.signal, {
    nonFinite: 'error',
    source,
  })) {
    joint.add({ rows: blockA.length / phiA.cols, features: blockA, logits: blockB });
  }
  return linearCka(joint.result());
}
