import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadScieval, type ScievalDoc } from '../data/scieval.ts';
import { sharedDataDir, sharedDataMissing } from '../testing/sharedData.ts';
import { scievalChance, scievalCorrect, scievalValid } from './scieval.ts';
import { scoreNow } from '../task.ts';

const item = (over: Partial<ScievalDoc>): ScievalDoc => ({
  id: '1',
  question: 'Q?\nAnswer:',
  answer: ['B'],
  category: 'physics',
  ability: 'Base Knowledge',
  type: 'multiple-choice',
  task_name: 'SocraticQA',
  topic: null,
  prompt: 'Pick one letter.',
  cot_prompt: '',
  ...over,
});

describe('SciEval', () => {
  // Verdicts worked out by hand from evaluate_SciEval.py: pred = output.strip(); multiple-choice
  // `answer.lower() == pred[0].lower()`; judge and filling `answer.lower() in pred.lower()`.
  it.each([
    [item({}), 'B', true],
    [item({}), 'b) 4 m/s', true],
    [item({}), '\n  B\n', true],
    [item({}), 'Answer: B', false],
    [item({}), '', false],
    [item({}), '(B)', false],
    [item({ type: 'judge', answer: ['yes'] }), 'Yes.', true],
    // "no" occurs inside "not" and "know": substring matching credits these.
    [item({ type: 'judge', answer: ['no'] }), 'I do not know', true],
    [item({ type: 'judge', answer: ['no'] }), 'Yes, maybe', false],
    [item({ type: 'judge', answer: ['no'] }), 'The answer is unknown', true],
    [item({ type: 'judge', answer: ['maybe'] }), 'MAYBE', true],
    [item({ type: 'filling', answer: ['c1ccc(P(c2ccccc2)c2ccccc2)cc1'] }), 'Optimal ligand: C1CCC(P(c2ccccc2)c2ccccc2)cc1', true],
    [item({ type: 'filling', answer: ['c1ccc(P(c2ccccc2)c2ccccc2)cc1'] }), 'c1ccc(P(c2ccccc2)c2ccccc2)c1', false],
    [item({ type: 'filling', answer: ['c1ccc(P(c2ccccc2)c2ccccc2)cc1'] }), 'C1CCC(P(C2CCCCC2)C2CCCCC2)CC1', true],
  ])('SciGLM per-type parsing %#', (doc, output, verdict) => {
    expect(scievalCorrect(doc, output)).toBe(verdict);
  });

  it('gives each item type its guessing chance', () => {
    expect(scievalChance(item({}))).toBe(0.25);
    expect(scievalChance(item({ type: 'judge', answer: ['yes'] }))).toBeCloseTo(1 / 3, 15);
    expect(scievalChance(item({ type: 'filling', question: 'x\nLigand list for selection:\nA,B,C,D,E\nOptimal ligand:' }))).toBe(0.2);
  });

  it('scores as the official eval.py: first character for choices, substring otherwise', () => {
    expect(scievalCorrect(item({}), ' B. because')).toBe(true);
    expect(scievalCorrect(item({}), 'The answer is B')).toBe(false);
    expect(scievalCorrect(item({ type: 'judge', answer: ['no'] }), 'No, it is not')).toBe(true);
    expect(scievalCorrect(item({ type: 'filling', answer: ['CCO'] }), 'ligand: cco')).toBe(true);
    expect(scievalCorrect(item({ type: 'filling', answer: ['CCO'] }), 'CCN')).toBe(false);
  });

  it('names the item and field of a malformed entry', () => {
    const dir = mkdtempSync(join(tmpdir(), 'scieval-'));
    mkdirSync(join(dir, 'scieval'));
    writeFileSync(join(dir, 'scieval/scieval-valid.json'), JSON.stringify([item({}), { ...item({}), type: 'essay' }]));
    expect(() => loadScieval(dir, 'valid')).toThrow(/scieval-valid\.json, field "\[1\]\.type": expected one of multiple-choice, filling, judge, found "essay"/);
  });

  it.skipIf(sharedDataMissing() !== null && !process.env.CI)('reads the release files and builds prompts with the official few-shot scheme', () => {
    const task = scievalValid.prepare({ dataDir: sharedDataDir });
    expect(task.docs).toHaveLength(1441);
    const d = task.docs[0] as ScievalDoc;
    const req = task.request(0);
    expect(req).toEqual({ kind: 'generate_until', context: `${d.prompt}\ninput:${d.question}`, until: [], maxTokens: 512 });
    const docs = task.docs as ScievalDoc[];
    const count = (t: string): number => docs.filter((x) => x.type === t).length;
    expect([count('multiple-choice'), count('judge'), count('filling')]).toEqual([1187, 99, 155]);
    const fillingChance = docs.filter((x) => x.type === 'filling').reduce((s, x) => s + scievalChance(x), 0) / 155;
    // The leaderboard's SciEval baseline (packages/leaderboard boards.ts) is built from these three numbers.
    expect(fillingChance).toBeCloseTo(0.31139784946, 10);
    expect(task.target(0)).toBe(d.answer[0]);
    const right = scoreNow(task.score(task.docs[0]!, { kind: 'generate_until', text: ` ${d.answer[0]}`, finishReason: 'stop' }));
    expect(right.scores['acc,none']).toBe(1);
    const shot = scievalValid.prepare({ dataDir: sharedDataDir, numFewshot: 1 }).request(0);
    expect(shot.context).toMatch(/\nHere are some examples:\n[\s\S]+\n\nThen, the question is:\n[\s\S]+ The answer is$/);
  });
});
