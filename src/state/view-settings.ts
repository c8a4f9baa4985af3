/**
 * View settings: everything about *how* the data is shown (never the data itself). They live in the
 * URL hash so a view can be bookmarked or shared:
 * `#/?mode=runs&step=150&sel=<run>@150&kmin=1e-6&k=1-30&curves=nystrom`.
 * The route is the part before `?` (`#/` dashboard, `#/learn` Learn view).
 */

export type Route = 'dashboard' | 'learn';

/** 'runs': one trace per run at one step. 'checkpoints': the checkpoints of one run, coloured by step. */
export type SpectraMode = 'runs' | 'checkpoints';

/**
 * Which form of the cumulative curves the mass and utilization plots draw (docs/method.md §4, §4.1):
 * 'heldOut', the nested projections (in [0, 1]); 'nystrom', the paper's sums (may exceed 1 on a
 * held-out split).
 */
export type CurveForm = 'heldOut' | 'nystrom';

export type SortColumn =
  | 'run'
  | 'step'
  | 'n'
  | 'p'
  | 'C'
  | 'r'
  | 'dlr'
  | 'dlrEnergy99'
  | 'nc1'
  | 'accuracy'
  | 'evalAccuracy'
  | 'participationRatio';

export interface ViewSettings {
  spectraMode: SpectraMode;
  /** step shown in 'runs' mode (each run uses its nearest checkpoint); null = latest */
  step: number | null;
  /** run id shown in 'checkpoints' mode; null = first visible run */
  focusRun: string | null;
  /** selected checkpoint (details panel, highlighted row and point) */
  selectedRun: string | null;
  selectedStep: number | null;
  /** log-scaled step axis of "D_LR over training" */
  logSteps: boolean;
  /** log-scaled k axis shared by the three spectra (a true log axis, k >= 1) */
  logK: boolean;
  /**
   * the zoomed range [lo, hi] of that shared k axis, in k (not in axis units: plotly's log axis
   * counts log10 k); lo < hi, lo > 0 on a log axis (`usableKRange`); null = autoscaled
   */
  kRange: readonly [number, number] | null;
  /** log-scaled y axis of the relative eigenvalues */
  logEigenvalues: boolean;
  /** spectra stop at the last k with rho_k / rho_1 >= kMinRelative (docs/method.md §4) */
  kMinRelative: number;
  /** the form of Π*(k) and Π̂(k) drawn */
  curveForm: CurveForm;
  /** show runs sharing a seed group as mean ± one standard deviation */
  aggregateSeeds: boolean;
  /**
   * exponential moving average weight of the curves over training, in [0, 1): 0 = raw only; the
   * raw points stay drawn beside the smoothed line
   */
  smoothing: number;
  sortColumn: SortColumn;
  sortDescending: boolean;
  /** the layers shown by "D_LR by layer" and its heat map, in this order (docs/method.md §8); null = every layer */
  layers: readonly string[] | null;
  /** run (or seed group) of the layer x step heat map; null = the selected run, else the first visible one */
  layerStepsRun: string | null;
}

export const defaultViewSettings: ViewSettings = {
  spectraMode: 'runs',
  step: null,
  focusRun: null,
  selectedRun: null,
  selectedStep: null,
  logSteps: false,
  logK: false,
  kRange: null,
  logEigenvalues: true,
  kMinRelative: 1e-6,
  curveForm: 'heldOut',
  aggregateSeeds: false,
  smoothing: 0,
  sortColumn: 'run',
  sortDescending: false,
  layers: null,
  layerStepsRun: null,
};

const SORT_COLUMNS: readonly SortColumn[] = [
  'run',
  'step',
  'n',
  'p',
  'C',
  'r',
  'dlr',
  'dlrEnergy99',
  'nc1',
  'accuracy',
  'evalAccuracy',
  'participationRatio',
];

function parseNumber(text: string | null): number | null {
  if (text === null || text.trim() === '') return null;
  const value = Number(text);
  return Number.isFinite(value) ? value : null;
}

function parseFlag(text: string | null, fallback: boolean): boolean {
  if (text === '1') return true;
  if (text === '0') return false;
  return fallback;
}

/**
 * `kRange` when it can be shown on the k axis (finite, lo < hi, and lo > 0 on a log axis, where
 * k <= 0 has no place), else null.
 */
export function usableKRange(
  kRange: readonly [number, number] | null,
  logK: boolean,
): readonly [number, number] | null {
  if (!kRange) return null;
  const [lo, hi] = kRange;
  if (!Number.isFinite(lo) || !Number.isFinite(hi) || !(lo < hi) || (logK && lo <= 0)) return null;
  return kRange;
}

// A number as String() writes it (sign, decimals, exponent), so `lo-hi` splits at the one `-` between.
const NUMBER = String.raw`-?(?:\d+\.?\d*|\.\d+)(?:e[-+]?\d+)?`;
const K_RANGE = new RegExp(`^(${NUMBER})-(${NUMBER})$`, 'i');

