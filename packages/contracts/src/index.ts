/**
 * Shapes that cross package boundaries, declared once. Types only: packages import them with `import type`
 * (the linter refuses anything else), so at run time onnx, eval and db stay independent of each other.
 * model.ts: the requests and results between the evaluator and a language model; lmeval.ts: lm-eval's output
 * files; scores.ts: a run's score rows, computed by the evaluator and stored by the database; below: the item record
 * between the evaluator and its stores.
 */

export type * from './model.ts';
export type * from './lmeval.ts';
export type * from './scores.ts';

import type { FinishReason, LoglikelihoodResult } from './model.ts';

/** What a task asks of a model: lm-eval's loglikelihood and generate_until requests, one per document. */
export type TaskRequest =
  | { kind: 'loglikelihood'; context: string; continuations: string[] }
  | { kind: 'generate_until'; context: string; until: string[]; maxTokens: number };

/** The model's answer to one request, in request order for multiple choice. */
export type ModelResponse =
  | { kind: 'loglikelihood'; results: LoglikelihoodResult[] }
  | { kind: 'generate_until'; text: string; finishReason: FinishReason };

/**
 * One item's result: what the evaluator produces and the database (and the JSONL sink) stores, field for
 * field, so a resumed or re-scored run sees exactly what the first one wrote.
 */
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
  /** lm-eval filter name -> extracted answer (`none` where the metric does its own extraction). */
  filtered: Record<string, string>;
  /** `"<metric>,<filter>"` -> value, e.g. `"acc,none"`, `"exact_match,strict-match"`. */
  scores: Record<string, number>;
  /** Generation tasks: filter name -> whether an answer could be extracted (the "no answer" share). */
  answerFound?: Record<string, boolean>;
  /** `"<metric>,<filter>"` -> why that score is 0 without a verdict (time limit, grader error). */
  notes?: Record<string, string>;
}

/** Where the evaluator writes each item as soon as it is scored; a rerun resumes from `completed`. */
export interface ResultSink {
  /** Items already stored for this task (to resume); keyed by docIndex. */
  completed(task: string): Promise<Map<number, ItemRecord>>;
  /** Stores a batch atomically: all of it or none of it. */
  write(items: ItemRecord[]): Promise<void>;
}
