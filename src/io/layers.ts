/**
 * Which arrays of a checkpoint are the network's layers (docs/method.md §8), and in which order. Names
 * decide: `layer3`, `layers.2`, `blocks.1`, `block4`, `hidden2`, `h1`, `act5`, `encoder.layer.7`,
 * `transformer.h.3`, `features.12`. They are ordered naturally (layer2 before layer10) and the
 * features array, the penultimate layer, comes last; `--layers K1,K2,...` (CLI) names them instead.
 * Logits, probabilities and labels are never layers.
 */
import { rowsAndCols } from './strided-reader';
import { InputError, type ArrayInfo } from './types';

/** A name part that is itself a layer with its index: layer3, blocks2, hidden1, h1, act5, stage4. */
const INDEXED_WORD = /^(layers?|blocks?|hidden|h|acts?|activations?|stages?)\d+$/i;
/** A name part followed by a numeric part names a layer: layers.2, encoder.layer.7, h.3, features.12. */
const CONTAINER_WORD = /^(layers?|blocks?|hidden|h|acts?|activations?|stages?|features?)$/i;
/**
 * Parts that make an array logits, probabilities or labels whatever else its name says ('output' is
 * not one: `encoder.layer.7.output` is a layer).
 */
const NEVER_LAYER_WORD =
  /^(logits?|preds?|predictions?|scores?|probs?|probabilities|softmax|labels?|targets?|y|classes|class)$/i;

/** The CLI flag that chooses the layers by hand, quoted in its refusals (the app's 'Layers' field only orders what was measured). */
export const LAYERS_CONTROL = '--layers K1,K2,...';

function parts(key: string): string[] {
  return key.split(/[^A-Za-z0-9]+/).filter((t) => t !== '');
}

/** Whether an array's name says it holds a layer's activations (see the module comment). */
export function isLayerName(key: string): boolean {
  const tokens = parts(key);
  if (tokens.some((t) => NEVER_LAYER_WORD.test(t))) return false;
  return tokens.some(
    (t, i) => INDEXED_WORD.test(t) || (CONTAINER_WORD.test(t) && /^\d+$/.test(tokens[i + 1] ?? '')),
  );
}

const collator = new Intl.Collator('en', { numeric: true, sensitivity: 'base' });

/** Natural order of names: digit runs compare as numbers, so layer2 comes before layer10. */
export function compareLayerNames(a: string, b: string): number {
  return collator.compare(a, b);
}

/** The last layer-named array of `arrays` with `rows` rows (natural order), or null: the penultimate by name. */
export function lastLayer<T extends ArrayInfo>(arrays: readonly T[], rows: number): T | null {
  const layers = arrays
    .filter((a) => a.shape.length > 0 && isLayerName(a.key) && rowsAndCols(a.shape).rows === rows)
    .sort((a, b) => compareLayerNames(a.key, b.key));
  return layers.at(-1) ?? null;
}

export interface LayerChoice<T extends ArrayInfo> {
  /** the layers before the features, in layer order */
  earlier: T[];
  /** facts to show the user (layers left out and why) */
  notes: string[];
}

/**
 * The layers before the penultimate one. With `wanted` (the keys of `--layers`, in layer order) those
 * arrays exactly, the features' key last or absent; otherwise every layer-named array on the features'
 * rows that has no other role, in natural order. Throws an InputError, attributed to `source`, for a
 * wanted key that is missing, has another role or other rows.
 */
export function detectLayers<T extends ArrayInfo>(
  arrays: readonly T[],
  roles: { features: T; logits: T; labels: T | null },
  wanted?: readonly string[],
  source = 'checkpoint',
): LayerChoice<T> {
  const rows = rowsAndCols(roles.features.shape).rows;
  const others = new Set<ArrayInfo>([roles.logits, ...(roles.labels ? [roles.labels] : [])]);
  const rowsOf = (a: ArrayInfo) => rowsAndCols(a.shape).rows;
  if (wanted && wanted.length > 0) {
    const found = arrays.map((a) => a.key).join(', ');
    const chosen = wanted.map((key) => {
      const match = arrays.find((a) => a.key === key) ?? arrays.find((a) => a.key.split('.').pop() === key);
      if (!match)
        throw new InputError(source, `no array named ${JSON.stringify(key)} for --layers; found: ${found}`);
      if (others.has(match))
        throw new InputError(
          source,
          `${match.key} holds the ${match === roles.logits ? 'logits' : 'labels'}, not a layer; choose the layers with ${LAYERS_CONTROL}`,
        );
      if (rowsOf(match) !== rows)
        throw new InputError(
          source,
          `layer ${match.key} has ${rowsOf(match)} rows but features ${roles.features.key} has ${rows}; every layer must cover the same samples in the same order`,
        );
      return match;
    });
    const at = chosen.indexOf(roles.features);
    if (at >= 0 && at !== chosen.length - 1)
      throw new InputError(
        source,
        `the features ${roles.features.key} are the penultimate layer, so they come last in ${LAYERS_CONTROL}`,
      );
    return { earlier: chosen.filter((a) => a !== roles.features), notes: [] };
  }
  const notes: string[] = [];
  const earlier = arrays
    .filter((a) => a !== roles.features && !others.has(a) && a.shape.length > 0 && isLayerName(a.key))
    .filter((a) => {
      if (rowsOf(a) === rows) return true;
      notes.push(
        `${a.key} looks like a layer but has ${rowsOf(a)} rows, not ${rows}: left out of D_LR by layer`,
      );
      return false;
    })
    .sort((a, b) => compareLayerNames(a.key, b.key));
  return { earlier, notes };
}
