import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { GradingPool } from './grading/pool.ts';
import { loadMath } from './data.ts';
import { mathGoldAnswer, mathGroups, mathTasks, scoreHendrycks, scoreMinerva } from './math.ts';
import { sharedDataDir } from './testData.ts';

const sha = (s: string): string => createHash('sha256').update(s).digest('hex');

const pool = new GradingPool({ size: 2 });
afterAll(() => pool.close());
const gold = (answer: string, solution = `So it is $\\boxed{${answer}}$.`) => ({ answer, solution });
const em = async (completion: string, g: ReturnType<typeof gold>, stringEqualityFirst = false) =>
  (await scoreMinerva(completion, g, { grader: pool, stringEqualityFirst })).scores['exact_match,none'];

describe('minerva scoring', () => {
  it('extracts, normalises and compares the final answer, and reports math_verify beside it', async () => {
    const s = await scoreMinerva('So x = 1/2.\nFinal Answer: The final answer is $\\frac12$. I hope it is correct.', gold('\\frac{1}{2}'), { grader: pool });
    expect(s.filtered).toEqual({ none: '\\frac{1}{2}' });
    expect(s.scores['exact_match,none']).toBe(1);
    expect(Object.keys(s.scores)).toEqual(['exact_match,none', 'math_verify,none']);
    expect(s.answerFound).toEqual({ none: true });
    expect(await em('Final Answer: The final answer is $5,000$ dollars. I hope it is correct.', gold('5000'))).toBe(1);
    // lm-eval: sympy cannot parse an interval, so even an identical answer scores 0 unless the deviation is asked for.
    expect(await em('Final Answer: The final answer is $[2,5)$. I hope it is correct.', gold('[2,5)'))).toBe(0);
    expect(await em('Final Answer: The final answer is $[2,5)$. I hope it is correct.', gold('[2,5)'), true)).toBe(1);
    expect(await em('Final Answer: The final answer is $7$. I hope it is correct.', gold('8'))).toBe(0);
  });
  it('marks completions without "Final Answer: The final answer is" as unanswered', async () => {
    const s = await scoreMinerva('The answer is \\boxed{5}.', gold('5'), { grader: pool });
    expect(s.answerFound).toEqual({ none: false });
    expect(s.filtered.none).toBe('[invalidanswer]');
    expect(s.scores['exact_match,none']).toBe(0);
  });
});

describe('hendrycks scoring (lm-eval: the span between the first and the last $)', () => {
  it('compares the $ span after strip_string, not the boxed answer', () => {
    // The span is "\\boxed{\\dfrac{1}{2}}": strip_string leaves \\boxed in, so lm-eval scores 0.
    expect(scoreHendrycks('so $\\boxed{\\dfrac{1}{2}}$', '\\frac{1}{2}')).toEqual({
      filtered: { none: '\\boxed{\\dfrac{1}{2}}' },
      scores: { 'exact_match,none': 0 },
      answerFound: { none: true },
    });
    expect(scoreHendrycks('The answer is $0.5$.', '\\frac12').scores['exact_match,none']).toBe(1);
    expect(scoreHendrycks('First $x$, then $y = 3$', '3')).toMatchObject({ filtered: { none: 'x$, then $y = 3' }, scores: { 'exact_match,none': 0 } });
    expect(scoreHendrycks('\\text{(A)}', '(A)').scores['exact_match,none']).toBe(0);
  });
  it('compares the whole output when it has fewer than two $; a one-line reply counts as an answer', () => {
    expect(scoreHendrycks(' 5', '5')).toMatchObject({ scores: { 'exact_match,none': 1 }, answerFound: { none: true } });
    expect(scoreHendrycks('costs $5', '5')).toMatchObject({ filtered: { none: 'costs $5' }, answerFound: { none: true } });
    expect(scoreHendrycks('I think\nit is 5', '5')).toMatchObject({ scores: { 'exact_match,none': 0 }, answerFound: { none: false } });
    expect(scoreHendrycks('   ', '5').answerFound).toEqual({ none: false });
  });
  it('keeps the boxed-first extraction as a named option', () => {
    expect(scoreHendrycks('so $\\boxed{\\dfrac{1}{2}}$', '\\frac{1}{2}', 'boxed-first')).toEqual({
      filtered: { none: '\\dfrac{1}{2}' },
      scores: { 'exact_match,none': 1 },
      answerFound: { none: true },
    });
    expect(scoreHendrycks('5', '5', 'boxed-first')).toMatchObject({ scores: { 'exact_match,none': 1 }, answerFound: { none: false } });
    expect(scoreHendrycks('\\fbox{5}', '5', 'boxed-first')).toEqual({ filtered: { none: '' }, scores: { 'exact_match,none': 0 }, answerFound: { none: false } });
  });
});

