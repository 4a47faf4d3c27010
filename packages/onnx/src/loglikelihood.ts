import type { LoglikelihoodRequest, LoglikelihoodResult } from '@sciboard/contracts';
import { MIN_SHARED_PREFIX, rightPadded, SharedPrefix } from './batch.ts';
import { cpuScoringCost, FITTED_SHAPE, scoringBatches, scoringLength, type ScoringCostModel } from './scoring-cost.ts';
import { prefixClusters } from './prefix-clusters.ts';
import { scoringRows } from './score-rows.ts';
import type { Decoder } from './decoder.ts';
import type { FastPathOptions } from './fast.ts';
import type { TextTokenizer } from './tokenizer.ts';

// The request and result the evaluator sends and reads, declared once in @sciboard/contracts.
export type { LoglikelihoodRequest, LoglikelihoodResult };

export interface EncodedPair {
  /** Tokens fed to the model: (context + continuation)[-(maxLength+1):][:-1]. */
  input: number[];
  continuation: number[];
}

/**
 * Tokenises as lm-evaluation-harness's `_encode_pair`: trailing whitespace of the context moves to the
 * continuation, the pair is encoded together and the continuation tokens split off; an empty context is
 * scored after the prefix token (BOS, else EOS).
 */
export function encodePair(tok: TextTokenizer, req: LoglikelihoodRequest, maxLength: number): EncodedPair {
  let context = req.context;
  let continuation = req.continuation;
  let contextIds: number[];
  let continuationIds: number[];
  if (context === '') {
    contextIds = [tok.prefixId];
    continuationIds = tok.encode(continuation, { addBos: false });
  } else {
    const trimmed = context.replace(/\s+$/u, '');
    const spaces = context.length - trimmed.length;
    if (spaces > 0) {
      continuation = context.slice(-spaces) + continuation;
      context = trimmed;
    }
    const whole = tok.encode(context + continuation);
    contextIds = tok.encode(context);
    continuationIds = whole.slice(contextIds.length);
  }
  const all = [...contextIds, ...continuationIds].slice(-(maxLength + 1));
  return { input: all.slice(0, -1), continuation: continuationIds };
}

/** Scores one position: log-softmax in float64 over the vocabulary and whether the target is the argmax. */
function scorePosition(logits: Float32Array, offset: number, vocab: number, target: number): { logprob: number; greedy: boolean } {
  let max = -Infinity;
  let argmax = 0;
  for (let v = 0; v < vocab; v++) {
    const x = logits[offset + v]!;
    if (x > max) {
      max = x;
      argmax = v;
    }
  }
  let sum = 0;
  for (let v = 0; v < vocab; v++) sum += Math.exp(logits[offset + v]! - max);
  return { logprob: logits[offset + target]! - max - Math.log(sum), greedy: argmax === target };
}

export interface LoglikelihoodOptions {
  batchSize: number;
  fast: FastPathOptions;
  maxLength: number;
  /** How passes of rows are costed (see `ScoringCostModel`); the CPU model for the shape it was fitted on when absent. */
  scoringCost?: ScoringCostModel;
  onProgress?: (done: number, total: number) => void;
  signal?: AbortSignal;
}

/**
 * One row per distinct model input, an input that starts another one scored inside it (see `scoringRows`).
 * With the prefix cache, rows are split into clusters that share a long prefix (each task's exemplars, see
 * `prefixClusters`), and each cluster's rows run after its prefix's cache, longest first, in batches of similar
 * length (`scoringBatches`), each row right after the prefix and padded at its end (`rightPadded`): with causal
 * attention no real position sees the padding, so a row's logits are those it has alone.
 */
export async function loglikelihood(
  decoder: Decoder,
  tok: TextTokenizer,
  requests: LoglikelihoodRequest[],
  options: LoglikelihoodOptions,
): Promise<LoglikelihoodResult[]> {
  const results = new Array<LoglikelihoodResult>(requests.length);
  const encoded: { index: number; input: number[]; continuation: number[] }[] = [];
  requests.forEach((req, index) => {
    const { input, continuation } = encodePair(tok, req, options.maxLength);
    if (continuation.length === 0) results[index] = { logprob: 0, isGreedy: true };
    else encoded.push({ index, input, continuation });
  });
  const all = scoringRows(encoded, options.fast.groupContexts);
  // With the prefix cache, rows are computed cluster by cluster, each cluster after the prefix its rows share (a
  // call that mixes tasks shares each task's exemplars only within that task); without it, as one cluster.
  const clusters = options.fast.prefixCache
    ? prefixClusters(
        all.map((g) => g.input),
        MIN_SHARED_PREFIX,
      ).map((rows) => rows.map((i) => all[i]!))
    : [all];
  let done = requests.length - all.reduce((n, g) => n + g.members.length, 0);
  const scoringCost = options.scoringCost ?? cpuScoringCost(FITTED_SHAPE);
  for (const cluster of clusters) {
    options.signal?.throwIfAborted();
    // The shared prefix must stop before the first position any row scores.
    const prefix = options.fast.prefixCache
      ? await SharedPrefix.compute(
          decoder,
          cluster.map((g) => g.input),
          Math.min(...cluster.map((g) => g.input.length - g.keep)),
          true,
        )
      : undefined;
    const skip = prefix?.length ?? 0;
    // Longest first, then the batches the cost model finds cheapest: padding is computed like any other position,
    // and after a long prefix a batch may save nothing at all.
    const ordered = cluster.sort((a, b) => b.input.length - a.input.length);
    for (const chunk of scoringBatches(ordered, (g) => g.input.length - skip, options.batchSize, skip, scoringCost)) {
      options.signal?.throwIfAborted();
      const lengths = chunk.map((g) => g.input.length - skip);
      const seq = scoringLength(lengths[0]!, chunk.length);
      // Each row's own tokens first, padding after them: row b's tokens end `seq - lengths[b]` positions before the
      // batch's last one, so the kept trailing positions reach back to the scored positions of the shortest row.
      const keep = Math.max(...chunk.map((g, b) => seq - lengths[b]! + g.keep));
      const batch = rightPadded(
        chunk.map((g) => g.input.slice(skip)),
        skip,
        seq,
      );
      const past = prefix?.lease(decoder, chunk.length);
      let out;
      try {
        out = await decoder.forward(batch, past?.cache, keep, false);
      } finally {
        past?.release();
      }
      const { logits, vocab } = out;
      chunk.forEach((g, b) => {
        for (const m of g.members) {
          let logprob = 0;
          let greedy = true;
          m.continuation.forEach((target, p) => {
            // The batch's last `keep` positions came back; this member's input ends `input.length - end` before
            // its row's tokens do, and those end `seq - lengths[b]` before the batch's last position.
            const row = keep - (seq - lengths[b]!) - (g.input.length - m.end) - m.continuation.length + p;
            const s = scorePosition(logits, (b * keep + row) * vocab, vocab, target);
            logprob += s.logprob;
            greedy &&= s.greedy;
          });
          results[m.index] = { logprob, isGreedy: greedy };
          done++;
        }
      });
      options.onProgress?.(done, requests.length);
    }
  }
  return results;
}
