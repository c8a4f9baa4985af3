/**
 * The selected checkpoint up close (docs/method.md §3.1, §5, §7): D_LR with its standard error, output
 * spectrum, rank profile D_LR(r'), the weak-direction warning, the read-out residual against the
 * tolerance of the precision its arrays were stored in, and the notes about its inputs.
 */
import type { Layout } from 'plotly.js-dist-min';
import { useMemo } from 'react';
import { readoutTolerance, readoutWarning } from '../core/companion';
import { formatWithStdErr } from '../core/jackknife';
import { dependsOnWeakDirections } from '../core/low-rank-measure';
import type { CheckpointSummary, RunSummary } from '../state/run-summaries';
import { checkpointNotes } from './checkpoint-notes';
import { MethodLink } from './MethodLink';
import { decadeTick, integerTick } from './plots/axis-ticks';
import { useRichscope } from '../state/store';
import { MethodText } from './MethodText';
import { smallestPositiveY } from './plots/curve-canvas';
import { Plot } from './plots/Plot';
import type { Trace } from './plots/traces';
import { runSummaries } from '../state/run-summaries';

export function CheckpointDetails() {
  const runs = useRichscope((s) => runSummaries(s.runs));
  const selectedRun = useRichscope((s) => s.view.selectedRun);
  const selectedStep = useRichscope((s) => s.view.selectedStep);
  const run = runs.find((r) => r.id === selectedRun);
  const checkpoint = run?.checkpoints.find((c) => c.step === selectedStep);
  return (
    <section className="panel" aria-labelledby="details-heading" data-testid="checkpoint-details">
      <h2 id="details-heading">Checkpoint details</h2>
      {run && checkpoint ? (
        <Details run={run} checkpoint={checkpoint} />
      ) : (
        <p className="hint">
          Select a checkpoint in the table, or with a click or the arrow keys on “D_LR over training”.
        </p>
      )}
    </section>
  );
}

/** `values` against 1, 2, ..., as a line with markers. */
function lineFromOne(name: string, values: number[], colour: string, hovertemplate: string): Trace {
  return {
    type: 'scatter',
    mode: 'lines+markers',
    name,
    x: values.map((_, j) => j + 1),
    y: values,
    line: { color: colour },
    hovertemplate,
  };
}

/** The output spectrum and the rank profile of one checkpoint's metrics, in its run's colour. */
function detailTraces(
  m: CheckpointSummary['metrics'],
  colour: string,
): { spectrumTraces: Trace[]; profileTraces: Trace[] } {
  const spectrumTraces = [
    lineFromOne('w_j / w_1', m.outputSpectrum, colour, 'j = %{x}<br>w_j/w_1 = %{y:.3g}<extra></extra>'),
  ];
  const profileTraces: Trace[] = [
    lineFromOne("D_LR(r')", m.rankProfile, colour, "r' = %{x}<br>D_LR(r') = %{y:.4f}<extra></extra>"),
    {
      type: 'scatter',
      mode: 'markers',
      name: `r99 = ${m.r99} (99% of output energy)`,
      x: [m.r99],
      y: [m.dlrEnergy99],
      marker: { size: 13, symbol: 'diamond-open', color: colour, line: { width: 2 } },
      hovertemplate: 'r99 = %{x}<br>D_LR(r99) = %{y:.4f}<extra></extra>',
    },
  ];
  return { spectrumTraces, profileTraces };
}

