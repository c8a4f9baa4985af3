/**
 * The Learn view's live plots: D_LR and D_LR (99% output energy) against step, train/test accuracy
 * against step, and the dashboard's three spectra (same `Plot` component and trace builders) at
 * each run's latest checkpoint, or at the step chosen with their slider.
 */
import type { Layout } from 'plotly.js-dist-min';
import { useEffect, useMemo, useRef, useState } from 'react';
import { defaultViewSettings } from '../../state/view-settings';
import type { ViewSettings } from '../../state/view-settings';
import { MethodLink } from '../MethodLink';
import { unionOfSteps } from '../nearest-checkpoint';
import { Plot } from '../plots/Plot';
import { SPECTRUM_TITLES, buildTraces } from '../plots/traces';
import type { SpectrumPanel } from '../plots/traces';
import {
  buildLearnAccuracyTraces,
  buildLearnDlrTraces,
  buildLearnLayerTraces,
  toRunRecord,
} from './learn-traces';
import type { LearnRun } from '../../state/learn-actions';
import { runSummaries } from '../../state/run-summaries';

const PANELS: { panel: SpectrumPanel; testId: string; yTitle: string; description: string }[] = [
  {
    panel: 'mass',
    testId: 'learn-plot-mass',
    yTitle: 'Π*(k)',
    description: 'how well the top-k features express the labels (test split)',
  },
  {
    panel: 'utilization',
    testId: 'learn-plot-utilization',
    yTitle: 'Π̂(k)',
    description: 'how much of the output the top-k features carry (test split)',
  },
  {
    panel: 'eigenvalues',
    testId: 'learn-plot-eigenvalues',
    yTitle: 'ρ_k / ρ_1',
    description: 'relative feature eigenvalues (train split)',
  },
];

/** Latest checkpoint of every run, K capped at rho_k / rho_1 >= 1e-6 (the dashboard default). */
const SPECTRA_VIEW: ViewSettings = { ...defaultViewSettings, spectraMode: 'runs', step: null };

const stepAxis = { title: { text: 'training step' } };

const DLR_LAYOUT: Partial<Layout> = {
  xaxis: stepAxis,
  yaxis: { title: { text: 'D_LR (0 rich, 1 lazy)' }, range: [0, 1] },
  showlegend: true,
};

const ACCURACY_LAYOUT: Partial<Layout> = {
  xaxis: stepAxis,
  yaxis: { title: { text: 'accuracy' }, range: [0, 1.02], tickformat: '.0%' },
  showlegend: true,
};

/** The spectra redraw at most this often while training (three plots; the curves follow every update). */
const SPECTRA_EVERY_MS = 1000;

/** `value`, but changing at most once per `ms` (the latest value always arrives, `ms` late at worst). */
function useThrottled<T>(value: T, ms: number): T {
  const [shown, setShown] = useState(value);
  const last = useRef(0);
  useEffect(() => {
    const wait = Math.max(0, last.current + ms - performance.now());
    const timer = setTimeout(() => {
      last.current = performance.now();
      setShown(value);
    }, wait);
    return () => clearTimeout(timer);
  }, [value, ms]);
  return shown;
}

/** A fixed step axis [0, end] (the longest planned run), so the curves grow without re-ranging the plot. */
function stepLayout(base: Partial<Layout>, end: number): Partial<Layout> {
  return { ...base, xaxis: { ...base.xaxis, range: [0, end] } };
}

