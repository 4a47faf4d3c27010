import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { paddingGroups, rightPadded } from './batch.ts';
import {
  cpuScoringCost,
  FITTED_SHAPE,
  positionWork,
  SCORING_COST_CUDA,
  SCORING_LENGTH_STEP,
  scoringBatchCost,
  scoringBatches,
  scoringLength,
  type ScoringCostModel,
  type ScoringShape,
} from './scoring-cost.ts';

const CPU = cpuScoringCost(FITTED_SHAPE);
/** The Qwen2.5-0.5B shape: attention is a small part of a position's work. */
const QWEN_0_5B: ScoringShape = { hidden: 896, heads: 14, kvHeads: 2, headDim: 64, intermediate: 4864 };

describe('admission groups of similar prompt length', () => {
  it('starts a new group when padding would exceed a fifth of the padded positions', () => {
    // The remainders of 16 GSM8K 8-shot prompts after their shared exemplars, longest first.
    const lengths = [113, 106, 96, 71, 69, 66, 66, 62, 62, 59, 59, 58, 54, 44, 37, 28];
    const groups = paddingGroups(lengths);
    expect(groups).toEqual([5, 11]);
    let at = 0;
    for (const size of groups) {
      const group = lengths.slice(at, (at += size));
      const padded = group.length * group[0]!;
      const real = group.reduce((a, b) => a + b, 0);
      expect(padded - real).toBeLessThanOrEqual(0.2 * padded);
    }
  });

  it('keeps equal lengths together and handles the edges', () => {
    expect(paddingGroups([40, 40, 40, 40])).toEqual([4]);
    expect(paddingGroups([100, 10])).toEqual([1, 1]);
    expect(paddingGroups([7])).toEqual([1]);
    expect(paddingGroups([])).toEqual([]);
    expect(paddingGroups([100, 10], 1)).toEqual([2]);
  });
});

