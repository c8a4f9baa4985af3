/**
 * The analysis API: every file parse and every number of the dashboard. It runs in
 * `analysis.worker.ts` (exposed with comlink); this module holds it apart from the `expose` call so
 * Node tests can call it directly and the bridge has a main-thread fallback where Workers are missing.
 *
 * May import: src/analysis, src/io, src/core and the pure codecs of src/state (results-bundle).
 * Never: React, zustand, plotly, or anything touching the DOM.
 */
import * as Comlink from 'comlink';
import { analyzeCheckpoint, type CheckpointAnalysis } from '../src/analysis/analyze-checkpoint';
import { analyzeMoments } from '../src/core/analyze';
import type { CheckpointMetrics, Moments } from '../src/core/types';
import { blobByteSource } from '../src/io/byte-source';
import { InputError } from '../src/io/types';
import { decodeResultsBundle } from '../src/state/results-bundle';

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

/** Failures come back as values, not exceptions: comlink would drop InputError's fields. */
export type AnalysisOutcome<T> = { ok: true; value: T } | { ok: false; file: string; message: string };

export interface AnalyzedCheckpoint {
  fit: Moments;
  eval: Moments | null;
  metrics: CheckpointMetrics;
  notes: string[];
}

/** A checkpoint analysed from files; a moments file may say which run and step it belongs to. */
export interface AnalyzedFiles extends AnalyzedCheckpoint {
  /** run and step from a moments file's metadata (docs/moments-format.md); null when absent */
  declared: { run: string | null; step: number | null };
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

/** The buffers of the moments, handed to the main thread instead of copied. */
function momentBuffers(...moments: (Moments | null)[]): ArrayBuffer[] {
  return moments.flatMap((m) => (m ? [m.mean.buffer as ArrayBuffer, m.scatter.buffer as ArrayBuffer] : []));
}

export const analysisApi = {
  /** Parses the files of one checkpoint and computes its moments and metrics (METHOD.md §2-§5). */
  async analyzeFiles(
    request: AnalyzeFilesRequest,
    onProgress?: (progress: AnalysisProgress) => void,
  ): Promise<AnalysisOutcome<AnalyzedFiles>> {
    const toSources = (files: NamedFile[]) => files.map((f) => blobByteSource(f.file, f.name));
    try {
      const analysis: CheckpointAnalysis = await analyzeCheckpoint(
        { fit: toSources(request.fit), eval: request.eval ? toSources(request.eval) : undefined },
        { onProgress: onProgress ? (p) => onProgress({ ...p }) : undefined },
      );
      const value: AnalyzedFiles = {
        fit: analysis.fit,
        eval: analysis.eval,
        metrics: analysis.metrics,
        notes: analysis.notes,
        declared: { run: analysis.run ?? null, step: analysis.step ?? null },
      };
      // transfer() only marks the buffers; comlink moves them instead of copying when it posts.
      return Comlink.transfer({ ok: true, value }, momentBuffers(value.fit, value.eval));
    } catch (error) {
      return failure(error, request.fit[0]?.name ?? 'input');
    }
  },

  /** Reads a results bundle (*.richscope.json) and recomputes each checkpoint's metrics from its moments. */
  async importBundle(file: Blob, name: string): Promise<AnalysisOutcome<AnalyzedBundleRun[]>> {
    try {
      const runs = decodeResultsBundle(await file.text(), name).map((run) => ({
        ...run,
        checkpoints: run.checkpoints.map((c) => ({ ...c, metrics: analyzeMoments(c.fit, c.eval ?? c.fit) })),
      }));
      const buffers = runs.flatMap((run) => run.checkpoints.flatMap((c) => momentBuffers(c.fit, c.eval)));
      return Comlink.transfer({ ok: true, value: runs }, buffers);
    } catch (error) {
      return failure(error, name);
    }
  },
};
