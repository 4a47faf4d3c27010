/** Row and input types of the store; rows are what every query returns, on either dialect. */
import type * as pgSchema from './schema/pg.ts';
import type { ModelType, RunConfig, RunSource, RunStatus } from './schema/shared.ts';
import type { ScoreRow } from '@sciboard/contracts';

export type Model = typeof pgSchema.models.$inferSelect;
export type Run = typeof pgSchema.runs.$inferSelect;
export type ResultRow = typeof pgSchema.results.$inferSelect;
export type Score = typeof pgSchema.scores.$inferSelect;
export type Reported = typeof pgSchema.reported.$inferSelect;
export type Flag = typeof pgSchema.flags.$inferSelect;

export interface ModelInput {
  name: string;
  family?: string | null;
  /** Parameters in billions. */
  params?: number | null;
  /** Defaults to `bandForParams(params, modelType)`. */
  band?: string;
  checkpointPath?: string | null;
  contentHash?: string | null;
  revision?: string | null;
  license?: string | null;
  links?: Record<string, string> | null;
  submittedBy?: string | null;
  modelType?: ModelType;
  trainingRun?: string | null;
  step?: number | null;
}

export interface RunInput {
  modelId: number;
  /** The leaf task or group the run was asked for. */
  task: string;
  config: RunConfig;
  device?: string | null;
  provider?: string | null;
  status?: RunStatus;
  source?: RunSource;
  startedAt?: string | null;
  finishedAt?: string | null;
}

/** `config` may gain what is only known after the run (task versions, prompt hash); the run keeps the hash it was found by. */
export type RunPatch = Partial<
  Pick<Run, 'status' | 'error' | 'device' | 'provider' | 'startedAt' | 'finishedAt' | 'timings' | 'throughput' | 'config'>
>;

export type RunWithModel = Run & { modelName: string };

export interface ScoreInput {
  /** Leaf task or group name. */
  subset: string;
  metric: string;
  filter?: string;
  value: number;
  stderr?: number | null;
  ciLow?: number | null;
  ciHigh?: number | null;
  n?: number | null;
}

export interface ListResultsOptions {
  task?: string;
  /** A `"<metric>,<filter>"` key: only items that did not score full marks on it. */
  onlyWrong?: string;
  offset?: number;
  limit?: number;
}

/** A stored score with the model and run it belongs to. */
export interface BoardScoreRow extends ScoreRow {
  modelId: number;
  modelName: string;
  band: string;
  params: number | null;
  modelType: ModelType;
  runId: number;
  numFewshot: number | null;
  harnessVersion: string | null;
  taskVersion: string | number | null;
  promptHash: string | null;
  /** The run formatted its prompts with the checkpoint's chat template (`--apply-chat-template`). */
  chatTemplate: boolean;
  /** The checkpoint precision the run loaded (its configuration's `dtype`: float32, float16, q4, …). */
  dtype?: string | null;
  revision: string | null;
  finishedAt: string | null;
}

export interface ReportedSource {
  paper: string;
  /** One table for every row, or one per board (the SciGLM paper has a science and a math table). */
  table?: string | Record<string, string>;
  year?: number;
  url?: string;
}

export interface FlagInput {
  modelId?: number | null;
  runId?: number | null;
  subset?: string | null;
  metric?: string | null;
  reason: string;
}
