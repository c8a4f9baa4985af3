/**
 * The results bundle: everything needed to see the same plots elsewhere, without raw activations.
 * A JSON file (`*.richscope.json`) holding, per run and checkpoint, the moments of each split
 * (docs/method.md §2; float64 arrays as base64 of their little-endian bytes) plus the metrics for human
 * readers. On import the metrics are recomputed from the moments, so a bundle cannot show numbers
 * its moments do not support, with two exceptions taken from its metrics (`CarriedMetrics`): the
 * jackknife's standard errors, which need the per-group moments a bundle does not hold
 * (docs/method.md §7), and the precision the arrays were stored in. Pure: runs in the analysis worker
 * and in unit tests.
 */
import { InputError } from '../io/types';
import type { CheckpointMetrics, LayerSet, Moments, StoredPrecision, TargetKind } from '../core/types';
import type { RunRecord } from './records';

export const RESULTS_BUNDLE_FORMAT = 'richscope-results';
export const RESULTS_BUNDLE_VERSION = 1;
/** File name suffix the drop zone recognises as a results bundle. */
export const RESULTS_BUNDLE_SUFFIX = '.richscope.json';

interface EncodedMoments {
  n: number;
  p: number;
  c: number;
  q: number;
  targetKind: TargetKind;
  correct: number | null;
  /** base64 of float64 little-endian, length p + c + q */
  mean: string;
  /** base64 of float64 little-endian, (p + c + q)^2 row-major */
  scatter: string;
  /** the earlier layers' moments of [Phi_l | F] (docs/method.md §8); absent in bundles without layers */
  layers?: { features: string; earlier: { name: string; moments: EncodedMoments }[] };
}

interface BundleFile {
  format: typeof RESULTS_BUNDLE_FORMAT;
  version: number;
  runs: {
    name: string;
    colour: string;
    seedGroup: string;
    checkpoints: {
      step: number;
      label: string;
      notes: string[];
      fit: EncodedMoments;
      eval: EncodedMoments | null;
      /** informative copy; recomputed from the moments on import */
      metrics: CheckpointMetrics;
    }[];
  }[];
}

/** What a bundle's metrics give that its moments cannot: null where absent or malformed. */
export type CarriedMetrics = Pick<CheckpointMetrics, 'dlrStdErr' | 'dlrEnergy99StdErr' | 'storedPrecision'>;

/** A decoded bundle: runs with moments, metrics still to be computed. */
export interface DecodedBundleRun {
  name: string;
  colour: string;
  seedGroup: string;
  checkpoints: {
    step: number;
    label: string;
    notes: string[];
    fit: Moments;
    eval: Moments | null;
    carried: CarriedMetrics;
  }[];
}

const PRECISIONS: readonly StoredPrecision[] = ['float64', 'float32', 'float16', 'bfloat16'];

function carriedMetrics(metrics: Partial<CheckpointMetrics> | undefined): CarriedMetrics {
  const stdErr = (value: unknown) =>
    typeof value === 'number' && Number.isFinite(value) && value >= 0 ? value : null;
  const precision = metrics?.storedPrecision;
  return {
    dlrStdErr: stdErr(metrics?.dlrStdErr),
    dlrEnergy99StdErr: stdErr(metrics?.dlrEnergy99StdErr),
    storedPrecision: precision && PRECISIONS.includes(precision) ? precision : null,
  };
}

const isLittleEndian = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** base64 of the little-endian float64 bytes of `values`. */
export function encodeFloat64(values: Float64Array): string {
  const bytes = new Uint8Array(values.length * 8);
  const view = new DataView(bytes.buffer);
  values.forEach((v, i) => view.setFloat64(i * 8, v, true));
  let binary = '';
  // Chunked so String.fromCharCode never gets more arguments than the engine allows.
  for (let i = 0; i < bytes.length; i += 0x8000)
    binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary);
}

/** Inverse of {@link encodeFloat64}; throws when the byte count is not a multiple of 8. */
export function decodeFloat64(text: string): Float64Array {
  const binary = atob(text);
  if (binary.length % 8 !== 0)
    throw new RangeError(`${binary.length} bytes is not a whole number of float64 values`);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  if (isLittleEndian) return new Float64Array(bytes.buffer);
  const view = new DataView(bytes.buffer);
  return Float64Array.from({ length: bytes.length / 8 }, (_, i) => view.getFloat64(i * 8, true));
}

function encodeMoments(m: Moments): EncodedMoments {
  const encoded: EncodedMoments = {
    n: m.n,
    p: m.p,
    c: m.c,
    q: m.q,
    targetKind: m.targetKind,
    correct: m.correct,
    mean: encodeFloat64(m.mean),
    scatter: encodeFloat64(m.scatter),
  };
  if (m.layers)
    encoded.layers = {
      features: m.layers.features,
      earlier: m.layers.earlier.map(({ name, moments }) => ({ name, moments: encodeMoments(moments) })),
    };
  return encoded;
}

