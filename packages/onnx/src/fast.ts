/**
 * The engine's optimisations, each switchable so the benchmark can measure the ablation ladder in one run.
 * Every one of them leaves results unchanged (log-likelihoods within 1e-4, identical greedy tokens).
 */
export interface FastPathOptions {
  /** Project only the scored positions to the vocabulary (a Slice added to the graph at load time). */
  sliceLogits: boolean;
  /** One forward per distinct model input: a question's single-token choices share it. */
  groupContexts: boolean;
  /** Compute the prefix all requests share (fixed few-shot exemplars) once and reuse its KV cache. */
  prefixCache: boolean;
  /**
   * Generation: refill a batch slot from the queue as soon as a row finishes; rows admitted together are
   * prefilled in groups of similar prompt length (bounded padding) and then decode as one batch.
   */
  refill: boolean;
  /**
   * Generation: several greedy steps per `run()`, the decoder wrapped in an ONNX Loop with ArgMax inside, so the
   * KV cache stays inside ONNX Runtime between steps (a graph rewrite at load time; needs `sliceLogits`).
   */
  decodeLoop: boolean;
}

export const defaultFastPath: FastPathOptions = { sliceLogits: true, groupContexts: true, prefixCache: true, refill: true, decodeLoop: true };

export function fastPath(options?: Partial<FastPathOptions>): FastPathOptions {
  return { ...defaultFastPath, ...options };
}
