import type { Decoder, ForwardBatch, KvCache } from './decoder.ts';
import { tileCache } from './kv-cache.ts';

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
 * The KV cache of a prefix every request shares (a task's fixed few-shot exemplars), computed once.
 * `limit` caps the prefix so that every row keeps at least the positions it must score.
 */
export class SharedPrefix {
  private constructor(
    readonly tokens: number[],
    private readonly cache: KvCache,
  ) {}

  static async compute(decoder: Decoder, seqs: number[][], limit: number): Promise<SharedPrefix | undefined> {
    if (!decoder.hasCache || seqs.length < 2) return undefined;
    const length = Math.min(commonPrefixLength(seqs), limit);
    if (length < MIN_SHARED_PREFIX) return undefined;
    const tokens = seqs[0]!.slice(0, length);
    const { cache } = await decoder.forward(leftPadded([tokens]), undefined, 1, true);
    return new SharedPrefix(tokens, cache!);
  }

  get length(): number {
    return this.tokens.length;
  }

  cacheFor(batch: number): KvCache {
    return batch === 1 ? this.cache : tileCache(this.cache, batch);
  }
}
