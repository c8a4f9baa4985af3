/**
 * Every checkpoint of every run with its numbers; sortable; a row click selects the checkpoint. D_LR
 * shows its jackknife standard error, and ticking two rows compares their D_LR against it
 * (docs/method.md §7).
 */
import { memo, useCallback, useMemo, useState, type KeyboardEvent } from 'react';
import type { CheckpointRecord, RunRecord } from '../session/records';
import { formatWithStdErr } from '../core/jackknife';
import { richscope, useRichscope } from '../state/store';
import type { SortColumn } from '../state/view-settings';
import { compareDlr } from './dlr-comparison';
import { methodReference } from './method-sections';
import { MethodText } from './MethodText';
import { tableRows, type CheckpointRow } from './table-rows';

const COLUMNS: { key: SortColumn; label: string; title: string }[] = [
  { key: 'run', label: 'run', title: 'run name' },
  { key: 'step', label: 'step', title: 'training step' },
  { key: 'n', label: 'n', title: 'samples in the fit split' },
  { key: 'p', label: 'p', title: 'feature dimension' },
  { key: 'C', label: 'C', title: 'output dimension' },
  { key: 'r', label: 'r', title: 'numerical rank of the outputs' },
  {
    key: 'dlr',
    label: 'D_LR ± s.e.',
    title: `low-rank measure, 0 = rich, 1 = lazy (${methodReference('dlr')}), ± its jackknife standard error over the inputs (${methodReference('jackknife')})`,
  },
  {
    key: 'dlrEnergy99',
    label: 'D_LR (99%)',
    title: `D_LR (99% output energy): D_LR over the output directions holding 99% of the output energy (${methodReference('outputRank')}), ± s.e.`,
  },
  {
    key: 'nc1',
    label: 'NC1',
    title: `neural collapse NC1 (needs labels; scale-sensitive; ${methodReference('companions')})`,
  },
  { key: 'accuracy', label: 'train acc', title: 'argmax(logits) = label on the fit split' },
  { key: 'evalAccuracy', label: 'test acc', title: 'argmax(logits) = label on the eval split' },
  { key: 'participationRatio', label: 'PR', title: 'participation ratio of the feature eigenvalues' },
];

const format = (value: number | null, digits = 4) => (value === null ? '–' : value.toFixed(digits));
const rowKey = (row: CheckpointRow) => `${row.run.id}@${row.checkpoint.step}`;
const percent = (value: number | null) => (value === null ? '–' : `${(100 * value).toFixed(1)}%`);

function select(run: RunRecord, checkpoint: CheckpointRecord) {
  richscope.selectCheckpoint({ runId: run.id, step: checkpoint.step });
}

function selectByKey(event: KeyboardEvent, run: RunRecord, checkpoint: CheckpointRecord) {
  if (event.key === 'Enter' || event.key === ' ') {
    event.preventDefault();
    select(run, checkpoint);
  }
}

interface CheckpointTableRowProps {
  run: RunRecord;
  checkpoint: CheckpointRecord;
  selected: boolean;
  ticked: boolean;
  /** ticks or unticks the row (by its `rowKey`) for comparison */
  onToggle: (key: string) => void;
}

/**
 * One checkpoint's row; redrawn only when its own props change, so selecting a row, sorting or a
 * hidden run re-renders a few rows, not every one of a sweep's hundreds.
 */
const CheckpointTableRow = memo(function CheckpointTableRow({
  run,
  checkpoint,
  selected,
  ticked,
  onToggle,
}: CheckpointTableRowProps) {
  const m = checkpoint.metrics;
  // sessions stored before the standard errors existed have none
  const stdErr = m.dlrStdErr ?? null;
  return (
    <tr
      data-testid="checkpoint-row"
      data-run={run.name}
      data-step={checkpoint.step}
      data-dlr={String(m.dlr)}
      data-dlr-se={stdErr === null ? '' : String(stdErr)}
      aria-selected={selected}
      tabIndex={0}
      className={run.visible ? undefined : 'hidden-run'}
      onClick={() => select(run, checkpoint)}
      onKeyDown={(e) => selectByKey(e, run, checkpoint)}
    >
      <td onClick={(e) => e.stopPropagation()}>
        <input
          type="checkbox"
          data-testid="compare-checkpoint"
          aria-label={`compare ${run.name} step ${checkpoint.step}`}
          checked={ticked}
          onChange={() => onToggle(rowKey({ run, checkpoint }))}
          onKeyDown={(e) => e.stopPropagation()}
        />
      </td>
      <td>
        <span className="swatch" style={{ background: run.colour }} aria-hidden="true" />
        {run.name}
      </td>
      <td>{checkpoint.step}</td>
      <td>{m.n}</td>
      <td>{m.p}</td>
      <td>{m.C}</td>
      <td>{m.r}</td>
      <td className="strong">{formatWithStdErr(m.dlr, stdErr)}</td>
      <td>{formatWithStdErr(m.dlrEnergy99, m.dlrEnergy99StdErr ?? null)}</td>
      <td>{format(m.nc1, 3)}</td>
      <td>{percent(m.accuracy)}</td>
      <td>{percent(checkpoint.eval ? m.evalAccuracy : null)}</td>
      <td>{format(m.participationRatio, 2)}</td>
    </tr>
  );
});

