/**
 * What every opened file of arrays goes through before roles are given (`openContainer`): 0-d values
 * set aside (a step taken from one named step, iteration or epoch), model weights refused, and
 * one-hot label matrices read as class indices. Moments files pass untouched.
 */
import { classIndexReader, looksLikeIndicator } from './derived-readers';
import { ROLE_WORDS } from './roles';
import { InputError, type ArrayContainer, type ArrayReader } from './types';

/** The names of a 0-d integer that gives a checkpoint's step, in order of preference. */
const STEP_NAMES = ['step', 'iteration', 'epoch'];

/** Parameter and buffer names of torch modules: a file of only these is a state_dict. */
const PARAMETER_NAME =
  /^((.*_)?(weight|bias)(_[a-z]+)?|running_(mean|var)|num_batches_tracked|(.*_)?(pos_embed|cls_token))$/i;

const lastPart = (key: string) => key.split('.').pop() ?? key;

/** True when a key names a parameter or buffer of a torch module ('fc.weight', 'bn1.running_mean'). */
export function isParameterName(key: string): boolean {
  return PARAMETER_NAME.test(lastPart(key));
}

async function scalarValue(reader: ArrayReader): Promise<number> {
  for await (const block of reader.readRows(1)) return block[0];
  return NaN;
}

/** Takes the 0-d arrays out of `arrays`: the step (when one is named so) and the names of the rest. */
async function setScalarsAside(
  arrays: ArrayReader[],
  found: { key: string; value: number }[],
  ignored: string[],
): Promise<ArrayReader[]> {
  const kept: ArrayReader[] = [];
  for (const reader of arrays) {
    if (reader.shape.length > 0) kept.push(reader);
    else if (STEP_NAMES.includes(lastPart(reader.key).toLowerCase()) && reader.integer)
      found.push({ key: reader.key, value: await scalarValue(reader) });
    else ignored.push(reader.key);
  }
  return kept;
}

/** The step: the one integer >= 0 of the first step name present once. */
function stepOf(found: { key: string; value: number }[]): { key: string; value: number } | undefined {
  for (const name of STEP_NAMES) {
    const named = found.filter((f) => lastPart(f.key).toLowerCase() === name);
    if (named.length === 1 && Number.isSafeInteger(named[0].value) && named[0].value >= 0) return named[0];
  }
  return undefined;
}

function refuseWeights(source: string, arrays: ArrayReader[]): void {
  if (arrays.length === 0 || !arrays.every((a) => isParameterName(a.key))) return;
  const shown = arrays
    .slice(0, 3)
    .map((a) => `${a.key} (${a.shape.join(', ')}${a.shape.length === 1 ? ',' : ''})`)
    .join(', ');
  throw new InputError(
    source,
    `these look like model weights (a state_dict: ${shown}${arrays.length > 3 ? ', ...' : ''}), not activations: save the penultimate-layer features and the logits of a forward pass instead, e.g. with attach() from python/richscope_export.py (docs/moments.md)`,
  );
}

const namedAs = (key: string, words: RegExp) =>
  key.split(/[^A-Za-z0-9]+/).some((part) => part !== '' && words.test(part));

/** One-hot matrices (not named features or logits) read as class indices. */
async function readIndicatorsAsLabels(
  source: string,
  arrays: ArrayReader[],
  notes: string[],
  signal?: AbortSignal,
): Promise<ArrayReader[]> {
  const out: ArrayReader[] = [];
  for (const reader of arrays) {
    const candidate =
      reader.shape.length === 2 &&
      !namedAs(reader.key, ROLE_WORDS.features) &&
      !namedAs(reader.key, ROLE_WORDS.logits);
    if (candidate && (await looksLikeIndicator(reader, signal))) {
      notes.push(`${reader.key} (${reader.shape.join(', ')}) is one-hot: read as class indices`);
      out.push(classIndexReader(source, reader));
    } else {
      out.push(reader);
    }
  }
  return out;
}

/** The container as role detection should see it (see the module comment). */
export async function settleContainer(
  container: ArrayContainer,
  signal?: AbortSignal,
): Promise<ArrayContainer> {
  if (container.format === 'moments') return container;
  const { source } = container;
  const notes = [...container.notes];
  const found: { key: string; value: number }[] = [];
  const ignored: string[] = [];
  let arrays = await setScalarsAside(container.arrays, found, ignored);
  let evalArrays = container.evalSplit
    ? await setScalarsAside(container.evalSplit.arrays, found, ignored)
    : null;
  const step = stepOf(found);
  if (step) notes.push(`step ${step.value} from ${step.key} (used when the file name has none)`);
  const unused = [...ignored, ...found.filter((f) => f !== step).map((f) => f.key)];
  if (unused.length > 0)
    notes.push(`ignored 0-d values: ${unused.slice(0, 8).join(', ')}${unused.length > 8 ? ', ...' : ''}`);
  if (arrays.length === 0) {
    throw new InputError(
      source,
      `the file holds no arrays with rows${unused.length > 0 ? ` (only 0-d values: ${unused.slice(0, 8).join(', ')})` : ''}`,
    );
  }
  refuseWeights(source, [...arrays, ...(evalArrays ?? [])]);
  arrays = await readIndicatorsAsLabels(source, arrays, notes, signal);
  if (evalArrays) evalArrays = await readIndicatorsAsLabels(source, evalArrays, notes, signal);
  return {
    ...container,
    arrays,
    ...(container.evalSplit && evalArrays
      ? { evalSplit: { name: container.evalSplit.name, arrays: evalArrays } }
      : {}),
    ...(step ? { step: step.value } : {}),
    notes,
  };
}
