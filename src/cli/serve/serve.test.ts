import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { runServe } from './serve';
import type { RunningServer } from './server';

let folder: string;

beforeAll(() => {
  folder = mkdtempSync(join(tmpdir(), 'richscope-serve-cmd-'));
  mkdirSync(join(folder, 'dist'));
  mkdirSync(join(folder, 'runs', 'rich'), { recursive: true });
  writeFileSync(join(folder, 'dist', 'index.html'), '<html><head></head><body></body></html>');
  writeFileSync(join(folder, 'runs', 'rich', 'step_5_train.npz'), 'bytes');
});

afterAll(() => rmSync(folder, { recursive: true, force: true }));

/** Runs `richscope serve ARGS` until it listens, fetches its listing, then stops it. */
async function serveOnce(...args: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const opened: string[] = [];
  let stop = () => {};
  let listing: unknown = null;
  const code = await runServe(
    args,
    (line) => out.push(line),
    (line) => err.push(line),
    {
      dashboard: join(folder, 'dist'),
      stop: new Promise<void>((resolve) => (stop = resolve)),
      openUrl: (url) => opened.push(url),
      onListening: (server: RunningServer) => {
        void fetch(`http://127.0.0.1:${server.port}/api/logdir`)
          .then((response) => response.json())
          .then((body) => (listing = body))
          .finally(stop);
      },
    },
  );
  return { code, out, err, listing, opened };
}

describe('richscope serve (command)', () => {
  it('opens the printed address with --open, and nothing without it', async () => {
    const opened = await serveOnce(join(folder, 'runs'), '--port', '0', '--open');
    expect(opened.code).toBe(0);
    expect(opened.opened).toHaveLength(1);
    expect(opened.out).toContain(`  ${opened.opened[0]}`);
    expect(opened.opened[0]).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    expect((await serveOnce(join(folder, 'runs'), '--port', '0')).opened).toEqual([]);
  });

  it('prints the address it serves, on 127.0.0.1 by default, and the files found', async () => {
    const { code, out, err, listing } = await serveOnce(join(folder, 'runs'), '--port', '0', '--poll');
    expect(code).toBe(0);
    expect(out[0]).toBe(`Richscope is following ${join(folder, 'runs')} (1 file now, polling for more)`);
    expect(out[1]).toMatch(/^ {2}http:\/\/127\.0\.0\.1:\d+\/$/);
    expect(err).toEqual([]);
    expect(listing).toMatchObject({ name: 'runs', files: [{ path: 'rich/step_5_train.npz', size: 5 }] });
  });

  it('warns when --host opens it beyond this machine', async () => {
    const { code, err } = await serveOnce(join(folder, 'runs'), '--port', '0', '--host', '0.0.0.0');
    expect(code).toBe(0);
    expect(err).toHaveLength(1);
    expect(err[0]).toMatch(/^richscope serve: warning: listening on 0\.0\.0\.0, not only this machine/);
  });

  it('exits 2 with one line for a LOGDIR that does not exist', async () => {
    const { code, err } = await serveOnce(join(folder, 'nope'), '--port', '0');
    expect(code).toBe(2);
    expect(err).toEqual([`richscope serve: ${join(folder, 'nope')}: no such folder`]);
  });

  it('exits 2 with one line when the --port asked for is in use', async () => {
    const other = createServer();
    await new Promise<void>((resolve) => other.listen(0, '127.0.0.1', resolve));
    const { port } = other.address() as AddressInfo;
    try {
      const { code, err } = await serveOnce(join(folder, 'runs'), '--port', String(port));
      expect(code).toBe(2);
      expect(err).toEqual([
        `richscope serve: port ${port} is in use: choose another with --port N (0 picks a free one)`,
      ]);
    } finally {
      other.close();
    }
  });
});
