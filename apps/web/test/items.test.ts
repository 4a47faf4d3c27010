import { describe, expect, it } from 'vitest';
import type { ResultRow } from '@sciboard/db';
import { itemView } from '../lib/items.ts';

const row = (scores: Record<string, number>, notes: Record<string, string> | null = null) =>
  ({
    id: 1,
    runId: 1,
    task: 'minerva_math_algebra',
    docIndex: 0,
    docHash: 'd',
    promptHash: 'p',
    doc: { problem: 'What is 1+1?' },
    request: { kind: 'generate_until', context: 'Problem:\nWhat is 1+1?\n\nSolution:', until: ['Problem:'], maxTokens: 256 },
    response: { kind: 'generate_until', text: 'Final Answer: The final answer is $2$. I hope it is correct.', finishReason: 'stop' },
    target: '2',
    filtered: { none: '2' },
    scores,
    notes,
    createdAt: '2026-01-01T00:00:00Z',
  }) as unknown as ResultRow;

describe('itemView', () => {
  it('shows both minerva verdicts, judges the item by the metric given, and keeps a verdict\'s note', () => {
    const v = itemView(row({ 'math_verify,none': 1, 'exact_match,none': 0 }, { 'exact_match,none': 'time limit: no verdict within 5 s' }), 'exact_match,none');
    expect(v.correct).toBe(false);
    expect(v.verdicts).toEqual([
      { key: 'math_verify,none', value: 1, note: null },
      { key: 'exact_match,none', value: 0, note: 'time limit: no verdict within 5 s' },
    ]);
    expect(itemView(row({ 'math_verify,none': 1, 'exact_match,none': 0 })).correct).toBe(true);
  });
});
