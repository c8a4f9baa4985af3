/**
 * The analysis API: every file parse and every number of the dashboard. It runs in
 * `analysis.worker.ts` (exposed with comlink); this module holds it apart from the `expose` call so
 * Node tests can call it directly and the bridge has a main-thread fallback where Workers are missing.
 *
 * Asked to (`persist`), a call that produces a checkpoint's final moments also stores them for the
 * next visit (`createMomentStore` of src/session/session-db.ts) before handing them over, so the main
 * thread never clones them: the clone is made here, and the write runs while the metrics are
 * computed where the call computes them after the moments.
 *
 * May import: src/analysis, src/io, src/core, and src/session (the results-bundle and session-format
 * codecs, the IndexedDB session of session-db). Never: React, zustand, plotly, the DOM.
 */
import * as Comlink from 'comlink';
import { analyzeCheckpoint, type CheckpointAnalysis } from '../src/analysis/analyze-checkpoint';
import {
  accumulateCheckpointShard,
  assembleCheckpoint,
  checkpointFromMoments,
  checkpointOutputs,
  checkpointSpectra,
  mergeCheckpointShards,
  readCheckpointLayout,
  type CheckpointLayout,
  type ShardableCheckpoint,
} from '../src/analysis/checkpoint-shards';
import {
  energyWorkBuffers,
  helpWithEnergies,
  helperEnergiesBuffers,
  type EnergyRelay,
} from '../src/analysis/energy-relay';
import type { ShardResult, ShardTask } from '../src/analysis/shard';
import { analyzeMoments, type OutputMetrics, type SpectrumMetrics } from '../src/core/analyze';
import { copyMoments, withoutGroups } from '../src/core/moments';
import { momentBuffers, type CheckpointMetrics, type Moments } from '../src/core/types';
import { blobByteSource } from '../src/io/byte-source';
import { InputError } from '../src/io/types';
import { decodeResultsBundle } from '../src/session/results-bundle';
import {
  createMomentStore,
  notStored,
  openSessionDatabase,
  type SessionDatabase,
  type StoredAs,
} from '../src/session/session-db';

/** A dropped file and the path the user sees (folder-relative when a folder was dropped). */
export interface NamedFile {
  file: Blob;
  name: string;
}

/** The files of one checkpoint: fit split (usually train) and optional eval split (usually test). */
export interface AnalyzeFilesRequest {
  fit: NamedFile[];
  eval: NamedFile[] | null;
}

export interface AnalysisProgress {
  phase: 'read' | 'compute';
  rowsDone: number;
  rowsTotal: number;
  file: string;
}

export type { CheckpointLayout, ShardableCheckpoint, ShardResult, ShardTask };

/** The shards' moments of each split, in row order. */
export interface ShardParts {
  fit: Moments[];
  eval: Moments[] | null;
}

/** A checkpoint's merged moments. */
export interface MergedMoments {
  fit: Moments;
  eval: Moments | null;
}

export type { OutputMetrics, SpectrumMetrics };

/**
 * The main thread's relay (src/analysis/energy-relay.ts) as this worker calls it: what it sends is
 * copies made for the other worker, so they move instead of being cloned again.
 */
function relayOnMainThread(relay: EnergyRelay): EnergyRelay {
  return {
    offer: (work, count) => relay.offer(Comlink.transfer(work, energyWorkBuffers(work)), count),
    claim: (side) => relay.claim(side),
    helped: () => relay.helped(),
    take: () => relay.take(),
    deliver: (done) => relay.deliver(Comlink.transfer(done, helperEnergiesBuffers(done))),
  };
}

/** Failures come back as values, not exceptions: comlink would drop InputError's fields. */
export type AnalysisOutcome<T> = { ok: true; value: T } | { ok: false; file: string; message: string };

export type { StoredAs };

export interface AnalyzedCheckpoint extends StoredAs {
  fit: Moments;
  eval: Moments | null;
  metrics: CheckpointMetrics;
  notes: string[];
}

/** A checkpoint analysed from files; a moments file may say which run and step it belongs to. */
export interface AnalyzedFiles extends AnalyzedCheckpoint {
  /**
   * run and step from a moments file's metadata (docs/moments-format.md); null when absent.
   * `savedStep`: a step saved beside the arrays, which counts only when the file name has none.
   */
  declared: { run: string | null; step: number | null; savedStep?: number | null };
}

