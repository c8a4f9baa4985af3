// `npm run bench [-- --quick] [--runs N] [--sizes M,L,ME,LE]`: end-to-end CLI vs the NumPy float64 pipeline
// (scripts/numpy_pipeline.py) on seeded synthetic checkpoints in .bench/ (gitignored). Runs are
// interleaved (CLI, CLI --jackknife 0, NumPy, ...) and medians reported, with peak RSS from
// /usr/bin/time. The NumPy pipeline computes no standard error, so the CLI is also timed without the
// jackknife (docs/method.md §7): the same work as NumPy's.
// The machine is often shared: the load average before and after is printed, read the figures with it.
// NumPy runs with OPENBLAS_CORETYPE / OPENBLAS_L2_SIZE unset (they slow it on some CPUs); nothing else
// changes the environment. A size with layers (ML) is timed against itself instead: the CLI with every
// layer and with the penultimate only (`--layers features`), giving the extra time and memory per layer.
// A size with an eval split (ME, LE) is timed with it and with its fit split alone (`DIR/train`), both
// without the jackknife: what the held-out curves add (the speed targets are for the run without).
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import path from 'node:path';

import { buildCli } from './build-cli.mjs';
import { ensureData, median, runNumpyPipeline, SIZES, timed } from './bench-data.mjs';

const argv = process.argv.slice(2);
const quick = argv.includes('--quick');
const option = (name, fallback) => {
  const at = argv.indexOf(name);
  return at >= 0 ? argv[at + 1] : fallback;
};
const runs = Number(option('--runs', quick ? 1 : 3));
const names = option('--sizes', quick ? 'Q' : 'M,L,ME,LE').split(',');

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

/**
 * CLI with and without the eval split of a size, interleaved, both with `--jackknife 0`: what the
 * held-out curves add. NumPy's pipeline has no eval split; the targets are for the run without.
 */
function evalSplitRow(name) {
  const dir = ensureData(name);
  const withEval = [];
  const fitOnly = [];
  const dlr = { withEval: null, fitOnly: null };
  for (let r = 0; r < runs; r++) {
    const a = timed('node', ['dist-cli/richscope.mjs', dir, '--json', '--jackknife', '0']);
    dlr.withEval = JSON.parse(a.stdout)[0].dlr;
    withEval.push(a);
    const b = timed('node', [
      'dist-cli/richscope.mjs',
      path.join(dir, 'train'),
      '--json',
      '--jackknife',
      '0',
    ]);
    dlr.fitOnly = JSON.parse(b.stdout)[0].dlr;
    fitOnly.push(b);
    console.log(
      `${name} run ${r + 1}/${runs}: CLI --jackknife 0 with the eval split ${a.seconds.toFixed(2)} s ${a.rssMb.toFixed(0)} MB | ` +
        `fit split only ${b.seconds.toFixed(2)} s ${b.rssMb.toFixed(0)} MB`,
    );
  }
  return {
    ...SIZES[name],
    evalSeconds: median(withEval.map((x) => x.seconds)),
    evalRssMb: median(withEval.map((x) => x.rssMb)),
    fitOnlySeconds: median(fitOnly.map((x) => x.seconds)),
    fitOnlyRssMb: median(fitOnly.map((x) => x.rssMb)),
    // D_LR is measured on the fit split: the same with or without the eval split
    dlrDifference: Math.abs(dlr.withEval - dlr.fitOnly),
    all: {
      withEval: withEval.map(({ seconds, rssMb }) => ({ seconds, rssMb })),
      fitOnly: fitOnly.map(({ seconds, rssMb }) => ({ seconds, rssMb })),
    },
  };
}

for (const name of names) {
  if (SIZES[name].layers) {
    report.sizes[name] = layeredRow(name);
    continue;
  }
  if (SIZES[name].evalRows) {
    report.sizes[name] = evalSplitRow(name);
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
  if (r.layers || r.evalRows) continue;
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
for (const [name, r] of Object.entries(report.sizes)) {
  if (!r.evalRows) continue;
  console.log(
    `${name}: n ${r.n} + ${r.evalRows} eval rows, p ${r.p}, C ${r.c} (--jackknife 0): with the eval split ` +
      `${r.evalSeconds.toFixed(2)} s ${r.evalRssMb.toFixed(0)} MB, fit split only ${r.fitOnlySeconds.toFixed(2)} s ` +
      `${r.fitOnlyRssMb.toFixed(0)} MB (x${(r.evalSeconds / r.fitOnlySeconds).toFixed(2)}); |dD_LR| ${r.dlrDifference.toExponential(1)}`,
  );
}
const blas = Object.values(report.sizes).find((r) => r.blas)?.blas;
if (blas) console.log(`NumPy BLAS: ${blas}`);
const out = `.bench/bench-${report.date.replace(/[:.]/g, '-')}.json`;
writeFileSync(out, JSON.stringify(report, null, 1));
console.log(`wrote ${out}`);
