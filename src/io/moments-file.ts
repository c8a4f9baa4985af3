/**
 * The moments file (docs/moments-format.md): an .npz of per-split sufficient statistics, produced
 * where the activations live. Read back into the core's {@link Moments}, with the full d x d
 * scatter matrix assembled from its blocks (d = p + c + q), and each earlier layer's moments of
 * [Phi_l | F] from its blocks and the split's S_ff (version 2, docs/method.md §8).
 */
import { maxMomentColumns } from '../core/moments';
import type { LayerSet, Moments, TargetKind } from '../core/types';
import { openNpz } from './npz';
import { InputError, type ArrayContainer, type ArrayReader, type ByteSource } from './types';

/** The key that marks an .npz as a moments file. */
export const MOMENTS_MARKER_KEY = 'richscope_moments';
/** The newest version this reader knows; it reads every version up to it. */
export const MOMENTS_FORMAT_VERSION = 2;

export interface MomentsFile {
  run: string | null;
  step: number | null;
  /** fit split first */
  splits: { name: string; moments: Moments }[];
}

/** Every value of an array, row-major (moment blocks are small: p x p at most). */
export async function readWholeArray(reader: ArrayReader, signal?: AbortSignal): Promise<Float64Array> {
  const out = new Float64Array(reader.rows * reader.cols);
  let at = 0;
  for await (const block of reader.readRows(Math.max(1, reader.rows), signal)) {
    out.set(block, at);
    at += block.length;
  }
  return out;
}

export function isMomentsContainer(container: ArrayContainer): boolean {
  return container.arrays.some((a) => a.key === MOMENTS_MARKER_KEY);
}

/** Reads and validates a moments file. */
export async function readMomentsFile(src: ByteSource, signal?: AbortSignal): Promise<MomentsFile> {
  return momentsFromContainer(await openNpz(src), src.size, signal);
}

/** The statistics of an already opened moments .npz (openContainer reports it as format 'moments'). */
export async function momentsFromContainer(
  container: ArrayContainer,
  /** the file's size: the widest moment matrix it may ask for follows from it (core maxMomentColumns) */
  bytes: number,
  signal?: AbortSignal,
): Promise<MomentsFile> {
  const source = container.source;
  const byKey = new Map(container.arrays.map((a) => [a.key, a]));
  const fail = (problem: string) => new InputError(source, `moments file: ${problem}`);
  const checkShape = (key: string, shape: number[] | null): ArrayReader => {
    const reader = byKey.get(key);
    if (!reader) throw fail(`missing array ${key}`);
    if (shape && (reader.shape.length !== shape.length || reader.shape.some((s, i) => s !== shape[i]))) {
      throw fail(`${key} has shape (${reader.shape.join(', ')}) but (${shape.join(', ')}) was expected`);
    }
    return reader;
  };
  const get = async (key: string, shape: number[] | null): Promise<Float64Array> =>
    readWholeArray(checkShape(key, shape), signal);
  const optional = (key: string) => byKey.has(key);
  const version = (await get(MOMENTS_MARKER_KEY, []))[0];
  if (!(Number.isInteger(version) && version >= 1 && version <= MOMENTS_FORMAT_VERSION)) {
    throw fail(
      `format version ${version} is not supported (this Richscope reads versions 1 to ${MOMENTS_FORMAT_VERSION})`,
    );
  }
  const metaReader = byKey.get('meta_json');
  if (!metaReader || metaReader.shape.length !== 1) throw fail('missing meta_json (uint8 UTF-8 JSON)');
  const metaBytes = Uint8Array.from(await readWholeArray(metaReader, signal));
  let meta: { run?: unknown; step?: unknown; splits?: unknown; target_kind?: unknown; layers?: unknown };
  try {
    meta = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(metaBytes)) as typeof meta;
  } catch (error) {
    throw fail(`meta_json is not valid JSON (${(error as Error).message})`);
  }
  if (!Array.isArray(meta.splits) || meta.splits.length === 0)
    throw fail('meta_json.splits must list the split names');
  const targetKinds = (meta.target_kind ?? {}) as Record<string, unknown>;
  const layersOf = (meta.layers ?? {}) as Record<string, unknown>;
  const splits: MomentsFile['splits'] = [];
  for (const name of meta.splits) {
    if (typeof name !== 'string' || !/^[A-Za-z0-9_-]+$/.test(name))
      throw fail(`bad split name ${JSON.stringify(name)}`);
    const n = (await get(`${name}__n`, []))[0];
    const meanFeatures = await get(`${name}__mean_features`, null);
    const meanLogits = await get(`${name}__mean_logits`, null);
    const p = meanFeatures.length;
    const c = meanLogits.length;
    const hasTargets = optional(`${name}__mean_targets`);
    const meanTargets = hasTargets ? await get(`${name}__mean_targets`, null) : new Float64Array(0);
    const q = meanTargets.length;
    const kindValue = targetKinds[name] ?? (q === 0 ? 'none' : 'dense');
    if (kindValue !== 'none' && kindValue !== 'onehot' && kindValue !== 'dense') {
      throw fail(`target_kind of ${name} is ${JSON.stringify(kindValue)} (expected onehot, dense or none)`);
    }
    const targetKind = kindValue as TargetKind;
    if ((targetKind === 'none') !== (q === 0))
      throw fail(`split ${name}: target_kind ${targetKind} but ${q} target columns`);
    const d = p + c + q;
    // the blocks' shapes are checked before the d x d matrix is allocated: the file holds them all
    for (const [key, shape] of [
      ['S_pp', [p, p]],
      ['S_pf', [p, c]],
      ['S_ff', [c, c]],
      ...(q > 0
        ? [
            ['S_py', [p, q]],
            ['S_fy', [c, q]],
            ['S_yy', [q, q]],
          ]
        : []),
    ] as [string, number[]][])
      checkShape(`${name}__${key}`, shape);
    if (d > maxMomentColumns(bytes))
      throw fail(`split ${name}: ${d} columns is wider than a file of this size may ask for`);
    const mean = new Float64Array(d);
    mean.set(meanFeatures, 0);
    mean.set(meanLogits, p);
    mean.set(meanTargets, p + c);
    const scatter = new Float64Array(d * d);
    // block (rowStart, colStart) of size r x k, mirrored into the lower triangle
    const place = (block: Float64Array, rowStart: number, colStart: number, r: number, k: number) => {
      for (let i = 0; i < r; i++) {
        for (let j = 0; j < k; j++) {
          const value = block[i * k + j];
          scatter[(rowStart + i) * d + colStart + j] = value;
          scatter[(colStart + j) * d + rowStart + i] = value;
        }
      }
    };
    place(await get(`${name}__S_pp`, [p, p]), 0, 0, p, p);
    place(await get(`${name}__S_pf`, [p, c]), 0, p, p, c);
    place(await get(`${name}__S_ff`, [c, c]), p, p, c, c);
    if (q > 0) {
      place(await get(`${name}__S_py`, [p, q]), 0, p + c, p, q);
      place(await get(`${name}__S_fy`, [c, q]), p, p + c, c, q);
      place(await get(`${name}__S_yy`, [q, q]), p + c, p + c, q, q);
    }
    const correct = optional(`${name}__correct`) ? (await get(`${name}__correct`, []))[0] : null;
    if (!Number.isInteger(n) || n < 0) throw fail(`${name}__n is ${n}`);
    const moments: Moments = { n, p, c, q, targetKind, mean, scatter, correct };
    if (layersOf[name] !== undefined) {
      const described = layersOf[name] as { features?: unknown; earlier?: unknown };
      const names = described.earlier;
      if (
        typeof described.features !== 'string' ||
        !Array.isArray(names) ||
        names.some((l) => typeof l !== 'string')
      )
        throw fail(`meta_json.layers.${name} must be {"features": name, "earlier": [names]}`);
      moments.layers = await readLayers(
        name,
        described.features,
        names as string[],
        moments,
        get,
        () => fail(`split ${name}: a layer is wider than a file of this size may ask for`),
        maxMomentColumns(bytes),
      );
    }
    splits.push({ name, moments });
  }
  const run = typeof meta.run === 'string' ? meta.run : null;
  const step = typeof meta.step === 'number' && Number.isInteger(meta.step) ? meta.step : null;
  return { run, step, splits };
}

