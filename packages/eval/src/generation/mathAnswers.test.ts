import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  getUnnormalizedAnswer,
  hendrycksExtractAnswer,
  hendrycksIsEquiv,
  lastBoxedOnlyString,
  normalizeFinalAnswer,
  pythonIsDigit,
  removeBoxed,
  stripString,
} from './mathAnswers.ts';

/**
 * Cases and expected values in mathAnswers.cases.json were produced by running lm-eval's own functions
 * (minerva_math/utils.py and hendrycks_math/utils.py: last_boxed_only_string, remove_boxed,
 * get_unnormalized_answer, normalize_final_answer, strip_string, is_equiv, extract_answer) under CPython 3.11.
 * "!AssertionError" and the like mean the Python function raised.
 */
interface Cases {
  boxed: Array<[string, string | null]>;
  remove_boxed: Array<[string, string]>;
  unnorm: Array<[string, string]>;
  normalize: Array<[string, string]>;
  strip: Array<[string, string]>;
  equiv: Array<[string, string, boolean]>;
  extract: Array<[string, string]>;
}
const cases = JSON.parse(readFileSync(new URL('./mathAnswers.cases.json', import.meta.url), 'utf8')) as Cases;
const raises = (expected: string): boolean => expected.startsWith('!');

describe('boxed answers', () => {
  it.each(cases.boxed)('last_boxed_only_string(%j)', (input, expected) => {
    expect(lastBoxedOnlyString(input)).toBe(expected);
  });
  it.each(cases.remove_boxed)('remove_boxed(last_boxed_only_string(%j))', (input, expected) => {
    const run = (): string => {
      const boxed = lastBoxedOnlyString(input);
      if (boxed === null) throw new Error('None');
      return removeBoxed(boxed);
    };
    if (raises(expected)) expect(run).toThrow();
    else expect(run()).toBe(expected);
  });
});

describe('minerva answers', () => {
  it.each(cases.unnorm)('get_unnormalized_answer(%j)', (input, expected) => {
    expect(getUnnormalizedAnswer(input)).toBe(expected);
  });
  it.each(cases.normalize)('normalize_final_answer(%j)', (input, expected) => {
    expect(normalizeFinalAnswer(input)).toBe(expected);
  });
  it('treats Unicode digits as str.isdigit does', () => {
    expect(pythonIsDigit('²')).toBe(true);
    expect(pythonIsDigit('١٢')).toBe(true);
    expect(pythonIsDigit('')).toBe(false);
    expect(pythonIsDigit('1.5')).toBe(false);
  });
});

describe('hendrycks answers', () => {
  it.each(cases.strip)('strip_string(%j)', (input, expected) => {
    if (raises(expected)) expect(() => stripString(input)).toThrow();
    else expect(stripString(input)).toBe(expected);
  });
  it.each(cases.equiv)('is_equiv(%j, %j)', (a, b, expected) => {
    expect(hendrycksIsEquiv(a, b)).toBe(expected);
  });
  it.each(cases.extract)('extract_answer(%j)', (input, expected) => {
    if (raises(expected)) expect(() => hendrycksExtractAnswer(input)).toThrow();
    else expect(hendrycksExtractAnswer(input).answer).toBe(expected);
  });
  it('says how the answer was found', () => {
    expect(hendrycksExtractAnswer('\\boxed{1}').via).toBe('boxed');
    expect(hendrycksExtractAnswer('just 7').via).toBe('whole-output');
  });
});

describe('characters outside the BMP and U+FEFF, as CPython reads them', () => {
  // Values from lm-eval's strip_string / get_unnormalized_answer / normalize_final_answer under CPython 3.11.
  it.each([
    ['\\frac𝑥𝑦', '\\frac{𝑥}{𝑦}'],
    ['\\frac𝑥{2}', '\\frac{𝑥}{2}'],
    ['\\sqrt𝑥+1', '\\sqrt{𝑥}+1'],
    ['\\frac𝑥', '\\frac𝑥'],
    ['a=\\frac1𝑦z', '\\frac{1}{𝑦}z'],
  ])('strip_string(%j) = %j', (input, expected) => {
    expect(stripString(input)).toBe(expected);
  });
  it('extracts and normalises minerva answers code point by code point', () => {
    expect(normalizeFinalAnswer(getUnnormalizedAnswer('Final Answer: The final answer is $\\frac𝑥𝑦$. I hope it is correct.'))).toBe('\\frac{𝑥}{𝑦}');
    expect(normalizeFinalAnswer(getUnnormalizedAnswer('Final Answer: The final answer is $\\sqrt𝑥$. I hope it is correct.'))).toBe('\\sqrt{𝑥}');
    expect(getUnnormalizedAnswer('Final Answer: The final answer is 5𝑥 I hope it is correct.')).toBe('5');
    // str.strip keeps U+FEFF, which String.prototype.trim removes.
    expect(getUnnormalizedAnswer('Final Answer: The final answer is \ufeff5\ufeff. I hope it is correct.')).toBe('\ufeff5\ufeff');
  });
});
