import type { Decoder, ForwardBatch, KvCache } from './decoder.ts';
import ort from 'onnxruntime-node';
import { cacheBytes, leadingRows, tileCache, truncateCache } from './kv-cache.ts';

/**
 * Rows left-padded to one length. With a shared prefix already in the KV cache, the padding sits between the
 * prefix and each row's own tokens; positions count real tokens only, so every row sees what it would alone.
 */
export function leftPadded(rows: number[][], prefixLength = 0): ForwardBatch {
  const seq = Math.max(...rows.map((r) => r.length));
  const total = prefixLength + seq;
  const inputIds = new BigInt64Array(rows.length * seq);
  const attentionMask = new BigInt64Array(rows.length * total);
  rows.forEach((row, b) => {
    attentionMask.fill(1n, b * total, b * total + prefixLength);
    const pad = seq - row.length;
    row.forEach((t, i) => {
      inputIds[b * seq + pad + i] = BigInt(t);
      attentionMask[b * total + prefixLength + pad + i] = 1n;
    });
  });
  return { batch: rows.length, seq, inputIds, attentionMask };
}

/**
 * Splits rows sorted longest first into consecutive groups whose left padding stays within `maxPadding` of each
 * group's padded size, so a prompt of 30 tokens is not computed as 110 because it was admitted beside a long one.
 * Returns the group sizes, in order.
 */
export function paddingGroups(lengths: number[], maxPadding = MAX_ADMISSION_PADDING): number[] {
  const sizes: number[] = [];
  let start = 0;
  while (start < lengths.length) {
    const longest = lengths[start]!;
    let real = longest;
    let end = start + 1;
    while (end < lengths.length) {
      const n = end - start + 1;
      if (n * longest - (real + lengths[end]!) > maxPadding * n * longest) break;
      real += lengths[end]!;
      end++;
    }
    sizes.push(end - start);
    start = end;
  }
  return sizes;
}

/** Share of an admission group's computed prompt positions that may be padding (see `paddingGroups`). */
export const MAX_ADMISSION_PADDING = 0.2;

/**
 * Rows right-padded to `seq` positions: each row's own tokens first, padding after them. With a shared prefix
 * already in the KV cache, the mask is 1 over the prefix and the row's tokens and 0 over the trailing padding.
 * Attention is causal, so no real position attends to the padding after it: every real position's logits are
 * those of the row alone, with the prefix's positions and the row's in one unbroken run (no hole in the mask).
 * Only the padded positions' outputs are meaningless, and they are not read.
 */
export function rightPadded(rows: number[][], prefixLength: number, seq: number): ForwardBatch {
  const total = prefixLength + seq;
  const inputIds = new BigInt64Array(rows.length * seq);
  const attentionMask = new BigInt64Array(rows.length * total);
  rows.forEach((row, b) => {
    if (row.length > seq) throw new Error(`rightPadded: a row of ${row.length} tokens does not fit ${seq} positions`);
    attentionMask.fill(1n, b * total, b * total + prefixLength + row.length);
    row.forEach((t, i) => (inputIds[b * seq + i] = BigInt(t)));
  });
  return { batch: rows.length, seq, inputIds, attentionMask };
}

export function commonPrefixLength(seqs: number[][]): number {
  if (seqs.length === 0) return 0;
  const first = seqs[0]!;
  let n = first.length;
  for (const s of seqs) {
    let i = 0;
    while (i < n && i < s.length && s[i] === first[i]) i++;
    n = i;
  }
  return n;
}

/** Below this many shared tokens a separate prefix pass is not worth its overhead. */
export const MIN_SHARED_PREFIX = 16;

/**
 * The KV cache of a prefix every request shares (a task's fixed few-shot exemplars), computed once and kept
 * across calls: an evaluation asks for a task's items in chunks, and every chunk starts with the same exemplars.
 * `limit` caps the prefix so that every row keeps at least the positions it must score.
 */
export class SharedPrefix {
  /** The prefix's cache repeated for the most rows a batch has asked for; smaller batches get views of its first rows. */
  private tiled: KvCache | undefined;

  private constructor(
    readonly tokens: number[],
    private readonly cache: KvCache,
  ) {}