/**
 * The earlier layers of one split: layer i's moments of [Phi_l | F] from `{split}__layer{i}__mean`,
 * `__S_ll`, `__S_lf` and the split's own mean of F and S_ff (the same rows).
 */
async function readLayers(
  split: string,
  features: string,
  names: string[],
  own: Moments,
  get: (key: string, shape: number[] | null) => Promise<Float64Array>,
  tooWide: () => Error,
  maxColumns: number,
): Promise<LayerSet> {
  const { c, n } = own;
  const d = own.p + c + own.q;
  const earlier: LayerSet['earlier'] = [];
  for (const [i, name] of names.entries()) {
    const prefix = `${split}__layer${i}__`;
    const layerMean = await get(`${prefix}mean`, null);
    const p = layerMean.length;
    const sll = await get(`${prefix}S_ll`, [p, p]);
    const slf = await get(`${prefix}S_lf`, [p, c]);
    const width = p + c;
    if (width > maxColumns) throw tooWide();
    const mean = new Float64Array(width);
    mean.set(layerMean, 0);
    mean.set(own.mean.subarray(own.p, own.p + c), p);
    const scatter = new Float64Array(width * width);
    for (let a = 0; a < p; a++) {
      scatter.set(sll.subarray(a * p, (a + 1) * p), a * width);
      for (let j = 0; j < c; j++) {
        scatter[a * width + p + j] = slf[a * c + j];
        scatter[(p + j) * width + a] = slf[a * c + j];
      }
    }
    for (let j = 0; j < c; j++)
      scatter.set(
        own.scatter.subarray((own.p + j) * d + own.p, (own.p + j) * d + own.p + c),
        (p + j) * width + p,
      );
    earlier.push({
      name,
      moments: { n, p, c, q: 0, targetKind: 'none', mean, scatter, correct: null },
    });
  }
  return { features, earlier };
}
