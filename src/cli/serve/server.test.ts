import { request } from 'node:http';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { LogdirListing } from '../../io/logdir-listing';
import { startServer, type RunningServer } from './server';

const SECRET = 'secret outside the served folder';

let folder: string;
let server: RunningServer;

interface Reply {
  status: number;
  body: string;
  headers: Record<string, string | string[] | undefined>;
}

/** A request with the path sent exactly as written (fetch would normalise '..' away). */
function get(path: string, options: { host?: string; method?: string } = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port: server.port,
        path,
        method: options.method ?? 'GET',
        headers: { host: options.host ?? `127.0.0.1:${server.port}` },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            body: Buffer.concat(chunks).toString('latin1'),
            headers: res.headers,
          }),
        );
      },
    );
    req.on('error', reject);
    req.end();
  });
}

beforeAll(async () => {
  folder = mkdtempSync(join(tmpdir(), 'richscope-serve-'));
  const logdir = join(folder, 'runs');
  mkdirSync(join(logdir, 'rich'), { recursive: true });
  mkdirSync(join(logdir, '.cache'), { recursive: true });
  mkdirSync(join(folder, 'outside'));
  mkdirSync(join(folder, 'dist', 'assets'), { recursive: true });
  writeFileSync(join(logdir, 'rich', 'step_5_train.npz'), 'train bytes');
  writeFileSync(join(logdir, 'rich', 'step_5_test.npz'), 'test bytes');
  writeFileSync(join(logdir, 'rich', '.step_6_train.npz'), 'a hidden file');
  writeFileSync(join(logdir, '.cache', 'step_7.npz'), 'in a hidden folder');
  writeFileSync(join(logdir, 'rich', 'step_8_train.npz.part'), 'being written');
  writeFileSync(join(folder, 'outside', 'secret.npy'), SECRET);
  writeFileSync(
    join(folder, 'dist', 'index.html'),
    '<html><head><title>t</title></head><body></body></html>',
  );
  writeFileSync(join(folder, 'dist', 'assets', 'app.js'), 'console.log(1)');
  symlinkSync(join(folder, 'outside', 'secret.npy'), join(logdir, 'rich', 'escape.npy'));
  symlinkSync(join(folder, 'outside'), join(logdir, 'linked-folder'));
  symlinkSync(join(logdir, 'rich', 'step_5_train.npz'), join(logdir, 'rich', 'inside.npz'));
  server = await startServer({
    logdir,
    dashboard: join(folder, 'dist'),
    host: '127.0.0.1',
    port: 0,
    watcher: { settleMs: 150, pollMs: 100, poll: true },
  });
});

afterAll(async () => {
  await server?.close();
  rmSync(folder, { recursive: true, force: true });
});

describe('richscope serve: what it serves', () => {
  it('lists the settled files LOGDIR offers, with sizes, and serves their bytes', async () => {
    const listing = JSON.parse((await get('/api/logdir')).body) as LogdirListing;
    expect(listing.name).toBe('runs');
    expect(listing.files.map((f) => [f.path, f.size])).toEqual([
      ['rich/inside.npz', 11],
      ['rich/step_5_test.npz', 10],
      ['rich/step_5_train.npz', 11],
    ]);
    const file = await get('/logdir/rich/step_5_train.npz');
    expect([file.status, file.body, file.headers['content-length']]).toEqual([200, 'train bytes', '11']);
  });

  it('marks the dashboard page as following LOGDIR, and serves its assets', async () => {
    const page = await get('/');
    expect(page.status).toBe(200);
    expect(page.body).toContain('<meta name="richscope-logdir" content="runs" />');
    expect((await get('/assets/app.js')).body).toBe('console.log(1)');
    expect((await get('/assets/missing.js')).status).toBe(404);
  });

  it('streams the listing as server-sent events, again when a file is added', async () => {
    const events: LogdirListing[] = [];
    const req = request({ host: '127.0.0.1', port: server.port, path: '/api/logdir/events' }, (res) => {
      expect(res.headers['content-type']).toMatch(/^text\/event-stream/);
      let buffer = '';
      res.on('data', (chunk: Buffer) => {
        buffer += chunk.toString('utf8');
        for (let end = buffer.indexOf('\n\n'); end >= 0; end = buffer.indexOf('\n\n')) {
          const data = /^data: (.*)$/m.exec(buffer.slice(0, end));
          if (data) events.push(JSON.parse(data[1]) as LogdirListing);
          buffer = buffer.slice(end + 2);
        }
      });
    });
    req.end();
    try {
      await expect.poll(() => events.length).toBe(1);
      writeFileSync(join(folder, 'runs', 'rich', 'step_9_train.npz'), 'new');
      await expect
        .poll(() => events.at(-1)?.files.some((f) => f.path === 'rich/step_9_train.npz'), { timeout: 5000 })
        .toBe(true);
    } finally {
      req.destroy();
      rmSync(join(folder, 'runs', 'rich', 'step_9_train.npz'));
    }
  });
});

