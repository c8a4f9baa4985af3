// `node scripts/bench-browser.mjs [--quick]`: the core's kernels in headless Debian Chromium, in Web
// Workers: Gram GFLOP/s (float64 / float32 lanes / plain JS), the dense eigensolver (whole, and reduced
// then k leading eigenvectors), and an
// L-shaped moment pass (n = 50000, p = 2048, C = 1000 one-hot) over 2 workers + analyzeMoments in a
// worker, while the page measures its own responsiveness (longest gap between 50 ms timer ticks).
// Synthetic rows are generated in the workers and not timed (no file reading: the dashboard's
// end-to-end run is measured separately once "ui" ships it).
import { createServer } from 'node:http';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';

import { build } from 'esbuild';
import { chromium } from 'playwright-core';

import { chromiumArgs, chromiumPath } from './chromium.mjs';

const quick = process.argv.includes('--quick');
const precision = process.argv.includes('--float64') ? 'float64' : 'float32';
const shape = {
  ...(quick ? { n: 8192, p: 256, c: 20, classes: 20 } : { n: 50000, p: 2048, c: 1000, classes: 1000 }),
  precision,
};
const out = '.bench/browser';
mkdirSync(out, { recursive: true });
await build({
  entryPoints: ['scripts/bench-browser-worker.mjs'],
  bundle: true,
  format: 'esm',
  platform: 'browser',
  outfile: `${out}/worker.js`,
  logLevel: 'warning',
});
writeFileSync(
  `${out}/index.html`,
  `<!doctype html><meta charset="utf-8"><title>richscope kernels</title><script type="module">
import { mergeMoments, emptyMoments } from './merge.js';
let nextId = 0;
function call(worker, task, args, transfer = []) {
  return new Promise((resolve, reject) => {
    const id = nextId++;
    const listener = (e) => { if (e.data.id !== id) return; worker.removeEventListener('message', listener);
      e.data.error ? reject(new Error(e.data.error)) : resolve(e.data.result); };
    worker.addEventListener('message', listener);
    worker.postMessage({ id, task, args }, transfer);
  });
}
window.runBench = async (shape) => {
  const workers = [0, 1].map(() => new Worker('./worker.js', { type: 'module' }));
  const results = { gram: [], eigen: [] };
  for (const kernel of ['wasm-f64', 'wasm-f32', 'js']) results.gram.push(await call(workers[0], 'gram', { rows: 2048, dim: kernel === 'js' ? 256 : 1024, kernel }));
  results.eigen.push(await call(workers[0], 'eigen', { n: shape.p >= 2048 ? 1024 : shape.p, k: 100 }));
  if (shape.p >= 2048) results.eigen.push(await call(workers[0], 'eigen', { n: 2048, k: 300 }));
  let worstGap = 0; let last = performance.now();
  const timer = setInterval(() => { const now = performance.now(); worstGap = Math.max(worstGap, now - last); last = now; }, 50);
  const t0 = performance.now();
  const half = Math.ceil(shape.n / 2 / 4096) * 4096;
  const parts = await Promise.all(workers.map((w, i) => call(w, 'pass', { start: i ? half : 0, end: i ? shape.n : half, p: shape.p, c: shape.c, classes: shape.classes, chunkRows: 4096, precision: shape.precision })));
  let total = emptyMoments({ p: shape.p, c: shape.c, targets: { kind: 'onehot', classes: shape.classes } });
  for (const part of parts) total = mergeMoments(total, part.moments);
  const analysis = await call(workers[0], 'analyze', { moments: total }, [total.scatter.buffer]);
  const wall = (performance.now() - t0) / 1000;
  clearInterval(timer);
  results.pass = { shape, passSeconds: parts.map((p) => p.seconds), analyzeSeconds: analysis.seconds, dlr: analysis.dlr,
    kept: analysis.kept, computeSeconds: Math.max(...parts.map((p) => p.seconds)) + analysis.seconds, wallWithGeneration: wall, worstTimerGapMs: worstGap };
  workers.forEach((w) => w.terminate());
  return results;
};
window.ready = true;
</script>`,
);
await build({
  stdin: {
    contents: "export { mergeMoments, emptyMoments } from './src/core/moments';",
    resolveDir: '.',
    loader: 'ts',
  },
  bundle: true,
  format: 'esm',
  platform: 'browser',
  outfile: `${out}/merge.js`,
  logLevel: 'warning',
});
const types = { '.html': 'text/html', '.js': 'text/javascript' };
const server = createServer((req, res) => {
  const path = req.url === '/' ? '/index.html' : req.url;
  try {
    const body = readFileSync(out + path);
    res.writeHead(200, {
      'content-type': types[path.slice(path.lastIndexOf('.'))] ?? 'application/octet-stream',
    });
    res.end(body);
  } catch {
    res.writeHead(404).end();
  }
}).listen(0, '127.0.0.1');
await new Promise((r) => server.once('listening', r));
const url = `http://127.0.0.1:${server.address().port}/`;
const browser = await chromium.launch({
  executablePath: chromiumPath,
  headless: true,
  args: chromiumArgs,
});
try {
  const page = await browser.newPage();
  page.on('console', (m) => console.log('[page]', m.text()));
  await page.goto(url);
  await page.waitForFunction(() => window.ready === true);
  const version = browser.version();
  const results = await page.evaluate((s) => window.runBench(s), shape);
  results.chromium = version;
  console.log(JSON.stringify(results, null, 1));
  writeFileSync(
    `.bench/browser-${new Date().toISOString().replace(/[:.]/g, '-')}.json`,
    JSON.stringify(results, null, 1),
  );
} finally {
  await browser.close();
  server.close();
}
