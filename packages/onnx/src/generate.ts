import type { FinishReason, GenerateRequest, GenerateResult } from '@sciboard/contracts';
import { leftPadded, paddingGroups, SharedPrefix } from './batch.ts';
import type { Decoder, ForwardResult } from './decoder.ts';
import type { FastPathOptions } from './fast.ts';
import { concatCaches, type KvCache, padMask, selectCacheRows, selectCacheRowsAndPositions } from './kv-cache.ts';
import type { TextTokenizer } from './tokenizer.ts';

// The request and result the evaluator sends and reads, declared once in @sciboard/contracts.
export type { FinishReason, GenerateRequest, GenerateResult };

export interface GenerateOptions {
  batchSize: number;
  maxLength: number;
  fast: FastPathOptions;
  onProgress?: (done: number, total: number) => void;
  /** Called with each request's result (by its index in the call) as soon as the row finishes. */
  onResult?: (index: number, result: GenerateResult) => void;
  signal?: AbortSignal;
}

/**
 * Steps per run with the decode loop. A row that stops mid-run still rides along to the end of it (its extra
 * tokens are dropped), and a free slot waits for the run to end before it is refilled: 8 keeps both small.
 */
export const DECODE_LOOP_STEPS = 8;

interface Pending {
  index: number;
  ids: number[];
  stops: string[];
  maxTokens: number;
}

interface Row extends Pending {
  generated: number[];
}

/** The rows decoding together: their KV cache and attention mask share one length. */
interface Active {
  rows: Row[];
  cache?: KvCache;
  /** [rows, length] */
  mask: BigInt64Array;
  length: number;
}

function argmax(logits: Float32Array, offset: number, vocab: number): number {
  let best = offset;
  for (let v = offset + 1; v < offset + vocab; v++) if (logits[v]! > logits[best]!) best = v;
  return best - offset;
}

/** Cuts the text before the earliest stop string, as lm-eval's `s.split(term)[0]` over every term does. */
export function cutAtStops(text: string, stops: string[]): string {
  let end = text.length;
  for (const s of stops) {
    if (s.length === 0) continue;
    const at = text.indexOf(s);
    if (at >= 0 && at < end) end = at;
  }
  return text.slice(0, end);
}

/**
 * Greedy decoding with the KV cache, batched with left padding. A row leaves the batch as soon as it emits an
 * end-of-sequence token or its decoded text (special tokens included, as the stopping criterion sees it)
 * contains a stop string, and with `refill` a queued request takes its slot at once. The returned text is
 * decoded without special tokens and cut before the first stop string — lm-eval's `generate_until`, where the
 * tokenizer's EOS text joins the stop strings.
 */
