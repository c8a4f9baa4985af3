/** Command-line arguments of `richscope analyze` (README: CLI), and the command's usage. */
import type { RoleOverrides } from '../io/roles';

export interface CliArguments {
  sources: string[];
  /** eval split per source (one for all, or one per source) */
  evalSources: string[];
  /** checkpoint whose features every SOURCE is compared with (linear CKA, docs/method.md §5) */
  reference: string | null;
  json: boolean;
  roles: RoleOverrides;
  chunkRows: number | null;
  dropNonFinite: boolean;
  /** jackknife groups G (docs/method.md §7); 0 turns the standard errors off; null: the default 10 */
  jackknife: number | null;
  help: boolean;
}

export const usage = `usage: richscope [analyze] SOURCE... [--eval SOURCE] [--json]
                          [--features NAME] [--logits NAME] [--labels NAME] [--layers K1,K2,...]
                          [--reference SOURCE] [--drop-nonfinite] [--chunk-rows N] [--jackknife G]
       richscope serve LOGDIR [--port N] [--host ADDR] [--open] [--poll]   (richscope serve --help)
       richscope --version
(in a clone of the repository: npm run --silent analyze -- SOURCE...)

SOURCE is one checkpoint: an .npz / .pt / .safetensors file holding features, logits and
optionally labels (a .pt may hold per-batch lists, NumPy arrays, or {'train': ..., 'test': ...};
docs/saving-activations.md); a moments file; or a folder (features.npy + logits.npy [+ labels.npy], a
train/ + test/ pair, or a run of step_N checkpoints). --eval names the split where the spectra
are measured (default: the source itself; test/ folders and *_test partners inside a folder
SOURCE are found automatically). --reference adds kernelSimilarity: linear CKA between each
SOURCE's features and the reference checkpoint's (same samples, same order).
Layers (D_LR by layer): arrays named like layer3, layers.2, blocks.1, hidden2, h1, act4 are measured
too, in natural order, the features last (without a features array, the last layer is the features);
--layers names them in order instead, the last being the features unless --features is given.
--jackknife sets the groups of the delete-one-group jackknife that gives dlrStdErr and
dlrEnergy99StdErr (default 10; 0 turns it off).
serve shows LOGDIR's runs in the dashboard and follows it live.
Exit codes: 0 success, 2 bad input or arguments.`;

export class UsageError extends Error {
  override name = 'UsageError';
}

/** The value of option `argv[at - 1]`, which must follow it and not be another option. */
export function optionValue(argv: string[], at: number): string {
  const v = argv[at];
  if (v === undefined || v.startsWith('--')) throw new UsageError(`${argv[at - 1]} needs a value`);
  return v;
}

/** Parses argv (without node and script). Throws UsageError with a one-line reason. */
export function parseArguments(argv: string[]): CliArguments {
  const out: CliArguments = {
    sources: [],
    evalSources: [],
    reference: null,
    json: false,
    roles: {},
    chunkRows: null,
    dropNonFinite: false,
    jackknife: null,
    help: false,
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = () => optionValue(argv, ++i);
    switch (arg) {
      case '--json':
        out.json = true;
        break;
      case '--eval':
        out.evalSources.push(value());
        break;
      case '--reference':
        out.reference = value();
        break;
      case '--features':
      case '--logits':
      case '--labels':
        out.roles[arg.slice(2) as 'features' | 'logits' | 'labels'] = value();
        break;
      case '--layers': {
        const keys = value()
          .split(',')
          .map((k) => k.trim());
        if (keys.some((k) => k === ''))
          throw new UsageError('--layers takes array names separated by commas');
        out.roles.layers = keys;
        break;
      }
      case '--drop-nonfinite':
        out.dropNonFinite = true;
        break;
      case '--chunk-rows': {
        const rows = Number(value());
        if (!Number.isInteger(rows) || rows < 1)
          throw new UsageError('--chunk-rows takes a positive integer');
        out.chunkRows = rows;
        break;
      }
      case '--jackknife': {
        const groups = Number(value());
        if (!Number.isInteger(groups) || groups < 0 || groups === 1)
          throw new UsageError('--jackknife takes 0 (off) or a number of groups of at least 2');
        out.jackknife = groups;
        break;
      }
      case '-h':
      case '--help':
        out.help = true;
        break;
      default:
        if (arg.startsWith('-')) throw new UsageError(`unknown option ${arg}`);
        out.sources.push(arg);
    }
  }
  if (!out.help && out.sources.length === 0) throw new UsageError('no SOURCE given');
  if (out.evalSources.length > 1 && out.evalSources.length !== out.sources.length) {
    throw new UsageError(
      `${out.evalSources.length} --eval values for ${out.sources.length} sources: give one, or one per source`,
    );
  }
  return out;
}
