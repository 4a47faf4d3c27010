import { describe, expect, it } from 'vitest';
import { MAX_SCORING_PADDING, paddingGroups, rightPadded, SCORING_LENGTH_STEP, scoringBatches, scoringLength } from './batch.ts';

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
  const padding = (b: number[]) => b.length * scoringLength(b[0]!, b.length) - b.reduce((x, y) => x + y, 0);

  it('batches rows of similar length up to the batch size and never pads beyond the scoring bound', () => {
    for (const size of [1, 2, 8, 32]) {
      const batches = scoringBatches(lengths, (n) => n, size);
      expect(batches.flat()).toEqual(lengths);
      expect(batches.every((b) => b.length <= size)).toBe(true);
      for (const b of batches) expect(padding(b)).toBeLessThanOrEqual(MAX_SCORING_PADDING * b.length * scoringLength(b[0]!, b.length));
    }
    // Batch size 1 makes one call per row; a larger batch size fewer calls, rows of different lengths sharing one.
    expect(scoringBatches(lengths, (n) => n, 1)).toHaveLength(lengths.length);
    const eight = scoringBatches(lengths, (n) => n, 8);
    expect(eight.length).toBeLessThan(lengths.length / 2);
    expect(eight[0]).toEqual([231, 230, 229, 214, 205, 177]);
    expect(eight.some((b) => new Set(b).size > 1)).toBe(true);
    expect(eight.slice(-1)).toEqual([[87, 87, 87, 87]]);
    // The bound and the step can still be set: no padding and no rounding keep only rows of equal length together.
    expect(scoringBatches(lengths, (n) => n, 8, 0, 1).filter((b) => b.length > 1)).toEqual([[87, 87, 87, 87]]);
    expect(scoringBatches([], (n: number) => n, 8)).toEqual([]);
  });

  it('computes a batch of several rows at a bucketed length, a single row at its own', () => {
    expect(SCORING_LENGTH_STEP).toBe(8);
    expect(scoringLength(231, 4)).toBe(232);
    expect(scoringLength(232, 2)).toBe(232);
    expect(scoringLength(231, 1)).toBe(231);
    // Every shape a batch is computed at: a multiple of the step (and so few distinct ones), or one row's own length.
    for (const b of scoringBatches(lengths, (n) => n, 8)) {
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
