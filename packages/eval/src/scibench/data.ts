/** Reader for the SciBench textbook files (`scibench/original/<book>.json` and `<book>_sol.json`). */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DataFormatError, readUtf8DataFile } from '../data/errors.ts';

/** The ten textbooks, in the order of the benchmark's `--list_source` default. */
export const SCIBENCH_BOOKS = ['atkins', 'calculus', 'chemmc', 'class', 'diff', 'fund', 'matter', 'quan', 'stat', 'thermo'] as const;
export type ScibenchBook = (typeof SCIBENCH_BOOKS)[number];

export interface ScibenchDoc extends Record<string, unknown> {
  problem_text: string;
  answer_latex: string;
  answer_number: string;
  unit: string;
  source: string;
  problemid: string;
  comment: string;
  /** Worked solution (`_sol` files only). */
  solution?: string;
}

const STRING_FIELDS = ['problem_text', 'answer_number', 'unit'] as const;

export function scibenchFile(dataDir: string, book: string, withSolutions = false): string {
  return join(dataDir, 'scibench', 'original', `${book}${withSolutions ? '_sol' : ''}.json`);
}

/** One book's problems, in file order; `withSolutions` reads the worked-solution file instead. */
export function loadScibenchBook(dataDir: string, book: string, withSolutions = false): ScibenchDoc[] {
  const file = scibenchFile(dataDir, book, withSolutions);
  let raw: unknown;
  try {
    raw = JSON.parse(readUtf8DataFile(file, readFileSync).replace(/^\uFEFF/, ''));
  } catch (err) {
    if (err instanceof DataFormatError) throw err;
    throw new DataFormatError(file, undefined, undefined, `expected a JSON array of problems (${(err as Error).message})`);
  }
  if (!Array.isArray(raw)) throw new DataFormatError(file, undefined, undefined, 'expected a JSON array of problems');
  return raw.map((item: unknown, i) => {
    if (!item || typeof item !== 'object' || Array.isArray(item)) throw new DataFormatError(file, undefined, `[${i}]`, 'expected an object');
    const o = item as Record<string, unknown>;
    for (const f of STRING_FIELDS) {
      if (typeof o[f] !== 'string') throw new DataFormatError(file, undefined, `[${i}].${f}`, `expected a string, found ${JSON.stringify(o[f] ?? null)}`);
    }
    if (withSolutions && typeof o.solution !== 'string') {
      throw new DataFormatError(file, undefined, `[${i}].solution`, 'expected a string (the worked solution of a _sol file)');
    }
    const str = (v: unknown): string => (typeof v === 'string' ? v : '');
    return {
      problem_text: o.problem_text as string,
      answer_latex: str(o.answer_latex),
      answer_number: o.answer_number as string,
      unit: o.unit as string,
      source: str(o.source),
      problemid: str(o.problemid),
      comment: str(o.comment),
      ...(withSolutions ? { solution: o.solution as string } : {}),
    };
  });
}
