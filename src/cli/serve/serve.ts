/**
 * `richscope serve LOGDIR`: starts the server, prints its address, runs until Ctrl+C (or `stop`).
 * The dashboard it serves is the package's built one, dist/ beside dist-cli/ (this bundle's folder).
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { InputError } from '../../io/types';
import { UsageError } from '../arguments';
import { DEFAULT_PORT, parseServeArguments, serveUsage, type ServeArguments } from './arguments';
import { isLoopback } from './host-check';
import { MAX_SCANNED_ENTRIES } from './logdir-files';
import { defaultLogdirWatcherOptions } from './logdir-watcher';
import { startServer, type RunningServer } from './server';

/** The default port is tried, then this many after it, before giving up. */
const PORT_TRIES = 10;

export interface ServeEnvironment {
  /** the built dashboard folder */
  dashboard: string;
  /** resolves when the server should stop; default: SIGINT or SIGTERM */
  stop: Promise<void>;
  /** called once the server listens (tests read the address here) */
  onListening?: (server: RunningServer) => void;
  /** opens the page for --open; default the platform's opener (open, start, xdg-open) */
  openUrl: (url: string, err: (line: string) => void) => void;
}

function untilSignal(): Promise<void> {
  return new Promise((resolve) => {
    const stop = () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}

async function listenOnFreePort(args: ServeArguments, dashboard: string): Promise<RunningServer> {
  const watcher = { ...defaultLogdirWatcherOptions, poll: args.poll };
  const ports =
    args.port !== null ? [args.port] : Array.from({ length: PORT_TRIES }, (_, i) => DEFAULT_PORT + i);
  for (const [index, port] of ports.entries()) {
    try {
      return await startServer({ logdir: args.logdir, dashboard, host: args.host, port, watcher });
    } catch (error) {
      const code = (error as NodeJS.ErrnoException)?.code;
      if (code === 'EADDRINUSE' && index < ports.length - 1) continue;
      if (code === 'EADDRINUSE')
        throw new UsageError(`port ${port} is in use: choose another with --port N (0 picks a free one)`);
      if (code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND')
        throw new UsageError(`cannot bind ${args.host}: not an address of this machine`);
      if (code === 'EACCES')
        throw new UsageError(`no permission to listen on port ${port}: use one above 1023`);
      throw error;
    }
  }
  throw new Error('unreachable');
}

function openBrowser(url: string, err: (line: string) => void): void {
  const [command, ...args] =
    process.platform === 'darwin'
      ? ['open', url]
      : process.platform === 'win32'
        ? ['cmd', '/c', 'start', '""', url]
        : ['xdg-open', url];
  const child = spawn(command, args, { detached: true, stdio: 'ignore' });
  child.on('error', () => err(`richscope: could not open a browser (${command}); open ${url} yourself`));
  child.unref();
}

export async function runServe(
  argv: string[],
  out: (line: string) => void,
  err: (line: string) => void,
  environment: Partial<ServeEnvironment> = {},
): Promise<number> {
  let args: ServeArguments;
  try {
    args = parseServeArguments(argv);
  } catch (error) {
    err(`richscope serve: ${(error as Error).message}`);
    err(serveUsage.split('\n')[0]);
    return 2;
  }
  if (args.help) {
    out(serveUsage);
    return 0;
  }
  const dashboard = environment.dashboard ?? fileURLToPath(new URL('../dist/', import.meta.url));
  let server: RunningServer;
  try {
    server = await listenOnFreePort(args, dashboard);
  } catch (error) {
    if (error instanceof InputError || error instanceof UsageError) {
      err(`richscope serve: ${error.message}`);
      return 2;
    }
    err(`richscope serve: ${(error as Error).message ?? error}`);
    return 1;
  }
  const files = server.watcher.files().length;
  out(
    `Richscope is following ${args.logdir} (${files} file${files === 1 ? '' : 's'} now, ${server.watcher.mode === 'watch' ? 'watching' : 'polling'} for more)`,
  );
  out(`  ${server.url}`);
  if (!isLoopback(args.host))
    err(
      `richscope serve: warning: listening on ${args.host}, not only this machine: anyone who can reach ` +
        `port ${server.port} can read the files in ${args.logdir}`,
    );
  if (server.watcher.truncated)
    err(
      `richscope serve: warning: ${args.logdir} holds over ${MAX_SCANNED_ENTRIES} entries; only the first are shown`,
    );
  out('Press Ctrl+C to stop.');
  if (args.open) (environment.openUrl ?? openBrowser)(server.url, err);
  environment.onListening?.(server);
  await (environment.stop ?? untilSignal());
  await server.close();
  return 0;
}
