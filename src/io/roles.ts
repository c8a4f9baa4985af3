/**
 * Which array is the features Phi, which the logits F, which the labels y (docs/method.md §1), over
 * all arrays of one checkpoint split (possibly from several files). Names decide first, then
 * shapes; anything ambiguous is refused with what was found and which control fixes it.
 */
import { isLayerName, lastLayer } from './layers';
import { rowsAndCols } from './strided-reader';
import { InputError, type ArrayInfo } from './types';

export type Role = 'features' | 'logits' | 'labels';

export interface RoleOverrides {
  features?: string;
  logits?: string;
  labels?: string;
  /** the network's layers in order (docs/method.md §8); the last is the features unless `features` is given */
  layers?: string[];
}

export interface RoleAssignment<T extends ArrayInfo = ArrayInfo> {
  features: T;
  logits: T;
  labels: T | null;
  /** how labels are turned into targets: 1-D integer labels -> 'onehot', a 2-D labels array -> 'dense' */
  targetKind: 'onehot' | 'dense' | 'none';
  /** one line per role: why this array was chosen */
  reasons: string[];
  /** facts to show the user (e.g. 'n <= p: spectrum truncated to rank n-1') */
  notes: string[];
}

/** Name tokens of each role, matched case-insensitively on any part of a dotted/underscored key. */
export const ROLE_WORDS: Record<Role, RegExp> = {
  features:
    /^(features?|feats?|penultimate|embeddings?|embeds?|hidden|phi|activations?|reprs?|representations?)$/i,
  logits: /^(logits?|outputs?|preds?|predictions?|scores?)$/i,
  labels: /^(labels?|targets?|y|classes|class|ys)$/i,
};

/** Outputs after a softmax: never the logits (or features) when logits are there. */
const PROBABILITY_WORDS = /^(probs?|probabilit(y|ies)|softmax(es)?)$/i;

const isProbabilities = (key: string) => tokens(key).some((t) => PROBABILITY_WORDS.test(t));

/**
 * The CLI flag that sets each role by hand, quoted in every refusal. The app has no such control: it
 * goes by the arrays' names, so a refusal also says which array to rename.
 */
export const ROLE_FLAGS: Record<Role, string> = {
  features: '--features KEY (CLI)',
  logits: '--logits KEY (CLI)',
  labels: '--labels KEY (CLI)',
};

const ROLES: Role[] = ['features', 'logits', 'labels'];

function describeArray(a: ArrayInfo): string {
  return `${a.key} (${a.shape.join(', ')}${a.shape.length === 1 ? ',' : ''}) ${a.dtype}`;
}

function tokens(key: string): string[] {
  return key.split(/[^A-Za-z0-9]+/).filter((t) => t !== '');
}

/** 1: the last name part is a role word ('model.features'), 0.5: another part is, 0: none. */
function nameScore(key: string, role: Role): number {
  const parts = tokens(key);
  if (parts.length === 0) return 0;
  if (ROLE_WORDS[role].test(parts[parts.length - 1])) return 1;
  if (parts.length > 1 && ROLE_WORDS[role].test(parts[0]) && parts.length === 2) return 0.75;
  return parts.some((p) => ROLE_WORDS[role].test(p)) ? 0.5 : 0;
}

const rowsOf = (a: ArrayInfo) => rowsAndCols(a.shape).rows;
const colsOf = (a: ArrayInfo) => rowsAndCols(a.shape).cols;

/**
 * Assigns the roles. Overrides name a key exactly (or by its last dotted part). Throws an
 * InputError, attributed to `source`, when a role is missing or ambiguous, or when rows differ.
 */
