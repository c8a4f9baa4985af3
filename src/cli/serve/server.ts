/**
 * The HTTP server of `richscope serve LOGDIR`: the built dashboard, LOGDIR's settled files and a
 * stream of their listing. Read-only (GET and HEAD only), answers only its own Host names, and
 * opens nothing outside the dashboard folder and LOGDIR (logdir-files.ts).
 *
 *   GET /                    the dashboard, marked as following LOGDIR (a meta tag)
 *   GET /api/logdir          LogdirListing (src/io/logdir-listing.ts) as JSON
 *   GET /api/logdir/events   server-sent events: a `listing` event now and on every change
 *   GET /logdir/PATH         one offered file of LOGDIR (PATH percent-encoded, LOGDIR-relative)
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFile, realpath, stat } from 'node:fs/promises';
import { basename, extname, resolve } from 'node:path';
import { LOGDIR_EVENTS_URL, LOGDIR_META, type LogdirListing } from '../../io/logdir-listing';
import { InputError } from '../../io/types';
import { hostRule, isAllowedHost, urlHost, type HostRule } from './host-check';
import { decodeRequestPath, isInside, LogdirPathError, openLogdirFile } from './logdir-files';
import { defaultLogdirWatcherOptions, LogdirWatcher, type LogdirWatcherOptions } from './logdir-watcher';

export interface ServeOptions {
  /** the folder to follow, as given */
  logdir: string;
  /** the built dashboard (dist/, with index.html) */
  dashboard: string;
  /** bind address; default 127.0.0.1 */
  host: string;
  /** 0 picks a free port */
  port: number;
  watcher: LogdirWatcherOptions;
}

export const defaultServeOptions: Omit<ServeOptions, 'logdir' | 'dashboard'> = {
  host: '127.0.0.1',
  port: 6464,
  watcher: defaultLogdirWatcherOptions,
};

export interface RunningServer {
  /** the dashboard's address, e.g. http://127.0.0.1:6464/ */
  url: string;
  port: number;
  watcher: LogdirWatcher;
  close(): Promise<void>;
}

/** An SSE comment this often keeps an idle stream open through proxies and browsers. */
const HEARTBEAT_MS = 15_000;

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.wasm': 'application/wasm',
  '.md': 'text/plain; charset=utf-8',
};

