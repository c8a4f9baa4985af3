/**
 * The child process of the CLI fuzz suite (fuzz-cli.test.ts bundles and starts it): runs the CLI's
 * `run` on each file of a manifest, one after another, and prints one JSON line per case before
 * (`start`) and after (`done`) it, so the parent can hold every case to a time cap and the whole
 * process to a memory cap, and kill it naming the case that broke either.
 *
 *   node fuzz-runner.mjs MANIFEST.json     (MANIFEST: ["path/to/file.pt", ...])
 */
import { readFileSync } from 'node:fs';

import { run } from './main';

/** What one case ended in: a result, a refusal (exit 2, one line), or anything else (a failure). */
export interface FuzzCaseReport {
  index: number;
  /** 'result' (exit 0 and JSON), 'refused' (exit 2 with one short line), 'crash' otherwise */
  outcome: 'result' | 'refused' | 'crash';
  /** the refusal or crash message */
  message: string;
  ms: number;
  /** the process's resident high-water mark after this case, KB (process.resourceUsage().maxRSS) */
  maxRssKb: number;
}

/** The longest refusal line counted as short: one line a user reads, not a dump. */
export const MAX_REFUSAL_CHARS = 600;

async function runCase(path: string, index: number): Promise<FuzzCaseReport> {
  const out: string[] = [];
  const err: string[] = [];
  const started = performance.now();
  let code: number;
  try {
    code = await run(
      [path, '--json'],
      (line) => out.push(line),
      (line) => err.push(line),
    );
  } catch (error) {
    code = -1;
    err.push(`uncaught: ${(error as Error)?.stack ?? String(error)}`);
  }
  const ms = performance.now() - started;
  const maxRssKb = process.resourceUsage().maxRSS;
  const message = err.join('\n');
  let outcome: FuzzCaseReport['outcome'] = 'crash';
  if (code === 0) {
    try {
      JSON.parse(out.join('\n'));
      outcome = 'result';
    } catch {
      outcome = 'crash';
    }
  } else if (code === 2 && err.length === 1 && message.length <= MAX_REFUSAL_CHARS) {
    outcome = 'refused';
  }
  return { index, outcome, message, ms, maxRssKb };
}

async function main(manifestPath: string): Promise<void> {
  const paths = JSON.parse(readFileSync(manifestPath, 'utf8')) as string[];
  for (const [index, path] of paths.entries()) {
    process.stdout.write(JSON.stringify({ start: index }) + '\n');
    process.stdout.write(JSON.stringify({ done: await runCase(path, index) }) + '\n');
  }
}

await main(process.argv[2]);
