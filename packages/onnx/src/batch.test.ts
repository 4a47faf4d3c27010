import { describe, expect, it } from 'vitest';
import { paddingGroups } from './batch.ts';

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
