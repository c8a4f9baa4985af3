/**
 * The `richscope` command: `richscope [analyze] SOURCE... [--eval SOURCE] [--json]` (also
 * `npm run --silent analyze -- ...`), `richscope serve LOGDIR`, `richscope --version`.
 * Same core and parsers as the app. Bad input: one line naming the source and the problem, exit code 2.
 */
import { analyzeCheckpoint, type CheckpointAnalysis } from '../analysis/analyze-checkpoint';
import { kernelSimilarity, NeedsRawActivationsError } from '../analysis/kernel-similarity';
import { analyzeInThreads } from '../analysis/thread-halves';
import { accumulateInThreads } from '../analysis/thread-shards';
import { defaultJackknifeOptions } from '../core/jackknife';
import { fileByteSource, type FileByteSource } from '../io/node-byte-source';
import { InputError } from '../io/types';
import { parseArguments, usage, type CliArguments } from './arguments';
import { expandSource, type CheckpointPaths } from './expand-sources';
import { formatTable, toJsonRecord, type CheckpointRecord } from './report';
import { runServe } from './serve/serve';
import { version } from '../../package.json';

async function withSources<T>(
  files: string[],
  action: (sources: FileByteSource[]) => Promise<T>,
): Promise<T> {
  const sources = await Promise.all(files.map((f) => fileByteSource(f, f)));
  try {
    return await action(sources);
  } finally {
    await Promise.all(sources.map((s) => s.close()));
  }
}

async function analyzePaths(paths: CheckpointPaths, args: CliArguments): Promise<CheckpointAnalysis> {
  return withSources(paths.fit, (fit) =>
    withSources(paths.eval ?? [], (evalSources) =>
      analyzeCheckpoint(
        { fit, eval: paths.eval ? evalSources : undefined, roles: args.roles },
        {
          chunkRows: args.chunkRows ?? undefined,
          dropNonFinite: args.dropNonFinite,
          jackknife:
            args.jackknife === null ? undefined : { ...defaultJackknifeOptions, groups: args.jackknife },
          // Node-only: the moment pass in shards on worker threads, then the metrics' halves side by side
          accumulateInThreads: (split) => accumulateInThreads(split),
          analyzeInThreads: (fit, evalSplit) => analyzeInThreads(fit, evalSplit),
        },
      ),
    ),
  );
}

async function addKernelSimilarity(
  record: CheckpointRecord,
  paths: CheckpointPaths,
  reference: string,
  args: CliArguments,
) {
  const referencePaths = await expandSource(reference);
  if (referencePaths.length !== 1) throw new InputError(reference, '--reference must name one checkpoint');
  try {
    record.kernelSimilarity = await withSources(paths.fit, (a) =>
      withSources(referencePaths[0].fit, (b) => kernelSimilarity(a, b, { roles: args.roles })),
    );
  } catch (error) {
    if (!(error instanceof NeedsRawActivationsError)) throw error;
    record.kernelSimilarity = null;
    record.notes.push(error.message);
  }
}

/** Runs one command line (without node and script); resolves to the exit code. */
export async function run(
  argv: string[],
  out: (line: string) => void,
  err: (line: string) => void,
): Promise<number> {
  const [command, ...rest] = argv;
  if (command === '--version' || command === '-V') {
    out(version);
    return 0;
  }
  if (command === 'serve') return runServe(rest, out, err);
  return analyze(command === 'analyze' ? rest : argv, out, err);
}

async function analyze(
  argv: string[],
  out: (line: string) => void,
  err: (line: string) => void,
): Promise<number> {
  let args: CliArguments;
  try {
    args = parseArguments(argv);
  } catch (error) {
    err(`richscope: ${(error as Error).message}`);
    err(usage.split('\n')[0]);
    return 2;
  }
  if (args.help) {
    out(usage);
    return 0;
  }
  const records: CheckpointRecord[] = [];
  try {
    for (const [index, source] of args.sources.entries()) {
      const evalArg = args.evalSources.length === 1 ? args.evalSources[0] : args.evalSources[index];
      const checkpoints = await expandSource(source);
      for (const paths of checkpoints) {
        let replacedEval: string[] | null = null;
        if (evalArg !== undefined) {
          const evalPaths = await expandSource(evalArg);
          if (evalPaths.length !== 1)
            throw new InputError(evalArg, '--eval must name one split (one file or one checkpoint folder)');
          replacedEval = paths.eval;
          paths.eval = evalPaths[0].fit;
        }
        const analysis = await analyzePaths(paths, args);
        const record = toJsonRecord(paths, analysis);
        if (replacedEval)
          record.notes.push(
            `--eval ${evalArg} replaced the checkpoint's own eval split (${replacedEval.join(', ')})`,
          );
        if (args.reference !== null) await addKernelSimilarity(record, paths, args.reference, args);
        records.push(record);
      }
    }
  } catch (error) {
    if (error instanceof InputError) {
      err(`richscope: ${error.message}`);
      return 2;
    }
    err(
      `richscope: internal error: ${(error as Error).message ?? error} (please report this with the file that caused it)`,
    );
    return 1;
  }
  if (args.json) out(JSON.stringify(records));
  else out(formatTable(records));
  return 0;
}
