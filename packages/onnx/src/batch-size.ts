import { readdirSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

/** What the default batch size is chosen from: the model's shape and weights, and the machine's memory. */
export interface BatchSizeInput {
  /** Bytes of the graph and its external weight files. */
  weightBytes: number;
  layers: number;
  /** Attention heads of the queries (the prefill's score matrices have one per head). */
  heads: number;
  kvHeads: number;
  headDim: number;
  hidden: number;
  /** Bytes per KV-cache element: 4 for float32, 2 for float16. */
  cacheElementBytes: number;
  /** The model's context window; a row's cache is budgeted for min(this, MAX_BUDGETED_TOKENS) tokens. */
  contextTokens: number;
  provider: 'cpu' | 'cuda';
  /** Free memory now, after the weights are loaded (os.freemem()). */
  freeBytes: number;
  totalBytes: number;
}

/**
 * The engine's rows per forward pass when none is given: picked by `chooseBatchSize` from the model and the machine.
 * lm-eval's `batch_size`; it does not change results, so it is recorded with a run but is not part of its identity.
 */
export const DEFAULT_BATCH_SIZE = 'auto';

export interface BatchSizeChoice {
  batchSize: number;
  /** One line saying what it was picked from, for the log and the run's record. */
  reason: string;
}

/** Tokens a row's KV cache is budgeted for: a 5-shot prompt and 256 to 512 generated tokens fit well inside. */
export const MAX_BUDGETED_TOKENS = 4096;
/** Prompt length whose prefill activations are budgeted for (attention scores are quadratic in it). */
export const BUDGETED_PROMPT_TOKENS = 1024;
/** Share of the free memory that the batch's caches and activations may take. */
export const MEMORY_SHARE = 0.5;

/**
 * The default rows per forward pass. On CPU a batch pays off in generation, where each decoding step streams every
 * weight once whatever the number of rows: up to ~16 rows the step costs little more than one row's, beyond that
 * the step becomes compute-bound and a larger batch only holds more cache (scoring batches take only rows of equal
 * length, so the batch size hardly moves it). A model under 512 MB gets 32: its steps are short and the per-run
 * set-up is a larger share. A GPU gets up to 64. Within that, the batch must fit in half the free memory: per row,
 * its KV cache for the context window (at most 4,096 tokens) and the transient activations of a 1,024-token
 * prefill (one layer's attention scores, and the hidden states a few times over). Powers of two, at least 1.
 */
export function chooseBatchSize(m: BatchSizeInput): BatchSizeChoice {
  const cap = m.provider === 'cuda' ? 64 : m.weightBytes < 512 * 2 ** 20 ? 32 : 16;
  const tokens = Math.min(m.contextTokens, MAX_BUDGETED_TOKENS);
  const cachePerToken = 2 * m.layers * m.kvHeads * m.headDim * m.cacheElementBytes;
  const prefill = 4 * (m.heads * BUDGETED_PROMPT_TOKENS * BUDGETED_PROMPT_TOKENS + 8 * BUDGETED_PROMPT_TOKENS * m.hidden);
  const perRow = cachePerToken * tokens + prefill;
  const budget = MEMORY_SHARE * Math.min(m.freeBytes, m.totalBytes);
  const fits = Math.max(1, Math.floor(budget / perRow));
  let batchSize = 1;
  while (batchSize * 2 <= Math.min(cap, fits)) batchSize *= 2;
  const gb = (n: number) => `${(n / 2 ** 30).toFixed(1)} GB`;
  const mb = (n: number) => `${(n / 2 ** 20).toFixed(0)} MB`;
  const limit = fits < cap ? `memory: ${fits} rows fit in half of ${gb(m.freeBytes)} free` : `${m.provider === 'cuda' ? 'GPU' : 'CPU'} cap ${cap}`;
  const reason =
    `${mb(m.weightBytes)} of weights, ${m.layers} layers, hidden ${m.hidden}, KV cache ${((cachePerToken / 1024) | 0) || '<1'} KB/token; ` +
    `${mb(perRow)} per row (${tokens}-token cache + prefill); ${limit}`;
  return { batchSize, reason };
}

/** Bytes of a graph file and the external weight files beside it (`model.onnx_data`, `model.onnx_data_1`, …). */
export function weightBytes(onnxPath: string): number {
  const name = basename(onnxPath);
  let total = statSync(onnxPath).size;
  for (const f of readdirSync(dirname(onnxPath))) {
    if (f !== name && f.startsWith(`${name}_data`)) total += statSync(join(dirname(onnxPath), f)).size;
    else if (f !== name && f.startsWith(`${basename(name, '.onnx')}.onnx.data`)) total += statSync(join(dirname(onnxPath), f)).size;
  }
  return total;
}