export async function generate(
  decoder: Decoder,
  tok: TextTokenizer,
  requests: GenerateRequest[],
  options: GenerateOptions,
): Promise<GenerateResult[]> {
  const results = new Array<GenerateResult>(requests.length);
  const queue: Pending[] = requests.map((req, index) => {
    const maxTokens = Math.max(0, Math.floor(req.maxTokens));
    const ids = tok.encode(req.context).slice(-Math.max(1, options.maxLength - maxTokens));
    const stops = [...req.until, ...tok.stopTexts.filter((t) => !req.until.includes(t))];
    return { index, ids, stops, maxTokens };
  });
  let done = 0;
  const finish = (row: Row, reason: FinishReason) => {
    const text = cutAtStops(tok.decode(row.generated, { skipSpecialTokens: true }), row.stops);
    results[row.index] = { text, finishReason: reason };
    options.onResult?.(row.index, results[row.index]!);
    options.onProgress?.(++done, requests.length);
  };
  /** Takes one generated token for a row; returns whether the row goes on generating. */
  const take = (row: Row, next: number): boolean => {
    if (tok.stopIds.has(next)) {
      finish(row, 'eos');
      return false;
    }
    row.generated.push(next);
    const withSpecials = tok.decode(row.generated);
    if (row.stops.some((s) => s.length > 0 && withSpecials.includes(s))) {
      finish(row, 'stop');
      return false;
    }
    if (row.generated.length >= row.maxTokens) {
      finish(row, 'length');
      return false;
    }
    return true;
  };
  /** Takes the step's token for each row; returns the rows still generating. */
  const advance = (rows: Row[], step: ForwardResult): number[] =>
    rows.flatMap((row, b) => (take(row, argmax(step.logits, b * step.keep * step.vocab + (step.keep - 1) * step.vocab, step.vocab)) ? [b] : []));

  for (const p of queue) if (p.maxTokens === 0) finish({ ...p, generated: [] }, 'length');
  const pending = queue.filter((p) => p.maxTokens > 0).sort((a, b) => b.ids.length - a.ids.length);
  if (pending.length === 0) return results;
  const prefix = options.fast.prefixCache
    ? await SharedPrefix.compute(
        decoder,
        pending.map((p) => p.ids),
        Math.min(...pending.map((p) => p.ids.length - 1)),
      )
    : undefined;

  /**
   * Prefills new rows (after the shared prefix, if any) and returns those still generating. With `refill` the
   * rows (sorted longest first) are prefilled in groups of similar length, so that short prompts are not padded
   * to the longest one's length; the groups then decode as one batch.
   */
  const skip = prefix?.length ?? 0;
  const admit = async (batch: Pending[]): Promise<Active | undefined> => {
    if (!options.fast.refill) return admitGroup(batch);
    let joined: Active | undefined;
    let at = 0;
    for (const size of paddingGroups(batch.map((p) => p.ids.length - skip))) {
      const part = await admitGroup(batch.slice(at, (at += size)));
      joined = joined && part ? mergeActive(joined, part) : (joined ?? part);
    }
    return joined;
  };
  const admitGroup = async (batch: Pending[]): Promise<Active | undefined> => {
    options.signal?.throwIfAborted();
    const input = leftPadded(
      batch.map((p) => p.ids.slice(skip)),
      skip,
    );
    const step = await decoder.forward(input, prefix?.cacheFor(batch.length), 1, decoder.hasCache);
    const rows = batch.map((p) => ({ ...p, generated: [] as number[] }));
    const keep = advance(rows, step);
    if (keep.length === 0) return undefined;
    const length = input.attentionMask.length / input.batch;
    return selectActive({ rows, cache: step.cache, mask: input.attentionMask, length }, keep);
  };

  let active: Active | undefined;
  const refill = options.fast.refill && decoder.hasCache;
  while (pending.length > 0 || active) {
    const free = options.batchSize - (active?.rows.length ?? 0);
    if (pending.length > 0 && (active === undefined || (refill && free > 0))) {
      const joined = await admit(pending.splice(0, free));
      active = active && joined ? mergeActive(active, joined) : (active ?? joined);
      continue;
    }
    if (!active) continue;
    options.signal?.throwIfAborted();
    active =
      options.fast.decodeLoop && decoder.hasDecodeLoop
        ? await decodeLoopSteps(decoder, active, take, DECODE_LOOP_STEPS)
        : await decodeStep(decoder, active, advance);
  }
  return results;
}

/**
 * Keeps the rows at `keep`. With a KV cache, positions that none of the kept rows attends to (padding for all of
 * them: left padding of rows that have left, or the gap between a shared prefix and rows admitted later) are
 * dropped from the cache and the mask, so a batch that keeps taking new rows over a whole task stays as long as
 * its rows need rather than growing by every step it has ever run. Positions count real tokens only, so every
 * row sees the same positions and keys as before.
 */
function selectActive(active: Active, keep: number[]): Active {
  const runs = active.cache ? attendedRuns(active, keep) : [[0, active.length] as [number, number]];
  const length = runs.reduce((n, [a, b]) => n + b - a, 0);
  if (keep.length === active.rows.length && length === active.length) return active;
  const mask = new BigInt64Array(keep.length * length);
  keep.forEach((b, i) => {
    let to = i * length;
    for (const [from, end] of runs) {
      mask.set(active.mask.subarray(b * active.length + from, b * active.length + end), to);
      to += end - from;
    }
  });
  return {
    rows: keep.map((b) => active.rows[b]!),
    cache: active.cache && (length === active.length ? selectCacheRows(active.cache, keep) : selectCacheRowsAndPositions(active.cache, keep, runs)),
    mask,
    length,
  };
}

