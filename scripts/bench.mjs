// `npm run bench [-- --quick] [--runs N] [--sizes M,L]`: end-to-end CLI vs the NumPy float64 pipeline
// (scripts/numpy_pipeline.py) on seeded synthetic checkpoints in .bench/ (gitignored). Runs are
// interleaved (CLI, CLI --jackknife 0, NumPy, ...) and medians reported, with peak RSS from
// /usr/bin/time. The NumPy pipeline computes no standard error, so the CLI is also timed without the
// jackknife (docs/method.md §7): the same work as NumPy's.
// The machine is often shared: the load average before and after is printed, read the figures with it.
// NumPy runs with OPENBLAS_CORETYPE / OPENBLAS_L2_SIZE unset (they slow it on some CPUs); nothing else
// changes the environment. A size with layers (ML) is timed against itself instead: the CLI with every
// layer and with the penultimate only (`--layers features`), giving the extra time and memory per layer.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';

import { buildCli } from './build-cli.mjs';
import { ensureData, median, runNumpyPipeline, SIZES, timed } from './bench-data.mjs';

const argv = process.argv.slice(2);
const quick = argv.includes('--quick');
const option = (name, fallback) => {
  const at = argv.indexOf(name);
  return at >= 0 ? argv[at + 1] : fallback;
};
const runs = Number(option('--runs', quick ? 1 : 3));
const names = option('--sizes', quick ? 'Q' : 'M,L').split(',');

function machine() {
  const cpuModel = readFileSync('/proc/cpuinfo', 'utf8').match(/model name\s*:\s*(.*)/)?.[1] ?? 'unknown';
  const numpy = spawnSync('python3', ['-c', 'import numpy; print(numpy.__version__)'], {
    encoding: 'utf8',
  }).stdout.trim();
  return { cpu: cpuModel, cores: cpus().length, node: process.version, numpy };
}

mkdirSync('.bench', { recursive: true });
await buildCli();
const info = machine();
const loadBefore = loadavg()[0];
console.log(
  `${info.cpu}, ${info.cores} cores, Node ${info.node}, NumPy ${info.numpy}; load average ${loadBefore.toFixed(2)}`,
);
const report = { date: new Date().toISOString(), machine: info, runs, loadBefore, sizes: {} };

/** CLI with and without the earlier layers of a size, interleaved: what each layer adds. */
function layeredRow(name) {
  const dir = ensureData(name);
  const layers = SIZES[name].layers.length;
  const all = [];
  const penultimate = [];
  let record = null;
  for (let r = 0; r < runs; r++) {
    const a = timed('node', ['dist-cli/richscope.mjs', dir, '--json']);
    record = JSON.parse(a.stdout)[0];
    all.push(a);
    const b = timed('node', ['dist-cli/richscope.mjs', dir, '--json', '--layers', 'features']);
    penultimate.push(b);
    console.log(
      `${name} run ${r + 1}/${runs}: CLI with ${layers} more layers ${a.seconds.toFixed(2)} s ${a.rssMb.toFixed(0)} MB | penultimate only ${b.seconds.toFixed(2)} s ${b.rssMb.toFixed(0)} MB`,
    );
  }
  const row = {
    ...SIZES[name],
    cliSeconds: median(all.map((x) => x.seconds)),
    cliRssMb: median(all.map((x) => x.rssMb)),
    penultimateSeconds: median(penultimate.map((x) => x.seconds)),
    penultimateRssMb: median(penultimate.map((x) => x.rssMb)),
    layerDlr: record.layers.map(({ name: layer, dlr }) => ({ layer, dlr })),
    all: {
      layers: all.map(({ seconds, rssMb }) => ({ seconds, rssMb })),
      penultimate: penultimate.map(({ seconds, rssMb }) => ({ seconds, rssMb })),
    },
  };
  row.secondsPerLayer = (row.cliSeconds - row.penultimateSeconds) / layers;
  row.rssMbPerLayer = (row.cliRssMb - row.penultimateRssMb) / layers;
  return row;
}