function Details({ run, checkpoint }: { run: RunSummary; checkpoint: CheckpointSummary }) {
  const m = checkpoint.metrics;
  const weakDirections = dependsOnWeakDirections(m);
  const precision = m.storedPrecision ?? null;
  const readout = readoutWarning(m.readoutResidual, precision);
  const { spectrumTraces, profileTraces } = useMemo(() => detailTraces(m, run.colour), [m, run.colour]);
  // The axes span every checkpoint of the run: stepping through its checkpoints, they hold still.
  const extent = useMemo(() => {
    const traces = run.checkpoints.map((c) => detailTraces(c.metrics, run.colour));
    const spectrum = traces.flatMap((t) => t.spectrumTraces);
    return {
      spectrum,
      profile: traces.flatMap((t) => t.profileTraces),
      smallestWeight: smallestPositiveY(spectrum),
      directions: Math.max(...run.checkpoints.map((c) => c.metrics.outputSpectrum.length)),
      ranks: Math.max(...run.checkpoints.map((c) => c.metrics.rankProfile.length)),
    };
  }, [run]);
  // Whole numbers only, spaced so the labels never merge (r can be dozens).
  const spectrumLayout = useMemo<Partial<Layout>>(
    () => ({
      xaxis: { title: { text: 'output direction j' }, tick0: 1, dtick: integerTick(extent.directions) },
      yaxis: {
        title: { text: 'w_j / w_1 (log)' },
        type: 'log',
        exponentformat: 'power',
        dtick: decadeTick(extent.smallestWeight),
      },
    }),
    [extent],
  );
  const profileLayout = useMemo<Partial<Layout>>(
    () => ({
      xaxis: {
        title: { text: "r' (directions counted)" },
        tick0: 1,
        dtick: integerTick(extent.ranks),
      },
      yaxis: { title: { text: "D_LR(r')" } },
    }),
    [extent],
  );

  return (
    <div className="details">
      <p className="details-title">
        <span className="swatch" style={{ background: run.colour }} aria-hidden="true" />{' '}
        <strong>{run.name}</strong>, step {checkpoint.step} <span className="hint">({checkpoint.label})</span>
      </p>
      <dl className="facts">
        <dt>D_LR</dt>
        <dd data-testid="details-dlr">{formatWithStdErr(m.dlr, m.dlrStdErr ?? null)}</dd>
        <dt>D_LR at 99% output energy</dt>
        <dd>
          {formatWithStdErr(m.dlrEnergy99, m.dlrEnergy99StdErr ?? null)} (r99 = {m.r99} of r = {m.r})
        </dd>
        <dt title="1 − tr(S_pf S_fp) / (‖S_pp‖ ‖S_ff‖): weights output directions by strength; shown for teaching, it is not D_LR">
          Linear CKA distance <em>(teaching companion, not D_LR)</em>
        </dt>
        <dd>{m.linearCkaDistance.toFixed(4)}</dd>
        <dt>Read-out residual</dt>
        <dd>
          {m.readoutResidual.toExponential(2)}{' '}
          <span className="hint">
            (affine up to {readoutTolerance(precision).toExponential(1)}
            {precision ? ` for ${precision} arrays` : ''})
          </span>
        </dd>
      </dl>
      {weakDirections && (
        <p className="warning" role="status" data-testid="weak-directions-warning">
          ⚠ D_LR depends on weak output directions: with all r = {m.r} directions D_LR = {m.dlr.toFixed(3)},
          with the {m.r99} holding 99% of the output energy it is {m.dlrEnergy99.toFixed(3)}. Read the rank
          profile below before concluding (<MethodLink section="outputRank" />
          ).
        </p>
      )}
      <p className={readout ? 'warning' : 'hint'} data-testid="readout-note">
        <MethodText
          text={`${
            readout ??
            'The logits are an affine function of these features: they are the input of the last linear layer.'
          } (docs/method.md §5)`}
        />
      </p>
      {m.dlrStdErr != null && (
        <p className="hint">
          ± is one jackknife standard error: how much D_LR moves with the sample of inputs, not with the
          training seed (<MethodText text="docs/method.md §7" />
          ).
        </p>
      )}
      <ul className="notes">
        {checkpointNotes(checkpoint).map((note) => (
          <li key={note}>
            <MethodText text={note} />
          </li>
        ))}
      </ul>
      <div className="details-plots">
        <Plot
          testId="plot-output-spectrum"
          title="Output spectrum w_j / w_1"
          traces={spectrumTraces}
          layout={spectrumLayout}
          curvesOnCanvas
          axisExtent={extent.spectrum}
          height={240}
          description="eigenvalues of the output covariance relative to the largest"
        />
        <Plot
          testId="plot-rank-profile"
          title="Rank profile D_LR(r')"
          traces={profileTraces}
          layout={profileLayout}
          curvesOnCanvas
          axisExtent={extent.profile}
          height={240}
          description="D_LR counting only the r' strongest output directions"
        />
      </div>
    </div>
  );
}