export function CheckpointTable() {
  const runs = useRichscope((s) => s.runs);
  const sortColumn = useRichscope((s) => s.view.sortColumn);
  const descending = useRichscope((s) => s.view.sortDescending);
  const selectedRun = useRichscope((s) => s.view.selectedRun);
  const selectedStep = useRichscope((s) => s.view.selectedStep);
  const rows = useMemo(() => tableRows(runs, sortColumn, descending), [runs, sortColumn, descending]);
  // The column under the pointer or the focus, explained above the table (hover and keyboard alike).
  const [explained, setExplained] = useState<SortColumn | null>(null);
  const explanation = COLUMNS.find((c) => c.key === explained);
  // the rows ticked for comparison, oldest first; a third tick replaces the oldest
  const [ticked, setTicked] = useState<string[]>([]);
  const compared = ticked
    .map((key) => rows.find((row) => rowKey(row) === key))
    .filter((r) => r !== undefined);
  const toggle = useCallback(
    (key: string) =>
      setTicked((keys) => (keys.includes(key) ? keys.filter((k) => k !== key) : [...keys, key].slice(-2))),
    [],
  );
  const comparison =
    compared.length === 2
      ? compareDlr(
          {
            run: compared[0].run.name,
            step: compared[0].checkpoint.step,
            metrics: compared[0].checkpoint.metrics,
          },
          {
            run: compared[1].run.name,
            step: compared[1].checkpoint.step,
            metrics: compared[1].checkpoint.metrics,
          },
        )
      : null;

  return (
    <section className="panel table-panel" aria-labelledby="table-heading">
      <h2 id="table-heading">Checkpoints</h2>
      <p className="hint column-help" data-testid="column-help">
        {explanation ? (
          <>
            <strong>{explanation.label}</strong>: {explanation.title}
          </>
        ) : (
          'Point at or focus a column header for what it means; click it to sort.'
        )}
      </p>
      {/* what each header's button is described by (read by screen readers, shown above on focus) */}
      <div hidden>
        {COLUMNS.map((column) => (
          <span key={column.key} id={`column-${column.key}`}>
            {column.title}
          </span>
        ))}
      </div>
      <div className="table-scroll">
        <table className="checkpoints">
          <thead>
            <tr>
              <th scope="col" title="tick two checkpoints to compare their D_LR">
                compare
              </th>
              {COLUMNS.map((column) => (
                <th
                  key={column.key}
                  scope="col"
                  aria-sort={column.key === sortColumn ? (descending ? 'descending' : 'ascending') : 'none'}
                  onMouseEnter={() => setExplained(column.key)}
                  onMouseLeave={() => setExplained(null)}
                >
                  <button
                    type="button"
                    onClick={() => richscope.sortBy(column.key)}
                    onFocus={() => setExplained(column.key)}
                    onBlur={() => setExplained(null)}
                    aria-describedby={`column-${column.key}`}
                  >
                    {column.label}
                    {column.key === sortColumn ? (descending ? ' ▼' : ' ▲') : ''}
                  </button>
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {rows.map((row) => (
              <CheckpointTableRow
                key={rowKey(row)}
                run={row.run}
                checkpoint={row.checkpoint}
                selected={row.run.id === selectedRun && row.checkpoint.step === selectedStep}
                ticked={ticked.includes(rowKey(row))}
                onToggle={toggle}
              />
            ))}
          </tbody>
        </table>
      </div>
      <p className="hint" data-testid="dlr-comparison" role="status">
        {comparison ? (
          <MethodText text={comparison.text} />
        ) : (
          'Tick two checkpoints to compare their D_LR against the jackknife standard errors.'
        )}
      </p>
    </section>
  );
}