for (const name of names) {
  if (SIZES[name].layers) {
    report.sizes[name] = layeredRow(name);
    continue;
  }
  const dir = ensureData(name);
  const cli = [];
  // the NumPy pipeline computes no standard error: the CLI without the jackknife does the same work
  const cliNoJackknife = [];
  const numpy = [];
  let blas = null;
  let dlr = { cli: null, numpy: null };
  for (let r = 0; r < runs; r++) {
    const a = timed('node', ['dist-cli/richscope.mjs', dir, '--json']);
    dlr.cli = JSON.parse(a.stdout)[0].dlr;
    cli.push(a);
    const c = timed('node', ['dist-cli/richscope.mjs', dir, '--json', '--jackknife', '0']);
    cliNoJackknife.push(c);
    const b = runNumpyPipeline(dir);
    dlr.numpy = b.dlr;
    blas = b.blas;
    numpy.push(b);
    console.log(
      `${name} run ${r + 1}/${runs}: CLI ${a.seconds.toFixed(2)} s ${a.rssMb.toFixed(0)} MB | ` +
        `--jackknife 0 ${c.seconds.toFixed(2)} s ${c.rssMb.toFixed(0)} MB | NumPy ${b.seconds.toFixed(2)} s ${b.rssMb.toFixed(0)} MB`,
    );
  }
  const row = {
    ...SIZES[name],
    cliSeconds: median(cli.map((x) => x.seconds)),
    numpySeconds: median(numpy.map((x) => x.seconds)),
    cliRssMb: median(cli.map((x) => x.rssMb)),
    numpyRssMb: median(numpy.map((x) => x.rssMb)),
    cliNoJackknifeSeconds: median(cliNoJackknife.map((x) => x.seconds)),
    cliNoJackknifeRssMb: median(cliNoJackknife.map((x) => x.rssMb)),
    dlrDifference: Math.abs(dlr.cli - dlr.numpy),
    blas,
    all: {
      cli: cli.map(({ seconds, rssMb }) => ({ seconds, rssMb })),
      cliNoJackknife: cliNoJackknife.map(({ seconds, rssMb }) => ({ seconds, rssMb })),
      numpy: numpy.map(({ seconds, rssMb }) => ({ seconds, rssMb })),
    },
  };
  row.timeRatio = row.cliSeconds / row.numpySeconds;
  row.rssRatio = row.cliRssMb / row.numpyRssMb;
  row.noJackknifeTimeRatio = row.cliNoJackknifeSeconds / row.numpySeconds;
  row.noJackknifeRssRatio = row.cliNoJackknifeRssMb / row.numpyRssMb;
  report.sizes[name] = row;
}

report.loadAfter = loadavg()[0];
console.log(
  `\nmedians of ${runs} interleaved run(s); load average ${loadBefore.toFixed(2)} -> ${report.loadAfter.toFixed(2)}`,
);
console.log(
  'size  n x p, C              CLI s   NumPy s  ratio  target  CLI MB  NumPy MB  RSS ratio  |dD_LR|',
);
for (const [name, r] of Object.entries(report.sizes)) {
  if (r.layers) continue;
  const target = r.target ? `<= ${r.target.time}` : '-';
  console.log(
    `${name.padEnd(4)}  ${`${r.n} x ${r.p}, ${r.c}`.padEnd(20)} ${r.cliSeconds.toFixed(2).padStart(6)}  ${r.numpySeconds
      .toFixed(2)
      .padStart(
        7,
      )}  ${r.timeRatio.toFixed(2).padStart(5)}  ${target.padStart(6)}  ${r.cliRssMb.toFixed(0).padStart(6)}  ${r.numpyRssMb
      .toFixed(0)
      .padStart(8)}  ${r.rssRatio.toFixed(2).padStart(9)}  ${r.dlrDifference.toExponential(1)}`,
  );
  console.log(
    `      the same work as NumPy (--jackknife 0, no standard errors): ${r.cliNoJackknifeSeconds.toFixed(2)} s, ` +
      `ratio ${r.noJackknifeTimeRatio.toFixed(2)}, ${r.cliNoJackknifeRssMb.toFixed(0)} MB (RSS ratio ${r.noJackknifeRssRatio.toFixed(2)})`,
  );
}
for (const [name, r] of Object.entries(report.sizes)) {
  if (!r.layers) continue;
  console.log(
    `${name}: n ${r.n}, p ${r.p}, C ${r.c}, ${r.layers.length} more layers of ${r.layers.join(', ')}: ` +
      `${r.cliSeconds.toFixed(2)} s ${r.cliRssMb.toFixed(0)} MB against ${r.penultimateSeconds.toFixed(2)} s ` +
      `${r.penultimateRssMb.toFixed(0)} MB for the penultimate only: +${r.secondsPerLayer.toFixed(2)} s, ` +
      `+${r.rssMbPerLayer.toFixed(0)} MB per layer; D_LR by layer ${r.layerDlr.map((l) => `${l.layer} ${l.dlr.toFixed(4)}`).join(', ')}`,
  );
}
const blas = Object.values(report.sizes).find((r) => r.blas)?.blas;
if (blas) console.log(`NumPy BLAS: ${blas}`);
const out = `.bench/bench-${report.date.replace(/[:.]/g, '-')}.json`;
writeFileSync(out, JSON.stringify(report, null, 1));
console.log(`wrote ${out}`);
