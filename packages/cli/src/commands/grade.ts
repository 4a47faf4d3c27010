import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { Command } from 'commander';
import { GradingPool, mathGoldAnswer, scoreGsm8k, scoreHendrycks, scoreMinerva, type ItemScore, type MathGrader } from '@sciboard/eval';
import { UsageError } from '../main.ts';
import { hendrycksExtractionOption, positiveInt, positiveSeconds } from '../options.ts';

export const GRADE_TASKS = ['gsm8k', 'gsm8k_cot', 'gsm8k_cot_zeroshot', 'minerva_math', 'hendrycks_math'] as const;
export type GradeTask = (typeof GRADE_TASKS)[number];

export interface GradeOptions {
  /** minerva_math deviation: identical normalised answers count as equal before the symbolic check. */
  stringEqualityFirst?: boolean;
  /** hendrycks_math answer span (default lm-eval's). */
  hendrycksExtraction?: 'lm-eval' | 'boxed-first';
  /** Time limit for one equivalence check, in milliseconds (default 5000, as lm-eval). */
  timeLimitMs?: number;
  /** Worker threads for equivalence checks (default one per core). */
  graderThreads?: number;
  /** A grader to use instead of a pool made and closed here. */
  grader?: MathGrader;
}

type Parsed =
  | { kind: 'gsm8k'; task: 'gsm8k' | 'gsm8k_cot' | 'gsm8k_cot_zeroshot'; completion: string; question: string; answer: string }
  | { kind: 'math'; family: 'minerva' | 'hendrycks'; completion: string; gold: string; solution: string };

/** Reads one input line (`{"completion": "...", "doc": {...dataset row...}}`); errors name the line and field. */
export function parseGradeLine(task: GradeTask, line: string, where: string): Parsed {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch (err) {
    throw new Error(`${where}: not valid JSON (${(err as Error).message})`);
  }
  if (!value || typeof value !== 'object' || Array.isArray(value)) throw new Error(`${where}: expected a JSON object with "completion" and "doc"`);
  const row = value as Record<string, unknown>;
  if (typeof row['completion'] !== 'string') throw new Error(`${where}: field "completion" must be a string, got ${describe(row['completion'])}`);
  const doc = row['doc'];
  if (!doc || typeof doc !== 'object' || Array.isArray(doc)) throw new Error(`${where}: field "doc" must be an object (the dataset row), got ${describe(doc)}`);
  const d = doc as Record<string, unknown>;
  const completion = row['completion'];
  const field = (name: string): string => {
    if (typeof d[name] !== 'string') throw new Error(`${where}: field "doc.${name}" must be a string, got ${describe(d[name])}`);
    return d[name] as string;
  };
  if (task === 'gsm8k' || task === 'gsm8k_cot' || task === 'gsm8k_cot_zeroshot') {
    const answer = field('answer');
    if (!answer.includes('####')) throw new Error(`${where}: field "doc.answer" must end with "#### <number>" as GSM8K answers do`);
    return { kind: 'gsm8k', task, completion, question: typeof d['question'] === 'string' ? d['question'] : '', answer };
  }
  const family = task === 'minerva_math' ? 'minerva' : 'hendrycks';
  const solution = field('solution');
  let gold: string;
  try {
    gold = mathGoldAnswer(family, solution);
  } catch (err) {
    // lm-eval's process_docs raises here (remove_boxed asserts), which stops its run; the line is refused instead.
    throw new Error(`${where}: field "doc.solution" must contain the final answer in \\boxed{...} (${(err as Error).message})`);
  }
  return { kind: 'math', family, completion, gold, solution };
}

/** Scores one parsed line; minerva checks go through the grader's worker threads under its time limit. */
export function gradeParsed(p: Parsed, grader: MathGrader, options: GradeOptions = {}): ItemScore | Promise<ItemScore> {
  if (p.kind === 'gsm8k') return scoreGsm8k(p.task, p.completion, { question: p.question, answer: p.answer });
  if (p.family === 'hendrycks') return scoreHendrycks(p.completion, p.gold, options.hendrycksExtraction ?? 'lm-eval');
  return scoreMinerva(p.completion, { answer: p.gold, solution: p.solution }, { grader, ...(options.stringEqualityFirst ? { stringEqualityFirst: true } : {}) });
}

