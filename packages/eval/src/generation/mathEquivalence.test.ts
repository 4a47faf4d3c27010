import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { sharedDataMissing, sharedDir } from '../testing/sharedData.ts';
import { minervaEquivalence, minervaIsEquiv } from './mathEquivalence.ts';

// Verdicts of lm-eval's minerva `is_equiv` (sympy 1.14 `simplify(parse_latex(a) - parse_latex(b)) == 0`).
describe('minervaIsEquiv', () => {
  it.each([
    ['\\frac{1}{2}', '0.5'],
    ['0.1', '\\frac{1}{10}'],
    ['0.5x', '\\frac{x}{2}'],
    ['\\frac{2}{4}', '\\frac{1}{2}'],
    ['\\dfrac{3}{4}', '\\frac{3}{4}'],
    ['2\\sqrt{2}', '\\sqrt{8}'],
    ['x^2+7x+10', '(x+2)(x+5)'],
    ['10^{-2}', '0.01'],
    ['1+x', 'x+1'],
    ['\\frac{1+\\sqrt{5}}{2}', '\\frac{2}{\\sqrt{5}-1}'],
    ['\\sqrt{3+2\\sqrt{2}}', '1+\\sqrt{2}'],
    ['\\log 8', '3\\log 2'],
    ['\\sin^2x+\\cos^2x', '1'],
    ['5!', '120'],
    ['99999999!', '99999999!'],
    ['3', '3.0'],
    ['\\frac{\\sqrt{6}}3', '\\frac{\\sqrt{6}}{3}'],
    ['\\frac{625}4', '156.25'],
    // Prefix reading: the rest after the longest valid prefix is dropped.
    ['6,-2', '6'],
    ['\\frac{1}{2},-\\frac{1}{12}', '\\frac{1}{2}'],
    ['3:1', '3'],
    ['1,2345', '6170'],
    ['10^-2', '10'],
    ['2x3', '6'],
    ['5.4.', '5.4'],
    ['N', 'N'],
    ['C', '(C)'],
    ['\\pi', '\\pi'],
  ])('%s equals %s', (a, b) => {
    expect(minervaIsEquiv(a, b)).toBe(true);
  });

  it.each([
    ['\\frac{1}{3}', '0.333'],
    ['0.1+0.2', '0.3'],
    ['0.1x+0.2x', '0.3x'],
    ['1.3333333333333333\\pi', '\\frac43\\pi'],
    ['1.25.', '1.25'],
    ['5.40000000000000035527', '5.4'],
    ['5^{0.5}', '\\sqrt{5}'],
    ['\\pi', '3.14159'],
    ['a', 'A'],
    ['x', 'y'],
    ['5', '6'],
    ['x(x+1)', 'x^2+x'],
    ['[invalidanswer]', '5'],
    ['', '5'],
    ['\\infty', '\\infty'],
    ['5\\%', '5'],
    ['.5', '0.5'],
    ['1+2.', '3'],
    ['x=2', 'x=2'],
    ['(3,4]', '(3,4]'],
  ])('%s differs from %s', (a, b) => {
    expect(minervaIsEquiv(a, b)).toBe(false);
  });

  it('says why a pair was not compared, without echoing long inputs', () => {
    expect(minervaEquivalence('5\\%', '5').reason).toMatch(/^unparseable/);
    expect(minervaEquivalence('x<1', 'x<1').reason).toMatch(/^relation/);
    expect(minervaEquivalence(`(${'1'.repeat(500)}`, '1').reason!.length).toBeLessThan(100);
    expect(minervaEquivalence('2', '2')).toEqual({ equal: true });
  });

  it('follows lm-eval by default (unparseable identical strings are unequal); the stringEqualityFirst deviation credits them', () => {
    for (const s of ['[2,5)', '(1,2)', '\\infty']) {
      expect(minervaIsEquiv(s, s)).toBe(false);
      expect(minervaIsEquiv(s, s, { stringEqualityFirst: true })).toBe(true);
    }
  });

  it('returns quickly on huge values and long inputs', () => {
    expect(minervaIsEquiv('99999999!', '5')).toBe(false);
    expect(minervaIsEquiv('2^{10^{10}}', '2')).toBe(false);
    expect(minervaIsEquiv('('.repeat(3000), '1')).toBe(false);
    expect(minervaIsEquiv('{'.repeat(20) + '1' + '}'.repeat(20), '1')).toBe(true);
  });
});

interface Case {
  id: string;
  a: string;
  b: string;
  expected: boolean;
}

function agreement(cases: Case[]): { same: number; differing: string[] } {
  const differing: string[] = [];
  for (const c of cases) if (minervaIsEquiv(c.a, c.b) !== c.expected) differing.push(c.id);
  return { same: cases.length - differing.length, differing };
}

// A fixed-seed shuffle, so the order-independence check is reproducible.
function shuffled<T>(items: T[], seed: number): T[] {
  const out = [...items];
  let s = seed >>> 0;
  for (let i = out.length - 1; i > 0; i--) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    const j = s % (i + 1);
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

function checkAgreement(cases: Case[], minimum: number, orders: 'file' | 'file and shuffled'): void {
  for (const order of orders === 'file' ? [cases] : [cases, shuffled(cases, 20240611)]) {
    const { same, differing } = agreement(order);
    expect(same / cases.length, `differing: ${differing.join(', ')}`).toBeGreaterThanOrEqual(minimum);
  }
}

describe('agreement with lm-eval', () => {
  const missing = sharedDataMissing('fixtures/lmeval-math/vectors.jsonl');
  it.skipIf(missing !== null && process.env['CI'] !== 'true')('on the shared vectors, in file order and shuffled', () => {
    const rows = readFileSync(join(sharedDir, 'fixtures/lmeval-math/vectors.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(rows.length).toBe(889);
    const cases = rows.map((r): Case => {
      const expected = r.minerva_is_equiv_return === 'True';
      // null (raised or timed out) counts as unequal, and exact_match must say the same.
      expect(r.equiv_minerva, r.id).toBe(expected);
      return { id: r.id, a: r.normalized, b: r.gold_answer_minerva, expected };
    });
    checkAgreement(cases, 0.995, 'file and shuffled');
  });

  // Reference verdicts (lm-eval's is_equiv under sympy 1.14) for pairs built from MATH answers (rewritten as
  // decimals, \dfrac, units, text, reordered sums, intervals, matrices, lists, wrong values), and for parser
  // quirks and symbolic identities (random token strings against themselves and small variants; radicals, logs,
  // trigonometry, floats).
  it.each([
    ['minervaEquivalence.cases.jsonl', 4000],
    ['minervaEquivalence.quirks.jsonl', 4000],
  ])('on %s', (file, atLeast) => {
    const lines = readFileSync(new URL(`./${file}`, import.meta.url), 'utf8').trim().split('\n');
    const cases = lines.map((l, i): Case => {
      const r = JSON.parse(l);
      return { id: `line ${i + 1}`, a: r.a, b: r.b, expected: r.v === true };
    });
    expect(cases.length).toBeGreaterThan(atLeast);
    checkAgreement(cases, 0.995, 'file');
  });
});
