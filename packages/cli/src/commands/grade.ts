import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { Command } from 'commander';
import {
  describeValue,
  type Doc,
  DocFieldError,
  gradableNames,
  GradingPool,
  type ItemScore,
  type MathGrader,
  type RowScoring,
  rowScoringOf,
  UnknownTaskError,
} from '@sciboard/runs';
import { UsageError } from '../main.ts';
import { hendrycksExtractionOption, positiveInt, positiveSeconds } from '../options.ts';

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

interface Parsed {
  scoring: RowScoring;
  completion: string;
  /** The dataset row as the task's document. */
  doc: Doc;
}

/** How the task scores rows, or a usage error naming the tasks and groups that can be graded. */
export function gradingOf(task: string): RowScoring {
  let scoring: RowScoring | undefined;
  try {
    scoring = rowScoringOf(task);
  } catch (err) {
    if (!(err instanceof UnknownTaskError)) throw err;
  }
  if (!scoring) throw new UsageError(`--task must be a task or group that scores completions (${gradableNames().join(', ')}); got "${task}"`);
  return scoring;
}

/** Reads one input line (`{"completion": "...", "doc": {...dataset row...}}`); errors name the line and field. */
export function parseGradeLine(task: string | RowScoring, line: string, where: string): Parsed {
  const scoring = typeof task === 'string' ? gradingOf(task) : task;
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch (err) {
    throw new Error(`${where}: not valid JSON (${(err as Error).message})`);
  }
  if (!value || typeof value !== 'object' || Array.isArray(value)) throw new Error(`${where}: expected a JSON object with "completion" and "doc"`);
  const row = value as Record<string, unknown>;
  if (typeof row['completion'] !== 'string') throw new Error(`${where}: field "completion" must be a string, got ${describeValue(row['completion'])}`);
  const doc = row['doc'];
  if (!doc || typeof doc !== 'object' || Array.isArray(doc)) throw new Error(`${where}: field "doc" must be an object (the dataset row), got ${describeValue(doc)}`);
  try {
    return { scoring, completion: row['completion'], doc: scoring.document(doc as Doc) };
  } catch (err) {
    if (err instanceof DocFieldError) throw new Error(`${where}: field "doc.${err.field}" ${err.problem}`);
    throw err;
  }
}

/** Scores one parsed line as its task does; MATH checks go through the grader's worker threads under its time limit. */
export function gradeParsed(p: Parsed, grader: MathGrader, options: GradeOptions = {}): ItemScore | Promise<ItemScore> {
  return p.scoring.score(p.doc, { kind: 'generate_until', text: p.completion, finishReason: 'stop' }, {
    grader,
    ...(options.hendrycksExtraction ? { hendrycksExtraction: options.hendrycksExtraction } : {}),
    ...(options.stringEqualityFirst ? { stringEqualityFirst: true } : {}),
  });
}

/** Grades one input line. */
export async function gradeLine(task: string, line: string, where: string, options: GradeOptions & { grader: MathGrader }): Promise<ItemScore> {
  return gradeParsed(parseGradeLine(task, line, where), options.grader, options);
}

/**
 * Grades a whole file, lines concurrently through the grading pool, output in input order. Every line is read and
 * checked before any is graded, so nothing is returned (or written) unless every line is valid.
 */
export async function gradeFile(task: string, file: string, options: GradeOptions = {}): Promise<string[]> {
  const scoring = gradingOf(task);
  if (!existsSync(file)) throw new UsageError(`${file}: input file not found`);
  let text = readFileSync(file, 'utf8');
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  const parsed: Parsed[] = [];
  text.split('\n').forEach((raw, i) => {
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (line.trim() === '') return;
    parsed.push(parseGradeLine(scoring, line, `${file}:${i + 1}`));
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
    .requiredOption('--task <task>', 'a task or group that scores completions: gsm8k | gsm8k_cot | gsm8k_cot_zeroshot | minerva_math | hendrycks_math | one MATH subject task')
    .requiredOption('--in <file>', 'JSONL, one {"completion": "...", "doc": {...dataset row...}} per line')
    .option('--out <file>', 'write the graded lines here (JSONL, input order) instead of stdout')
    .option('--string-equality-first', 'minerva_math deviation: count identical normalised answers as equal before the symbolic check (lm-eval scores unparseable ones 0)')
    .option('--hendrycks-extraction <mode>', 'hendrycks_math answer span: lm-eval (between the first and last $, as lm-eval) | boxed-first (deviation)', hendrycksExtractionOption, 'lm-eval')
    .option('--time-limit <seconds>', 'time limit for one equivalence check; a check stopped there is not equivalent (default 5, as lm-eval)', positiveSeconds('--time-limit'))
    .option('--grader-threads <n>', 'worker threads for equivalence checks (default: one per core)', positiveInt('--grader-threads'))
    .action(async (opts: { task: string; in: string; out?: string; stringEqualityFirst?: boolean; hendrycksExtraction: 'lm-eval' | 'boxed-first'; timeLimit?: number; graderThreads?: number }) => {
      const lines = await gradeFile(opts.task, opts.in, {
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
