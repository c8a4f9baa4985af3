// `npm run test:pack` (part of `npm test`, after the build): the packed tarball, installed into an
// empty folder outside the repository with npm offline (so nothing else can be installed), runs
// `npx richscope --version`, `npx richscope analyze FILE --json` and `npx richscope serve LOGDIR`
// (`npx --no --`: never fetched from the registry).
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';

const repo = path.resolve(import.meta.dirname, '..');
const fixture = path.join(repo, 'fixtures/digits-mlp/mlp96_rich_step150_train.npz');
const { version } = JSON.parse(readFileSync(path.join(repo, 'package.json'), 'utf8'));

for (const built of ['dist/index.html', 'dist-cli/richscope.mjs'])
  if (!existsSync(path.join(repo, built))) throw new Error(`${built} is missing: run npm run build first`);

const folder = mkdtempSync(path.join(tmpdir(), 'richscope-pack-'));
assert.ok(path.relative(repo, folder).startsWith('..'), 'the install folder must lie outside the repository');
const npm = (args, cwd) =>
  execFileSync('npm', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
const npx = (args, cwd) =>
  execFileSync('npx', ['--no', '--', 'richscope', ...args], { cwd, encoding: 'utf8' });

/** GET with the Host header a browser would send. */
function get(port, urlPath) {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path: urlPath }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode, body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** Runs `npx richscope serve LOGDIR --port 0` until it prints its address, checks what it serves, stops it. */
async function checkServe(app, logdir) {
  // its own process group, so that npx and the node it starts stop together
  const server = spawn('npx', ['--no', '--', 'richscope', 'serve', logdir, '--port', '0'], {
    cwd: app,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  try {
    const port = await new Promise((resolve, reject) => {
      let out = '';
      server.stdout.on('data', (chunk) => {
        out += chunk;
        const found = /http:\/\/127\.0\.0\.1:(\d+)\//.exec(out);
        if (found) resolve(Number(found[1]));
      });
      server.stderr.on('data', (chunk) => (out += chunk));
      server.on('exit', (code) => reject(new Error(`richscope serve exited with ${code}:\n${out}`)));
    });
    const page = await get(port, '/');
    assert.equal(page.status, 200);
    const html = page.body.toString('utf8');
    assert.match(html, /<meta name="richscope-logdir" content="runs" \/>/);
    for (const asset of html.matchAll(/(?:src|href)="(\/assets\/[^"]+)"/g))
      assert.equal((await get(port, asset[1])).status, 200, asset[1]);
    const listing = JSON.parse((await get(port, '/api/logdir')).body.toString('utf8'));
    assert.deepEqual(
      listing.files.map((f) => f.path),
      ['rich/step_150_train.npz'],
    );
    assert.ok((await get(port, '/logdir/rich/step_150_train.npz')).body.equals(readFileSync(fixture)));
  } finally {
    process.kill(-server.pid, 'SIGINT');
  }
}

try {
  const [packed] = JSON.parse(
    npm(['pack', '--ignore-scripts', '--json', '--pack-destination', folder], repo),
  );
  const app = path.join(folder, 'app');
  mkdirSync(app);
  writeFileSync(path.join(app, 'package.json'), JSON.stringify({ name: 'pack-test', private: true }));
  npm(['install', '--offline', '--no-audit', '--no-fund', path.join(folder, packed.filename)], app);
  const installed = readdirSync(path.join(app, 'node_modules')).filter((name) => !name.startsWith('.'));
  assert.deepEqual(installed, ['richscope'], 'the package installs no dependency');

  assert.equal(npx(['--version'], app).trim(), version);

  const logdir = path.join(folder, 'runs');
  mkdirSync(path.join(logdir, 'rich'), { recursive: true });
  const file = path.join(logdir, 'rich', 'step_150_train.npz');
  copyFileSync(fixture, file);
  const [record] = JSON.parse(npx(['analyze', file, '--json'], app));
  const [fromRepo] = JSON.parse(
    execFileSync(process.execPath, [path.join(repo, 'dist-cli/richscope.mjs'), fixture, '--json'], {
      encoding: 'utf8',
    }),
  );
  assert.equal(record.dlr, fromRepo.dlr);
  assert.equal(record.n, 1347);

  await checkServe(app, logdir);
  console.log(
    `pack test: ${packed.filename} (${(packed.size / 1e6).toFixed(1)} MB, ${packed.entryCount} files) installed ` +
      `outside the repository with no dependency; --version, analyze --json and serve work`,
  );
} finally {
  rmSync(folder, { recursive: true, force: true });
}
