/**
 * Behaviours of math_verify one at a time; every expected value is what the reference (Math-Verify 0.8.0 with
 * latex2sympy2_extended 1.10.2) returned for the same input.
 */
import { describe, expect, it } from 'vitest';
import { boxedContents } from './boxed.ts';
import { extractAnswers } from './extract.ts';
import { mathVerify } from './index.ts';
import { normalizeLatex } from './normalize.ts';

const boxedGold = (answer: string): string => `so $\\boxed{${answer}}$.`;

describe('normalisation (normalize_latex with Math-Verify LaTeX settings)', () => {
  it.each([
    ['10\\text{ cm}', '10'],
    ['\\dfrac{3}{4}', '\\frac{3}{4}'],
    ['\\frac12', '\\frac{1}{2}'],
    ['\\sqrt3', '\\sqrt{3}'],
    ['0.5', '\\frac{1}{2}'],
    ['.75', '0.75'],
    ['50 percent', '50\\%'],
    ['\\left( 1, 2 \\right)', '( 1, 2 )'],
    ['\\$18.90', '18.90'],
    ['3/4', '\\frac{3}{4}'],
    ['\\text{Evelyn}', '\\text{Evelyn}'],
    ['12 \\mbox{ inches}^2', '12'],
    ['\\boxed{5} and \\boxed{6}', '5,6'],
    ['x \\in \\left[ 2, 5 \\right)', 'x \\in [ 2, 5 )'],
    ['1,\\!000', '1,000'],
    ['10{,}000', '10,000'],
    ['\\mathrm{(C)}', '\\text{(C)}'],
    ['5 \\text{ and } 6', '5, 6'],
    ['\\displaystyle\\frac{1}{2}', '\\frac{1}{2}'],
    ['infinity', '\\infty'],
    ['\\frac{1}{2}3', '\\frac{1}{2}{3}'],
    ['2^(x)', '2^{x}'],
    ['sqrt(2)', '\\sqrt{2}'],
    ['5 apples', '5'],
    ['4 \\text{ square units}', '4'],
    ['(3)_{2}', '\\frac{(3)!}{((3)-(2))!}'],
  ])('%s → %s', (input, expected) => {
    expect(normalizeLatex(input, 'all')).toBe(expected);
  });

  it('keeps only nearby boxes in "last" mode and all of them in "all" mode', () => {
    expect(boxedContents('\\boxed{5} is wrong, the answer is \\boxed{6}', 'last')).toBe('5,6');
    const far = `\\boxed{5}${' filler words'.repeat(10)} \\boxed{6}`;
    expect(boxedContents(far, 'last')).toBe('6');
    expect(boxedContents(far, 'all')).toBe('5,6');
    expect(boxedContents('no box here', 'all')).toBe('no box here');
  });
});

describe('extraction (parse with default configs, first_match fallback)', () => {
  it('prefers the final-answer sentence, keeps the matched text as a fallback string', () => {
    const out = extractAnswers('We have $x = 2$.\nFinal Answer: The final answer is $\\frac{3}{4}$. I hope it is correct.');
    expect(out).toHaveLength(2);
    expect(out[1]).toBe('\\frac{3}{4}');
  });
  it('finds nothing in text without numbers or LaTeX', () => {
    expect(extractAnswers('I do not know.')).toEqual([]);
  });
  it('reads a bare \\frac of numbers but not one of symbols outside math delimiters', () => {
    expect(extractAnswers(' \\frac{3}{4}')).toHaveLength(2);
    // the reference finds no answer in " \frac{648}{\pi}" (shared vector m00002)
    expect(extractAnswers(' \\frac{648}{\\pi}')).toEqual([]);
  });
});

