import { describe, expect, it } from 'vitest';
import { boards } from '@sciboard/leaderboard';
import { PERCENT_TICKS, percentTick } from '../lib/chart-ticks.ts';
import { suiteHref } from '../lib/suite-link.ts';
import { allSuites, suitesByColumn } from '../lib/suites.ts';

describe('chart ticks', () => {
  it('prints round percentages, never floating-point noise', () => {
    expect(percentTick(86.46000000000001)).toBe('86.5%');
    expect(percentTick(80)).toBe('80%');
    expect(percentTick(79.99999999)).toBe('80%');
    expect(percentTick(0.04)).toBe('0%');
    expect(percentTick(Number.NaN)).toBe('');
    expect(PERCENT_TICKS.map(percentTick)).toEqual(['0%', '20%', '40%', '60%', '80%', '100%']);
  });
});

describe('suites behind the board columns', () => {
  it('describes every column with its scoring, upstream definition and baseline', () => {
    const suites = allSuites();
    expect(suites).toHaveLength(boards.science.columns.length + boards.math.columns.length);
    const science = suitesByColumn('science');
    expect(Object.keys(science)).toEqual(boards.science.columns.map((c) => c.name));
    expect(science['SciBench']).toMatchObject({ subset: 'scibench', baseline: 0, url: expect.stringContaining('mandyyyyii/scibench') });
    expect(science['SciBench']!.scoring).toMatch(/5%/);
    expect(science['SciEval']!.baseline).toBeCloseTo(26.23, 2);
    expect(science['CEval-Hard']!.baseline).toBe(25);
    expect(suitesByColumn('math')['Mathematics']!.subset).toBe('mathematics');
    expect(suiteHref('mmlu-sci')).toBe('/suites#mmlu-sci');
  });
});
