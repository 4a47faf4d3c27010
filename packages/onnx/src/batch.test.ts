import { describe, expect, it } from 'vitest';
import { MAX_SCORING_PADDING, paddingGroups, scoringBatches } from './batch.ts';

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
  it('batches rows of nearly equal length up to the batch size and never pads beyond the scoring bound', () => {
    // Question remainders after a subject's 5-shot exemplars, longest first.
    const lengths = [231, 230, 229, 214, 205, 177, 169, 147, 129, 109, 106, 87, 87, 87, 87];
    const batches = scoringBatches(lengths, (n) => n, 2, 0.05);
    expect(batches.flat()).toEqual(lengths);
    expect(batches.every((b) => b.length <= 2)).toBe(true);
    expect(batches[0]).toEqual([231, 230]);
    for (const b of batches) expect(b.length * b[0]! - b.reduce((x, y) => x + y, 0)).toBeLessThanOrEqual(0.05 * b.length * b[0]!);
    expect(scoringBatches(lengths, (n) => n, 8).slice(-1)).toEqual([[87, 87, 87, 87]]);
    // The default bound: only rows of equal length share a call.
    expect(MAX_SCORING_PADDING).toBe(0);
    expect(scoringBatches(lengths, (n) => n, 8).filter((b) => b.length > 1)).toEqual([[87, 87, 87, 87]]);
    expect(scoringBatches([], (n: number) => n, 8)).toEqual([]);
  });
});
