import ort from 'onnxruntime-node';

/** Per-layer past keys/values, each [batch, kvHeads, length, headDim], as ORT returned them. */
export interface KvCache {
  keys: ort.Tensor[];
  values: ort.Tensor[];
  length: number;
  batch: number;
}

type CacheArray = Float32Array | Uint16Array;

function dims(t: ort.Tensor): [number, number, number, number] {
  const [b, h, len, d] = t.dims as number[];
  return [b!, h!, len!, d!];
}

function alloc(like: ort.Tensor, size: number): CacheArray {
  return like.type === 'float16' ? new Uint16Array(size) : new Float32Array(size);
}

function mapCache(cache: KvCache, f: (t: ort.Tensor) => ort.Tensor, batch: number, length = cache.length): KvCache {
  return { keys: cache.keys.map(f), values: cache.values.map(f), length, batch };
}

/**
 * The cache of the first `length` positions. Attention is causal, so it is the cache of that shorter prefix:
 * no earlier position depends on a later one.
 */
export function truncateCache(cache: KvCache, length: number): KvCache {
  if (length === cache.length) return cache;
  return mapCache(
    cache,
    (t) => {
      const [b, h, len, d] = dims(t);
      const src = t.data as CacheArray;
      const dst = alloc(t, b * h * length * d);
      for (let r = 0; r < b * h; r++) dst.set(src.subarray(r * len * d, r * len * d + length * d), r * length * d);
      return new ort.Tensor(t.type as 'float32', dst, [b, h, length, d]);
    },
    cache.batch,
    length,
  );
}

/** Bytes held by a cache's tensors. */
export function cacheBytes(cache: KvCache): number {
  return [...cache.keys, ...cache.values].reduce((n, t) => n + (t.data as CacheArray).byteLength, 0);
}

/** Keeps only the given batch rows (rows that finished generating leave the batch). */
export function selectCacheRows(cache: KvCache, rows: number[]): KvCache {
  return mapCache(
    cache,
    (t) => {
      const [, h, len, d] = dims(t);
      const rowSize = h * len * d;
      const src = t.data as CacheArray;
      const dst = alloc(t, rows.length * rowSize);
      rows.forEach((r, i) => dst.set(src.subarray(r * rowSize, (r + 1) * rowSize), i * rowSize));
      return new ort.Tensor(t.type as 'float32', dst, [rows.length, h, len, d]);
    },
    rows.length,
  );
}

/**
 * Keeps the given batch rows and only the positions in `runs` (`[start, end)` ranges, in order): the columns no
 * kept row attends to (padding for every one of them) are dropped, so a batch that keeps taking new rows does not
 * carry ever more padding.
 */
export function selectCacheRowsAndPositions(cache: KvCache, rows: number[], runs: [number, number][]): KvCache {
  const length = runs.reduce((n, [a, b]) => n + b - a, 0);
  return mapCache(
    cache,
    (t) => {
      const [, h, len, d] = dims(t);
      const src = t.data as CacheArray;
      const dst = alloc(t, rows.length * h * length * d);
      let to = 0;
      for (const r of rows) {
        for (let k = 0; k < h; k++) {
          const base = (r * h + k) * len * d;
          for (const [a, b] of runs) {
            dst.set(src.subarray(base + a * d, base + b * d), to);
            to += (b - a) * d;
          }
        }
      }
      return new ort.Tensor(t.type as 'float32', dst, [rows.length, h, length, d]);
    },
    rows.length,
    length,
  );
}

/** The first `rows` batch rows of a cache, as views of its memory (no copy). */
export function leadingRows(cache: KvCache, rows: number): KvCache {
  if (rows === cache.batch) return cache;
  return mapCache(
    cache,
    (t) => {
      const [, h, len, d] = dims(t);
      return new ort.Tensor(t.type as 'float32', (t.data as CacheArray).subarray(0, rows * h * len * d), [rows, h, len, d]);
    },
    rows,
  );
}

/** Repeats a one-row cache (a shared few-shot prefix) for every row of a batch. */
export function tileCache(cache: KvCache, batch: number): KvCache {
  return selectCacheRows(cache, new Array<number>(batch).fill(0));
}

/**
 * Stacks two caches' rows, left-padding the shorter one along the sequence axis with zeros (its attention
 * mask gets zeros there too), so rows that joined a running batch later decode alongside it.
 */
export function concatCaches(a: KvCache, b: KvCache): KvCache {
  const length = Math.max(a.length, b.length);
  const merge = (ta: ort.Tensor, tb: ort.Tensor) => {
    const [ba, h, la, d] = dims(ta);
    const [bb, , lb] = dims(tb);
    const out = alloc(ta, (ba + bb) * h * length * d);
    const copy = (src: CacheArray, rows: number, len: number, rowOffset: number) => {
      for (let r = 0; r < rows; r++) {
        for (let k = 0; k < h; k++) {
          const from = (r * h + k) * len * d;
          const to = (((rowOffset + r) * h + k) * length + (length - len)) * d;
          out.set(src.subarray(from, from + len * d), to);
        }
      }
    };
    copy(ta.data as CacheArray, ba, la, 0);
    copy(tb.data as CacheArray, bb, lb, ba);
    return new ort.Tensor(ta.type as 'float32', out, [ba + bb, h, length, d]);
  };
  return {
    keys: a.keys.map((t, i) => merge(t, b.keys[i]!)),
    values: a.values.map((t, i) => merge(t, b.values[i]!)),
    length,
    batch: a.batch + b.batch,
  };
}

/** Left-pads a [batch, len] attention mask to `length` columns with zeros. */
export function padMask(mask: BigInt64Array, batch: number, len: number, length: number): BigInt64Array {
  if (len === length) return mask;
  const out = new BigInt64Array(batch * length);
  for (let r = 0; r < batch; r++) out.set(mask.subarray(r * len, (r + 1) * len), r * length + (length - len));
  return out;
}
