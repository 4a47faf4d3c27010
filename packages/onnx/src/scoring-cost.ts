/**
 * How scoring rows are cut into forward passes. Rows of one cluster follow the same cached prefix; a pass of n rows
 * is computed at its longest row's length, so a batch saves what larger matrices and fewer calls save and costs its
 * padding. Whether that pays depends on the model's shape and the cache's length (measured: see
 * packages/onnx/README.md, "Batch size, by cost", and benchmarks/scoring-batch-cost.mts), so the cut is chosen by
 * a cost model rather than a fixed padding bound.
 */

/**
 * What a scoring forward pass costs, in positions of one row computed alone: the call's fixed part, and each
 * computed position (padding included: on CPU a padded position costs what a real one does) at a share that
 * depends on the rows in the pass, the cache they follow and their length.
 */
export interface ScoringCostModel {
  /** One call's fixed cost (feeds, positions, the call into ONNX Runtime), in positions. */
  callPositions: number;
  /** The cost of a position in a pass of `rows` rows of `length` tokens after `past` cached positions, relative to one row alone. */
  positionShare(rows: number, past: number, length: number): number;
}

/** A decoder's per-layer shape: enough to split a position's work into projections and attention. */
export interface ScoringShape {
  hidden: number;
  heads: number;
  kvHeads: number;
  headDim: number;
  intermediate: number;
}

/** Piecewise-linear in the number of rows, flat beyond the last point. */
function curve(points: [number, number][], rows: number): number {
  if (rows <= points[0]![0]) return points[0]![1];
  for (let i = 1; i < points.length; i++) {
    const [r1, v1] = points[i]!;
    const [r0, v0] = points[i - 1]!;
    if (rows <= r1) return v0 + ((v1 - v0) * (rows - r0)) / (r1 - r0);
  }
  return points[points.length - 1]![1];
}

/** Per row, what the projections (and the rest of a layer outside attention) cost in a pass of n rows on CPU. */
const CPU_PROJECTION_SHARE: [number, number][] = [
  [1, 1],
  [2, 0.77],
  [4, 0.68],
  [8, 0.56],
];

/** Per row, what attention over the cache costs in a pass of n rows on CPU: more than alone (see below). */
const CPU_ATTENTION_SHARE: [number, number][] = [
  [1, 1],
  [2, 1.45],
  [4, 1.47],
  [8, 1.72],
];

/** Multiply-adds of one position in one layer: the projections and MLP, and attention over `keys` keys. */
export function positionWork(shape: ScoringShape, keys: number): { projections: number; attention: number } {
  const { hidden, heads, kvHeads, headDim, intermediate } = shape;
  const projections = 2 * hidden * heads * headDim + 2 * hidden * kvHeads * headDim + 3 * hidden * intermediate;
  return { projections, attention: 2 * heads * headDim * keys };
}

/**
 * CPU. A position's work is split by the model's shape into projections and attention (attention over the cache
 * and the row's own earlier tokens, on average `past + length / 2` keys), each with its own per-row share in a
 * batch. Fitted to the engine's scoring passes with two intra-op threads on an 8-layer, hidden-512, 4-head model
 * (head dimension 128, so attention is ~7% of a position's work after 16 cached positions and ~44% after 750): the
 * projections' share falls with the rows (0.77 at 2, 0.56 at 8), attention's rises (1.45 at 2, 1.72 at 8: the
 * batch's score tensors no longer fit the caches a single row's do). Fitted to rows of 128 tokens after 16 cached
 * positions (a batch of 8 at 0.64 of its rows alone) and to the mean over rows of 64, 128 and 160 tokens after 750
 * (1.07 at 2 rows, 1.03 at 4, 1.07 at 8); it under-estimates the gain in between (0.63–0.76 measured after 200–400
 * cached positions, ~0.85 modelled). A model whose attention is a small part of its work (the 0.5B shape: 14
 * heads of 64 over hidden 896 and an MLP of 4,864) keeps most of the projections' gain after a 5-shot prefix. A
 * call's fixed part (~3 ms at ~0.25 ms per position) is worth ~12 positions.
 */
