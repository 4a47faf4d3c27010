import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { leafTasksOf } from '@sciboard/eval';
import { boardSubsets, planSubsets } from './plan.ts';

const samples = resolve(import.meta.dirname, '../../eval/samples');

describe('planning a submission', () => {
  it('defaults to every measurable subset of both boards, one shard per leaf task', () => {
    const plans = planSubsets({});
    expect(plans.map((p) => p.subset)).toEqual(boardSubsets(['science', 'math']));
    expect(plans.map((p) => p.subset)).toEqual(expect.arrayContaining(['ceval-hard', 'mmlu-sci', 'gsm8k']));
    const mmlu = plans.find((p) => p.subset === 'mmlu-sci')!;
    expect(mmlu.tasks).toEqual(leafTasksOf('mmlu-sci'));
    expect(mmlu.tasks.length).toBeGreaterThan(1);
  });

  it('plans every column of a board, SciBench, SciEval and Mathematics included', () => {
    expect(boardSubsets(['science'])).toEqual(['ceval-hard', 'ceval-sci', 'mmlu-sci', 'scieval', 'scibench']);
    expect(boardSubsets(['math'])).toEqual(['gsm8k', 'minerva_math', 'mathematics', 'agieval_sat_math', 'mmlu-math', 'ceval-math']);
    const plans = planSubsets({ boards: ['science', 'math'] });
    expect(plans.find((p) => p.subset === 'scibench')!.tasks).toHaveLength(10);
    expect(plans.find((p) => p.subset === 'mathematics')!.tasks).toHaveLength(56);
  });

  it('takes explicit tasks, groups and suite files', () => {
    const plans = planSubsets({ tasks: ['mmlu_astronomy', join(samples, 'arithmetic.yaml')] });
    expect(plans).toEqual([
      { subset: 'mmlu_astronomy', tasks: ['mmlu_astronomy'] },
      { subset: 'sample_arithmetic', spec: join(samples, 'arithmetic.yaml'), tasks: ['sample_arithmetic'] },
    ]);
  });

  it('refuses unknown boards and tasks and repeats, naming the field', () => {
    expect(() => planSubsets({ boards: ['physics'] })).toThrow(/^board: unknown board "physics"/);
    expect(() => planSubsets({ tasks: ['nope'] })).toThrow(/^tasks: unknown task or group "nope"/);
    expect(() => planSubsets({ tasks: ['gsm8k', 'gsm8k'] })).toThrow(/^tasks: "gsm8k" requested twice/);
    expect(() => planSubsets({ tasks: [join(samples, 'missing.yaml')] })).toThrow(/^tasks: cannot load suite/);
  });
});
