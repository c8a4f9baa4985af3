/**
 * The `richscope` command: `richscope [analyze] SOURCE... [--eval SOURCE] [--json]` (also
 * `npm run --silent analyze -- ...`), `richscope serve LOGDIR`, `richscope --version`.
 * Same core and parsers as the app. Bad input: one line naming the source and the problem, exit code 2.
 */
import { statSync } from 'node:fs';

import {
  analyzeCheckpoint,
  type CheckpointAnalysis,
  type CheckpointResult,
} from '../analysis/analyze-checkpoint';
import { kernelSimilarity, NeedsRawActivationsError } from '../analysis/kernel-similarity';
import { nodeWorkerAvailable } from '../analysis/node-thread';
import { besideOthers } from '../analysis/plan';
import {
  CheckpointThreads,
  closeCheckpoint,
  closeSources,
  openCheckpoint,
  openSources,
  type OpenedCheckpoint,
  type WholeCheckpointOptions,
} from '../analysis/thread-checkpoints';
import { analyzeInThreads } from '../analysis/thread-halves';
import { accumulateInThreads, defaultThreadOptions } from '../analysis/thread-shards';
import { defaultJackknifeOptions } from '../core/jackknife';
import type { FileByteSource } from '../io/node-byte-source';
import { InputError } from '../io/types';
import { parseArguments, usage, type CliArguments } from './arguments';
import { expandSource, type CheckpointPaths } from './expand-sources';
import { RecordSpool } from './record-spool';
import { layoutTable, tableEntry, toJsonRecord, type CheckpointRecord, type TableEntry } from './report';
import { runServe } from './serve/serve';
import { version } from '../../package.json';

async function withSources<T>(
  files: string[],
  action: (sources: FileByteSource[]) => Promise<T>,
): Promise<T> {
  const sources = await openSources(files);
  try {
    return await action(sources);
  } finally {
    await closeSources(sources);
  }
}

/** How every checkpoint of the command is analysed, wherever it runs. */
function checkpointOptions(args: CliArguments): WholeCheckpointOptions {
  return {
    roles: args.roles,
    chunkRows: args.chunkRows ?? undefined,
    dropNonFinite: args.dropNonFinite,
    jackknife: args.jackknife === null ? undefined : { ...defaultJackknifeOptions, groups: args.jackknife },
  };
}

async function analyzeOpened(opened: OpenedCheckpoint, args: CliArguments): Promise<CheckpointAnalysis> {
  return analyzeCheckpoint(
    { fit: opened.fit, eval: opened.eval ?? undefined, roles: args.roles },
    {
      ...checkpointOptions(args),
      // Node-only: the moment pass in shards on worker threads, then the metrics' halves side by side
      accumulateInThreads: (split) => accumulateInThreads(split),
      analyzeInThreads: (fit, evalSplit) => analyzeInThreads(fit, evalSplit),
    },
  );
}

/** A checkpoint to analyse, in output order; `error` ends the list where a SOURCE could not be expanded. */
type PlannedCheckpoint = Checkpoint | { error: unknown };
type Checkpoint = { paths: CheckpointPaths; evalArg: string | undefined; replacedEval: string[] | null };