export function LearnPlots({ runs }: { runs: readonly LearnRun[] }) {
  const dlrTraces = useMemo(() => buildLearnDlrTraces(runs), [runs]);
  const accuracyTraces = useMemo(() => buildLearnAccuracyTraces(runs), [runs]);
  const layerTraces = useMemo(() => buildLearnLayerTraces(runs), [runs]);
  const stepEnd = Math.max(1, ...runs.map((r) => r.options.steps));
  const dlrLayout = useMemo(() => stepLayout(DLR_LAYOUT, stepEnd), [stepEnd]);
  const accuracyLayout = useMemo(() => stepLayout(ACCURACY_LAYOUT, stepEnd), [stepEnd]);
  const layerLayout = useMemo(() => stepLayout(DLR_LAYOUT, stepEnd), [stepEnd]);
  const spectraRuns = useThrottled(runs, SPECTRA_EVERY_MS);
  const records = useMemo(() => spectraRuns.map(toRunRecord), [spectraRuns]);
  // The spectra's step: null follows the latest checkpoint as training goes on.
  const [spectraStep, setSpectraStep] = useState<number | null>(null);
  const steps = useMemo(() => unionOfSteps(records), [records]);
  const stepIndex = spectraStep === null ? steps.length - 1 : Math.max(0, steps.indexOf(spectraStep));
  const spectra = useMemo(
    () =>
      PANELS.map(({ panel }) =>
        buildTraces(panel, runSummaries(records), { ...SPECTRA_VIEW, step: spectraStep }),
      ),
    [records, spectraStep],
  );
  const spectraLayouts = useMemo(
    () =>
      PANELS.map(({ panel, yTitle }): Partial<Layout> => ({
        xaxis: { title: { text: 'k' } },
        yaxis: {
          title: { text: panel === 'eigenvalues' ? `${yTitle} (log)` : yTitle },
          type: panel === 'eigenvalues' ? 'log' : 'linear',
          exponentformat: 'power',
          // held-out curves are fractions of the test split's energy
          ...(panel === 'eigenvalues' ? {} : { range: [0, 1], autorange: false }),
        },
        showlegend: true,
      })),
    [],
  );

  return (
    <>
      <section className="panel" aria-labelledby="learn-curves-heading" id="learn-curves">
        <h2 id="learn-curves-heading">Over training</h2>
        <div className="two-columns">
          <Plot
            testId="learn-plot-dlr"
            title="D_LR (solid) and D_LR (99% output energy) (dashed)"
            traces={dlrTraces}
            layout={dlrLayout}
            height={300}
            description="D_LR and D_LR (99% output energy) of each run against training step"
          />
          <Plot
            testId="learn-plot-accuracy"
            title="Accuracy: test (solid) and train (dotted)"
            traces={accuracyTraces}
            layout={accuracyLayout}
            height={300}
            description="train and test accuracy of each run against training step"
          />
        </div>
        <Plot
          testId="learn-plot-dlr-layers"
          title="D_LR by layer: the penultimate layer solid, earlier layers dotted to dashed"
          traces={layerTraces}
          layout={layerLayout}
          height={300}
          description="D_LR of every hidden layer of each run against training step, each layer measured against the same outputs"
        />
        <p className="hint">
          Every hidden layer is measured against the outputs (<MethodLink section="layers" />
          ): which layers go rich, and which first? With only the last layer trained, none of them moves.
        </p>
      </section>
      <section className="panel" aria-labelledby="learn-spectra-heading">
        <div className="panel-header">
          <h2 id="learn-spectra-heading">
            Feature spectra{' '}
            {spectraStep === null
              ? 'at each run’s latest checkpoint'
              : `at step ${spectraStep} (each run’s nearest checkpoint)`}
          </h2>
          <label className="step-slider">
            step <output data-testid="learn-step-value">{spectraStep ?? 'latest'}</output>
            <input
              type="range"
              data-testid="learn-step-slider"
              aria-label="Training step shown in the spectra"
              aria-valuetext={spectraStep === null ? 'latest checkpoint' : `step ${spectraStep}`}
              min={0}
              max={Math.max(0, steps.length - 1)}
              value={Math.max(0, stepIndex)}
              disabled={steps.length < 2}
              onChange={(e) => {
                const index = Number(e.target.value);
                // The last position follows the latest checkpoint while training goes on.
                setSpectraStep(index >= steps.length - 1 ? null : steps[index]);
              }}
            />
          </label>
        </div>
        <div className="spectra">
          {PANELS.map(({ panel, testId, description }, i) => (
            <Plot
              key={panel}
              testId={testId}
              title={SPECTRUM_TITLES[panel]}
              traces={spectra[i]}
              layout={spectraLayouts[i]}
              height={280}
              description={`${SPECTRUM_TITLES[panel]}: ${description}`}
            />
          ))}
        </div>
        <p className="hint">
          Eigenfunctions come from the train split; Π*(k) and Π̂(k) are measured on the test split, as the
          share of its energy in the span of the top-k eigenfunctions there (<MethodLink section="heldOut" />
          ).
        </p>
      </section>
    </>
  );
}
