/** Per-checkpoint progress of the analyses running in the workers: bar, rows, rate and time left. */
import type { AnalysisJob } from '../state/job-actions';
import { estimateProgress } from '../state/progress-rate';
import { useRichscope } from '../state/store';
import { formatRate, formatRows, formatTimeLeft } from './progress-text';

function phaseName(job: AnalysisJob): string {
  if (job.phase === 'queued') return 'waiting';
  if (job.phase === 'compute') return 'computing';
  return job.workers > 1 ? `reading (${job.workers} workers)` : 'reading';
}

function JobRow({ job }: { job: AnalysisJob }) {
  // a batch of small checkpoints reports per checkpoint, a checkpoint on its own per block of rows
  const fraction =
    job.checkpoints > 1
      ? job.checkpointsDone / job.checkpoints
      : job.rowsTotal > 0
        ? job.rowsDone / job.rowsTotal
        : 0;
  const phase = phaseName(job);
  const { rowsPerSecond, secondsLeft } =
    job.phase === 'read'
      ? estimateProgress(job.samples, job.rowsTotal)
      : { rowsPerSecond: null, secondsLeft: null };
  return (
    <li data-testid="job" data-workers={job.workers}>
      <span className="job-file" title={job.file}>
        {job.file}
      </span>
      {/* never indeterminate: an indeterminate bar animates, and repaints the page every frame for
          as long as a sweep's batches wait (the phase says "waiting") */}
      <progress max={1} value={fraction} aria-label={`${job.file}: ${phase}`} />
      <span className="job-phase">{phase}</span>
      {job.checkpoints > 1 && (
        <span className="job-detail" aria-live="off" data-testid="job-checkpoints">
          {job.checkpointsDone} of {job.checkpoints} checkpoints
        </span>
      )}
      {job.rowsTotal > 0 && (
        // updated every block: kept out of the list's live region so screen readers are not flooded
        <span className="job-detail" aria-live="off">
          <span data-testid="job-rows">{formatRows(job.rowsDone, job.rowsTotal)}</span>
          {rowsPerSecond !== null && <span data-testid="job-rate"> · {formatRate(rowsPerSecond)}</span>}
          {secondsLeft !== null && <span data-testid="job-eta"> · {formatTimeLeft(secondsLeft)}</span>}
        </span>
      )}
    </li>
  );
}

export function AnalysisProgress() {
  const jobs = useRichscope((s) => s.jobs);
  return (
    <ul className="progress-list" aria-label="Analysis progress" aria-live="polite">
      {jobs.map((job) => (
        <JobRow key={job.id} job={job} />
      ))}
    </ul>
  );
}
