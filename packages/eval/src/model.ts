/**
 * The two request types an evaluation sends to a model, as in lm-evaluation-harness.
 * Backends (ONNX, an HTTP server, ...) satisfy `LanguageModel` structurally; this package never imports them.
 */
export interface LoglikelihoodRequest {
  context: string;
  continuation: string;
}

// Stored inside every item's response, so declared once with the item record.
import type { FinishReason, LoglikelihoodResult } from '@sciboard/contracts';
export type { FinishReason, LoglikelihoodResult };

export interface GenerateRequest {
  context: string;
  /** Stop strings: the output is cut before the first one that appears. */
  until: string[];
  maxTokens: number;
}

export interface GenerateResult {
  text: string;
  /** Why decoding ended: a stop string, the end-of-sequence token, or `maxTokens` reached (truncation). */
  finishReason: FinishReason;
}

export interface Progress {
  done: number;
  total: number;
}

export interface RequestOptions {
  onProgress?: (p: Progress) => void;
  /**
   * Generation: called with each request's result (its index in the call) as soon as it is known, before the call
   * returns. Only models that set `streamsGenerations` are expected to call it.
   */
  onResult?: (index: number, result: GenerateResult) => void;
  signal?: AbortSignal;
}

export interface LanguageModel {
  loglikelihood(requests: LoglikelihoodRequest[], options?: RequestOptions): Promise<LoglikelihoodResult[]>;
  generate(requests: GenerateRequest[], options?: RequestOptions): Promise<GenerateResult[]>;
  /**
   * The model reports each generation through `onResult` as it finishes and keeps its batch full across a whole
   * call (continuous batching). The evaluator then hands it a task's generations in one call and stores each item
   * as it arrives; other models get one call per chunk of documents.
   */
  readonly streamsGenerations?: boolean;
}
