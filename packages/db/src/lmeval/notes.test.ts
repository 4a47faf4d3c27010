import { describe, expect, it } from 'vitest';
import type { ItemRecord } from '../queries/results.ts';
import { sampleLineSchema } from './schema.ts';
import { itemsFromSampleLines, sampleLinesFromItem } from './samples.ts';

const item: ItemRecord = {
  task: 'minerva_math_algebra',
  docIndex: 3,
  docHash: 'd',
  promptHash: 'p',
  doc: { problem: 'p', solution: 'So $\\boxed{5}$.' },
  request: { kind: 'generate_until', context: 'Problem:\np\n\nSolution:', until: ['Problem:'], maxTokens: 256 },
  response: { kind: 'generate_until', text: 'Final Answer: The final answer is $99999999!$. I hope it is correct.', finishReason: 'stop' },
  target: '5',
  filtered: { none: '99999999!' },
  scores: { 'exact_match,none': 0, 'math_verify,none': 0 },
  notes: { 'exact_match,none': 'time limit: no verdict within 5 s' },
};

describe('lm-eval samples with math_verify and notes', () => {
  it('exports both metrics and the reason, and imports them back unchanged', () => {
    const lines = sampleLinesFromItem(item);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ metrics: ['exact_match', 'math_verify'], exact_match: 0, math_verify: 0, notes: { 'exact_match,none': 'time limit: no verdict within 5 s' } });
    const parsed = lines.map((l, i) => ({ line: i + 1, sample: sampleLineSchema.parse(JSON.parse(JSON.stringify(l))) }));
    const [back] = itemsFromSampleLines(item.task, parsed);
    expect(back!.scores).toEqual(item.scores);
    expect(back!.notes).toEqual(item.notes);
  });

  it('leaves items without notes without the field', () => {
    const { notes: _n, ...plain } = item;
    expect(sampleLinesFromItem(plain)[0]).not.toHaveProperty('notes');
  });
});
