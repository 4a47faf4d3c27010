/**
 * Property tests over arbitrary model output: answer extraction, normalisation and scoring never throw
 * (except the Python-style errors lm-eval's own code raises and catches), never hang (a time bound per
 * input), and normalise idempotently where lm-eval's function is idempotent — where it is not, the test
 * pins down what it does instead.
 */
import { join, resolve } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { loadTaskSpec } from '../spec.ts';
import { scoreNow } from '../task.ts';
import { gsm8kFilters, GSM8K_EXACT_MATCH, exactMatch, INVALID } from './scoring.ts';
import { applyFilters } from '../tasks/filters.ts';
import { hendrycksExtractAnswer, hendrycksIsEquiv, lastBoxedOnlyString, normalizeFinalAnswer, PythonStyleError, removeBoxed, stripString } from './mathAnswers.ts';
import { minervaIsEquiv } from './mathEquivalence.ts';

const RUNS = 300;

/** Runs `f` and fails if one input takes longer than `ms` (regex backtracking or a runaway simplifier); generous, as other tests share the cores. */
function bounded<T>(ms: number, f: () => T): T {
  const start = performance.now();
  const out = f();
  const took = performance.now() - start;
  if (took > ms) throw new Error(`took ${took.toFixed(0)} ms, over the ${ms} ms bound`);
  return out;
}

// Model output: mostly the characters answers are made of, sometimes anything at all.
const mathChars = fc.constantFrom(...'0123456789.,-+*/^_=$ {}()[]\\\n#abcdfrqstx%!'.split(''), '\\frac', '\\boxed{', '\\sqrt', '\\text{', '####', 'The answer is ', '\\left(', '\\right)', '\\dfrac', '^\\circ', '\\$');
const mathText = fc.oneof(
  { weight: 4, arbitrary: fc.array(mathChars, { maxLength: 60 }).map((parts) => parts.join('')) },
  { weight: 1, arbitrary: fc.string({ unit: 'grapheme', maxLength: 200 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 200 }) },
);
// Answers of digits, operators and brackets, without the rewrites that insert braces (\frac, \sqrt): on these
// strip_string is a fixed point. Letters are left out because both functions delete words in one str.replace pass,
// and brace-inserting rewrites run after the deletions, so either can leave a new match.
const plainAnswer = fc.array(fc.constantFrom(...'0123456789,-+*/^_ {}()[]'.split(''), '\\boxed{', '$'), { maxLength: 40 }).map((p) => p.join(''));
// Without braces too for normalize_final_answer, which deletes "{,}" in one pass before it unwraps \boxed{...} (one
// level) and deletes "$": each of those can leave a "{,}" or a \boxed{...} that only a second pass removes.
const braceFreeAnswer = fc.array(fc.constantFrom(...'0123456789,-+*/^_ ()[]$'.split('')), { maxLength: 40 }).map((p) => p.join(''));

describe('gsm8k filters and exact match', () => {
  it('never throw or hang; strict answers are numbers or [invalid]', () => {
    fc.assert(
      fc.property(mathText, (text) => {
        for (const variant of Object.values(gsm8kFilters)) {
          for (const filter of variant) {
            const { answer } = bounded(250, () => applyFilters(filter, text));
            expect(typeof answer).toBe('string');
            if (filter.name === 'strict-match' && answer !== INVALID) expect(answer).toMatch(/^-?[0-9.,]+$/);
          }
        }
      }),
      { numRuns: RUNS },
    );
  });

  it('strict-match reads the number after the last-line "#### " marker', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 80 }).filter((s) => !s.includes('####')), fc.integer({ min: -1e9, max: 1e9 }), (prose, n) => {
        const { answer } = applyFilters(gsm8kFilters.gsm8k[0]!, `${prose}\n#### ${n}`);
        expect(answer).toBe(String(n));
      }),
      { numRuns: RUNS },
    );
  });

  it('exact match is reflexive and symmetric under the gsm8k options', () => {
    fc.assert(
      fc.property(mathText, mathText, (a, b) => {
        expect(bounded(250, () => exactMatch(a, a, GSM8K_EXACT_MATCH))).toBe(true);
        expect(exactMatch(a, b, GSM8K_EXACT_MATCH)).toBe(exactMatch(b, a, GSM8K_EXACT_MATCH));
      }),
      { numRuns: RUNS },
    );
  });
});

