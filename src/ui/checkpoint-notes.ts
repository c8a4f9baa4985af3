/** What the user must know to read a checkpoint's numbers (docs/method.md §4: truncation, eval split). */
import type { CheckpointSummary } from '../state/run-summaries';

/** Sentences about the inputs of a checkpoint that change how its numbers should be read. */
export function checkpointNotes(checkpoint: CheckpointSummary): string[] {
  const m = checkpoint.metrics;
  const notes: string[] = [];
  if (m.spectrumTruncated) {
    notes.push(
      `n = ${m.n} ≤ p = ${m.p} on the fit split: the spectra are truncated to rank n − 1 = ${m.n - 1}.`,
    );
  }
  if (checkpoint.hasEval) {
    notes.push(
      `Eigenfunctions come from the fit split (n = ${m.n}); Π*(k) and Π̂(k) are measured on the eval split (n = ${m.evalN}): held-out, as the share of its energy in the span of the top-k eigenfunctions there (docs/method.md §4.1); the paper's Nyström sums, a view option, are not clipped and may exceed 1 there (docs/method.md §4).`,
    );
  } else {
    notes.push('No eval split: the spectra are measured on the fit split itself.');
  }
  if (m.mass === null) notes.push('No labels: cumulative mass Π*(k), NC1 and accuracy are not available.');
  return [...notes, ...checkpoint.notes];
}
