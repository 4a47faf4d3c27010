/**
 * math_verify against lm-eval's own verdicts: the shared vectors (lm-eval's process_results on 889 completions) and
 * oracleCases.jsonl (more completions of the same kind, each labelled by Math-Verify 0.8.0 itself; gold solutions
 * are MATH test items by index, or given inline). Verdicts must agree in file order and in a shuffled order.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PythonRandom } from '../../python/random.ts';
import { sharedDataMissing, sharedDir } from '../../testing/sharedData.ts';
import { mathVerify } from './index.ts';

interface Case {
  id: string;
  gold_solution: string;
  pred_raw: string;
  math_verify: boolean;
}

const readJsonl = <T>(path: string): T[] =>
  readFileSync(path, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l, i) => {
      try {
        return JSON.parse(l) as T;
      } catch {
        throw new Error(`${path}:${i + 1}: not a JSON line`);
      }
    });

function disagreements(cases: Case[], order: number[]): string[] {
  const out: string[] = [];
  for (const i of order) {
    const c = cases[i]!;
    const got = mathVerify(c.gold_solution, c.pred_raw).correct;
    if (got !== c.math_verify) out.push(`${c.id} (expected ${c.math_verify})`);
  }
  return out;
}

function checkAgreement(cases: Case[], order: number[], minimum: number): void {
  const differing = disagreements(cases, order);
  const agreement = 1 - differing.length / cases.length;
  expect(agreement, `math_verify differs on ${differing.length}/${cases.length}: ${differing.join(', ')}`).toBeGreaterThanOrEqual(minimum);
}

function shuffled(n: number, seed: number): number[] {
  return new PythonRandom(seed).sample([...Array(n).keys()], n);
}

function failUnderCi(what: string, missing: string | null): void {
  if (missing && process.env['CI'] === 'true') {
    it(`has ${what}`, () => expect.fail(missing));
  }
}

const vectorsMissing = sharedDataMissing('fixtures/lmeval-math/vectors.jsonl');
failUnderCi('the shared lm-eval vectors', vectorsMissing);

describe.skipIf(vectorsMissing)('math_verify equals lm-eval on the shared vectors', () => {
  const cases = (): Case[] => {
    const all = readJsonl<Case>(join(sharedDir, 'fixtures/lmeval-math/vectors.jsonl'));
    for (const c of all) {
      if (typeof c.math_verify !== 'boolean') throw new Error(`vectors.jsonl ${c.id}: math_verify must be a boolean`);
    }
    return all;
  };
  it('agrees on at least 99% of cases in file order', () => {
    const all = cases();
    expect(all.length).toBe(889);
    checkAgreement(all, [...all.keys()], 0.99);
  });
  it('agrees as well in a shuffled order (no state carried between calls)', () => {
    const all = cases();
    checkAgreement(all, shuffled(all.length, 4242), 0.99);
  });
});

const mathMissing = sharedDataMissing('data/math/test.jsonl');
failUnderCi('the MATH test set', mathMissing);

describe.skipIf(mathMissing)('math_verify equals Math-Verify on generated completions of MATH answers', () => {
  const cases = (): Case[] => {
    const solutions = new Map<number, string>();
    for (const d of readJsonl<{ idx: number; solution: string }>(join(sharedDir, 'data/math/test.jsonl'))) solutions.set(d.idx, d.solution);
    const path = join(import.meta.dirname, 'oracleCases.jsonl');
    return readJsonl<Omit<Case, 'gold_solution'> & { math_idx?: number; gold_solution?: string }>(path).map((c) => {
      const gold = c.gold_solution ?? (c.math_idx === undefined ? undefined : solutions.get(c.math_idx));
      if (gold === undefined) throw new Error(`oracleCases.jsonl ${c.id}: needs gold_solution or a known math_idx`);
      return { id: c.id, gold_solution: gold, pred_raw: c.pred_raw, math_verify: c.math_verify };
    });
  };
  it('agrees on at least 99% of cases, both verdicts represented', () => {
    const all = cases();
    expect(all.length).toBeGreaterThan(1000);
    expect(all.filter((c) => c.math_verify).length).toBeGreaterThan(300);
    expect(all.filter((c) => !c.math_verify).length).toBeGreaterThan(300);
    checkAgreement(all, [...all.keys()], 0.99);
  });
  it('agrees in a shuffled order too', () => {
    const all = cases();
    checkAgreement(all, shuffled(all.length, 99), 0.99);
  });
});
