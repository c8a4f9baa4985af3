/**
 * Which checkpoints of a drop share a worker call: small ones go in batches (one call analyses several,
 * one message each way), so a sweep of hundreds of small checkpoints costs the main thread a few dozen
 * messages and store commits rather than hundreds, and a big one keeps a call of its own (its rows'
 * progress shows, and it may be sharded). One pass over the checkpoints, in their order.
 */

export interface BatchLimits {
  /** a checkpoint whose files hold this many bytes or more gets a call of its own */
  checkpointBytes: number;
  /** most bytes of files in one batch */
  batchBytes: number;
  /** most checkpoints in one batch */
  batchCheckpoints: number;
  /**
   * batches per worker, at least, while there are checkpoints enough: the workers then finish close
   * together and results reach the page in a stream rather than at the end
   */
  batchesPerWorker: number;
}

export const defaultBatchLimits: BatchLimits = {
  checkpointBytes: 4 << 20,
  batchBytes: 32 << 20,
  batchCheckpoints: 16,
  batchesPerWorker: 4,
};

/** A checkpoint as the batching weighs it: its files' bytes, and whether it may be sharded across the pool. */
export interface CheckpointWeight {
  bytes: number;
  shardable: boolean;
}

/**
 * The calls for `checkpoints`, as lists of their indices in order: a list of one is a checkpoint on
 * its own (big, or possibly shardable), a longer one a batch of small checkpoints that follow each
 * other in the drop (so a run's steps stay together). `dropCheckpoints`: the checkpoints of the whole
 * drop when these are a slice of it, planned a slice at a time; batches are sized for the drop, not
 * the slice (a slice of a sweep in batches of a few would cost the page a call and a commit each).
 */
export function planBatches(
  checkpoints: readonly CheckpointWeight[],
  workers: number,
  limits: BatchLimits = defaultBatchLimits,
  dropCheckpoints = 0,
): number[][] {
  const isSmall = (c: CheckpointWeight) => !c.shardable && c.bytes < limits.checkpointBytes;
  const small = Math.max(checkpoints.filter(isSmall).length, dropCheckpoints);
  const perBatch = Math.max(
    1,
    Math.min(limits.batchCheckpoints, Math.ceil(small / (Math.max(1, workers) * limits.batchesPerWorker))),
  );
  const calls: number[][] = [];
  let batch: number[] = [];
  let bytes = 0;
  const close = () => {
    if (batch.length > 0) calls.push(batch);
    batch = [];
    bytes = 0;
  };
  checkpoints.forEach((checkpoint, index) => {
    if (!isSmall(checkpoint)) {
      calls.push([index]);
      return;
    }
    if (batch.length > 0 && bytes + checkpoint.bytes > limits.batchBytes) close();
    batch.push(index);
    bytes += checkpoint.bytes;
    if (batch.length >= perBatch) close();
  });
  close();
  return calls;
}
