/**
 * The analysis worker: every file parse and every number of the dashboard is computed here, never on
 * the main thread. One plain API object exposed with comlink; the UI reaches it only through the
 * bridge (src/bridge/analysis-bridge.ts) and imports its type with `import type`.
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

const api = {
  /** Parses the files of one checkpoint and computes its moments and metrics (METHOD.md §2-§5). */
  async analyzeFiles(
    request: AnalyzeFilesRequest,
    onProgress?: (progress: AnalysisProgress) => void,
  ): Promise<AnalysisOutcome<AnalyzedCheckpoint>> {
    const toSources = (files: NamedFile[]) => files.map((f) => blobByteSource(f.file, f.name));
    try {
      const analysis: CheckpointAnalysis = await analyzeCheckpoint(
        { fit: toSources(request.fit), eval: request.eval ? toSources(request.eval) : undefined },
        { onProgress: onProgress ? (p) => onProgress({ ...p }) : undefined },
      );
      const value: AnalyzedCheckpoint = {
        fit: analysis.fit,
        eval: analysis.eval,
        metrics: analysis.metrics,
        notes: analysis.notes,
      };
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

export type AnalysisApi = typeof api;

Comlink.expose(api);