export interface AnalyzedBundleRun {
  name: string;
  colour: string;
  seedGroup: string;
  checkpoints: (AnalyzedCheckpoint & { step: number; label: string })[];
}

function failure(error: unknown, fallbackFile: string): { ok: false; file: string; message: string } {
  if (error instanceof InputError) return { ok: false, file: error.source, message: error.problem };
  return { ok: false, file: fallbackFile, message: error instanceof Error ? error.message : String(error) };
}

/**
 * What `run` gives, or the failure its error describes: every call of the API answers with an
 * outcome and never throws across the worker boundary.
 */
async function outcome<T>(
  fallbackFile: string,
  run: () => Promise<AnalysisOutcome<T>> | AnalysisOutcome<T>,
): Promise<AnalysisOutcome<T>> {
  try {
    return await run();
  } catch (error) {
    return failure(error, fallbackFile);
  }
}

/** The file an error of a request is reported against when it names none. */
function requestFile(request: AnalyzeFilesRequest): string {
  return request.fit[0]?.name ?? 'input';
}

function toSources(files: NamedFile[]) {
  return files.map((f) => blobByteSource(f.file, f.name));
}

function checkpointInput(request: AnalyzeFilesRequest) {
  return { fit: toSources(request.fit), eval: request.eval ? toSources(request.eval) : undefined };
}

/**
 * Starts reading a checkpoint's files: a small file is read whole by its first read (byte-source.ts),
 * which its analysis then shares. A failed read is reported by the analysis, in its turn.
 */
function readAhead(input: ReturnType<typeof checkpointInput> | undefined): void {
  if (!input) return;
  for (const source of [...input.fit, ...(input.eval ?? [])]) void source.read(0, 1).catch(() => undefined);
}

function analyzedFiles(analysis: CheckpointAnalysis, stored: StoredAs): AnalyzedFiles {
  return {
    fit: analysis.fit,
    eval: analysis.eval,
    metrics: analysis.metrics,
    notes: analysis.notes,
    declared: {
      run: analysis.run ?? null,
      step: analysis.step ?? null,
      savedStep: analysis.savedStep ?? null,
    },
    ...stored,
  };
}

export interface AnalysisApiOptions {
  /** where checkpoints' moments are stored when a call asks to persist them; null: nowhere */
  database: () => Promise<SessionDatabase | null>;
}

