/**
 * Messages not tied to a run: problems (a broken results bundle, a file that failed, examples that
 * could not load), a shared link naming a run this browser does not have, and, quietly, the side
 * files a drop skipped.
 */
import { richscope, useRichscope } from '../state/store';
import { breakableName } from './file-name';
import { runSummaries } from '../state/run-summaries';

export function Notices() {
  const notices = useRichscope((s) => s.notices);
  return (
    <div className="notices">
      {notices.map((notice, index) => (
        <div key={`${notice}-${index}`} role="alert" className="error">
          <span className="error-text">{breakableName(notice)}</span>
          <button type="button" aria-label="Dismiss" onClick={() => richscope.dismissNotice(index)}>
            ✕
          </button>
        </div>
      ))}
      <UnknownRunsInLink />
      <SkippedFiles />
    </div>
  );
}

/** A link (URL) that selects or focuses a run this browser does not hold says so, once runs are in. */
function UnknownRunsInLink() {
  const runs = useRichscope((s) => runSummaries(s.runs));
  const settled = useRichscope((s) => s.ready && s.jobs.length === 0);
  const selectedRun = useRichscope((s) => s.view.selectedRun);
  const focusRun = useRichscope((s) => s.view.focusRun);
  if (!settled || runs.length === 0) return null;
  const missing = [...new Set([selectedRun, focusRun])].filter(
    (id): id is string => id !== null && !runs.some((run) => run.id === id),
  );
  if (missing.length === 0) return null;
  return (
    <div role="status" className="warning notice" data-testid="unknown-run">
      <span>
        This link shows {missing.map((id) => `“${id}”`).join(' and ')}, which this browser does not have: add
        its activations or results bundle to see it.
      </span>
      <button
        type="button"
        aria-label="Dismiss"
        onClick={() => {
          if (selectedRun !== null && missing.includes(selectedRun))
            richscope.selectCheckpoint({ runId: null, step: null });
          if (focusRun !== null && missing.includes(focusRun)) richscope.focusRun(null);
        }}
      >
        ✕
      </button>
    </div>
  );
}

/** The files of the last drops that hold no data: listed, folded, no alarm. */
function SkippedFiles() {
  const skipped = useRichscope((s) => s.skippedFiles);
  if (skipped.length === 0) return null;
  return (
    <details className="skipped hint" data-testid="skipped-files">
      <summary>
        Skipped {skipped.length} file{skipped.length === 1 ? '' : 's'} that hold no data
      </summary>
      <ul>
        {skipped.map((path) => (
          <li key={path}>{breakableName(path)}</li>
        ))}
      </ul>
      <button type="button" onClick={() => richscope.dismissSkippedFiles()}>
        Clear this list
      </button>
    </details>
  );
}
