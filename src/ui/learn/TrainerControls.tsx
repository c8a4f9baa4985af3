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

interface ChoiceProps {
  label: string;
  testId: string;
  value: number;
  choices: readonly number[];
  format?: (v: number) => string;
  disabled: boolean;
  onChange: (v: number) => void;
}

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

const percent = (v: number) => `${Math.round(v * 100)}%`;

export interface TrainerControlsProps {
  options: TrainerOptions;
  disabled: boolean;
  onChange: (options: TrainerOptions) => void;
}

export function TrainerControls({ options, disabled, onChange }: TrainerControlsProps) {
  const set = <K extends keyof TrainerOptions>(key: K, value: TrainerOptions[K]) =>
    onChange({ ...options, [key]: value });
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
      <Choice
        label="output scale α"
        testId="trainer-alpha"
        value={options.alpha}
        choices={ALPHAS}
        disabled={disabled}
        onChange={(v) => set('alpha', v)}
      />
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
      <Choice
        label="width"
        testId="trainer-width"
        value={options.width}
        choices={WIDTHS}
        disabled={disabled}
        onChange={(v) => set('width', v)}
      />
      <Choice
        label="hidden layers"
        testId="trainer-depth"
        value={options.depth}
        choices={DEPTHS}
        disabled={disabled}
        onChange={(v) => set('depth', v)}
      />
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
      <Choice
        label="learning rate"
        testId="trainer-lr"
        value={options.learningRate}
        choices={LEARNING_RATES}
        disabled={disabled}
        onChange={(v) => set('learningRate', v)}
      />
      <Choice
        label="weight decay"
        testId="trainer-wd"
        value={options.weightDecay}
        choices={WEIGHT_DECAYS}
        disabled={disabled}
        onChange={(v) => set('weightDecay', v)}
      />
      <Choice
        label="shuffled labels"
        testId="trainer-shuffle"
        value={options.labelShuffle}
        choices={SHUFFLES}
        format={percent}
        disabled={disabled}
        onChange={(v) => set('labelShuffle', v)}
      />
      <Choice
        label="init scale"
        testId="trainer-init-scale"
        value={options.initScale}
        choices={INIT_SCALES}
        format={(v) => `×${v}`}
        disabled={disabled}
        onChange={(v) => set('initScale', v)}
      />
      <label>
        steps{' '}
        <input
          type="number"
          data-testid="trainer-steps"
          min={1}
          max={20000}
          step={50}
          value={options.steps}
          onChange={(e) => set('steps', Math.max(1, Math.round(Number(e.target.value) || 1)))}
        />
      </label>
      <label>
        checkpoint every{' '}
        <input
          type="number"
          data-testid="trainer-every"
          min={1}
          max={5000}
          value={options.checkpointEvery}
          onChange={(e) => set('checkpointEvery', Math.max(1, Math.round(Number(e.target.value) || 1)))}
        />
      </label>
      <label>
        seed{' '}
        <input
          type="number"
          min={0}
          value={options.seed}
          onChange={(e) => set('seed', Math.max(0, Math.round(Number(e.target.value) || 0)))}
        />
      </label>
    </fieldset>
  );
}
