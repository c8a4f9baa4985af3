/**
 * Shared shapes of the numerical core. Everything the app shows is a function of {@link Moments}
 * (docs/method.md §2); {@link CheckpointMetrics} is what one checkpoint yields.
 */

/** The element type features and logits were stored in, as far as rounding goes (integers: exact). */
export type StoredPrecision = 'float64' | 'float32' | 'float16' | 'bfloat16';

/** How the target block Y of the moment matrix was formed. */
export type TargetKind = 'none' | 'onehot' | 'dense';

/** The target block of a split before its rows are read: one-hot classes, dense columns, or none. */
export type TargetShape =
  | { kind: 'none' }
  | {
      kind: 'onehot';
      classes: number;
      /**
       * The label of each one-hot column, ascending (length `classes`): the distinct labels present,
       * so a label is a class name, never a size. Default 0..classes-1.
       */
      labels?: number[];
    }
  | { kind: 'dense'; q: number };

/** The column blocks of a split's moment matrix: p features, c outputs, then the targets. */
export interface MomentShape {
  /** feature columns */
  p: number;
  /** output columns */
  c: number;
  targets: TargetShape;
  /** the network's other layers (docs/method.md §8): each adds the moments of [Phi_l | F]; absent: none */
  layers?: LayerShape;
}

/** The penultimate layer's name and the earlier layers' names and widths, in layer order. */
export interface LayerShape {
  features: string;
  earlier: { name: string; p: number }[];
}

/**
 * Columns of the target block Y: the classes of one-hot targets, the width of dense ones, 0 without
 * targets. The moment matrix is d x d with d = p + c + targetColumns(targets).
 */
export function targetColumns(targets: TargetShape): number {
  if (targets.kind === 'onehot') return targets.classes;
  if (targets.kind === 'dense') return targets.q;
  return 0;
}

/**
 * Sufficient statistics of one split (docs/method.md §2): the centred cross-product matrix of
 * X = [Phi | F | Y] and its column means. Exactly mergeable with `mergeMoments`.
 */
export interface Moments {
  /** rows seen */
  n: number;
  /** feature columns (Phi) */
  p: number;
  /** output columns (F, logits) */
  c: number;
  /** target columns (Y); 0 when there are no labels or targets */
  q: number;
  targetKind: TargetKind;
  /** column means of X, length d = p + c + q */
  mean: Float64Array;
  /** S = X_c^T X_c, d x d, row-major, symmetric */
  scatter: Float64Array;
  /** rows whose argmax(F) equals the label (one-hot targets only; null otherwise) */
  correct: number | null;
  /**
   * The network's other layers on the same rows (docs/method.md §8); absent: only the penultimate is known
   * (read as a single layer named 'features').
   */
  layers?: LayerSet;
  /**
   * The jackknife's per-group moments (docs/method.md §7), present when the pass was asked for them:
   * G moments of the [Phi | F] columns only (q = 0, no groups of their own), group g holding the rows
   * whose index i in the split satisfies i mod G = g. `mergeMomentsInto` merges them group by group.
   */
  groups?: Moments[];
}

/** The layers of a checkpoint beyond the penultimate one, whose activations are the features block. */
export interface LayerSet {
  /** name of the penultimate layer (the features block of the moments that hold this set) */
  features: string;
  /** the layers before it, in layer order */
  earlier: LayerMoments[];
}

/**
 * One earlier layer l: the moments of [Phi_l | F] on the rows of the moments that hold it (p = p_l,
 * c = C, q = 0), so each layer costs O(n (p_l + C)^2) and no block between two layers is formed.
 */
export interface LayerMoments {
  name: string;
  moments: Moments;
}

/** A chunk of consecutive rows of one split. All arrays are row-major. */
export interface RowChunk {
  rows: number;
  /**
   * Index in the split of the chunk's first row: places each row in its jackknife group (row i in
   * group i mod G). Default: the rows added so far, right for chunks added in order from row 0.
   */
  firstRow?: number;
  /** rows x p */
  features: ArrayLike<number>;
  /** rows x c */
  logits: ArrayLike<number>;
  /** rows, class index in 0..q-1 (one-hot targets) */
  labels?: ArrayLike<number>;
  /** rows x q (dense targets) */
  targets?: ArrayLike<number>;
  /** rows x p_l for each earlier layer of the accumulator's shape, in its order (docs/method.md §8) */
  layers?: ArrayLike<number>[];
}

