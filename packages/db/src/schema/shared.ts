/** Value shapes stored in JSON columns, shared by both dialects' schemas. */

export type ModelType = 'pretrained' | 'fine-tuned' | 'api';
export type RunStatus = 'pending' | 'running' | 'finished' | 'failed';
export type RunSource = 'measured' | 'imported';
export type SubmissionStatus = 'queued' | 'running' | 'finished' | 'failed';
export type ShardStatus = 'queued' | 'running' | 'done' | 'failed';

/**
 * What makes two runs comparable, and how they were run; the hash of the former (`runIdentity`: everything but
 * the keys `RECORDED_ONLY_CONFIG` lists) is how a rerun finds the run to resume.
 */
export interface RunConfig {
  numFewshot?: number | null;
  limit?: number | null;
  /** The engine's rows per forward pass, lm-eval's `batch_size` ("auto" and the like in imported runs). Recorded only. */
  batchSize?: number | string | null;
  /** When the engine picked its batch size itself: what from (model size, free memory). Recorded only. */
  batchSizePickedFrom?: string | null;
  /** Items per stored batch: documents per model call and per write, so a crash loses at most this many. Recorded only. */
  storeEvery?: number | null;
  seed?: number | null;
  dtype?: string | null;
  harnessVersion?: string | null;
  taskVersions?: Record<string, string | number | null>;
  promptHash?: string | null;
  [extra: string]: unknown;
}

/** Request and response as stored with each item: the shapes the evaluator produces (see @sciboard/contracts). */
export type { TaskRequest as ItemRequest, ModelResponse as ItemResponse } from '@sciboard/contracts';