/** `k=lo-hi` (e.g. `1.5-30`, `-0.5-12`, `1e-7-3`) as a k range usable on the axis, else null. */
function parseKRange(text: string | null, logK: boolean): readonly [number, number] | null {
  const match = text === null ? null : K_RANGE.exec(text.trim());
  return match ? usableKRange([Number(match[1]), Number(match[2])], logK) : null;
}

/** `a, b,c` as the layer names a, b, c (empty names dropped); null when none is left. */
export function parseLayerList(text: string | null): readonly string[] | null {
  const names = (text ?? '')
    .split(',')
    .map((name) => name.trim())
    .filter((name) => name !== '');
  return names.length > 0 ? names : null;
}

/** Route and view settings from a location hash; unknown or malformed values fall back to defaults. */
export function parseHash(hash: string): { route: Route; view: ViewSettings } {
  const body = hash.replace(/^#/, '');
  const queryStart = body.indexOf('?');
  const path = queryStart === -1 ? body : body.slice(0, queryStart);
  const params = new URLSearchParams(queryStart === -1 ? '' : body.slice(queryStart + 1));
  const route: Route = path.replace(/\/+$/, '') === '/learn' ? 'learn' : 'dashboard';
  const d = defaultViewSettings;
  const selection = params.get('sel');
  const at = selection ? selection.lastIndexOf('@') : -1;
  const selectedStep = at > 0 ? parseNumber(selection!.slice(at + 1)) : null;
  const sort = params.get('sort');
  const kMin = parseNumber(params.get('kmin'));
  const smoothing = parseNumber(params.get('smooth'));
  const logK = parseFlag(params.get('logk'), d.logK);
  const view: ViewSettings = {
    spectraMode: params.get('mode') === 'checkpoints' ? 'checkpoints' : d.spectraMode,
    step: parseNumber(params.get('step')),
    focusRun: params.get('run') || null,
    selectedRun: at > 0 && selectedStep !== null ? selection!.slice(0, at) : null,
    selectedStep,
    logSteps: parseFlag(params.get('logsteps'), d.logSteps),
    logK,
    kRange: parseKRange(params.get('k'), logK),
    logEigenvalues: parseFlag(params.get('logeig'), d.logEigenvalues),
    kMinRelative: kMin !== null && kMin >= 0 && kMin < 1 ? kMin : d.kMinRelative,
    curveForm: params.get('curves') === 'nystrom' ? 'nystrom' : d.curveForm,
    aggregateSeeds: parseFlag(params.get('seeds'), d.aggregateSeeds),
    smoothing: smoothing !== null && smoothing >= 0 && smoothing < 1 ? smoothing : d.smoothing,
    sortColumn: SORT_COLUMNS.includes(sort?.replace(/^-/, '') as SortColumn)
      ? (sort!.replace(/^-/, '') as SortColumn)
      : d.sortColumn,
    sortDescending: sort ? sort.startsWith('-') : d.sortDescending,
    layers: parseLayerList(params.get('layers')),
    layerStepsRun: params.get('lrun') || null,
  };
  return { route, view };
}

/** The location hash for a route and view; settings equal to their default are left out. */
export function formatHash(route: Route, view: ViewSettings): string {
  const d = defaultViewSettings;
  const params = new URLSearchParams();
  if (view.spectraMode !== d.spectraMode) params.set('mode', view.spectraMode);
  if (view.step !== null) params.set('step', String(view.step));
  if (view.focusRun !== null) params.set('run', view.focusRun);
  if (view.selectedRun !== null && view.selectedStep !== null) {
    params.set('sel', `${view.selectedRun}@${view.selectedStep}`);
  }
  if (view.logSteps !== d.logSteps) params.set('logsteps', view.logSteps ? '1' : '0');
  if (view.logK !== d.logK) params.set('logk', view.logK ? '1' : '0');
  const kRange = usableKRange(view.kRange, view.logK);
  if (kRange) params.set('k', `${kRange[0]}-${kRange[1]}`);
  if (view.logEigenvalues !== d.logEigenvalues) params.set('logeig', view.logEigenvalues ? '1' : '0');
  if (view.kMinRelative !== d.kMinRelative) params.set('kmin', String(view.kMinRelative));
  if (view.curveForm !== d.curveForm) params.set('curves', view.curveForm);
  if (view.aggregateSeeds !== d.aggregateSeeds) params.set('seeds', view.aggregateSeeds ? '1' : '0');
  if (view.smoothing !== d.smoothing) params.set('smooth', String(view.smoothing));
  if (view.sortColumn !== d.sortColumn || view.sortDescending !== d.sortDescending) {
    params.set('sort', `${view.sortDescending ? '-' : ''}${view.sortColumn}`);
  }
  if (view.layers !== null) params.set('layers', view.layers.join(','));
  if (view.layerStepsRun !== null) params.set('lrun', view.layerStepsRun);
  const query = params.toString();
  return `#/${route === 'learn' ? 'learn' : ''}${query ? `?${query}` : ''}`;
}
