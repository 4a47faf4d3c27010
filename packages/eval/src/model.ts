/**
 * The two request types an evaluation sends to a model, as in lm-evaluation-harness.
 * Backends (ONNX, an HTTP server, ...) satisfy `LanguageModel` structurally; this package never imports them.
 * The requests, results and call options are shared with the engine, declared once in @sciboard/contracts.
 */
import type { GenerateRequest, GenerateResult, LoglikelihoodRequest, LoglikelihoodResult, RequestOptions } from '@sciboard/contracts';

export type {
  FinishReason,
  GenerateRequest,
  GenerateResult,
  LoglikelihoodRequest,
  LoglikelihoodResult,
  RequestOptions,
  RequestProgress as Progress,
} from '@sciboard/contracts';

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
