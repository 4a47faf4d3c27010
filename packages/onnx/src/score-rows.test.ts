import { describe, expect, it } from 'vitest';
import { prefixClusters } from './prefix-clusters.ts';
import { scoringRows } from './score-rows.ts';

describe('scoring rows', () => {
  it('scores an input that starts a longer one inside the longer row, at its own positions', () => {
    // " A" is one token (9) after the context [1, 2, 3]; " B" is a space (7) and a letter (8): its input is one longer.
    const rows = scoringRows(
      [
        { index: 0, input: [1, 2, 3], continuation: [9] },
        { index: 1, input: [1, 2, 3, 7], continuation: [7, 8] },
        { index: 2, input: [1, 2, 3], continuation: [10] },
        { index: 3, input: [1, 2, 4], continuation: [5] },
      ],
      true,
    );
    expect(rows).toHaveLength(2);
    const long = rows.find((r) => r.input.length === 4)!;
    expect(long.members.map((m) => m.index).sort()).toEqual([0, 1, 2]);
    // Member 1 needs the last two positions; members 0 and 2 the second to last: two positions kept.
    expect(long.keep).toBe(2);
    expect(long.members.find((m) => m.index === 0)!.end).toBe(3);
    const other = rows.find((r) => r.input[2] === 4)!;
    expect(other.members.map((m) => m.index)).toEqual([3]);
    expect(other.keep).toBe(1);
  });

  it('without grouping keeps one row per request', () => {
    const rows = scoringRows(
      [
        { index: 0, input: [1, 2, 3], continuation: [9] },
        { index: 1, input: [1, 2, 3], continuation: [10, 11] },
      ],
      false,
    );
    expect(rows.map((r) => [r.members[0]!.index, r.keep])).toEqual([
      [0, 1],
      [1, 2],
    ]);
  });
});

describe('prefix clusters', () => {
  const shots = (task: number, n: number) => Array.from({ length: n }, (_, i) => 100 * task + (i % 50));
  const header = [1, 2, 3, 4];

  it('splits rows of two tasks at the end of their shared header, each task keeping its exemplars', () => {
    const rows = [
      [...header, ...shots(1, 60), 7, 8],
      [...header, ...shots(2, 60), 9],
      [...header, ...shots(1, 60), 5],
      [...header, ...shots(2, 60), 6, 6],
      [...header, ...shots(1, 60), 4, 4, 4],
    ];
    const clusters = prefixClusters(rows, 16).map((c) => [...c].sort());
    expect(clusters.sort()).toEqual([
      [0, 2, 4],
      [1, 3],
    ]);
  });

  it('keeps one cluster when the parts would share only a few tokens more', () => {
    const rows = [
      [...header, ...shots(1, 40), 7, 8, 9],
      [...header, ...shots(1, 40), 7, 8, 1],
      [...header, ...shots(1, 40), 5, 5],
      [...header, ...shots(1, 40), 5, 6],
    ];
    expect(prefixClusters(rows, 16)).toHaveLength(1);
    expect(prefixClusters([], 16)).toEqual([]);
    expect(prefixClusters([[1, 2]], 16)).toEqual([[0]]);
  });
});