export function detectRoles<T extends ArrayInfo>(
  arrays: T[],
  overrides: RoleOverrides = {},
  source = 'checkpoint',
): RoleAssignment<T> {
  const found = arrays.map(describeArray).join(', ') || 'no arrays';
  const chosen: Partial<Record<Role, T>> = {};
  const reasons: string[] = [];
  const taken = new Set<T>();

  // --layers without --features: its last layer is the penultimate one
  const byHand = { ...overrides, features: overrides.features || overrides.layers?.at(-1) };
  for (const role of ROLES) {
    const wanted = byHand[role];
    if (wanted === undefined || wanted === '') continue;
    const match =
      arrays.find((a) => a.key === wanted) ?? arrays.filter((a) => a.key.split('.').pop() === wanted).at(0);
    if (!match) {
      const flag = role === 'features' && !overrides.features ? '--layers' : role;
      throw new InputError(source, `no array named ${JSON.stringify(wanted)} for ${flag}; found: ${found}`);
    }
    chosen[role] = match;
    taken.add(match);
    reasons.push(`${role}: ${match.key} (chosen by hand)`);
  }

  // 0-d arrays (step counters, versions) and arrays without columns never take a role
  const candidates = arrays.filter((a) => a.shape.length > 0 && colsOf(a) > 0 && !taken.has(a));
  for (const role of ROLES) {
    if (chosen[role]) continue;
    let scored = candidates
      // layers.3, hidden.2, encoder.layer.7.output: layers, of which the last is the features (below)
      .filter((a) => !taken.has(a) && !(role !== 'labels' && isLayerName(a.key)))
      .map((a) => ({ a, score: nameScore(a.key, role) }))
      .filter((s) => s.score > 0);
    // 'softmax_outputs' beside 'logits': the probabilities step aside
    if (role !== 'labels' && scored.some((s) => !isProbabilities(s.a.key)))
      scored = scored.filter((s) => !isProbabilities(s.a.key));
    if (scored.length === 0) continue;
    const best = Math.max(...scored.map((s) => s.score));
    const top = scored.filter((s) => s.score === best);
    if (top.length > 1) {
      throw new InputError(
        source,
        `ambiguous ${role}: ${top.map((s) => describeArray(s.a)).join(' and ')} all look like ${role}; rename all but one so that a single array is named ${role}, or choose one with ${ROLE_FLAGS[role]}`,
      );
    }
    chosen[role] = top[0].a;
    taken.add(top[0].a);
    reasons.push(`${role}: ${top[0].a.key} (by name)`);
  }

  // --- layers (docs/method.md §8): with the logits known and no features by name, the last layer is the penultimate ---
  const layerRows = chosen.logits ? rowsOf(chosen.logits) : null;
  const last =
    chosen.features || layerRows === null
      ? null
      : lastLayer(
          candidates.filter((a) => !taken.has(a)),
          layerRows,
        );
  if (last) {
    chosen.features = last;
    taken.add(last);
    reasons.push(`features: ${last.key} (the last layer)`);
  }
  // --- end layers ---

  // shapes for what names did not settle
  const anchorRows = chosen.features ? rowsOf(chosen.features) : chosen.logits ? rowsOf(chosen.logits) : null;
  const free = candidates.filter(
    (a) =>
      !taken.has(a) &&
      (anchorRows === null || rowsOf(a) === anchorRows) &&
      !(chosen.logits && isProbabilities(a.key)),
  );
  if (!chosen.labels) {
    const labelLike = free.filter((a) => a.integer && colsOf(a) === 1 && a.shape.length <= 2);
    const floats = free.filter((a) => !(a.integer && colsOf(a) === 1));
    // only when the features/logits pair is otherwise complete, so a 1-column integer array is not stolen
    if (labelLike.length === 1 && (chosen.features ? 1 : 0) + (chosen.logits ? 1 : 0) + floats.length >= 2) {
      chosen.labels = labelLike[0];
      taken.add(labelLike[0]);
      reasons.push(`labels: ${labelLike[0].key} (integer, one column)`);
    }
  }
  const rest = free.filter((a) => !taken.has(a) && !(a.integer && colsOf(a) === 1));
  if (!chosen.features && !chosen.logits) {
    if (rest.length === 2 && colsOf(rest[0]) !== colsOf(rest[1])) {
      const [narrow, wide] = colsOf(rest[0]) < colsOf(rest[1]) ? [rest[0], rest[1]] : [rest[1], rest[0]];
      chosen.features = wide;
      chosen.logits = narrow;
      reasons.push(`features: ${wide.key} (the wider of two ${colsOf(wide)} > ${colsOf(narrow)} columns)`);
      reasons.push(`logits: ${narrow.key} (the narrower)`);
    }
  } else if (!chosen.features || !chosen.logits) {
    const missing: Role = chosen.features ? 'logits' : 'features';
    if (rest.length === 1) {
      chosen[missing] = rest[0];
      reasons.push(`${missing}: ${rest[0].key} (the only other array with matching rows)`);
    }
  }

  for (const role of ['features', 'logits'] as const) {
    if (!chosen[role]) {
      const how = role === 'features' ? 'penultimate-layer activations' : 'network outputs before softmax';
      throw new InputError(
        source,
        `cannot tell which array holds the ${role} (${how}); found: ${found}. Name it ${role}, or choose it with ${ROLE_FLAGS[role]}`,
      );
    }
  }
  const features = chosen.features as T;
  const logits = chosen.logits as T;
  const labels = chosen.labels ?? null;
  const n = rowsOf(features);
  for (const [role, array] of [
    ['logits', logits],
    ['labels', labels],
  ] as const) {
    if (array && rowsOf(array) !== n) {
      throw new InputError(
        source,
        `row counts differ: features ${features.key} has ${n} rows but ${role} ${array.key} has ${rowsOf(array)}; all arrays must cover the same samples in the same order`,
      );
    }
  }
  if (n === 0) throw new InputError(source, `zero rows: features ${features.key} is empty`);
  const notes: string[] = [];
  if (isProbabilities(logits.key) && !overrides.logits)
    notes.push(
      `logits: ${logits.key} looks like probabilities (after softmax); D_LR is defined on the outputs before it: save the logits if you can`,
    );
  const p = colsOf(features);
  if (n <= p) notes.push(`n <= p: spectrum truncated to rank n-1 (n = ${n}, p = ${p})`);
  let targetKind: RoleAssignment['targetKind'] = 'none';
  if (labels) {
    targetKind = colsOf(labels) === 1 ? 'onehot' : 'dense';
    if (targetKind === 'dense')
      notes.push(`labels ${labels.key} has ${colsOf(labels)} columns: used as dense targets`);
  }
  return { features, logits, labels, targetKind, reasons, notes };
}

/**
 * Checks one streamed block of 1-column labels (row `offset` first): class indices must be
 * integers >= 0. Returns the largest label seen in the block (-1 for an empty block).
 */
export function validateLabels(
  block: ArrayLike<number>,
  source: string,
  offset: number,
  key = 'labels',
): number {
  let max = -1;
  for (let i = 0; i < block.length; i++) {
    const value = block[i];
    if (!Number.isInteger(value)) {
      throw new InputError(
        source,
        `${key}: row ${offset + i} is ${value}, not an integer class index; labels must be integers 0, 1, 2, ...`,
      );
    }
    if (value < 0) {
      throw new InputError(
        source,
        `${key}: row ${offset + i} is ${value}; labels must be class indices >= 0`,
      );
    }
    if (value > max) max = value;
  }
  return max;
}