/** The `[start, end)` runs of positions that at least one of the kept rows attends to. */
function attendedRuns(active: Active, keep: number[]): [number, number][] {
  const runs: [number, number][] = [];
  let start = -1;
  for (let t = 0; t < active.length; t++) {
    const used = keep.some((b) => active.mask[b * active.length + t] === 1n);
    if (used && start < 0) start = t;
    if (!used && start >= 0) {
      runs.push([start, t]);
      start = -1;
    }
  }
  if (start >= 0) runs.push([start, active.length]);
  return runs;
}

function mergeActive(a: Active, b: Active): Active {
  const length = Math.max(a.length, b.length);
  const mask = new BigInt64Array((a.rows.length + b.rows.length) * length);
  mask.set(padMask(a.mask, a.rows.length, a.length, length), 0);
  mask.set(padMask(b.mask, b.rows.length, b.length, length), a.rows.length * length);
  return { rows: [...a.rows, ...b.rows], cache: concatCaches(a.cache!, b.cache!), mask, length };
}

/** One decoding step for every active row; without a KV cache the whole sequence is fed again. */
async function decodeStep(decoder: Decoder, active: Active, advance: (rows: Row[], step: ForwardResult) => number[]): Promise<Active | undefined> {
  const n = active.rows.length;
  const length = active.length + 1;
  const mask = new BigInt64Array(n * length);
  for (let r = 0; r < n; r++) {
    mask.set(active.mask.subarray(r * active.length, (r + 1) * active.length), r * length);
    mask[r * length + active.length] = 1n;
  }
  let step: ForwardResult;
  if (decoder.hasCache) {
    const inputIds = BigInt64Array.from(active.rows, (r) => BigInt(r.generated.at(-1)!));
    step = await decoder.forward({ batch: n, seq: 1, inputIds, attentionMask: mask }, active.cache, 1, true);
  } else {
    // Rebuild each row's full sequence, padding kept where the mask has it.
    const inputIds = new BigInt64Array(n * length);
    active.rows.forEach((row, r) => {
      const tokens = [...row.ids, ...row.generated];
      inputIds.set(BigInt64Array.from(tokens, BigInt), r * length + (length - tokens.length));
    });
    step = await decoder.forward({ batch: n, seq: length, inputIds, attentionMask: mask }, undefined, 1, false);
  }
  const keep = advance(active.rows, step);
  if (keep.length === 0) return undefined;
  return selectActive({ rows: active.rows, cache: step.cache, mask, length }, keep);
}

/**
 * Several decoding steps in one run (the decoder's Loop picks each token by ArgMax and keeps the cache inside
 * ONNX Runtime); the tokens are then taken row by row, step by step, exactly as single steps would take them.
 */
async function decodeLoopSteps(decoder: Decoder, active: Active, take: (row: Row, next: number) => boolean, maxSteps: number): Promise<Active | undefined> {
  const n = active.rows.length;
  // No more steps than the row with the most tokens left can use.
  const steps = Math.max(1, Math.min(maxSteps, Math.max(...active.rows.map((r) => r.maxTokens - r.generated.length))));
  const length = active.length + steps;
  const mask = new BigInt64Array(n * (active.length + 1));
  const full = new BigInt64Array(n * length);
  for (let r = 0; r < n; r++) {
    const row = active.mask.subarray(r * active.length, (r + 1) * active.length);
    mask.set(row, r * (active.length + 1));
    mask[r * (active.length + 1) + active.length] = 1n;
    full.set(row, r * length);
    full.fill(1n, r * length + active.length, (r + 1) * length);
  }
  const inputIds = BigInt64Array.from(active.rows, (r) => BigInt(r.generated.at(-1)!));
  const { tokens, cache } = await decoder.decodeSteps({ batch: n, seq: 1, inputIds, attentionMask: mask }, active.cache!, steps);
  let going = active.rows.map((_, b) => b);
  for (let k = 0; k < steps && going.length > 0; k++) going = going.filter((b) => take(active.rows[b]!, tokens[k]![b]!));
  if (going.length === 0) return undefined;
  return selectActive({ rows: active.rows, cache, mask: full, length }, going);
}
