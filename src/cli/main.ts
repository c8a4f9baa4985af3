/**
 * The headless entry: `npm run --silent analyze -- SOURCE... [--eval SOURCE] [--json]`.
 * Same core and parsers as the app. Bad input: one line naming the source and the problem, exit code 2.
 */
import { analyzeCheckpoint, type CheckpointAnalysis } from '../analysis/analyze-checkpoint';
import { fileByteSource, type FileByteSource } from '../io/node-byte-source';
import { InputError } from '../io/types';
import { parseArguments, usage, type CliArguments } from './arguments';
import { expandSource, type CheckpointPaths } from './expand-sources';
import { formatTable, toJsonRecord, type CheckpointRecord } from './report';

async function analyzePaths(paths: CheckpointPaths, args: CliArguments): Promise<CheckpointAnalysis> {
  const opened: FileByteSource[] = [];
  const open = async (files: string[]) => {
    const sources = await Promise.all(files.map((f) => fileByteSource(f, f)));
    opened.push(...sources);
    return sources;
  };
  try {
    return await analyzeCheckpoint(
      {
        fit: await open(paths.fit),
        eval: paths.eval ? await open(paths.eval) : undefined,
        roles: args.roles,
      },
      { chunkRows: args.chunkRows ?? undefined, dropNonFinite: args.dropNonFinite },
    );
  } finally {
    await Promise.all(opened.map((s) => s.close()));
  }
}

export async function run(
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
        if (evalArg !== undefined) {
          const evalPaths = await expandSource(evalArg);
          if (evalPaths.length !== 1)
            throw new InputError(evalArg, '--eval must name one split (one file or one checkpoint folder)');
          paths.eval = evalPaths[0].fit;
        }
        const analysis = await analyzePaths(paths, args);
        records.push(toJsonRecord(paths, analysis));
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
