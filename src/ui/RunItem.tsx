/**
 * One run in the Runs panel, which is the plots' legend: its colour and dash, whether it is shown,
 * and hovering it (or focusing its controls) brings the run forward in every plot.
 */
import { memo, useState } from 'react';
import { isNameTaken } from '../state/run-actions';
import type { RunSummary } from '../state/run-summaries';
import { getRichscopeState, richscope, useRichscope } from '../state/store';
import { breakableName } from './file-name';
import { svgDashArray, type RunStyle } from './run-style';

interface RunItemProps {
  run: RunSummary;
  style: RunStyle;
  /** checkpoints of the run being analysed now */
  analysing: number;
}

/**
 * Rendered again only when its run, its style or its count of checkpoints being analysed changes:
 * during a drop the other runs' items stay as they are.
 */
export const RunItem = memo(
  RunItemLine,
  (before, after) =>
    before.run === after.run &&
    before.analysing === after.analysing &&
    before.style.colour === after.style.colour &&
    before.style.dash === after.style.dash,
);

function RunItemLine({ run, style, analysing }: RunItemProps) {
  const [draftName, setDraftName] = useState<string | null>(null);
  const [nameProblem, setNameProblem] = useState<string | null>(null);
  const hovered = useRichscope((s) => s.hoveredRun === run.id);
  const commitName = () => {
    if (draftName !== null && draftName.trim() !== run.name) {
      const name = draftName.trim();
      // Names tell runs apart (table, exports, later drops): the store refuses a taken or blank one.
      const taken = isNameTaken(getRichscopeState(), run.id, name);
      setNameProblem(
        name === ''
          ? 'A run needs a name.'
          : taken
            ? `Another run is called “${name}”: names tell runs apart, so choose another.`
            : null,
      );
      richscope.renameRun({ runId: run.id, name });
    }
    setDraftName(null);
  };
  return (
    <li
      className={`run${hovered ? ' run-hovered' : ''}${run.visible ? '' : ' run-hidden'}`}
      data-testid="run"
      data-run={run.name}
      data-colour={style.colour}
      data-dash={style.dash}
      onMouseEnter={() => richscope.hoverRun(run.id)}
      onFocus={() => richscope.hoverRun(run.id)}
      onBlur={(e) => {
        // Focus passing to another run's controls hands the emphasis over in that run's onFocus:
        // clearing it in between would redraw every plot twice.
        if (!e.currentTarget.parentElement?.contains(e.relatedTarget as Node | null))
          richscope.hoverRun(null);
      }}
    >
      {/* Its own form keeps the run's controls apart from the page's others: a browser's autofill
          reads every field of a changed control's form, and fields in no form make one form. */}
      <form className="run-form" onSubmit={(e) => e.preventDefault()}>
        <div className="run-line">
          <input
            type="color"
            value={style.colour.length === 7 ? style.colour : '#888888'}
            aria-label={`Colour of ${run.name}`}
            onChange={(e) => richscope.setRunColour({ runId: run.id, colour: e.target.value })}
          />
          <input
            type="checkbox"
            checked={run.visible}
            aria-label={`Show ${run.name}`}
            onChange={(e) => richscope.setRunVisible({ runId: run.id, visible: e.target.checked })}
          />
          <svg className="run-dash" width="26" height="10" aria-hidden="true">
            <line
              x1="1"
              y1="5"
              x2="25"
              y2="5"
              stroke={style.colour}
              strokeWidth="2.5"
              strokeDasharray={svgDashArray(style.dash)}
            />
          </svg>
          <input
            className="run-name"
            value={draftName ?? run.name}
            // the field is narrower than most run names: the whole name on hover
            title={run.name}
            aria-label={`Name of run ${run.name}`}
            aria-invalid={nameProblem !== null}
            onChange={(e) => setDraftName(e.target.value)}
            onBlur={commitName}
            onKeyDown={(e) => {
              if (e.key === 'Enter') commitName();
              if (e.key === 'Escape') setDraftName(null);
            }}
          />
          <span className="run-count" title="checkpoints">
            {run.checkpoints.length} ckpt{analysing > 0 ? ` (+${analysing} analysing)` : ''}
          </span>
          <button
            type="button"
            aria-label={`Remove run ${run.name}`}
            title="Remove (can be undone)"
            onClick={() => richscope.removeRun(run.id)}
          >
            ✕
          </button>
        </div>
        {nameProblem && (
          <p className="error" role="alert">
            {nameProblem}
          </p>
        )}
        <label className="seed-group">
          seed group
          <input
            value={run.seedGroup}
            placeholder="none"
            aria-label={`Seed group of ${run.name}`}
            onChange={(e) => richscope.setSeedGroup({ runId: run.id, seedGroup: e.target.value })}
          />
        </label>
        {run.errors.map((error, index) => (
          <div key={`${error.file}-${index}`} role="alert" className="error" data-file={error.file}>
            <span className="error-text">
              <strong>{breakableName(error.file)}</strong>: {error.message}
            </span>
            <button
              type="button"
              aria-label={`Dismiss the error about ${error.file}`}
              onClick={() => richscope.dismissRunError({ runId: run.id, index })}
            >
              ✕
            </button>
          </div>
        ))}
      </form>
    </li>
  );
}
