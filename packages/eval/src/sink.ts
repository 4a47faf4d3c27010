/**
 * Where the evaluator writes each item's result as soon as it is known, so a crash loses at most one batch
 * and a rerun skips what is stored. `packages/db` provides the database sink; a JSONL sink serves `--output`.
 */
import type { ItemScore, ModelResponse, TaskRequest } from './task.ts';

export interface ItemRecord {
  task: string;
  docIndex: number;
  /** sha256 of the canonical JSON of the document: detects a changed dataset under the same index. */
  docHash: string;
  /** sha256 of the request (context + continuations or stop sequences): detects a changed prompt. */
  promptHash: string;
  doc: Record<string, unknown>;
  request: TaskRequest;
  response: ModelResponse;
  target: string | number;
  filtered: ItemScore['filtered'];
  scores: ItemScore['scores'];
  /** Generation tasks: filter -> whether an answer was extracted (see ItemScore.answerFound). */
  answerFound?: ItemScore['answerFound'];
  /** Why a score is 0 without a verdict (time limit, grader error); see ItemScore.notes. */
  notes?: ItemScore['notes'];
}

export interface ResultSink {
  /** Items already stored for this task (to resume); keyed by docIndex. */
  completed(task: string): Promise<Map<number, ItemRecord>>;
  /** Stores a batch atomically: all of it or none of it. */
  write(items: ItemRecord[]): Promise<void>;
}