  /**
   * `alone`: a single row gets its prefix (up to `limit`) computed and kept too. Scoring asks for this: a call
   * whose requests fold into one row (one question, its choices scored inside one input) costs one more run but
   * the same positions, and the next call, the task's next question, finds the exemplars kept.
   */
  static async compute(decoder: Decoder, seqs: number[][], limit: number, alone = false): Promise<SharedPrefix | undefined> {
    if (!decoder.hasCache || seqs.length === 0) return undefined;
    const store = prefixStore(decoder);
    const common = Math.min(commonPrefixLength(seqs), limit);
    // A prefix kept from an earlier call, cut to what this call's rows all start with.
    const match = store.longestMatch(seqs[0]!, common);
    const kept = match && match.length >= MIN_SHARED_PREFIX ? match : undefined;
    const single = seqs.length < 2 && !alone;
    if (kept && (kept.length === common || single)) {
      store.stats.reusedTokens += kept.length;
      if (kept.length === kept.entry.length) return store.add(kept.entry);
      // The earlier call's rows shared a few tokens past the exemplars: keep the cut too, so later chunks find it whole.
      return store.add(new SharedPrefix(kept.entry.tokens.slice(0, kept.length), truncateCache(kept.entry.cache, kept.length)));
    }
    if (single || common < MIN_SHARED_PREFIX) return undefined;
    // This call's rows share more than any kept prefix: compute the rest on top of the longest one.
    const from = kept?.length ?? 0;
    const tokens = seqs[0]!.slice(0, common);
    const past = kept ? truncateCache(kept.entry.cache, from) : undefined;
    const { cache } = await decoder.forward(leftPadded([tokens.slice(from)], from), past, 1, true);
    store.stats.reusedTokens += from;
    store.stats.computedTokens += common - from;
    return store.add(new SharedPrefix(tokens, cache!));
  }

  get length(): number {
    return this.tokens.length;
  }

  get bytes(): number {
    return cacheBytes(this.cache);
  }

  /**
   * The prefix's cache for `batch` rows. ONNX Runtime reads inputs in place, so the repeated rows are built once
   * and every later batch of the call (and of later calls meeting this prefix) is fed the same memory, not a new
   * copy of the prefix per row per batch.
   */
  cacheFor(batch: number): KvCache {
    if (batch === 1) return this.cache;
    if (!this.tiled || this.tiled.batch < batch) this.tiled = tileCache(this.cache, batch);
    return leadingRows(this.tiled, batch);
  }

  /** Frees the repeated rows (the prefix stays kept). */
  dropTiles(): void {
    this.tiled = undefined;
  }

  /**
   * The prefix's cache for `batch` rows, for one forward pass: `release` it once the pass has returned. Scoring
   * asks for this rather than `cacheFor`: the repeated rows are written into memory the decoder keeps for the
   * purpose (see `TileSlot`), so a new prefix costs a copy into warm memory, not fresh pages.
   */
  lease(decoder: Decoder, batch: number): { cache: KvCache; release: () => void } {
    if (batch === 1) return { cache: this.cache, release: () => {} };
    return tileSlot(decoder).lease(this.cache, batch);
  }
}

type CacheArray = Float32Array | Uint16Array;

/**
 * Memory a decoder keeps for the repeated rows of one shared prefix, reused from prefix to prefix and call to
 * call. Repeating a 5-shot prefix of ~800 tokens for 10 rows of an 8-layer model writes 130 MB; in fresh memory
 * that cost 130–530 ms here (first touch of new pages, slower still with huge pages), more than the batch saved,
 * while a copy into memory touched before costs a few milliseconds. ONNX Runtime reads inputs in place, so the
 * memory is leased for one pass at a time; a pass asking while another holds it (concurrent calls on one model)
 * gets a fresh copy instead.
 */
class TileSlot {
  private arrays: CacheArray[] = [];
  private source: KvCache | undefined;
  private rows = 0;
  private leases = 0;

  lease(cache: KvCache, batch: number): { cache: KvCache; release: () => void } {
    if (this.source !== cache || this.rows < batch) {
      if (this.leases > 0) return { cache: tileCache(cache, batch), release: () => {} };
      this.fill(cache, batch);
    }
    this.leases++;
    let released = false;
    const release = () => {
      if (!released) this.leases--;
      released = true;
    };
    return { cache: this.view(cache, batch), release };
  }

