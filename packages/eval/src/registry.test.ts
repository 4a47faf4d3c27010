import { describe, expect, it } from 'vitest';
import { getTaskDefinition, gradableNames, leafTasksOf, listGroups, listTasks, resolveTasks, rowScoringOf } from './registry.ts';
import { DocFieldError } from './task.ts';

describe('registry', () => {
  it('has every C-Eval and MMLU subject and SAT-Math', () => {
    const names = listTasks();
    expect(names.filter((n) => n.startsWith('ceval-valid_'))).toHaveLength(52);
    expect(names.filter((n) => n.startsWith('mmlu_') && !['mmlu_stem', 'mmlu_humanities', 'mmlu_other', 'mmlu_social_sciences'].includes(n))).toHaveLength(57);
    expect(names).toContain('agieval_sat_math');
    expect(getTaskDefinition('mmlu_anatomy').defaultNumFewshot).toBe(0);
  });

  it('expands nested groups to leaf tasks without duplicates', () => {
    expect(resolveTasks(['mmlu'])).toHaveLength(57);
    expect(resolveTasks(['mmlu_stem'])).toHaveLength(19);
    expect(leafTasksOf('mmlu_humanities')).toHaveLength(13);
    expect(leafTasksOf('mmlu_social_sciences')).toHaveLength(12);
    expect(leafTasksOf('mmlu_other')).toHaveLength(13);
    expect(resolveTasks(['ceval-valid'])).toHaveLength(52);
    const both = resolveTasks(['ceval-hard', 'ceval-math']).map((t) => t.name);
    expect(both).toHaveLength(9); // 8 hard + middle_school_mathematics
    expect(new Set(both).size).toBe(both.length);
    expect(resolveTasks(['sat-math', 'agieval_sat_math']).map((t) => t.name)).toEqual(['agieval_sat_math']);
  });

  it('board groups have the documented members', () => {
    const groups = Object.fromEntries(listGroups().map((g) => [g.name, g.members]));
    expect(groups['ceval-hard']).toEqual(
      [
        'advanced_mathematics',
        'discrete_mathematics',
        'probability_and_statistics',
        'college_chemistry',
        'college_physics',
        'high_school_mathematics',
        'high_school_chemistry',
        'high_school_physics',
      ].map((s) => `ceval-valid_${s}`),
    );
    for (const g of ['ceval-math', 'ceval-sci', 'mmlu-math', 'mmlu-sci', 'sat-math']) expect(groups[g]?.length).toBeGreaterThan(0);
  });

  it('an unknown name lists close matches', () => {
    expect(() => resolveTasks(['mmlu_colege_physics'])).toThrow(/unknown task or group "mmlu_colege_physics"; did you mean: mmlu_college_physics/);
    expect(() => getTaskDefinition('ceval-valid_phsician')).toThrow(/did you mean: ceval-valid_physician/);
    expect(() => resolveTasks(['zzzzzz'])).toThrow(/unknown task or group "zzzzzz"/);
  });

  it('says which tasks and groups score completions for rows they are handed, by asking the tasks', () => {
    expect(rowScoringOf('gsm8k')).toBe(getTaskDefinition('gsm8k').rowScoring);
    // A group whose tasks all score alike is graded by its tasks' scoring.
    expect(rowScoringOf('minerva_math')).toBe(getTaskDefinition('minerva_math_algebra').rowScoring);
    expect(rowScoringOf('minerva_math500')).toBe(getTaskDefinition('minerva_math_algebra').rowScoring);
    expect(rowScoringOf('hendrycks_math')).not.toBe(rowScoringOf('minerva_math'));
    // Multiple choice needs log-likelihoods, not a completion.
    expect(rowScoringOf('mmlu')).toBeUndefined();
    expect(rowScoringOf('ceval-valid_physician')).toBeUndefined();
    expect(() => rowScoringOf('poetry')).toThrow(/unknown task or group "poetry"/);
    const names = gradableNames();
    for (const n of ['gsm8k', 'gsm8k_cot', 'gsm8k_cot_zeroshot', 'minerva_math', 'hendrycks_math', 'hendrycks_math500']) expect(names).toContain(n);
    expect(names).not.toContain('mmlu');
  });

  it('turns a row into the task\'s document, naming the field that is wrong', () => {
    const gsm8k = rowScoringOf('gsm8k')!;
    expect(gsm8k.document({ question: 'q', answer: 'w\n#### 3', extra: 1 })).toEqual({ question: 'q', answer: 'w\n#### 3' });
    expect(() => gsm8k.document({ question: 'q' })).toThrow(new DocFieldError('answer', 'must be a string, got nothing'));
    expect(() => gsm8k.document({ answer: '3' })).toThrow(/field "answer" must end with "#### <number>"/);
    const minerva = rowScoringOf('minerva_math')!;
    expect(minerva.document({ problem: 'p', solution: 'So $\\boxed{7}$.' })).toMatchObject({ problem: 'p', answer: '7' });
    // A MATH-500 row's own answer is replaced by the one process_docs takes from the solution, as in lm-eval.
    expect(minerva.document({ problem: 'p', solution: 'So $\\boxed{7}$.', answer: 'seven' })).toMatchObject({ answer: '7' });
    expect(() => minerva.document({ problem: 'p', solution: 'no box' })).toThrow(/field "solution" must contain the final answer in \\boxed/);
  });

  it('scores a document stored with its gold in `gold`, as MATH documents were before they carried it in `answer`', async () => {
    const response = { kind: 'generate_until' as const, text: 'Final Answer: The final answer is $7$. I hope it is correct.', finishReason: 'stop' as const };
    const stored = { problem: 'p', solution: 'So $\\boxed{7}$.', answer: 'seven', gold: '7' };
    const hendrycks = rowScoringOf('hendrycks_math')!;
    const minerva = rowScoringOf('minerva_math')!;
    expect((await minerva.score(stored, response)).scores['exact_match,none']).toBe(1);
    expect((await minerva.score({ ...stored, gold: '8' }, response)).scores['exact_match,none']).toBe(0);
    const boxed = { ...response, text: 'So $\\boxed{7}$.' };
    expect((await hendrycks.score({ problem: 'p', solution: 'So $\\boxed{7}$.', gold: '7' }, boxed)).scores['exact_match,none']).toBe(0);
    expect((await hendrycks.score({ problem: 'p', solution: 'So $7$.', answer: '7' }, { ...response, text: 'So $7$.' })).scores['exact_match,none']).toBe(1);
    expect((await hendrycks.score({ problem: 'p', solution: 'So $7$.', answer: 'x', gold: '7' }, { ...response, text: 'So $7$.' })).scores['exact_match,none']).toBe(1);
  });
});
