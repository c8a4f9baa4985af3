/** Process entry of the bundled CLI (dist-cli/richscope.mjs). */
import { run } from './main';

run(
  process.argv.slice(2),
  (line) => process.stdout.write(line + '\n'),
  (line) => process.stderr.write(line + '\n'),
).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`richscope: internal error: ${(error as Error)?.message ?? error}\n`);
    process.exitCode = 1;
  },
);
