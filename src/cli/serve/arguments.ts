/** Command-line arguments of `richscope serve` (README: "Follow a log directory"). */
import { optionValue, UsageError } from '../arguments';

export interface ServeArguments {
  logdir: string;
  /** null: the default port, or the next free one after it */
  port: number | null;
  host: string;
  /** open the dashboard in the default browser */
  open: boolean;
  /** scan on a timer instead of fs.watch (network file systems) */
  poll: boolean;
  help: boolean;
}

export const DEFAULT_PORT = 6464;

export const serveUsage = `usage: richscope serve LOGDIR [--port N] [--host ADDR] [--open] [--poll]

Serves the dashboard at http://127.0.0.1:${DEFAULT_PORT}/ (or the next free port) showing LOGDIR's runs,
grouped like a dropped folder (LOGDIR/RUN/step_N_train.npz, moments_stepN.npz, ...), and follows
LOGDIR live: a file appears once its size has stayed the same for a second; *.part, *.tmp* and
dot-named files are never read. --port 0 picks a free port. --host ADDR binds another address than
127.0.0.1 (anyone who reaches it can read LOGDIR's files). --poll scans every 2 s instead of
watching (for network file systems). Read-only; stop with Ctrl+C.`;

/** Parses the arguments after `serve`. Throws UsageError with a one-line reason. */
export function parseServeArguments(argv: string[]): ServeArguments {
  const out: ServeArguments = {
    logdir: '',
    port: null,
    host: '127.0.0.1',
    open: false,
    poll: false,
    help: false,
  };
  const folders: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = () => optionValue(argv, ++i);
    switch (arg) {
      case '--port': {
        const text = value();
        const port = Number(text);
        if (!/^\d+$/.test(text) || port > 65535)
          throw new UsageError('--port takes a number from 0 to 65535');
        out.port = port;
        break;
      }
      case '--host':
        out.host = value();
        break;
      case '--open':
        out.open = true;
        break;
      case '--poll':
        out.poll = true;
        break;
      case '-h':
      case '--help':
        out.help = true;
        break;
      default:
        if (arg.startsWith('-')) throw new UsageError(`unknown option ${arg}`);
        folders.push(arg);
    }
  }
  if (out.help) return out;
  if (folders.length !== 1)
    throw new UsageError(
      folders.length === 0 ? 'no LOGDIR given' : 'give one LOGDIR (its subfolders are runs)',
    );
  out.logdir = folders[0];
  return out;
}
