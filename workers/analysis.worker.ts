/**
 * The analysis worker: every file parse and every number of the dashboard is computed here, never on
 * the main thread. It exposes one plain API object (analysis-api.ts) with comlink; the UI reaches it
 * only through the bridge (src/bridge/analysis-bridge.ts) and imports its type with `import type`.
 *
 * May import: analysis-api.ts and comlink. Never: React, zustand, plotly, or the DOM.
 */
import * as Comlink from 'comlink';
import { analysisApi } from './analysis-api';

export type AnalysisApi = typeof analysisApi;
export type {
  AnalysisOutcome,
  AnalysisProgress,
  AnalyzeFilesRequest,
  AnalyzedBundleRun,
  AnalyzedCheckpoint,
  AnalyzedFiles,
  CheckpointLayout,
  MergedMoments,
  NamedFile,
  OutputMetrics,
  ShardableCheckpoint,
  ShardParts,
  ShardResult,
  ShardTask,
  SpectrumMetrics,
  StoredAs,
} from './analysis-api';

Comlink.expose(analysisApi);
