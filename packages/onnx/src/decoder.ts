import ort from 'onnxruntime-node';
import type { DecoderLayout } from './session.ts';
import type { KvCache } from './kv-cache.ts';
import { DECODE_TOKENS_OUTPUT } from './loop.ts';
import { halvesToFloats } from './float16.ts';

export type { KvCache };

export interface ForwardBatch {
  batch: number;
  seq: number;
  /** [batch, seq] token ids, left-padded. */
  inputIds: BigInt64Array;
  /** [batch, past + seq]: 1 for real tokens (past and new), 0 for padding. */
  attentionMask: BigInt64Array;
}

export interface ForwardResult {
  /** [batch, keep, vocab] logits of the last `keep` positions, as float32. */
  logits: Float32Array;
  keep: number;
  vocab: number;
  cache?: KvCache;
}

/**
 * Positions count real tokens only, so a left-padded row sees the same positions as the unpadded one
 * (pads get 1, as transformers does; they are masked out anyway).
 */
export function positionsFor(attentionMask: BigInt64Array, batch: number, total: number, seq: number): BigInt64Array {
  const out = new BigInt64Array(batch * seq);
  for (let b = 0; b < batch; b++) {
    let count = 0n;
    for (let t = 0; t < total; t++) {
      const real = attentionMask[b * total + t] === 1n;
      if (real) count++;
      const s = t - (total - seq);
      if (s >= 0) out[b * seq + s] = real ? count - 1n : 1n;
    }
  }
  return out;
}

export class Decoder {
  constructor(
    private readonly session: ort.InferenceSession,
    readonly layout: DecoderLayout,
  ) {}

  get hasCache(): boolean {
    return this.layout.pastKeys.length > 0;
  }

  private emptyCache(batch: number): KvCache {
    const { kvHeads, headDim, cacheType } = this.layout;
    const make = () =>
      new ort.Tensor(cacheType, cacheType === 'float16' ? new Uint16Array(0) : new Float32Array(0), [batch, kvHeads, 0, headDim]);
    return { keys: this.layout.pastKeys.map(make), values: this.layout.pastValues.map(make), length: 0, batch };
  }

  /** One forward pass. `keep` trailing positions' logits come back; with `wantCache` also the new KV cache. */
  /** The graph's inputs for one call: tokens, mask, positions (real tokens only), cache, logits kept, steps. */
  private feeds(input: ForwardBatch, cache: KvCache, kept: number, steps: number): Record<string, ort.Tensor> {
    const { layout } = this;
    const total = input.attentionMask.length / input.batch;
    const feeds: Record<string, ort.Tensor> = {
      [layout.inputIds]: new ort.Tensor('int64', input.inputIds, [input.batch, input.seq]),
      [layout.attentionMask]: new ort.Tensor('int64', input.attentionMask, [input.batch, total]),
    };
    if (layout.positionIds) {
      feeds[layout.positionIds] = new ort.Tensor('int64', positionsFor(input.attentionMask, input.batch, total, input.seq), [input.batch, input.seq]);
    }
    if (layout.useCacheBranch) feeds[layout.useCacheBranch] = new ort.Tensor('bool', [cache.length > 0], [1]);
    if (layout.logitsKeep) feeds[layout.logitsKeep] = new ort.Tensor('int64', BigInt64Array.of(BigInt(kept)), [1]);
    if (layout.decodeSteps) feeds[layout.decodeSteps] = new ort.Tensor('int64', BigInt64Array.of(BigInt(steps)), []);
    layout.pastKeys.forEach((name, i) => (feeds[name] = cache.keys[i]!));
    layout.pastValues.forEach((name, i) => (feeds[name] = cache.values[i]!));
    return feeds;
  }

  async forward(input: ForwardBatch, past: KvCache | undefined, keep: number, wantCache: boolean): Promise<ForwardResult> {
    const { layout } = this;
    const total = input.attentionMask.length / input.batch;
    const feeds = this.feeds(input, past ?? this.emptyCache(input.batch), layout.logitsKeep ? Math.min(keep, input.seq) : input.seq, 1);
    const fetches = ['logits', ...(wantCache ? [...layout.presentKeys, ...layout.presentValues] : [])];
    const out = await this.session.run(feeds, fetches);
    const logitsTensor = out.logits!;
    const [, positions, vocab] = logitsTensor.dims as number[];
    let logits =
      layout.logitsType === 'float16' ? halvesToFloats(logitsTensor.data as Uint16Array) : (logitsTensor.data as Float32Array);
    if (positions !== undefined && positions > keep) logits = lastPositions(logits, input.batch, positions, vocab!, keep);
    const result: ForwardResult = { logits, keep: Math.min(keep, positions ?? keep), vocab: vocab! };
    if (wantCache) {
      result.cache = {
        keys: layout.presentKeys.map((n) => out[n]!),
        values: layout.presentValues.map((n) => out[n]!),
        length: total,
        batch: input.batch,
      };
    }
    return result;
  }

  /** Whether `decodeSteps` can run several greedy steps in one call (the graph has the decode loop). */
  get hasDecodeLoop(): boolean {
    return this.layout.decodeSteps !== undefined && this.hasCache;
  }

  /**
   * `steps` greedy decoding steps in one run: `input` holds each row's last token ([batch, 1]) and the mask over
   * cache + that token. Returns the token chosen at every step, `[steps][batch]`, and the cache after the last
   * step has been fed (the last chosen token is not in it yet, as after `forward`).
   */
  async decodeSteps(input: ForwardBatch, past: KvCache, steps: number): Promise<{ tokens: number[][]; cache: KvCache }> {
    const { layout } = this;
    if (!layout.decodeSteps) throw new Error('decodeSteps: the graph has no decode loop');
    if (input.seq !== 1) throw new Error(`decodeSteps: expected one token per row, got ${input.seq}`);
    const total = input.attentionMask.length / input.batch;
    const out = await this.session.run(this.feeds(input, past, 1, steps), [DECODE_TOKENS_OUTPUT, ...layout.presentKeys, ...layout.presentValues]);
    const ids = out[DECODE_TOKENS_OUTPUT]!.data as BigInt64Array;
    const tokens = Array.from({ length: steps }, (_, k) => Array.from(ids.subarray(k * input.batch, (k + 1) * input.batch), Number));
    return {
      tokens,
      cache: {
        keys: layout.presentKeys.map((n) => out[n]!),
        values: layout.presentValues.map((n) => out[n]!),
        length: total + steps - 1,
        batch: input.batch,
      },
    };
  }

  async release(): Promise<void> {
    await this.session.release();
  }
}

/** Without the graph-side slice (an unusual head), cut the full logits down to the positions that are scored. */
function lastPositions(logits: Float32Array, batch: number, positions: number, vocab: number, keep: number): Float32Array {
  const out = new Float32Array(batch * keep * vocab);
  for (let b = 0; b < batch; b++) {
    const from = (b * positions + positions - keep) * vocab;
    out.set(logits.subarray(from, from + keep * vocab), b * keep * vocab);
  }
  return out;
}

export { selectCacheRows, tileCache, concatCaches } from './kv-cache.ts';