describe('scoring batches', () => {
  // Question remainders after a subject's 5-shot exemplars, longest first.
  const lengths = [231, 230, 229, 214, 205, 177, 169, 147, 129, 109, 106, 87, 87, 87, 87];
  

  const total = (batches: number[][], past = 0, model: ScoringCostModel = CPU) =>
    batches.reduce((c, b) => c + scoringBatchCost(b, past, model), 0);

  /** Every way of cutting `lengths` into consecutive batches of at most `size` rows. */
  function* partitions(lengths: number[], size: number): Generator<number[][]> {
    if (lengths.length === 0) return yield [];
    for (let k = 1; k <= Math.min(size, lengths.length); k++) {
      for (const rest of partitions(lengths.slice(k), size)) yield [lengths.slice(0, k), ...rest];
    }
  }

  it('keeps the rows in order, within the batch size, one call per row at batch size 1', () => {
    for (const size of [1, 2, 8, 32]) {
      const batches = scoringBatches(lengths, (n) => n, size, 0, CPU);
      expect(batches.flat()).toEqual(lengths);
      expect(batches.every((b) => b.length >= 1 && b.length <= size)).toBe(true);
    }
    expect(scoringBatches(lengths, (n) => n, 1, 0, CPU)).toHaveLength(lengths.length);
    expect(scoringBatches([], (n: number) => n, 8, 0, CPU)).toEqual([]);
  });

  it('picks the cheapest consecutive batches under the cost model (checked against every partition)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 1, max: 300 }), { minLength: 1, maxLength: 9 }),
        fc.integer({ min: 1, max: 5 }),
        fc.integer({ min: 0, max: 1000 }),
        fc.boolean(),
        (raw, size, past, gpu) => {
          const model = gpu ? SCORING_COST_CUDA : CPU;
          const sorted = [...raw].sort((a, b) => b - a);
          const chosen = total(scoringBatches(sorted, (n) => n, size, past, model), past, model);
          let least = Infinity;
          for (const p of partitions(sorted, size)) least = Math.min(least, total(p, past, model));
          expect(chosen).toBeCloseTo(least, 9);
        },
      ),
      { numRuns: 150, seed: 7 },
    );
  });

  it('batches rows after a short cache where it pays, and keeps a short row out of a long one', () => {
    expect(scoringBatches(Array<number>(16).fill(96), (n) => n, 8, 0, CPU).map((b) => b.length)).toEqual([8, 8]);
    expect(scoringBatches(Array<number>(16).fill(96), (n) => n, 32, 0, CPU).map((b) => b.length)).toEqual([16]);
    expect(scoringBatches([231, 41], (n) => n, 8, 0, CPU)).toEqual([[231], [41]]);
    // On a subject's spread of lengths a larger batch size never costs more than batch size 1, and here less.
    const one = total(scoringBatches(lengths, (n) => n, 1, 0, CPU));
    const eight = total(scoringBatches(lengths, (n) => n, 8, 0, CPU));
    expect(eight).toBeLessThan(one);
    expect(total(scoringBatches(lengths, (n) => n, 32, 0, CPU))).toBeLessThanOrEqual(eight);
    const batches = scoringBatches(lengths, (n) => n, 8, 0, CPU);
    expect(batches.length).toBeLessThan(lengths.length);
    expect(batches.some((b) => new Set(b).size > 1)).toBe(true);
    // Where a batch saves nothing (no gain per row, no call cost), rows of equal computed length could share a call
    // but gain nothing by it: every row is its own call.
    const flat: ScoringCostModel = { callPositions: 0, positionShare: () => 1 };
    expect(scoringBatches(lengths, (n) => n, 8, 0, flat)).toHaveLength(lengths.length);
  });

  it('on CPU, batches rows after a long few-shot prefix only where the model shape says the batch still pays', () => {
    // The shape the shares were fitted on: attention ~7% of a position's work after 16 cached positions, ~44% after 750.
    const share = (shape: ScoringShape, keys: number) => {
      const w = positionWork(shape, keys);
      return w.attention / (w.projections + w.attention);
    };
    expect(share(FITTED_SHAPE, 16 + 64)).toBeCloseTo(0.072, 2);
    expect(share(FITTED_SHAPE, 750 + 64)).toBeCloseTo(0.441, 2);
    // Measured on that shape: a batch of 8 at 0.64 of its rows alone after 16 cached positions, 1.0–1.19 after 750.
    expect(CPU.positionShare(8, 16, 128)).toBeCloseTo(0.64, 1);
    expect(CPU.positionShare(8, 750, 128)).toBeGreaterThan(1);
    expect(CPU.positionShare(8, 750, 128)).toBeLessThan(1.19);
    expect(CPU.positionShare(1, 750, 128)).toBe(1);
    // A subject's spread of lengths after a 5-shot prefix: no row is padded to another's length; only rows of one
    // length share a call, for the call it saves.
    for (const size of [8, 32]) {
      const batches = scoringBatches(lengths, (n) => n, size, 780, CPU);
      expect(batches.every((b) => new Set(b).size === 1)).toBe(true);
      expect(batches.filter((b) => b.length > 1)).toEqual([[87, 87, 87, 87]]);
    }
    // With no prefix the same rows share calls.
    expect(scoringBatches(lengths, (n) => n, 8, 0, CPU).length).toBeLessThan(lengths.length);
    // The 0.5B shape, whose attention is a small part of its work, still batches after the prefix.
    const qwen = cpuScoringCost(QWEN_0_5B);
    expect(share(QWEN_0_5B, 780)).toBeLessThan(0.1);
    expect(qwen.positionShare(8, 780, 128)).toBeLessThan(0.7);
    expect(scoringBatches(Array<number>(8).fill(128), (n) => n, 8, 780, qwen)).toHaveLength(1);
    // On a GPU rows batch whatever the cache.
    expect(scoringBatches(Array<number>(8).fill(128), (n) => n, 8, 750, SCORING_COST_CUDA)).toHaveLength(1);
  });

  it('computes a batch of several rows at a bucketed length, a single row at its own', () => {
    expect(SCORING_LENGTH_STEP).toBe(8);
    expect(scoringLength(231, 4)).toBe(232);
    expect(scoringLength(232, 2)).toBe(232);
    expect(scoringLength(231, 1)).toBe(231);
    // Every shape a batch is computed at: a multiple of the step (and so few distinct ones), or one row's own length.
    for (const b of scoringBatches(lengths, (n) => n, 8, 0, CPU)) {
      const seq = scoringLength(b[0]!, b.length);
      expect(seq).toBeGreaterThanOrEqual(b[0]!);
      if (b.length > 1) expect(seq % SCORING_LENGTH_STEP).toBe(0);
      else expect(seq).toBe(b[0]);
    }
  });

  it('right-pads rows after their own tokens, the mask covering the prefix and the real tokens only', () => {
    const batch = rightPadded([[5, 6, 7], [8]], 2, 4);
    expect(batch.batch).toBe(2);
    expect(batch.seq).toBe(4);
    expect([...batch.inputIds].map(Number)).toEqual([5, 6, 7, 0, 8, 0, 0, 0]);
    expect([...batch.attentionMask].map(Number)).toEqual([1, 1, 1, 1, 1, 0, 1, 1, 1, 0, 0, 0]);
    expect(() => rightPadded([[1, 2, 3]], 0, 2)).toThrow(/does not fit/);
  });
});