  /** Forgets which prefix the memory holds (the memory stays for the next one). */
  forget(): void {
    if (this.leases === 0) this.source = undefined;
  }

  private fill(cache: KvCache, batch: number): void {
    const tensors = [...cache.keys, ...cache.values];
    tensors.forEach((t, i) => {
      const src = t.data as CacheArray;
      const need = src.length * batch;
      let dst = this.arrays[i];
      // Grown with headroom, so a slightly longer prefix or one more row does not mean fresh memory again.
      if (!dst || dst.length < need || dst.constructor !== src.constructor) {
        const size = Math.ceil(need * 1.25);
        dst = this.arrays[i] = src instanceof Uint16Array ? new Uint16Array(size) : new Float32Array(size);
      }
      for (let r = 0; r < batch; r++) dst.set(src, r * src.length);
    });
    this.arrays.length = tensors.length;
    this.source = cache;
    this.rows = batch;
  }

  private view(cache: KvCache, batch: number): KvCache {
    const layers = cache.keys.length;
    const f = (t: ort.Tensor, i: number): ort.Tensor => {
      const [, h, len, d] = t.dims as number[];
      const data = this.arrays[i]!.subarray(0, batch * (t.data as CacheArray).length);
      return new ort.Tensor(t.type as 'float32', data, [batch, h!, len!, d!]);
    };
    return {
      keys: cache.keys.map((t, i) => f(t, i)),
      values: cache.values.map((t, i) => f(t, layers + i)),
      length: cache.length,
      batch,
    };
  }
}

const tileSlots = new WeakMap<Decoder, TileSlot>();

function tileSlot(decoder: Decoder): TileSlot {
  let slot = tileSlots.get(decoder);
  if (!slot) tileSlots.set(decoder, (slot = new TileSlot()));
  return slot;
}

/** How many prefixes a decoder keeps, and how many bytes of cache at most (most recently used kept first). */
export const KEPT_PREFIXES = 4;
export const KEPT_PREFIX_BYTES = 512 * 2 ** 20;

/** Shared-prefix positions one decoder computed, and took from prefixes kept from earlier calls. */
export interface PrefixCacheStats {
  computedTokens: number;
  reusedTokens: number;
}

class PrefixStore {
  private entries: SharedPrefix[] = [];
  readonly stats: PrefixCacheStats = { computedTokens: 0, reusedTokens: 0 };

  /** The kept prefix sharing the most tokens with `seq` (up to `max` tokens), and how many it shares. */
  longestMatch(seq: number[], max: number): { entry: SharedPrefix; length: number } | undefined {
    let best: { entry: SharedPrefix; length: number } | undefined;
    for (const entry of this.entries) {
      const n = Math.min(entry.length, max);
      let i = 0;
      while (i < n && entry.tokens[i] === seq[i]) i++;
      if (!best || i > best.length) best = { entry, length: i };
    }
    return best;
  }

  /** Keeps `prefix` as the most recently used (it may be kept already), dropping the oldest beyond the bounds. */
  add(prefix: SharedPrefix): SharedPrefix {
    this.entries = [prefix, ...this.entries.filter((e) => e !== prefix)];
    // Only the prefix in use keeps its rows repeated for a batch.
    for (const e of this.entries.slice(1)) e.dropTiles();
    let bytes = 0;
    this.entries = this.entries.filter((e, i) => i < KEPT_PREFIXES && (bytes += e.bytes) <= KEPT_PREFIX_BYTES);
    return prefix;
  }

  clear(): void {
    this.entries = [];
  }
}

const stores = new WeakMap<Decoder, PrefixStore>();

function prefixStore(decoder: Decoder): PrefixStore {
  let store = stores.get(decoder);
  if (!store) stores.set(decoder, (store = new PrefixStore()));
  return store;
}

/** Shared-prefix positions a decoder computed and reused from earlier calls. */
export function prefixCacheStats(decoder: Decoder): PrefixCacheStats {
  return { ...prefixStore(decoder).stats };
}

/** Drops the prefixes a decoder keeps (their memory, and their head start for the next call). */
export function clearPrefixCache(decoder: Decoder): void {
  prefixStore(decoder).clear();
  tileSlots.get(decoder)?.forget();
}