/** Every checkpoint of every SOURCE, with --eval applied; an expansion that fails ends the list. */
async function planCheckpoints(args: CliArguments): Promise<PlannedCheckpoint[]> {
  const planned: PlannedCheckpoint[] = [];
  try {
    for (const [index, source] of args.sources.entries()) {
      const evalArg = args.evalSources.length === 1 ? args.evalSources[0] : args.evalSources[index];
      for (const paths of await expandSource(source)) {
        let replacedEval: string[] | null = null;
        if (evalArg !== undefined) {
          const evalPaths = await expandSource(evalArg);
          if (evalPaths.length !== 1)
            throw new InputError(evalArg, '--eval must name one split (one file or one checkpoint folder)');
          replacedEval = paths.eval;
          paths.eval = evalPaths[0].fit;
        }
        planned.push({ paths, evalArg, replacedEval });
      }
    }
  } catch (error) {
    planned.push({ error });
  }
  return planned;
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

/** The total size of a checkpoint's files; Infinity when one cannot be read (its own turn reports it). */
function checkpointBytes(paths: CheckpointPaths): number {
  try {
    return [...paths.fit, ...(paths.eval ?? [])].reduce((sum, file) => sum + statSync(file).size, 0);
  } catch {
    return Infinity;
  }
}

/**
 * The analyses of the planned checkpoints, in their order; an error (a failed expansion, a bad file)
 * is thrown in its turn, after the analyses before it. Small checkpoints run side by side on worker
 * threads, up to two per thread ahead of the one given out (plan.ts `besideOthers`). A larger one
 * runs here, alone, with its own thread shards and halves, and the next such checkpoint's files are
 * opened (small ones read) while it is analysed.
 */
async function* analysesInOrder(
  planned: PlannedCheckpoint[],
  args: CliArguments,
): AsyncGenerator<[Checkpoint, CheckpointResult]> {
  const { threads } = defaultThreadOptions;
  const checkpoints = planned.filter((entry) => !('error' in entry)).length;
  const beside = planned.map(
    (entry) => !('error' in entry) && besideOthers(checkpointBytes(entry.paths), checkpoints, threads),
  );
  const pool =
    beside.includes(true) && nodeWorkerAvailable()
      ? new CheckpointThreads(threads, checkpointOptions(args))
      : null;
  const runsHere = (i: number) => {
    const entry = planned[i];
    return entry && !('error' in entry) && !(pool && beside[i]) ? entry : null;
  };
  const open = (i: number) => {
    const entry = runsHere(i);
    if (!entry) return null;
    const opening = openCheckpoint(entry.paths);
    // its failure is reported in its turn, not as an unhandled rejection before it
    opening.catch(() => undefined);
    return opening;
  };
  // the pool's results of planned[i], planned[i + 1], ... while the loop is at i
  const ahead: Promise<CheckpointResult>[] = [];
  let queued = 0;
  let next = open(0);
  try {
    for (let i = 0; i < planned.length; i++) {
      const entry = planned[i];
      if ('error' in entry) throw entry.error;
      if (pool) {
        for (queued = Math.max(queued, i); queued < i + 2 * threads && beside[queued]; queued++) {
          const { paths } = planned[queued] as Checkpoint;
          const result = pool.analyze({ fit: paths.fit, eval: paths.eval });
          result.catch(() => undefined);
          ahead.push(result);
        }
      }
      if (ahead.length > 0) {
        yield [entry, await ahead.shift()!];
        continue;
      }
      const opened = await (next ?? openCheckpoint(entry.paths));
      next = open(i + 1);
      try {
        yield [entry, await analyzeOpened(opened, args)];
      } finally {
        await closeCheckpoint(opened);
      }
    }
  } finally {
    await next?.then(closeCheckpoint, () => undefined);
    await pool?.close();
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
  // with --json, each record's JSON is spooled to a file as soon as it is made, so the command's
  // memory does not grow with its number of checkpoints
  const spool = args.json ? new RecordSpool() : null;
  try {
    return await analyzeAndReport(args, spool, out, err);
  } finally {
    spool?.dispose();
  }
}

async function analyzeAndReport(
  args: CliArguments,
  spool: RecordSpool | null,
  out: (line: string) => void,
  err: (line: string) => void,
): Promise<number> {
  // without --json, the table's cells and remarks of each checkpoint, not its whole record
  const withSimilarity = args.reference !== null;
  const table: TableEntry[] = [];
  try {
    for await (const [entry, analysis] of analysesInOrder(await planCheckpoints(args), args)) {
      const { paths, evalArg, replacedEval } = entry;
      const record = toJsonRecord(paths, analysis);
      if (replacedEval)
        record.notes.push(
          `--eval ${evalArg} replaced the checkpoint's own eval split (${replacedEval.join(', ')})`,
        );
      if (args.reference !== null) await addKernelSimilarity(record, paths, args.reference, args);
      if (spool) spool.add(JSON.stringify(record));
      else table.push(tableEntry(record, withSimilarity));
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
  if (spool) {
    // one JSON array, a record a line
    out('[');
    let line = 0;
    for (const json of spool.records()) out(++line < spool.count ? `${json},` : json);
    out(']');
  } else out(layoutTable(table, withSimilarity));
  return 0;
}
