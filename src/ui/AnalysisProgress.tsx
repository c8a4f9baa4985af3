/** Per-file progress of the analyses running in the workers. */
import { useRichscope } from '../state/store';

export function AnalysisProgress() {
  const jobs = useRichscope((s) => s.jobs);
  return (
    <ul className="progress-list" aria-label="Analysis progress" aria-live="polite">
      {jobs.map((job) => {
        const fraction = job.rowsTotal > 0 ? job.rowsDone / job.rowsTotal : 0;
        const phase = job.phase === 'queued' ? 'waiting' : job.phase === 'read' ? 'reading' : 'computing';
        return (
          <li key={job.id} data-testid="job">
            <span className="job-file" title={job.file}>
              {job.file}
            </span>
            <progress
              max={1}
              value={job.phase === 'queued' ? undefined : fraction}
              aria-label={`${job.file}: ${phase}`}
            />
            <span className="job-phase">{phase}</span>
          </li>
        );
      })}
    </ul>
  );
}
