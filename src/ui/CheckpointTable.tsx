/**
 * Every checkpoint of every run with its numbers; sortable; a row click selects the checkpoint. D_LR
 * shows its jackknife standard error, and ticking two rows compares their D_LR against it
 * (docs/method.md §7).
 */
import {
  memo,
  useCallback,
  useEffect,
  useLayoutEffect,
  useMemo,
  useRef,
  useState,
  type KeyboardEvent,
} from 'react';
import { formatWithStdErr } from '../core/jackknife';
import { runSummaries, type CheckpointSummary, type RunSummary } from '../state/run-summaries';
import { richscope, useRichscope } from '../state/store';
import type { SortColumn } from '../state/view-settings';
import { compareDlr } from './dlr-comparison';
import { methodReference } from './method-sections';
import { MethodText } from './MethodText';
import { tableRows, type CheckpointRow as Row } from './table-rows';
import { rowAfterKey } from './row-window';
import { useRowWindow } from './use-row-window';

type CheckpointRow = Row<RunSummary, CheckpointSummary>;

/** Widths in `ch` of the table's font (fixed layout: rendering a window of rows never moves a column). */
const COLUMNS: { key: SortColumn; label: string; title: string; width?: number }[] = [
  { key: 'run', label: 'run', title: 'run name' },
  { key: 'step', label: 'step', title: 'training step', width: 8 },
  { key: 'n', label: 'n', title: 'samples in the fit split', width: 7 },
  { key: 'p', label: 'p', title: 'feature dimension', width: 6 },
  { key: 'C', label: 'C', title: 'output dimension', width: 6 },
  { key: 'r', label: 'r', title: 'numerical rank of the outputs', width: 5 },
  {
    key: 'dlr',
    label: 'D_LR ± s.e.',
    title: `low-rank measure, 0 = rich, 1 = lazy (${methodReference('dlr')}), ± its jackknife standard error over the inputs (${methodReference('jackknife')})`,
    width: 17.5,
  },
  {
    key: 'dlrEnergy99',
    label: 'D_LR (99%)',
    title: `D_LR (99% output energy): D_LR over the output directions holding 99% of the output energy (${methodReference('outputRank')}), ± s.e.`,
    width: 17.5,
  },
  {
    key: 'nc1',
    label: 'NC1',
    title: `neural collapse NC1 (needs labels; scale-sensitive; ${methodReference('companions')})`,
    width: 8,
  },
  { key: 'accuracy', label: 'train acc', title: 'argmax(logits) = label on the fit split', width: 12 },
  { key: 'evalAccuracy', label: 'test acc', title: 'argmax(logits) = label on the eval split', width: 11 },
  {
    key: 'participationRatio',
    label: 'PR',
    title: 'participation ratio of the feature eigenvalues',
    width: 8,
  },
];
const COMPARE_WIDTH = 9;
/** The run column's least width; the table scrolls sideways below it. */
const RUN_MIN_WIDTH = 14;
const TABLE_MIN_WIDTH = COLUMNS.reduce((sum, c) => sum + (c.width ?? RUN_MIN_WIDTH), COMPARE_WIDTH);

const format = (value: number | null, digits = 4) => (value === null ? '–' : value.toFixed(digits));
const rowKey = (row: CheckpointRow) => `${row.run.id}@${row.checkpoint.step}`;
const percent = (value: number | null) => (value === null ? '–' : `${(100 * value).toFixed(1)}%`);