// [gold boxed answer, completion, reference verdict]
const verdicts: Array<[string, string, boolean]> = [
  ['\\frac{1}{2}', 'The answer is 0.5', true],
  ['\\frac{1}{2}', 'The answer is 50%', true],
  ['50\\%', 'The answer is 50', false],
  ['50', '$50\\%$', false],
  ['x^2+2x+1', '$(x+1)^2$', true],
  ['\\text{(C)}', 'The answer is (C)', false],
  ['\\text{(C)}', '$\\text{C}$', true],
  ['\\text{Monday}', 'Monday', false],
  ['\\text{Monday}', '$\\text{monday}$', true],
  ['(-\\infty, 2) \\cup (3, \\infty)', '$(3,\\infty)\\cup(-\\infty,2)$', true],
  ['(-\\infty, 2) \\cup (3, \\infty)', '$x<2$ or $x>3$', false],
  ['[1,5]', '$1 \\le x \\le 5$', false],
  ['x \\le 5', '$(-\\infty, 5]$', true],
  ['2 \\le x \\le 5', '$[2,5]$', true],
  ['(0,1]', '$0 < x \\le 1$', false],
  ['\\begin{pmatrix} 1 \\\\ 2 \\end{pmatrix}', '$(1,2)$', false],
  ['\\begin{pmatrix} 1 & 2 \\\\ 3 & 4 \\end{pmatrix}', '$\\begin{bmatrix}1&2\\\\3&4\\end{bmatrix}$', true],
  ['\\begin{pmatrix} 1/2 \\\\ 2 \\end{pmatrix}', '$\\begin{pmatrix}0.5\\\\2\\end{pmatrix}$', true],
  ['3, 5', '$5, 3$', true],
  ['3, 5', '$x = 3$ or $x = 5$', true],
  ['-2, 3', '$x=-2, 3$', true],
  ['\\pm 2', '$2, -2$', true],
  ['1 \\pm \\sqrt{2}', '$1+\\sqrt2, 1-\\sqrt2$', true],
  ['(2,3)', '$x=2, y=3$', true],
  ['10,\\!000', '$10{,}000$', true],
  ['\\$18.90', '$18.9$', true],
  ['18.90', '\\$18.90', false],
  ['1011_2', '1011', true],
  ['30^\\circ', '$30$ degrees', true],
  ['2\\sqrt{3}', '3.4641', false],
  ['2\\sqrt{3}', '3.464102', true],
  ['\\pi', '3.14159265', true],
  ['\\frac{1}{e}', '$e^{-1}$', true],
  ['y=2x+3', '$y = 3 + 2x$', true],
  ['y=2x+3', '$2x+3$', true],
  ['2x+3', '$y=2x+3$', true],
  ['a=5', '$b=5$', false],
  ['\\frac{3}{4}', 'The answer is 3 / 4.', true],
  ['-\\frac{3}{4}', '$-.75$', true],
  ['\\text{yes}', 'Yes', false],
  ['\\emptyset', '$\\{\\}$', true],
  ['\\mathbb{R}', '$(-\\infty,\\infty)$', true],
  ['1.5', '$1\\frac{1}{2}$', true],
  ['-1\\frac{1}{2}', '$-1.5$', true],
  ['5!', '120', true],
  ['\\dbinom{5}{2}', '10', true],
  ['|x-1|', '$|1-x|$', true],
  ['\\log_2 8', '3', true],
  ['\\ln 2', '$\\log 2$', false],
  ['4\\pi', '12.566', false],
  ['10', 'The answer is $\\boxed{10}$ and $\\boxed{12}$', false],
  ['10, 12', 'The answer is $\\boxed{10}$ and $\\boxed{12}$', true],
  ['5', 'I got 5 apples. Final answer: 6', false],
  ['6', 'the final answer is **6**.', true],
  ['0.\\overline{3}', '$\\frac13$', false],
  ['\\text{A, B}', 'A and B', false],
  ['25\\%', '0.25', true],
  ['x^2-4', '$(x-2)(x+2)$', true],
];

describe('verdicts (verify with float_rounding=6, strict)', () => {
  it.each(verdicts)('gold %s, completion %s → %s', (gold, completion, expected) => {
    expect(mathVerify(boxedGold(gold), completion).correct).toBe(expected);
  });

  it('explains a mismatch briefly, never echoing long input', () => {
    const long = `Final Answer: The final answer is $${'9'.repeat(500)}$. I hope it is correct.`;
    const v = mathVerify(boxedGold('5'), long);
    expect(v.correct).toBe(false);
    expect(v.reason!.length).toBeLessThan(160);
    expect(mathVerify(boxedGold('5'), 'no idea').reason).toBe('no answer found in the completion');
  });

  it('is bounded on hostile input (huge powers, factorials, deep nesting)', () => {
    // Each call must come back (the test's own time limit catches a runaway); speed itself is measured in bench.ts.
    for (const evil of ['$9^{9^{9^{9}}}$', '$99999!$', `$${'('.repeat(3000)}1${')'.repeat(3000)}$`, `$${'\\frac{1}{'.repeat(400)}2${'}'.repeat(400)}$`, '$'.repeat(20000)]) {
      expect(typeof mathVerify(boxedGold('5'), evil).correct).toBe('boolean');
    }
  });
});