describe('richscope serve: what it refuses', () => {
  const leaks = (reply: Reply) => reply.body.includes(SECRET);

  it.each([
    '/logdir/../outside/secret.npy',
    '/logdir/rich/../../outside/secret.npy',
    '/logdir/rich/..',
    '/../outside/secret.npy',
    '/assets/../../outside/secret.npy',
  ])('path traversal with "..": %s', async (path) => {
    const reply = await get(path);
    expect(reply.status).toBe(403);
    expect(leaks(reply)).toBe(false);
  });

  it.each([
    '/logdir/%2e%2e/outside/secret.npy',
    '/logdir/rich/%2E%2E/%2E%2E/outside/secret.npy',
    '/logdir/rich%2F..%2F..%2Foutside%2Fsecret.npy',
    '/logdir/rich/%2e%2e%5c%2e%2e%5coutside%5csecret.npy',
    '/%2e%2e/outside/secret.npy',
    '/logdir/%zz',
  ])('encoded path traversal: %s', async (path) => {
    const reply = await get(path);
    expect(reply.status).toBe(403);
    expect(leaks(reply)).toBe(false);
  });

  it('absolute paths', async () => {
    const secret = join(folder, 'outside', 'secret.npy');
    for (const path of [
      `/logdir/${secret}`,
      `/logdir/${encodeURIComponent(secret)}`,
      '/logdir//etc/passwd',
      '/logdir/%2Fetc%2Fpasswd',
      `//${secret}`,
    ]) {
      const reply = await get(path);
      expect([path, reply.status]).toEqual([path, 403]);
      expect(leaks(reply)).toBe(false);
    }
    // an absolute-form request target (as sent to a proxy) is not a path of this server
    expect((await get(`http://127.0.0.1:${server.port}/logdir/rich/step_5_train.npz`)).status).toBe(400);
  });

  it('a symbolic link that leads outside LOGDIR, and a linked folder outside it', async () => {
    for (const path of ['/logdir/rich/escape.npy', '/logdir/linked-folder/secret.npy']) {
      const reply = await get(path);
      expect([path, reply.status]).toEqual([path, 403]);
      expect(leaks(reply)).toBe(false);
    }
    const listing = JSON.parse((await get('/api/logdir')).body) as LogdirListing;
    expect(listing.files.map((f) => f.path)).not.toContain('rich/escape.npy');
    // a link that stays inside LOGDIR is an ordinary file
    expect((await get('/logdir/rich/inside.npz')).body).toBe('train bytes');
  });

  it('a foreign Host header (DNS rebinding), on every route', async () => {
    for (const path of ['/', '/api/logdir', '/api/logdir/events', '/logdir/rich/step_5_train.npz']) {
      for (const host of ['evil.example', `evil.example:${server.port}`, `127.0.0.1:${server.port + 1}`]) {
        const reply = await get(path, { host });
        expect([path, host, reply.status]).toEqual([path, host, 403]);
        expect(reply.body).not.toContain('train bytes');
      }
    }
    expect((await get('/logdir/rich/step_5_train.npz', { host: `localhost:${server.port}` })).status).toBe(
      200,
    );
  });

  it('dot-named files and folders, files still being written, other file types', async () => {
    for (const path of [
      '/logdir/rich/.step_6_train.npz',
      '/logdir/.cache/step_7.npz',
      '/logdir/rich/step_8_train.npz.part',
    ]) {
      expect([path, (await get(path)).status]).toEqual([path, 403]);
    }
    expect((await get('/logdir/rich/missing.npz')).status).toBe(404);
    expect((await get('/logdir/rich')).status).toBe(403);
    expect((await get('/logdir/')).status).toBe(403);
  });

  it('every method but GET and HEAD (no write route)', async () => {
    for (const method of ['POST', 'PUT', 'DELETE', 'PATCH']) {
      const reply = await get('/logdir/rich/step_5_train.npz', { method });
      expect([method, reply.status, reply.headers.allow]).toEqual([method, 405, 'GET, HEAD']);
    }
    const head = await get('/logdir/rich/step_5_train.npz', { method: 'HEAD' });
    expect([head.status, head.body, head.headers['content-length']]).toEqual([200, '', '11']);
  });
});