describe('MATH answer extraction and normalisation', () => {
  it('lastBoxedOnlyString returns null or a \\boxed/\\fbox span of the input, and unwraps what it boxed', () => {
    fc.assert(
      fc.property(mathText, (text) => {
        const boxed = bounded(250, () => lastBoxedOnlyString(text));
        if (boxed !== null) {
          expect(text).toContain(boxed);
          expect(boxed).toMatch(/^\\(boxed|fbox)/);
        }
      }),
      { numRuns: RUNS },
    );
    fc.assert(
      fc.property(fc.string({ maxLength: 40 }).filter((s) => !/[{}\\]/.test(s)), fc.string({ maxLength: 40 }).filter((s) => !s.includes('\\')), (inner, prose) => {
        expect(removeBoxed(lastBoxedOnlyString(`${prose}\\boxed{${inner}}`)!)).toBe(inner);
      }),
      { numRuns: RUNS },
    );
  });

  it('normalizeFinalAnswer never throws or hangs and leaves no $ or = behind', () => {
    fc.assert(
      fc.property(mathText, (text) => {
        const out = bounded(250, () => normalizeFinalAnswer(text));
        expect(out).not.toContain('$');
        expect(out).not.toContain('=');
      }),
      { numRuns: RUNS },
    );
  });

  it('normalizeFinalAnswer is idempotent on brace-free answers', () => {
    fc.assert(
      fc.property(braceFreeAnswer, (text) => {
        const once = normalizeFinalAnswer(text);
        expect(normalizeFinalAnswer(once)).toBe(once);
      }),
      { numRuns: RUNS },
    );
  });

  it('normalizeFinalAnswer is not idempotent in general, exactly as in Python: one str.replace pass per word', () => {
    // Python: "wwaysays".replace("ways", "") == "ways"; a second normalisation removes that too.
    expect(normalizeFinalAnswer('wwaysays')).toBe('ways');
    expect(normalizeFinalAnswer(normalizeFinalAnswer('wwaysays'))).toBe('');
    // The frac rewrite runs after the removals: it makes "{,}", which only a second pass removes.
    expect(normalizeFinalAnswer('\\frac0,')).toBe('\\frac{0}{,}');
    expect(normalizeFinalAnswer('\\frac0,')).not.toBe(normalizeFinalAnswer(normalizeFinalAnswer('\\frac0,')));
    // "{,}" is deleted before "$" is, and \boxed{...} is unwrapped one level: each can leave what a second pass removes.
    expect(normalizeFinalAnswer('{$,}')).toBe('{,}');
    expect(normalizeFinalAnswer('{{,},}')).toBe('{,}');
    expect(normalizeFinalAnswer('\\boxed{\\boxed{}}')).toBe('\\boxed{}');
    expect(normalizeFinalAnswer('{,}')).toBe('');
    expect(normalizeFinalAnswer('\\boxed{}')).toBe('');
  });

  it('stripString returns a string or raises the Python-style error lm-eval catches', () => {
    fc.assert(
      fc.property(mathText, (text) => {
        try {
          expect(typeof bounded(250, () => stripString(text))).toBe('string');
        } catch (err) {
          expect(err).toBeInstanceOf(PythonStyleError);
        }
      }),
      { numRuns: RUNS },
    );
  });

  it('stripString is idempotent on plain answers whenever it succeeds twice', () => {
    const failures: string[] = [];
    fc.assert(
      fc.property(plainAnswer, (text) => {
        let once: string;
        let twice: string;
        try {
          once = stripString(text);
          twice = stripString(once);
        } catch (err) {
          expect(err).toBeInstanceOf(PythonStyleError);
          return;
        }
        if (twice !== once) failures.push(text);
      }),
      { numRuns: RUNS },
    );
    expect(failures).toEqual([]);
    // As in Python, "{." becomes "{0." before fix_sqrt adds the braces that make a new "{.".
    expect(stripString('\\sqrt.')).toBe('\\sqrt{.}');
    expect(stripString(stripString('\\sqrt.'))).toBe('\\sqrt{0.}');
  });

  it('hendrycksIsEquiv is reflexive and symmetric and never throws', () => {
    fc.assert(
      fc.property(mathText, mathText, (a, b) => {
        expect(bounded(250, () => hendrycksIsEquiv(a, a))).toBe(true);
        expect(hendrycksIsEquiv(a, b)).toBe(hendrycksIsEquiv(b, a));
        expect(typeof hendrycksExtractAnswer(a).answer).toBe('string');
      }),
      { numRuns: RUNS },
    );
  });

  it('minervaIsEquiv answers every pair within a time bound and agrees on equal integers', () => {
    fc.assert(
      fc.property(mathText, mathText, (a, b) => {
        expect(typeof bounded(5000, () => minervaIsEquiv(normalizeFinalAnswer(a), normalizeFinalAnswer(b)))).toBe('boolean');
      }),
      { numRuns: 150 },
    );
    fc.assert(
      fc.property(fc.integer({ min: -1e6, max: 1e6 }), (n) => {
        expect(minervaIsEquiv(String(n), String(n))).toBe(true);
        expect(minervaIsEquiv(String(n), String(n + 1))).toBe(false);
      }),
      { numRuns: 100 },
    );
  });
});

describe('multiple-choice scoring', () => {
  const suite = loadTaskSpec(join(resolve(import.meta.dirname, '../../samples'), 'science-mc.yaml'));
  const task = suite.prepare({ dataDir: '' });
  const logprob = fc.oneof(fc.double({ min: -1e6, max: 0, noNaN: true }), fc.constantFrom(-Infinity, Number.NaN, 0, -0));

  it('scores every document 0 or 1 for any log-probabilities, and acc is 1 exactly when the numpy argmax picks gold (NaN included)', () => {
    fc.assert(
      fc.property(fc.nat({ max: task.docs.length - 1 }), fc.array(logprob, { minLength: 4, maxLength: 4 }), (i, lps) => {
        const score = bounded(250, () => scoreNow(task.score(task.docs[i]!, { kind: 'loglikelihood', results: lps.map((lp) => ({ logprob: lp, isGreedy: false })) })));
        for (const value of Object.values(score.scores)) expect([0, 1]).toContain(value);
        const gold = Number(task.target(i));
        // numpy's argmax, as lm-eval takes it: the first NaN if there is one, else the first highest.
        const firstNaN = lps.findIndex((lp) => Number.isNaN(lp));
        const chosen = firstNaN >= 0 ? firstNaN : lps.indexOf(Math.max(...lps));
        expect(score.scores['acc,none']).toBe(chosen === gold ? 1 : 0);
      }),
      { numRuns: RUNS },
    );
  });
});