/** The bundle of the given runs as JSON text. */
export function encodeResultsBundle(runs: readonly RunRecord[]): string {
  const bundle: BundleFile = {
    format: RESULTS_BUNDLE_FORMAT,
    version: RESULTS_BUNDLE_VERSION,
    runs: runs.map((run) => ({
      name: run.name,
      colour: run.colour,
      seedGroup: run.seedGroup,
      checkpoints: run.checkpoints.map((c) => ({
        step: c.step,
        label: c.label,
        notes: c.notes,
        fit: encodeMoments(c.fit),
        eval: c.eval ? encodeMoments(c.eval) : null,
        metrics: c.metrics,
      })),
    })),
  };
  return JSON.stringify(bundle);
}

function decodeMoments(encoded: EncodedMoments, where: string, source: string): Moments {
  const { n, p, c, q } = encoded;
  if (![n, p, c, q].every((v) => Number.isInteger(v) && v >= 0)) {
    throw new InputError(source, `${where}: n, p, c and q must be non-negative integers`);
  }
  const d = p + c + q;
  let mean: Float64Array;
  let scatter: Float64Array;
  try {
    mean = decodeFloat64(encoded.mean);
    scatter = decodeFloat64(encoded.scatter);
  } catch {
    throw new InputError(source, `${where}: the mean or scatter is not valid base64 float64 data`);
  }
  if (mean.length !== d || scatter.length !== d * d) {
    throw new InputError(
      source,
      `${where}: expected ${d} means and ${d}x${d} scatter entries for p=${p}, C=${c}, q=${q}`,
    );
  }
  const targetKind: TargetKind = ['none', 'onehot', 'dense'].includes(encoded.targetKind)
    ? encoded.targetKind
    : 'none';
  const moments: Moments = {
    n,
    p,
    c,
    q,
    targetKind,
    mean,
    scatter,
    correct: typeof encoded.correct === 'number' ? encoded.correct : null,
  };
  if (encoded.layers !== undefined) moments.layers = decodeLayers(encoded.layers, moments, where, source);
  return moments;
}

/** The layers of decoded moments: each the moments of [Phi_l | F] on the same n rows and C outputs. */
function decodeLayers(
  layers: NonNullable<EncodedMoments['layers']>,
  own: Moments,
  where: string,
  source: string,
): LayerSet {
  if (typeof layers?.features !== 'string' || !Array.isArray(layers.earlier))
    throw new InputError(source, `${where}: layers must be {"features": name, "earlier": [...]}`);
  return {
    features: layers.features,
    earlier: layers.earlier.map(({ name, moments }) => {
      const layer = decodeMoments(moments, `${where}, layer ${String(name)}`, source);
      if (layer.n !== own.n || layer.c !== own.c || layer.q !== 0)
        throw new InputError(
          source,
          `${where}: layer ${String(name)} has n=${layer.n}, C=${layer.c}, q=${layer.q} but its checkpoint n=${own.n}, C=${own.c} (and q must be 0)`,
        );
      return { name: String(name), moments: layer };
    }),
  };
}

/** Parses a bundle; throws {@link InputError} naming `source` for anything malformed. */
export function decodeResultsBundle(text: string, source: string): DecodedBundleRun[] {
  let bundle: BundleFile;
  try {
    bundle = JSON.parse(text) as BundleFile;
  } catch {
    throw new InputError(source, 'not valid JSON; expected a Richscope results bundle (*.richscope.json)');
  }
  if (bundle?.format !== RESULTS_BUNDLE_FORMAT || !Array.isArray(bundle.runs)) {
    throw new InputError(source, `not a Richscope results bundle (no "format": "${RESULTS_BUNDLE_FORMAT}")`);
  }
  if (bundle.version > RESULTS_BUNDLE_VERSION) {
    throw new InputError(
      source,
      `bundle version ${bundle.version} is newer than this app reads (${RESULTS_BUNDLE_VERSION})`,
    );
  }
  return bundle.runs.map((run, r) => ({
    name: String(run.name ?? `run ${r + 1}`),
    colour: String(run.colour ?? ''),
    seedGroup: String(run.seedGroup ?? ''),
    checkpoints: (run.checkpoints ?? []).map((c, i) => {
      const where = `run "${run.name}", checkpoint ${i + 1}`;
      return {
        step: Number.isFinite(c.step) ? c.step : i,
        label: String(c.label ?? `checkpoint ${i + 1}`),
        notes: Array.isArray(c.notes) ? c.notes.map(String) : [],
        fit: decodeMoments(c.fit, where, source),
        eval: c.eval ? decodeMoments(c.eval, `${where} (eval split)`, source) : null,
        carried: carriedMetrics(c.metrics),
      };
    }),
  }));
}
