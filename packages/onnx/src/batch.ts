import type { Decoder, ForwardBatch, KvCache } from './decoder.ts';
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
 * Share of a scoring batch's computed positions that may be padding: none. On CPU a batch saves little beyond the
 * per-call set-up (a question's remainder after its exemplars is already a matrix of a hundred-odd rows), while a
 * padded position costs what a real one does and every new batch shape grows ONNX Runtime's arena. On 5-shot MMLU
 * with a small model, batch 8 was ~15% slower than batch 1 at the admission bound (a fifth), and still ~10% slower
 * in a fresh `sciboard score` process at 5%; rows of equal length share a call.
 */
export const MAX_SCORING_PADDING = 0;

/**
 * Rows sorted longest first, in forward passes of at most `batchSize` rows whose padding stays within
 * `maxPadding` (as `paddingGroups`): a short question batched beside a long one would be computed at the long
 * one's length, so a larger batch size would cost more positions rather than fewer calls.
 */
export function scoringBatches<T>(rows: T[], length: (row: T) => number, batchSize: number, maxPadding = MAX_SCORING_PADDING): T[][] {
  const out: T[][] = [];
  let at = 0;
  for (const size of paddingGroups(rows.map(length), maxPadding)) {
    for (let i = 0; i < size; i += batchSize) out.push(rows.slice(at + i, at + Math.min(size, i + batchSize)));
    at += size;
  }
  return out;
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
}