export function CheckpointTable() {
  // no moments: the rows React keeps after "Remove all" hold no buffers (run-summaries.ts)
  const runs = useRichscope((s) => runSummaries(s.runs));
  const sortColumn = useRichscope((s) => s.view.sortColumn);
  const descending = useRichscope((s) => s.view.sortDescending);
  const selectedRun = useRichscope((s) => s.view.selectedRun);
  const selectedStep = useRichscope((s) => s.view.selectedStep);
  const rows = useMemo(
    () => tableRows<RunSummary, CheckpointSummary>(runs, sortColumn, descending),
    [runs, sortColumn, descending],
  );
  // Only the rows near the viewport are in the DOM; the table's aria-rowcount says how many exist.
  const { scroller, body, first, end, above, below, pageRows, show: showRow } = useRowWindow(rows.length);
  // the rows as of the last render, for the selection's effect (which a new sort or row must not rerun)
  const rowsNow = useRef(rows);
  useLayoutEffect(() => {
    rowsNow.current = rows;
  }, [rows]);
  // A checkpoint selected anywhere (a plot, the keyboard) scrolls its row into the table's view.
  useEffect(() => {
    const index = rowsNow.current.findIndex(
      (row) => row.run.id === selectedRun && row.checkpoint.step === selectedStep,
    );
    if (index >= 0) showRow(index);
  }, [selectedRun, selectedStep, showRow]);
  // The row a key moved to (arrows, pages, Home, End) takes the focus once it is rendered.
  const focusAt = useRef<number | null>(null);
  useLayoutEffect(() => {
    if (focusAt.current === null) return;
    const tr = body.current?.querySelector<HTMLElement>(`tr[aria-rowindex="${focusAt.current + 2}"]`);
    if (!tr) return;
    focusAt.current = null;
    tr.focus({ preventScroll: true });
  });
  const onRowKey = (event: KeyboardEvent<HTMLTableSectionElement>) => {
    const tr = (event.target as HTMLElement).closest('tr[aria-rowindex]');
    if (!tr) return;
    const index = Number(tr.getAttribute('aria-rowindex')) - 2;
    const next = rowAfterKey(event.key, index, rows.length, pageRows);
    if (next !== null) {
      event.preventDefault();
      if (next === index) return;
      focusAt.current = next;
      select(rows[next]);
    } else if (event.key === 'Enter' || event.key === ' ') {
      event.preventDefault();
      select(rows[index]);
    }
  };
  // The column under the pointer or the focus, explained above the table (hover and keyboard alike).
  const [explained, setExplained] = useState<SortColumn | null>(null);
  const explanation = COLUMNS.find((c) => c.key === explained);
  // the rows ticked for comparison, oldest first; a third tick replaces the oldest
  const [ticked, setTicked] = useState<string[]>([]);
  const compared = ticked
    .map((key) => rows.find((row) => rowKey(row) === key))
    .filter((r) => r !== undefined);
  const toggle = useCallback(
    (row: CheckpointRow) =>
      setTicked((keys) =>
        keys.includes(rowKey(row)) ? keys.filter((k) => k !== rowKey(row)) : [...keys, rowKey(row)].slice(-2),
      ),
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
          'Point at or focus a column header for what it means; click it to sort. On a focused row, ↑ ↓, Page Up, Page Down, Home and End move the selection.'
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
      <div className="table-scroll" ref={scroller}>
        <table
          className="checkpoints"
          data-testid="checkpoint-table"
          aria-rowcount={rows.length + 1}
          style={{ minWidth: `${TABLE_MIN_WIDTH}ch` }}
        >
          <colgroup>
            <col style={{ width: `${COMPARE_WIDTH}ch` }} />
            {COLUMNS.map((column) => (
              <col key={column.key} style={column.width ? { width: `${column.width}ch` } : undefined} />
            ))}
          </colgroup>
          <thead>
            <tr aria-rowindex={1}>
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
          <tbody ref={body} onKeyDown={onRowKey}>
            <RowSpace height={above} />
            {rows.slice(first, end).map((row, i) => (
              <TableRow
                key={rowKey(row)}
                row={row}
                position={first + i}
                selected={row.run.id === selectedRun && row.checkpoint.step === selectedStep}
                ticked={ticked.includes(rowKey(row))}
                onToggle={toggle}
              />
            ))}
            <RowSpace height={below} />
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

const select = (row: CheckpointRow) =>
  richscope.selectCheckpoint({ runId: row.run.id, step: row.checkpoint.step });

/** The height of the rows not rendered, above or below the rendered ones. */
function RowSpace({ height }: { height: number }) {
  return (
    <tr className="row-space" aria-hidden="true">
      <td colSpan={COLUMNS.length + 1} style={{ height }} />
    </tr>
  );
}

interface TableRowProps {
  row: CheckpointRow;
  /** index among all rows, in table order */
  position: number;
  selected: boolean;
  ticked: boolean;
  onToggle: (row: CheckpointRow) => void;
}

/**
 * One checkpoint's row. Rendered again only when its checkpoint, its run, its selection or its tick
 * changes: while a sweep streams in, the rows already shown stay as they are.
 */
const TableRow = memo(
  function TableRow({ row, position, selected, ticked, onToggle }: TableRowProps) {
    const m = row.checkpoint.metrics;
    // sessions stored before the standard errors existed have none
    const stdErr = m.dlrStdErr ?? null;
    return (
      <tr
        data-testid="checkpoint-row"
        data-run={row.run.name}
        data-step={row.checkpoint.step}
        data-dlr={String(m.dlr)}
        data-dlr-se={stdErr === null ? '' : String(stdErr)}
        aria-rowindex={position + 2}
        aria-selected={selected}
        tabIndex={0}
        className={row.run.visible ? undefined : 'hidden-run'}
        onClick={() => select(row)}
      >
        <td onClick={(e) => e.stopPropagation()}>
          <input
            type="checkbox"
            data-testid="compare-checkpoint"
            aria-label={`compare ${row.run.name} step ${row.checkpoint.step}`}
            checked={ticked}
            onChange={() => onToggle(row)}
            onKeyDown={(e) => e.stopPropagation()}
          />
        </td>
        <td title={row.run.name}>
          <span className="swatch" style={{ background: row.run.colour }} aria-hidden="true" />
          {row.run.name}
        </td>
        <td>{row.checkpoint.step}</td>
        <td>{m.n}</td>
        <td>{m.p}</td>
        <td>{m.C}</td>
        <td>{m.r}</td>
        <td className="strong">{formatWithStdErr(m.dlr, stdErr)}</td>
        <td>{formatWithStdErr(m.dlrEnergy99, m.dlrEnergy99StdErr ?? null)}</td>
        <td>{format(m.nc1, 3)}</td>
        <td>{percent(m.accuracy)}</td>
        <td>{percent(row.checkpoint.hasEval ? m.evalAccuracy : null)}</td>
        <td>{format(m.participationRatio, 2)}</td>
      </tr>
    );
  },
  (before, after) =>
    before.row.run === after.row.run &&
    before.row.checkpoint === after.row.checkpoint &&
    before.position === after.position &&
    before.selected === after.selected &&
    before.ticked === after.ticked &&
    before.onToggle === after.onToggle,
);
