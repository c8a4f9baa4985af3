/** One run in the runs panel. */
import { useState } from 'react';
import type { RunRecord } from '../session/records';
import { richscope, useRichscope } from '../state/store';

export function RunItem({ run }: { run: RunRecord }) {
  const [draftName, setDraftName] = useState<string | null>(null);
  const analysing = useRichscope((s) => s.jobs.filter((job) => job.runId === run.id).length);
  const commitName = () => {
    if (draftName !== null) richscope.renameRun({ runId: run.id, name: draftName });
    setDraftName(null);
  };
  return (
    <li className="run" data-testid="run" data-run={run.name}>
      <div className="run-line">
        <input
          type="color"
          value={run.colour.length === 7 ? run.colour : '#888888'}
          aria-label={`Colour of ${run.name}`}
          onChange={(e) => richscope.setRunColour({ runId: run.id, colour: e.target.value })}
        />
        <input
          type="checkbox"
          checked={run.visible}
          aria-label={`Show ${run.name}`}
          onChange={(e) => richscope.setRunVisible({ runId: run.id, visible: e.target.checked })}
        />
        <input
          className="run-name"
          value={draftName ?? run.name}
          aria-label={`Name of run ${run.name}`}
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
          onClick={() => richscope.removeRun(run.id)}
        >
          ✕
        </button>
      </div>
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
          <strong>{error.file}</strong>: {error.message}
          <button
            type="button"
            aria-label={`Dismiss the error about ${error.file}`}
            onClick={() => richscope.dismissRunError({ runId: run.id, index })}
          >
            ✕
          </button>
        </div>
      ))}
    </li>
  );
}