export function cpuScoringCost(shape: ScoringShape): ScoringCostModel {
  return {
    callPositions: 12,
    positionShare: (rows, past, length) => {
      if (rows <= 1) return 1;
      const { projections, attention } = positionWork(shape, past + length / 2);
      const a = attention / (projections + attention);
      return (1 - a) * curve(CPU_PROJECTION_SHARE, rows) + a * curve(CPU_ATTENTION_SHARE, rows);
    },
  };
}

/** The shape of `sciboard tiny-model --layers 8 --hidden 512`, the model the CPU shares were fitted on; used when a checkpoint's config does not give its shape. */
export const FITTED_SHAPE: ScoringShape = { hidden: 512, heads: 4, kvHeads: 2, headDim: 128, intermediate: 176 };

/**
 * CUDA (not measured on this project's machines, which have no GPU): a GPU computes a batch's rows side by side,
 * so a position in a batch of n rows is assumed to cost about half of one alone plus its own share, and a call's
 * fixed part (kernel launches, the host round trip) more positions than on CPU.
 */
export const SCORING_COST_CUDA: ScoringCostModel = {
  callPositions: 32,
  positionShare: (rows) => 0.5 + 0.5 / Math.max(1, rows),
};

/**
 * A scoring batch of several rows is computed at its longest row's length rounded up to a multiple of this, so a
 * long evaluation meets fewer distinct input shapes. A single row is computed at its own length, as batch size 1
 * computes it. On 5-shot MMLU with the small model a step of 16 cost more in padding than it saved (batch 8 at
 * ~0.94x batch 1, against 1.03x at 8 and 0.98-1.05x at 1, paired rounds under load).
 */
export const SCORING_LENGTH_STEP = 8;

/** The length a scoring batch of `rows` rows whose longest row has `longest` tokens is computed at. */
export function scoringLength(longest: number, rows: number, step = SCORING_LENGTH_STEP): number {
  return rows > 1 ? Math.ceil(longest / step) * step : longest;
}

/** The modelled cost of one pass of `rows` rows whose longest has `longest` tokens, after `past` cached positions. */
function passCost(rows: number, longest: number, past: number, model: ScoringCostModel, step: number): number {
  const seq = scoringLength(longest, rows, step);
  return model.callPositions + rows * seq * model.positionShare(rows, past, seq);
}

/** The modelled cost of one pass over rows of these lengths after `past` cached positions. */
export function scoringBatchCost(lengths: number[], past: number, model: ScoringCostModel, step = SCORING_LENGTH_STEP): number {
  return passCost(lengths.length, Math.max(...lengths), past, model, step);
}

/**
 * Rows sorted longest first, each after `past` cached positions (the shared prefix), in consecutive forward passes
 * of at most `batchSize` rows, split where the cost model says: of all ways to cut the sorted rows into
 * consecutive passes, the one of least modelled cost (a dynamic programme over the cut points, rows × batch size
 * steps). Rows of equal length share passes where batching pays; a short question is not batched beside a long one
 * unless what the batch saves exceeds the padding it costs; with batch size 1, or where no batch pays, every row is
 * its own call, as batch size 1 makes it.
 */
export function scoringBatches<T>(
  rows: T[],
  length: (row: T) => number,
  batchSize: number,
  past: number,
  model: ScoringCostModel,
  step = SCORING_LENGTH_STEP,
): T[][] {
  const n = rows.length;
  const lengths = rows.map(length);
  const limit = Math.max(1, Math.floor(batchSize));
  // best[i]: least cost of the first i rows; take[i]: the size of the last pass in it.
  const best = new Float64Array(n + 1).fill(Infinity);
  const take = new Int32Array(n + 1);
  best[0] = 0;
  for (let i = 1; i <= n; i++) {
    let longest = 0;
    for (let k = 1; k <= Math.min(limit, i); k++) {
      longest = Math.max(longest, lengths[i - k]!);
      const cost = best[i - k]! + passCost(k, longest, past, model, step);
      if (cost < best[i]!) {
        best[i] = cost;
        take[i] = k;
      }
    }
  }
  const out: T[][] = [];
  for (let i = n; i > 0; i -= take[i]!) out.push(rows.slice(i - take[i]!, i));
  return out.reverse();
}
