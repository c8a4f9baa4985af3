/**
 * What a session holds: runs of checkpoints, each checkpoint reduced to its moments and metrics
 * (docs/method.md §2). Raw activations are never kept: they are read once in a worker and dropped.
 * Types, and the one mapping of another producer's checkpoint to a record (`toCheckpointRecord`).
 * Pure: used by the store, the workers and the stored session alike.
 */
import type { CheckpointMetrics, Moments } from '../core/types';

/** One analysed checkpoint of a run. */
export interface CheckpointRecord {
  /**
   * Training step (x axis of "D_LR over training"). Files without a step in their name get their
   * position in the run (0, 1, ...), so every checkpoint has a place on that axis.
   */
  step: number;
  /** the checkpoint's name as grouping found it ('step_200', 'features.npy', ...) */
  label: string;
  fit: Moments;
  /** the eval split (typically test), null when only the fit split was given */
  eval: Moments | null;
  metrics: CheckpointMetrics;
  /** facts the user should know about this checkpoint's inputs (flattened shapes, chosen roles, ...) */
  notes: string[];
  /**
   * Key of its moments in the stored session (src/session/session-format.ts), written once by the
   * worker that computed them; null while they are not stored (the checkpoint is then not restored).
   */
  momentsKey: string | null;
}

/** A file that could not be analysed; shown inline in its run (role="alert"). */
export interface FileError {
  file: string;
  message: string;
}

export interface RunRecord {
  /** stable identity (survives renames); used in the URL hash */
  id: string;
  /** shown everywhere and exported; user-editable */
  name: string;
  /** CSS colour used for this run in every plot */
  colour: string;
  visible: boolean;
  /** runs with the same non-empty seed group are aggregated as mean ± band */
  seedGroup: string;
  /** ascending by step */
  checkpoints: CheckpointRecord[];
  errors: FileError[];
}

/** A checkpoint another producer (the Learn view's trainer) computed itself. */
export interface ImportedCheckpoint {
  step: number;
  fit: Moments;
  eval: Moments | null;
  metrics: CheckpointMetrics;
}

/**
 * The record of a checkpoint another producer computed (`importRun`, the Learn view's plots):
 * labelled `step <step>`, no notes, its moments not stored yet (`momentsKey` null). Moments and
 * metrics are the producer's objects, not copies; fields beyond `ImportedCheckpoint` are left out.
 */
export function toCheckpointRecord(checkpoint: ImportedCheckpoint): CheckpointRecord {
  return {
    step: checkpoint.step,
    label: `step ${checkpoint.step}`,
    fit: checkpoint.fit,
    eval: checkpoint.eval,
    metrics: checkpoint.metrics,
    notes: [],
    momentsKey: null,
  };
}
