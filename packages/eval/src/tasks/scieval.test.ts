import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadScieval, type ScievalDoc } from '../data/scieval.ts';
import { sharedDataDir, sharedDataMissing } from '../testing/sharedData.ts';
import { scievalCorrect, scievalValid } from './scieval.ts';
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

  it.skipIf(sharedDataMissing() !== null)('reads the release files and builds prompts with the official few-shot scheme', () => {
    const task = scievalValid.prepare({ dataDir: sharedDataDir });
    expect(task.docs).toHaveLength(1441);
    const d = task.docs[0] as ScievalDoc;
    const req = task.request(0);
    expect(req).toEqual({ kind: 'generate_until', context: `${d.prompt}\n${d.question}`, until: ['\n\n'], maxTokens: 128 });
    expect(task.target(0)).toBe(d.answer[0]);
    const right = scoreNow(task.score(0, { kind: 'generate_until', text: ` ${d.answer[0]}`, finishReason: 'stop' }));
    expect(right.scores['acc,none']).toBe(1);
    const shot = scievalValid.prepare({ dataDir: sharedDataDir, numFewshot: 1 }).request(0);
    expect(shot.context).toMatch(/\nHere are some examples:\n[\s\S]+\n\nThen, the question is:\n[\s\S]+ The answer is$/);
  });
});
