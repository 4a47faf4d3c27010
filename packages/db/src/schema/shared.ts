/** Value shapes stored in JSON columns, shared by both dialects' schemas. */

export type ModelType = 'pretrained' | 'fine-tuned' | 'api';
export type RunStatus = 'pending' | 'running' | 'finished' | 'failed';
export type RunSource = 'measured' | 'imported';
export type SubmissionStatus = 'queued' | 'running' | 'finished' | 'failed';
export type ShardStatus = 'queued' | 'running' | 'done' | 'failed';

/** What makes two runs comparable; its hash is how a rerun finds the run to resume. */
export interface RunConfig {
  numFewshot?: number | null;
  limit?: number | null;
  batchSize?: number | string | null;
  seed?: number | null;
  dtype?: string | null;
  harnessVersion?: string | null;
  taskVersions?: Record<string, string | number | null>;
  promptHash?: string | null;
  [extra: string]: unknown;
}

/** Request and response as stored with each item: the shapes the evaluator produces (see @sciboard/contracts). */
export type { TaskRequest as ItemRequest, ModelResponse as ItemResponse } from '@sciboard/contracts';
