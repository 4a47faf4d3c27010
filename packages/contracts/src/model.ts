/**
 * What the evaluator asks of a language model and what comes back: lm-eval's two request types, one call per
 * batch of requests. `@sciboard/eval` declares its `LanguageModel` interface with these, and the ONNX engine
 * answers with them, so the engine satisfies the interface without either package importing the other.
 */

/** One continuation to score after its context (a multiple-choice question asks one per choice). */
export interface LoglikelihoodRequest {
  context: string;
  continuation: string;
}

export interface LoglikelihoodResult {
  /** Sum of the continuation tokens' log-probabilities (natural log). */
  logprob: number;
  /** True when every continuation token is the argmax at its position. */
  isGreedy: boolean;
}

/** Greedy decoding from `context` until a stop string, the end-of-sequence token, or `maxTokens` new tokens. */
export interface GenerateRequest {
  context: string;
  /** Stop strings: the output is cut before the first one that appears. */
  until: string[];
  maxTokens: number;
}

/** Why decoding ended: a stop string, the end-of-sequence token, or `maxTokens` reached (truncation). */
export type FinishReason = 'stop' | 'eos' | 'length';

export interface GenerateResult {
  text: string;
  finishReason: FinishReason;
}

/** Requests answered so far in one call. */
export interface RequestProgress {
  done: number;
  total: number;
}

/** Per-call options every model call takes. */
export interface RequestOptions {
  onProgress?: (p: RequestProgress) => void;
  /**
   * Generation: each request's result (by its index in the call) as soon as its row finishes, before the call
   * returns, so a caller handing over a whole task can store every item as it is done. Only models that say they
   * stream generations are expected to call it.
   */
  onResult?: (index: number, result: GenerateResult) => void;
  signal?: AbortSignal;
}