describe('MATH task and group names', () => {
  it('defines the lm-eval leaves and groups', () => {
    const names = mathTasks.map((t) => t.name);
    for (const family of ['minerva', 'hendrycks']) {
      for (const s of ['algebra', 'counting_and_prob', 'geometry', 'intermediate_algebra', 'num_theory', 'prealgebra', 'precalc']) {
        expect(names).toContain(`${family}_math_${s}`);
      }
      expect(names).toContain(`${family}_math500`);
    }
    expect(mathGroups.map((g) => g.name)).toEqual(['minerva_math', 'hendrycks_math']);
    expect(mathGroups[0]!.members).toHaveLength(7);
  });
});

describe('MATH tasks on the real data', () => {
  const dataDir = sharedDataDir();
  const present = existsSync(`${dataDir}/math/test.jsonl`) && existsSync(`${dataDir}/math/math500_test.jsonl`);
  if (!present) console.log(`skipping MATH data tests: ${dataDir}/math/{test,math500_test}.jsonl not found (set SCIBOARD_SHARED_DIR)`);
  const task = (name: string) => mathTasks.find((t) => t.name === name)!.prepare({ dataDir });

  it.skipIf(!present)('derives every gold answer as lm-eval process_docs does', () => {
    // sha256 of the gold answers joined by "\n", computed in CPython with lm-eval's minerva / hendrycks utils.
    const expected = {
      test: ['b06b837326b22c8a5b35287f6946edb4deeceae20c91194541aaaf0130f940d0', '10800d927024be314dfd6c9b3d18dbd0531043cb9a9c6179e987c6f18f284b88'],
      math500_test: ['f150df74884d204ea8fd069fc02b63dc083944f4ccd1cf56de9eb4182a19a098', 'e312d1b644e0de4ee15c3e61b55112c287c6dd89e34317a8adf8cd80ac350bed'],
    } as const;
    for (const file of ['test', 'math500_test'] as const) {
      const docs = loadMath(dataDir, file);
      expect(sha(docs.map((d) => mathGoldAnswer('minerva', d.solution)).join('\n'))).toBe(expected[file][0]);
      expect(sha(docs.map((d) => mathGoldAnswer('hendrycks', d.solution)).join('\n'))).toBe(expected[file][1]);
    }
  });

  it.skipIf(!present)('builds the 4-shot Minerva prompts and the zero-shot Hendrycks prompt', () => {
    // sha256 of the contexts rebuilt in CPython from list_fewshot_samples and the first problem of each subject.
    const cases: Array<[string, number, string, string]> = [
      ['minerva_math_algebra', 1187, '2501cf7d4400573766c7fec99b85340d4ba4ca20ebc6fe941eb2189ce342db82', '2'],
      ['minerva_math_counting_and_prob', 474, 'd31f09f1cc355ef6387536fac049418975dab61aa15277b2872db82165d9375f', '\\frac{10}{11}'],
      ['minerva_math_precalc', 546, '07fbf9d92cd52c4b73875938d192abfbdef0cd065e5a9c8d49bb6719c520ded3', '0'],
      ['minerva_math500', 500, '4bd892f8fbe87b969e2a46990861afab2a7aeee3caaa5e8f6da7363905f0e57d', '\\le(3,\\frac{\\pi}{2}\\right)'],
    ];
    for (const [name, count, contextSha, target] of cases) {
      const t = task(name);
      expect(t.docs).toHaveLength(count);
      const req = t.request(0);
      if (req.kind !== 'generate_until') throw new Error('expected a generation request');
      expect(sha(req.context)).toBe(contextSha);
      expect(req.until).toEqual(['Problem:']);
      expect(req.maxTokens).toBe(256);
      expect(t.target(0)).toBe(target);
    }
    const h = task('hendrycks_math_algebra');
    expect(sha(h.request(0).context)).toBe('ec43418a8f2c727844d1586ebe095733b745c61116ee729c7590232d98f00c1f');
    expect(h.numFewshot).toBe(0);
    expect(() => mathTasks.find((t) => t.name === 'hendrycks_math_algebra')!.prepare({ dataDir, numFewshot: 1 })).toThrow(/train split/);
  });

  it.skipIf(!present)('scores a document through the prepared task, with the versions lm-eval\'s YAMLs state', async () => {
    const t = mathTasks.find((d) => d.name === 'minerva_math_algebra')!.prepare({ dataDir, scoring: { grader: pool } });
    expect(t.metricKeys).toEqual(['exact_match,none', 'math_verify,none']);
    const right = await t.score(t.docs[0]!, { kind: 'generate_until', text: ' ...\nFinal Answer: The final answer is $2$. I hope it is correct.', finishReason: 'stop' });
    expect(right.scores['exact_match,none']).toBe(1);
    expect(() => t.score(t.docs[0]!, { kind: 'loglikelihood', results: [] })).toThrow(/expected a generation/);
    const versions = Object.fromEntries(mathTasks.map((d) => [d.name, [d.version, (d.config?.metadata as { version: number }).version]]));
    expect(versions['minerva_math_algebra']).toEqual(['3.0', 3]);
    expect(versions['minerva_math500']).toEqual(['3.0', 3]);
    expect(versions['hendrycks_math_precalc']).toEqual(['1.0', 1]);
    expect(mathGroups.map((g) => g.version)).toEqual(['1.0', '1.0']);
  });
});
