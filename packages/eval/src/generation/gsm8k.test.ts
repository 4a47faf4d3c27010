import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { gsm8kShotIndices, gsm8kTasks, scoreGsm8k } from './gsm8k.ts';
import { exactMatch, GSM8K_COT_STRICT_PATTERN, GSM8K_EXACT_MATCH, GSM8K_FLEXIBLE_PATTERN, GSM8K_STRICT_PATTERN, regexFilter } from './scoring.ts';
import { sharedDataDir } from './testData.ts';

// Each expected value below was printed by CPython 3.11 running lm-eval's RegexFilter.apply and
// exact_match_hf_evaluate logic (re.findall / re.sub) on the same strings.
const FILTER_CASES: Array<[string, string, string, string]> = [
  // completion, strict-match (gsm8k), strict-match (cot), flexible-extract
  ['So she makes $18.\n#### 18', '18', '[invalid]', '18'],
  ['#### 5,000', '5,000', '[invalid]', '5,000'],
  ['#### -3.', '-3.', '[invalid]', '-3.'],
  ['The total is $10.00. The answer is 10.', '[invalid]', '10', '10.'],
  ['No numbers here', '[invalid]', '[invalid]', '[invalid]'],
  ['Answer: 7 apples and 3 pears', '[invalid]', '[invalid]', '3'],
  ['She pays $1,250.50 in total.', '[invalid]', '[invalid]', '$1,250.50'],
  ['The answer is 42.\n', '[invalid]', '42', '42.'],
  ['x = 5\n#### 5\n\nQuestion: next', '5', '[invalid]', '5'],
  ['It costs $5.', '[invalid]', '[invalid]', '$5.'],
];

describe('gsm8k filters', () => {
  it.each(FILTER_CASES)('%j', (completion, strict, cotStrict, flexible) => {
    expect(regexFilter(completion, { pattern: GSM8K_STRICT_PATTERN }).answer).toBe(strict);
    expect(regexFilter(completion, { pattern: GSM8K_COT_STRICT_PATTERN }).answer).toBe(cotStrict);
    expect(regexFilter(completion, { pattern: GSM8K_FLEXIBLE_PATTERN, groupSelect: -1 }).answer).toBe(flexible);
  });

  it('reports whether the fallback was used', () => {
    expect(regexFilter('nothing', { pattern: GSM8K_STRICT_PATTERN })).toEqual({ answer: '[invalid]', found: false });
    expect(regexFilter('#### 3', { pattern: GSM8K_STRICT_PATTERN })).toEqual({ answer: '3', found: true });
    // A match whose groups are all empty takes the fallback stripped by Python's str.strip (\x1c yes, \ufeff no).
    expect(regexFilter('a', { pattern: '(x)?(y)?', fallback: '\x1c\ufeffnone ' })).toEqual({ answer: '\ufeffnone', found: false });
  });
});

describe('exact_match with the gsm8k options', () => {
  const gold = 'Janet sells 16 - 3 - 4 = <<16-3-4=9>>9 duck eggs a day.\n#### 1,800';
  it.each([
    ['1800', true],
    ['1,800', true],
    ['$1,800', true],
    ['1800.', true],
    ['1800.0', false],
    ['18000', false],
    ['[invalid]', false],
    // Python's `$` also matches before a final newline, so `\.$` removes the dot and leaves the newline.
    ['1800.\n', false],
  ] as const)('%j', (prediction, expected) => {
    expect(exactMatch(prediction, gold, GSM8K_EXACT_MATCH)).toBe(expected);
  });

  it('ignores case and leaves other punctuation alone', () => {
    expect(exactMatch('ABC', 'abc', GSM8K_EXACT_MATCH)).toBe(true);
    expect(exactMatch('5.\n', '5', GSM8K_EXACT_MATCH)).toBe(false);
    expect(exactMatch('a-b', 'ab', { ignorePunctuation: true })).toBe(true);
  });
});