/** Grades one input line. */
export async function gradeLine(task: GradeTask, line: string, where: string, options: GradeOptions & { grader: MathGrader }): Promise<ItemScore> {
  return gradeParsed(parseGradeLine(task, line, where), options.grader, options);
}

function describe(v: unknown): string {
  if (v === undefined) return 'nothing';
  const s = JSON.stringify(v);
  return s.length > 60 ? `${s.slice(0, 57)}...` : s;
}

/**
 * Grades a whole file, lines concurrently through the grading pool, output in input order. Every line is read and
 * checked before any is graded, so nothing is returned (or written) unless every line is valid.
 */
export async function gradeFile(task: GradeTask, file: string, options: GradeOptions = {}): Promise<string[]> {
  if (!existsSync(file)) throw new UsageError(`${file}: input file not found`);
  let text = readFileSync(file, 'utf8');
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  const parsed: Parsed[] = [];
  text.split('\n').forEach((raw, i) => {
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (line.trim() === '') return;
    parsed.push(parseGradeLine(task, line, `${file}:${i + 1}`));
  });
  const pool = options.grader ? undefined : new GradingPool({ ...(options.timeLimitMs ? { timeLimitMs: options.timeLimitMs } : {}), ...(options.graderThreads ? { size: options.graderThreads } : {}) });
  try {
    const grader = options.grader ?? pool!;
    const scores = await Promise.all(parsed.map((p) => gradeParsed(p, grader, options)));
    return scores.map(({ filtered, scores: s, notes }) => JSON.stringify({ filtered, scores: s, ...(notes ? { notes } : {}) }));
  } finally {
    await pool?.close();
  }
}

export function register(program: Command): void {
  program
    .command('grade')
    .description('Score completions for GSM8K / MATH documents as lm-eval does (filters, extraction, exact match, math_verify)')
    .requiredOption('--task <task>', GRADE_TASKS.join(' | '))
    .requiredOption('--in <file>', 'JSONL, one {"completion": "...", "doc": {...dataset row...}} per line')
    .option('--out <file>', 'write the graded lines here (JSONL, input order) instead of stdout')
    .option('--string-equality-first', 'minerva_math deviation: count identical normalised answers as equal before the symbolic check (lm-eval scores unparseable ones 0)')
    .option('--hendrycks-extraction <mode>', 'hendrycks_math answer span: lm-eval (between the first and last $, as lm-eval) | boxed-first (deviation)', hendrycksExtractionOption, 'lm-eval')
    .option('--time-limit <seconds>', 'time limit for one equivalence check; a check stopped there is not equivalent (default 5, as lm-eval)', positiveSeconds('--time-limit'))
    .option('--grader-threads <n>', 'worker threads for equivalence checks (default: one per core)', positiveInt('--grader-threads'))
    .action(async (opts: { task: string; in: string; out?: string; stringEqualityFirst?: boolean; hendrycksExtraction: 'lm-eval' | 'boxed-first'; timeLimit?: number; graderThreads?: number }) => {
      if (!(GRADE_TASKS as readonly string[]).includes(opts.task)) {
        throw new UsageError(`--task must be one of ${GRADE_TASKS.join(', ')}; got "${opts.task}"`);
      }
      const lines = await gradeFile(opts.task as GradeTask, opts.in, {
        stringEqualityFirst: opts.stringEqualityFirst,
        hendrycksExtraction: opts.hendrycksExtraction,
        ...(opts.timeLimit ? { timeLimitMs: opts.timeLimit * 1000 } : {}),
        ...(opts.graderThreads ? { graderThreads: opts.graderThreads } : {}),
      });
      const body = lines.map((l) => `${l}\n`).join('');
      if (opts.out) {
        // Written beside the target and renamed, so a failure never leaves a partial file behind.
        const tmp = join(dirname(opts.out), `.${basename(opts.out)}.${process.pid}.tmp`);
        writeFileSync(tmp, body);
        renameSync(tmp, opts.out);
        process.stderr.write(`graded ${lines.length} lines for ${opts.task} into ${opts.out}\n`);
      } else {
        process.stdout.write(body);
      }
    });
}
