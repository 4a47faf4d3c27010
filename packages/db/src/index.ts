export { openDb, loadBundledReported, type Store } from './store.ts';
export { resolveTarget, migrationsFolders, type Dialect, type OpenDbOptions } from './client.ts';
export { bandForParams, BANDS, UNKNOWN_SIZE_BAND, type Band } from './bands.ts';
export { runConfigHash, runIdentity, canonicalJson, sha256, RECORDED_ONLY_CONFIG } from './hash.ts';
export { parseReportedCsv, bundledReportedCsv, SCIGLM_SOURCE } from './reported.ts';
export type { ItemRecord, ResultSink } from './queries/results.ts';
export type { ItemRequest, ItemResponse, ModelType, RunConfig, RunSource, RunStatus, SubmissionStatus } from './schema/shared.ts';
export type {
  BoardScoreRow,
  Flag,
  FlagInput,
  ListResultsOptions,
  Model,
  ModelInput,
  Reported,
  ReportedSource,
  ResultRow,
  Run,
  RunInput,
  RunPatch,
  RunWithModel,
  Score,
  ScoreInput,
} from './types.ts';
export { withTransaction } from './store.ts';
export { importLmEval, type ImportedRun, type ImportLmEvalOptions, type ImportLmEvalResult } from './lmeval/import.ts';
export { scoresFromLmEvalResults, type LmEvalScores } from './lmeval/scores.ts';
export { exportLmEval, type ExportLmEvalResult } from './lmeval/export.ts';
export { resultsForTask, topLevelTasks } from './lmeval/slice.ts';
export type { ImportRecord } from './queries/imports.ts';
export type { ApiTokenInfo } from './queries/tokens.ts';
export type { ClaimedShard, LeaseOptions, ShardInput, ShardRow, SubmissionInput, SubmissionRow, SubmissionSummary } from './queries/submissions.ts';
export { DuplicateSubmissionError, shardLabel } from './queries/submissions.ts';
export type { ShardStatus } from './schema/shared.ts';
export { modelFieldsSchema } from './schema/zod.ts';
