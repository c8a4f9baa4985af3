/** The knobs of one training run. Log-scaled quantities are choices, not free numbers. */
import { defaultMixtureTaskOptions } from '../../train/tasks';
import { grokkingTask } from '../../train/presets';
import type { OptimizerKind, TrainerOptions } from '../../train/trainer';

const ALPHAS = [0.5, 1, 3, 10, 30, 100, 300];
const LEARNING_RATES = [1e-4, 3e-4, 1e-3, 3e-3, 1e-2, 3e-2, 0.1, 0.3];
const WEIGHT_DECAYS = [0, 1e-3, 1e-2, 0.1, 0.3, 1, 2, 3];
const WIDTHS = [16, 32, 64, 96, 128, 192];
const DEPTHS = [1, 2, 3];
const SHUFFLES = [0, 0.1, 0.25, 0.5, 1];
const INIT_SCALES = [0.5, 1, 2, 3, 4];
/** Step sizes that train the mixture in a few hundred steps (SGD's gradient-sized steps need a larger rate). */
const DEFAULT_LEARNING_RATES: Record<OptimizerKind, number> = { adam: 3e-3, sgd: 0.3 };

/** The options chosen from a fixed list of values. */
type ChoiceOption =
  'alpha' | 'width' | 'depth' | 'learningRate' | 'weightDecay' | 'labelShuffle' | 'initScale';

interface ChoiceSpec {
  label: string;
  testId: string;
  choices: readonly number[];
  format?: (v: number) => string;
}

const percent = (v: number) => `${Math.round(v * 100)}%`;

const CHOICES: Record<ChoiceOption, ChoiceSpec> = {
  alpha: { label: 'output scale α', testId: 'trainer-alpha', choices: ALPHAS },
  width: { label: 'width', testId: 'trainer-width', choices: WIDTHS },
  depth: { label: 'hidden layers', testId: 'trainer-depth', choices: DEPTHS },
  learningRate: { label: 'learning rate', testId: 'trainer-lr', choices: LEARNING_RATES },
  weightDecay: { label: 'weight decay', testId: 'trainer-wd', choices: WEIGHT_DECAYS },
  labelShuffle: { label: 'shuffled labels', testId: 'trainer-shuffle', choices: SHUFFLES, format: percent },
  initScale: {
    label: 'init scale',
    testId: 'trainer-init-scale',
    choices: INIT_SCALES,
    format: (v) => `×${v}`,
  },
};

interface ChoiceProps extends ChoiceSpec {
  value: number;
  disabled: boolean;
  onChange: (v: number) => void;
}

/** A select over `choices`; a value outside them (from a preset or a scenario) is listed in order too. */
function Choice({ label, testId, value, choices, format = String, disabled, onChange }: ChoiceProps) {
  const all = choices.includes(value) ? choices : [...choices, value].sort((a, b) => a - b);
  return (
    <label>
      {label}{' '}
      <select
        data-testid={testId}
        value={String(value)}
        disabled={disabled}
        onChange={(e) => onChange(Number(e.target.value))}
      >
        {all.map((v) => (
          <option key={v} value={String(v)}>
            {format(v)}
          </option>
        ))}
      </select>
    </label>
  );
}

interface WholeNumberProps {
  label: string;
  testId?: string;
  min: number;
  max?: number;
  step?: number;
  value: number;
  onChange: (v: number) => void;
}

/** A number input that hands on whole numbers >= `min` (empty or invalid input counts as `min`). */
function WholeNumber({ label, testId, min, max, step, value, onChange }: WholeNumberProps) {
  return (
    <label>
      {label}{' '}
      <input
        type="number"
        data-testid={testId}
        min={min}
        max={max}
        step={step}
        value={value}
        onChange={(e) => onChange(Math.max(min, Math.round(Number(e.target.value) || min)))}
      />
    </label>
  );
}

export interface TrainerControlsProps {
  options: TrainerOptions;
  disabled: boolean;
  onChange: (options: TrainerOptions) => void;
}

export function TrainerControls({ options, disabled, onChange }: TrainerControlsProps) {
  const set = <K extends keyof TrainerOptions>(key: K, value: TrainerOptions[K]) =>
    onChange({ ...options, [key]: value });
  const choice = (key: ChoiceOption) => (
    <Choice {...CHOICES[key]} value={options[key]} disabled={disabled} onChange={(v) => set(key, v)} />
  );
  return (
    <fieldset className="learn-controls" disabled={disabled}>
      <legend>Settings</legend>
      <label>
        task{' '}
        <select
          data-testid="trainer-task"
          value={options.task.kind}
          onChange={(e) =>
            set('task', e.target.value === 'modular' ? grokkingTask : defaultMixtureTaskOptions)
          }
        >
          <option value="mixture">Gaussian mixture (4 classes)</option>
          <option value="modular">modular addition (mod 23)</option>
        </select>
      </label>
      {choice('alpha')}
      <label title="f = α(h − h₀): the output starts at 0 whatever α is (Chizat–Bach)">
        <input
          type="checkbox"
          checked={options.centerAtInit}
          onChange={(e) => set('centerAtInit', e.target.checked)}
        />{' '}
        subtract h₀
      </label>
      <label>
        <input
          type="checkbox"
          data-testid="trainer-last-layer"
          checked={options.lastLayerOnly}
          onChange={(e) => set('lastLayerOnly', e.target.checked)}
        />{' '}
        train the last layer only
      </label>
      {choice('width')}
      {choice('depth')}
      <label>
        optimiser{' '}
        <select
          value={options.optimizer}
          title="switching resets the learning rate to the optimiser's default"
          onChange={(e) => {
            const optimizer = e.target.value === 'sgd' ? 'sgd' : 'adam';
            onChange({ ...options, optimizer, learningRate: DEFAULT_LEARNING_RATES[optimizer] });
          }}
        >
          <option value="adam">Adam(W)</option>
          <option value="sgd">SGD</option>
        </select>
      </label>
      {choice('learningRate')}
      {choice('weightDecay')}
      {choice('labelShuffle')}
      {choice('initScale')}
      <WholeNumber
        label="steps"
        testId="trainer-steps"
        min={1}
        max={20000}
        step={50}
        value={options.steps}
        onChange={(v) => set('steps', v)}
      />
      <WholeNumber
        label="checkpoint every"
        testId="trainer-every"
        min={1}
        max={5000}
        value={options.checkpointEvery}
        onChange={(v) => set('checkpointEvery', v)}
      />
      <WholeNumber label="seed" min={0} value={options.seed} onChange={(v) => set('seed', v)} />
    </fieldset>
  );
}