describe('scoreGsm8k', () => {
  const doc = { question: 'q', answer: 'work\n#### 72' };
  it('scores each filter against the whole answer (gsm8k) or its final number (gsm8k_cot)', () => {
    expect(scoreGsm8k('gsm8k', 'Natalia sold 72 clips.\n#### 72', doc)).toEqual({
      filtered: { 'strict-match': '72', 'flexible-extract': '72' },
      scores: { 'exact_match,strict-match': 1, 'exact_match,flexible-extract': 1 },
      answerFound: { 'strict-match': true, 'flexible-extract': true },
    });
    expect(scoreGsm8k('gsm8k_cot', 'So 48 + 24 = 72. The answer is 72.', doc).scores).toEqual({
      'exact_match,strict-match': 1,
      // flexible-extract takes "72." and `\.$` drops its dot
      'exact_match,flexible-extract': 1,
    });
  });
});

describe('gsm8k prompts from the real data', () => {
  const dataDir = sharedDataDir();
  const present = existsSync(`${dataDir}/gsm8k/test.jsonl`) && existsSync(`${dataDir}/gsm8k/train.jsonl`);
  if (!present) console.log(`skipping gsm8k prompt tests: ${dataDir}/gsm8k/{test,train}.jsonl not found (set SCIBOARD_SHARED_DIR)`);

  it('draws few-shot rows as random.Random(1234).sample(train, 5) per document, in order', () => {
    expect(gsm8kShotIndices(3, 7473, 5)).toEqual([
      [6374, 3610, 957, 61, 742],
      [7462, 6610, 4769, 286, 5501],
      [5677, 687, 806, 6279, 2905],
    ]);
  });

  it.skipIf(!present)('builds the 5-shot contexts lm-eval builds', () => {
    // sha256 of the contexts rebuilt in CPython: random.Random(1234), r.sample(train, 5) per test document, each
    // shot "Question: {q}\nAnswer: {a}\n\n", then "Question: {q}\nAnswer:".
    const expected = [
      '32680f263ba83280e98a8a24ceefed10a722a4cdcd9f4d78e93c45d43143ca66',
      'e6b9a0195411932e5323ed20ad05e965b08b979103bbb26594a5bdf123d27990',
      '97eb2662b11bbd7bd0423f898efde0e9a04d22028ed5fc1f80576965b0f570fa',
    ];
    const task = gsm8kTasks.find((t) => t.name === 'gsm8k')!.prepare({ dataDir });
    expect(task.docs).toHaveLength(1319);
    for (let i = 0; i < 3; i++) {
      const req = task.request(i);
      if (req.kind !== 'generate_until') throw new Error('expected a generation request');
      expect(createHash('sha256').update(req.context).digest('hex')).toBe(expected[i]);
      expect(req.until).toEqual(['Question:', '</s>', '<|im_end|>']);
      expect(req.maxTokens).toBe(256);
    }
    const first = task.request(0);
    expect(first.context.endsWith("Question: Janet’s ducks lay 16 eggs per day. She eats three for breakfast every morning and bakes muffins for her friends every day with four. She sells the remainder at the farmers' market daily for $2 per fresh duck egg. How much in dollars does she make every day at the farmers' market?\nAnswer:")).toBe(true);
    expect(task.target(0)).toContain('#### 18');
  });

  it.skipIf(!present)('gsm8k_cot puts the eight fixed exemplars first; gsm8k_cot_zeroshot none', () => {
    const cot = gsm8kTasks.find((t) => t.name === 'gsm8k_cot')!.prepare({ dataDir });
    const ctx = cot.request(0).context;
    expect(ctx.startsWith('Q: There are 15 trees in the grove. Grove workers will plant trees in the grove today. After they are done, there will be 21 trees. How many trees did the grove workers plant today?\nA: There are 15 trees originally.')).toBe(true);
    expect(ctx.split('\n\n')).toHaveLength(9);
    expect(ctx).toContain('The answer is 8.\n\nQ: Janet’s ducks');
    expect(ctx.endsWith('\nA:')).toBe(true);
    expect(cot.target(0)).toBe('18');
    const zero = gsm8kTasks.find((t) => t.name === 'gsm8k_cot_zeroshot')!.prepare({ dataDir });
    expect(zero.request(0).context).toMatch(/^Q: Janet’s ducks .*\nA: Let's think step by step\.$/s);
    expect(() => gsm8kTasks.find((t) => t.name === 'gsm8k_cot')!.prepare({ dataDir, numFewshot: 9 })).toThrow(/only 8 fixed exemplars/);
  });
});