const SECURITY_HEADERS = {
  'X-Content-Type-Options': 'nosniff',
  'Cross-Origin-Resource-Policy': 'same-origin',
  'Referrer-Policy': 'no-referrer',
  'X-Frame-Options': 'DENY',
};

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** Starts serving; rejects with an InputError for a bad LOGDIR, with the listen error (EADDRINUSE) otherwise. */
export async function startServer(options: ServeOptions): Promise<RunningServer> {
  const root = await realpath(options.logdir).catch(() => {
    throw new InputError(options.logdir, 'no such folder');
  });
  if (!(await stat(root)).isDirectory()) throw new InputError(options.logdir, 'not a folder');
  const dashboard = await realpath(options.dashboard).catch(() => options.dashboard);
  const index = await readFile(`${dashboard}/index.html`, 'utf8').catch(() => {
    throw new Error(
      `the dashboard is not built (${options.dashboard}/index.html is missing): run npm run build`,
    );
  });
  // the name the user gave (a linked LOGDIR keeps it), as a dropped folder's top folder
  const name = basename(resolve(options.logdir));
  const page = index.replace(
    '</head>',
    `  <meta name="${LOGDIR_META}" content="${escapeHtml(name)}" />\n  </head>`,
  );
  const watcher = new LogdirWatcher(root, options.watcher);
  const listing = (): LogdirListing => ({ name, files: watcher.files() });

  let rule: HostRule = hostRule(options.host, options.port);
  const streams = new Set<ServerResponse>();
  const server = createServer((request, response) => {
    for (const [header, value] of Object.entries(SECURITY_HEADERS)) response.setHeader(header, value);
    if (!isAllowedHost(request.headers.host, rule)) {
      return refuse(response, 403, 'This server answers only its own address (Host header refused).');
    }
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      response.setHeader('Allow', 'GET, HEAD');
      return refuse(response, 405, 'Read-only: GET and HEAD only.');
    }
    const target = request.url ?? '';
    if (!target.startsWith('/')) return refuse(response, 400, 'Bad request target.');
    const path = target.split('?')[0];
    if (path === '/' || path === '/index.html')
      return sendText(request, response, page, 'text/html; charset=utf-8');
    if (path === '/api/logdir')
      return sendText(request, response, JSON.stringify(listing()), CONTENT_TYPES['.json']);
    if (path === LOGDIR_EVENTS_URL) return streamListing(request, response, watcher, listing, streams);
    if (path.startsWith('/logdir/'))
      return void sendLogdirFile(request, response, root, path.slice('/logdir/'.length));
    return void sendDashboardFile(request, response, dashboard, path.slice(1));
  });

  // listen before the first scan settles: a port in use costs no scan
  await listen(server, options.host, options.port);
  const port = (server.address() as AddressInfo).port;
  rule = hostRule(options.host, port);
  await watcher.start().catch(async (error) => {
    await new Promise((done) => server.close(done));
    throw error;
  });
  const shown = options.host === '0.0.0.0' || options.host === '::' ? '127.0.0.1' : options.host;
  return {
    url: `http://${urlHost(shown)}:${port}/`,
    port,
    watcher,
    close: async () => {
      watcher.close();
      for (const stream of streams) stream.end();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function listen(server: Server, host: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

function refuse(response: ServerResponse, status: number, message: string): void {
  response.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-store' });
  response.end(message + '\n');
}

function sendText(request: IncomingMessage, response: ServerResponse, body: string, type: string): void {
  const bytes = Buffer.from(body, 'utf8');
  response.writeHead(200, {
    'Content-Type': type,
    'Content-Length': bytes.length,
    'Cache-Control': 'no-cache',
  });
  response.end(request.method === 'HEAD' ? undefined : bytes);
}

function streamListing(
  request: IncomingMessage,
  response: ServerResponse,
  watcher: LogdirWatcher,
  listing: () => LogdirListing,
  streams: Set<ServerResponse>,
): void {
  response.writeHead(200, {
    'Content-Type': 'text/event-stream; charset=utf-8',
    'Cache-Control': 'no-store',
    Connection: 'keep-alive',
  });
  if (request.method === 'HEAD') return void response.end();
  const send = () => response.write(`event: listing\ndata: ${JSON.stringify(listing())}\n\n`);
  // a lost connection is retried by the browser after 2 s (the watcher settles files in about 1 s)
  response.write('retry: 2000\n\n');
  send();
  const unsubscribe = watcher.subscribe(send);
  const heartbeat = setInterval(() => response.write(': keep-alive\n\n'), HEARTBEAT_MS);
  streams.add(response);
  response.on('close', () => {
    unsubscribe();
    clearInterval(heartbeat);
    streams.delete(response);
  });
}

async function sendLogdirFile(
  request: IncomingMessage,
  response: ServerResponse,
  root: string,
  encoded: string,
): Promise<void> {
  let file;
  try {
    file = await openLogdirFile(root, decodeRequestPath(encoded));
  } catch (error) {
    if (error instanceof LogdirPathError)
      return refuse(response, error.kind === 'missing' ? 404 : 403, `Refused: ${error.message}.`);
    return refuse(response, 500, 'The file could not be read.');
  }
  response.writeHead(200, {
    'Content-Type': 'application/octet-stream',
    'Content-Length': file.size,
    'Last-Modified': new Date(file.mtimeMs).toUTCString(),
    'Cache-Control': 'no-store',
  });
  if (request.method === 'HEAD') {
    await file.handle.close();
    return void response.end();
  }
  const stream = file.handle.createReadStream();
  stream.on('error', () => response.destroy());
  stream.pipe(response);
}

async function sendDashboardFile(
  request: IncomingMessage,
  response: ServerResponse,
  dashboard: string,
  encoded: string,
): Promise<void> {
  let path: string;
  try {
    const segments = decodeRequestPath(encoded);
    path = await realpath(`${dashboard}/${segments.join('/')}`);
  } catch (error) {
    return refuse(response, error instanceof LogdirPathError ? 403 : 404, 'Not found.');
  }
  if (!isInside(dashboard, path) || path === dashboard) return refuse(response, 403, 'Not found.');
  let body: Buffer;
  try {
    body = await readFile(path);
  } catch {
    return refuse(response, 404, 'Not found.');
  }
  response.writeHead(200, {
    'Content-Type': CONTENT_TYPES[extname(path).toLowerCase()] ?? 'application/octet-stream',
    'Content-Length': body.length,
    'Cache-Control': 'no-cache',
  });
  response.end(request.method === 'HEAD' ? undefined : body);
}
