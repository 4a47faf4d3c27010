/**
 * Readers for the generation suites' JSON Lines files under the data folder: `gsm8k/{train,test}.jsonl`
 * (openai/grade-school-math) and `math/test.jsonl` / `math/math500_test.jsonl` (MATH test and MATH-500).
 */
import { join } from 'node:path';
import { DataFormatError } from '../data/errors.ts';
import { readJsonl } from '../data/jsonl.ts';

export interface Gsm8kDoc extends Record<string, unknown> {
  question: string;
  answer: string;
}

export interface MathDoc extends Record<string, unknown> {
  problem: string;
  solution: string;
  /** MATH subject display name (`type` in test.jsonl, `subject` in math500_test.jsonl), e.g. `Number Theory`. */
  subject: string;
  level: string | number;
  /** MATH-500's own answer field, when the file has one; the tasks' process_docs replaces it with the answer taken from `solution`, as lm-eval's does. */
  answer?: string;
  unique_id?: string;
  idx?: number;
}

function objectAt(file: string, line: number, value: unknown): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new DataFormatError(file, line, undefined, `expected a JSON object, got ${Array.isArray(value) ? 'an array' : typeof value}`);
  }
  return value as Record<string, unknown>;
}

function stringField(file: string, line: number, row: Record<string, unknown>, field: string): string {
  const v = row[field];
  if (typeof v !== 'string') throw new DataFormatError(file, line, field, `expected a string, got ${v === undefined ? 'nothing' : JSON.stringify(v)}`);
  return v;
}

export function gsm8kFile(dataDir: string, split: 'train' | 'test'): string {
  return join(dataDir, 'gsm8k', `${split}.jsonl`);
}

export function loadGsm8k(dataDir: string, split: 'train' | 'test'): Gsm8kDoc[] {
  const file = gsm8kFile(dataDir, split);
  return readJsonl(file).map(({ line, value }) => {
    const row = objectAt(file, line, value);
    return { question: stringField(file, line, row, 'question'), answer: stringField(file, line, row, 'answer') };
  });
}

export type MathFile = 'test' | 'math500_test';

export function mathFile(dataDir: string, which: MathFile): string {
  return join(dataDir, 'math', `${which}.jsonl`);
}

const mathCache = new Map<string, MathDoc[]>();

/** Both MATH files in file order; the full test set is read once per process (seven subject tasks share it). */
export function loadMath(dataDir: string, which: MathFile): MathDoc[] {
  const file = mathFile(dataDir, which);
  const cached = mathCache.get(file);
  if (cached) return cached;
  const docs = readJsonl(file).map(({ line, value }) => {
    const row = objectAt(file, line, value);
    const subjectField = 'type' in row ? 'type' : 'subject';
    const level = row['level'];
    if (typeof level !== 'string' && typeof level !== 'number') throw new DataFormatError(file, line, 'level', `expected a string or number, got ${JSON.stringify(level)}`);
    const doc: MathDoc = {
      problem: stringField(file, line, row, 'problem'),
      solution: stringField(file, line, row, 'solution'),
      subject: stringField(file, line, row, subjectField),
      level,
    };
    if (typeof row['answer'] === 'string') doc.answer = row['answer'];
    if (typeof row['unique_id'] === 'string') doc.unique_id = row['unique_id'];
    if (typeof row['idx'] === 'number') doc.idx = row['idx'];
    return doc;
  });
  mathCache.set(file, docs);
  return docs;
}