/** D_LR of one layer against the checkpoint's outputs (docs/method.md §8): the `layers` entries of the JSON. */
export interface LayerMetrics {
  name: string;
  /** the layer's columns */
  p: number;
  /** rank of the outputs, the checkpoint's r */
  r: number;
  /** 1 - CKA(Phi_l Phi_l^T, P_F); null when the layer is constant over the samples (0/0) */
  dlr: number | null;
  /** the same with the checkpoint's r99 strongest output directions; null with `dlr` */
  dlrEnergy99: number | null;
}

/** Everything computed for one checkpoint (fit split, spectra on the eval split). */
export interface CheckpointMetrics {
  /** rows of the fit split */
  n: number;
  p: number;
  C: number;
  /** rows of the eval split (= n when eval is the fit split) */
  evalN: number;
  /** numerical rank of the outputs, docs/method.md §3 */
  r: number;
  /** D_LR, docs/method.md §3 (0 = rich, 1 = lazy) */
  dlr: number;
  /** D_LR(r') for r' = 1..r, docs/method.md §3.1 */
  rankProfile: number[];
  /** D_LR(r99), docs/method.md §3.1 */
  dlrEnergy99: number;
  r99: number;
  /**
   * Delete-one-group jackknife standard errors of dlr and dlrEnergy99 (docs/method.md §7); null when
   * the jackknife was off, n < 2G, the group moments were over the memory budget, or the input held
   * no rows (moments files); the analysis notes say which.
   */
  dlrStdErr: number | null;
  dlrEnergy99StdErr: number | null;
  /** w_j / w_1 for j = 1..r, eigenvalues of S_ff, docs/method.md §3.1 */
  outputSpectrum: number[];
  /** 1 - tr(S_pf S_fp) / (||S_pp||_F ||S_ff||_F), the teaching companion of §3.1 */
  linearCkaDistance: number;
  /** descending eigenvalues of S_pp / n above 1e-12 rho_1, docs/method.md §4 */
  rho: number[];
  /** rho_k / rho_1 */
  relativeEigenvalues: number[];
  /**
   * Pi*(k) on the eval split: the share of the targets' eval energy inside the span of the top-k
   * eigenfunctions there (nested projections, docs/method.md §4.1), in [0, 1], non-decreasing; null
   * without labels
   */
  mass: number[] | null;
  /** Pi_hat(k) on the eval split, nested projections as `mass` */
  utilization: number[];
  /**
   * The paper's Nyström sums of `mass` (docs/method.md §4): equal to it on the fit split, above 1
   * possible on another split, where the e_k are not orthonormal; null without labels
   */
  massNystrom: number[] | null;
  /** The paper's Nyström sums of `utilization` */
  utilizationNystrom: number[];
  /** docs/method.md §5; null without labels */
  nc1: number | null;
  participationRatio: number;
  /** tr(S_ff - S_fp S_pp^+ S_pf) / tr(S_ff): 0 when F is affine in Phi, docs/method.md §5 */
  readoutResidual: number;
  /**
   * The coarsest element type the fit split's features and logits were stored in, which sets how
   * close to 0 the read-out residual of a true last layer comes (`readoutTolerance`); null when not
   * known (moments files, results bundles, sessions stored before it was recorded)
   */
  storedPrecision?: StoredPrecision | null;
  /** argmax(logits) == label on the fit split; null without labels */
  accuracy: number | null;
  /** same on the eval split; null without eval labels */
  evalAccuracy: number | null;
  /** n <= p on the fit split: the spectrum is truncated to rank n - 1 */
  spectrumTruncated: boolean;
  /** D_LR of every layer in layer order, the penultimate (this checkpoint's dlr) last (docs/method.md §8) */
  layers: LayerMetrics[];
}

/**
 * Where a large array is placed: a plain Float64Array by default, or a view of a SharedArrayBuffer so
 * that another thread reads it without a copy.
 */
export type Allocate = (length: number) => Float64Array;

export const allocateLocal: Allocate = (length) => new Float64Array(length);

/**
 * The buffers under the arrays of `moments` (nulls skipped), each once: the transfer list that hands
 * them to another thread instead of copying them (a transfer list must not repeat a buffer).
 */
export function momentBuffers(...moments: (Moments | null | undefined)[]): ArrayBuffer[] {
  const buffers = new Set<ArrayBuffer>();
  const add = (m: Moments) => {
    buffers.add(m.mean.buffer as ArrayBuffer);
    buffers.add(m.scatter.buffer as ArrayBuffer);
    // the earlier layers' moments (docs/method.md §8) and the jackknife's groups (§7) travel with
    // their checkpoint's
    for (const layer of m.layers?.earlier ?? []) add(layer.moments);
    for (const group of m.groups ?? []) add(group);
  };
  for (const m of moments) if (m) add(m);
  return [...buffers];
}