/** The API over a session database (IndexedDB in the worker, an in-memory one in tests). */
export function createAnalysisApi(options: AnalysisApiOptions) {
  const { startStoring, computeWhileStoring, forget } = createMomentStore(options.database);

  /** One checkpoint's files analysed (and its moments stored when asked), as an outcome. */
  const analyzeOne = (
    request: AnalyzeFilesRequest,
    onProgress: ((progress: AnalysisProgress) => void) | undefined,
    persist: boolean,
  ): Promise<AnalysisOutcome<AnalyzedFiles>> =>
    outcome(requestFile(request), async () => {
      const analysis = await analyzeCheckpoint(checkpointInput(request), {
        onProgress: onProgress ? (p) => onProgress({ ...p }) : undefined,
        gramPrecision: 'auto',
      });
      // analyzeCheckpoint gives the moments with the metrics: the write cannot overlap them here
      const storing = await startStoring(persist, [{ fit: analysis.fit, eval: analysis.eval }]);
      const [stored] = await storing.done;
      return { ok: true, value: analyzedFiles(analysis, stored) };
    });

  return {
    /** Parses the files of one checkpoint and computes its moments and metrics (docs/method.md §2-§5). */
    async analyzeFiles(
      request: AnalyzeFilesRequest,
      onProgress?: (progress: AnalysisProgress) => void,
      persist = false,
    ): Promise<AnalysisOutcome<AnalyzedFiles>> {
      const result = await analyzeOne(request, onProgress, persist);
      // transfer() only marks the buffers; comlink moves them instead of copying when it posts.
      return Comlink.transfer(result, result.ok ? momentBuffers(result.value.fit, result.value.eval) : []);
    },

    /**
     * Several small checkpoints in one call, one after another, each with its own outcome (a bad file
     * fails its checkpoint only): one message each way instead of one per checkpoint and progress
     * block, and their moments stored in one write. `onCheckpoint` hears each checkpoint as it starts
     * (its index in `requests` and its first file).
     */
    async analyzeBatch(
      requests: AnalyzeFilesRequest[],
      onCheckpoint?: (index: number, file: string) => void,
      persist = false,
    ): Promise<AnalysisOutcome<AnalyzedFiles>[]> {
      const analysed: AnalysisOutcome<CheckpointAnalysis>[] = [];
      const inputs = requests.map(checkpointInput);
      // every later checkpoint's files are read while the first is analysed: the browser serves a
      // read in its own time, and one checkpoint's analysis is often shorter than that (a batch
      // holds at most defaultBatchLimits.batchBytes of files)
      inputs.slice(1).forEach(readAhead);
      for (const [index, request] of requests.entries()) {
        onCheckpoint?.(index, requestFile(request));
        analysed.push(
          await outcome(requestFile(request), async () => ({
            ok: true,
            value: await analyzeCheckpoint(inputs[index], { gramPrecision: 'auto' }),
          })),
        );
      }
      const analyses = analysed.flatMap((a) => (a.ok ? [a.value] : []));
      const storing = await startStoring(
        persist,
        analyses.map((a) => ({ fit: a.fit, eval: a.eval })),
      );
      const stored = await storing.done;
      let k = 0;
      const results = analysed.map((a): AnalysisOutcome<AnalyzedFiles> =>
        a.ok ? { ok: true, value: analyzedFiles(a.value, stored[k++]) } : a,
      );
      return Comlink.transfer(results, momentBuffers(...analyses.flatMap((a) => [a.fit, a.eval])));
    },

    /**
     * Step 1 of a checkpoint sharded across workers: opens the files, gives the arrays roles, counts
     * the classes, and gives the sizes the plan needs when every array can be read by row range
     * (else: analyse with analyzeFiles).
     */
    async readLayout(request: AnalyzeFilesRequest): Promise<AnalysisOutcome<CheckpointLayout>> {
      return outcome(requestFile(request), async () => {
        return { ok: true, value: await readCheckpointLayout(checkpointInput(request)) };
      });
    },

    /**
     * Step 2: the moments of one shard of the checkpoint; `onRows` gets the shard's rows done. A shard
     * two workers share (`task.share`) takes a chunk whenever `claim` allows it.
     */
    async accumulateShard(
      request: AnalyzeFilesRequest,
      task: ShardTask,
      onRows?: (rowsDone: number) => void,
      claim?: () => boolean | Promise<boolean>,
    ): Promise<AnalysisOutcome<ShardResult>> {
      return outcome(requestFile(request), async () => {
        const value = await accumulateCheckpointShard(checkpointInput(request), task, { onRows, claim });
        const buffers = value.kind === 'moments' ? momentBuffers(value.moments) : [];
        return Comlink.transfer({ ok: true, value }, buffers);
      });
    },

    /** Step 3: merges the shards' moments in row order and computes the checkpoint's metrics. */
    async finishShards(
      checkpoint: ShardableCheckpoint,
      parts: ShardParts,
      persist = false,
    ): Promise<AnalysisOutcome<AnalyzedFiles>> {
      return outcome(checkpoint.source, async () => {
        const merged = mergeCheckpointShards(parts.fit, parts.eval);
        // stored without the jackknife's per-group moments, which only the metrics need
        const kept = { fit: withoutGroups(merged.fit), eval: merged.eval };
        const { value: analysis, stored } = await computeWhileStoring(persist, [kept], () =>
          checkpointFromMoments(checkpoint, merged.fit, merged.eval),
        );
        const value = analyzedFiles(analysis, stored[0]);
        return Comlink.transfer({ ok: true, value }, momentBuffers(value.fit, value.eval));
      });
    },

    /**
     * Step 3 when the metrics are computed in two halves on two workers: the merged moments, and
     * copies for the worker of the output half (made here, not on the main thread): the fit split's,
     * and, when the moments are to be stored (`persist`), the eval split's, which it stores.
     */
    async mergeShards(
      checkpoint: ShardableCheckpoint,
      parts: ShardParts,
      persist = false,
    ): Promise<AnalysisOutcome<MergedMoments & { fitCopy: Moments; evalCopy: Moments | null }>> {
      return outcome(checkpoint.source, async () => {
        const merged = mergeCheckpointShards(parts.fit, parts.eval);
        // the per-group moments go with the copy to the output half (the jackknife) only
        const fit = withoutGroups(merged.fit);
        const fitCopy = { ...copyMoments(fit), groups: merged.fit.groups };
        const evalCopy = persist && merged.eval ? copyMoments(merged.eval) : null;
        const value = { fit, eval: merged.eval, fitCopy, evalCopy };
        return Comlink.transfer({ ok: true, value }, momentBuffers(fit, merged.eval, fitCopy, evalCopy));
      });
    },

    /**
     * The output half of the metrics: D_LR and NC1 (docs/method.md §3, §5). Then, while the spectrum
     * half is still computing: stores the moments when `store` is given (the fit split's are `fit`
     * without its groups), and takes a share of the spectrum's direction energies through `relay`
     * (src/analysis/energy-relay.ts).
     */
    async outputHalf(
      checkpoint: ShardableCheckpoint,
      fit: Moments,
      store: { eval: Moments | null } | null = null,
      relay?: EnergyRelay,
    ): Promise<AnalysisOutcome<{ outputs: OutputMetrics; stored: StoredAs }>> {
      return outcome(checkpoint.source, async () => {
        const outputs = checkpointOutputs(checkpoint, fit);
        const storing = await startStoring(store !== null, [
          { fit: withoutGroups(fit), eval: store?.eval ?? null },
        ]);
        if (relay) {
          try {
            await helpWithEnergies(relayOnMainThread(relay));
          } catch {
            // the relay hands the blocks this worker claimed back to the spectrum half once this
            // call has settled, so a failure here costs time, not the checkpoint
          }
        }
        const [stored] = await storing.done;
        return { ok: true, value: { outputs, stored } };
      });
    },

    /**
     * The feature-spectrum half (docs/method.md §4, §5), its direction energies shared with the
     * output half's worker through `relay` when given; the moments go back with it, transferred.
     */
    async spectrumHalf(
      checkpoint: ShardableCheckpoint,
      merged: MergedMoments,
      relay?: EnergyRelay,
    ): Promise<AnalysisOutcome<MergedMoments & { spectra: SpectrumMetrics }>> {
      return outcome(checkpoint.source, async () => {
        const spectra = await checkpointSpectra(
          checkpoint,
          merged.fit,
          merged.eval,
          relay && relayOnMainThread(relay),
        );
        const value = { ...merged, spectra };
        return Comlink.transfer({ ok: true, value }, momentBuffers(merged.fit, merged.eval));
      });
    },

    /** The checkpoint from its merged moments and the two halves of its metrics (and where spectrumHalf stored them). */
    async combineHalves(
      checkpoint: ShardableCheckpoint,
      merged: MergedMoments,
      outputs: OutputMetrics,
      spectra: SpectrumMetrics,
      stored: StoredAs = notStored,
    ): Promise<AnalysisOutcome<AnalyzedFiles>> {
      return outcome(checkpoint.source, async () => {
        const value = analyzedFiles(
          assembleCheckpoint(checkpoint, merged.fit, merged.eval, outputs, spectra),
          stored,
        );
        return Comlink.transfer({ ok: true, value }, momentBuffers(value.fit, value.eval));
      });
    },

    /** Reads a results bundle (*.richscope.json) and recomputes each checkpoint's metrics from its moments. */
    async importBundle(
      file: Blob,
      name: string,
      persist = false,
    ): Promise<AnalysisOutcome<AnalyzedBundleRun[]>> {
      return outcome(name, async () => {
        const decoded = decodeResultsBundle(await file.text(), name);
        const checkpoints = decoded.flatMap((run) => run.checkpoints);
        const moments = checkpoints.map((c) => ({ fit: c.fit, eval: c.eval }));
        const { value: metrics, stored } = await computeWhileStoring(persist, moments, () =>
          checkpoints.map((c) => ({ ...analyzeMoments(c.fit, c.eval ?? c.fit), ...c.carried })),
        );
        let k = 0;
        const runs = decoded.map((run) => ({
          ...run,
          checkpoints: run.checkpoints.map(({ carried: _carried, ...c }) => ({
            ...c,
            metrics: metrics[k],
            ...stored[k++],
          })),
        }));
        const buffers = runs.flatMap((run) => run.checkpoints.flatMap((c) => momentBuffers(c.fit, c.eval)));
        return Comlink.transfer({ ok: true, value: runs }, buffers);
      });
    },

    /** Deletes stored moments whose checkpoint failed after they were stored (the bridge's halves). */
    async forgetMoments(keys: string[]): Promise<void> {
      await forget(keys).catch(() => undefined);
    },
  };
}

/** The API of the analysis worker, storing moments in this origin's IndexedDB. */
export const analysisApi = createAnalysisApi({ database: openSessionDatabase });
