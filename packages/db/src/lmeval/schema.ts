/**
 * The shape of lm-evaluation-harness output files (`results_<date>.json`, `samples_<task>_<date>.jsonl`),
 * as written by lm_eval/evaluator.py and lm_eval/loggers/evaluation_tracker.py. Only what the import reads
 * is checked strictly; everything else is kept as it is.
 */
import { z } from 'zod';

/** Metrics that are shares of items: a value outside [0, 1] means the file was edited or corrupted. */
const PROPORTION_METRICS = new Set(['acc', 'acc_norm', 'exact_match', 'acc_mutual_info', 'mc1', 'mc2']);

/** `"<metric>,<filter>"` -> number, `"<metric>_stderr,<filter>"` -> number or "N/A", plus `alias` and friends. */
const taskMetrics = z.record(z.string(), z.unknown()).superRefine((entry, ctx) => {
  for (const [key, value] of Object.entries(entry)) {
    if (!key.includes(',')) continue;
    const metric = key.split(',')[0]!;
    const isStderr = metric.endsWith('_stderr');
    if (typeof value === 'number' && PROPORTION_METRICS.has(metric) && !(value >= 0 && value <= 1)) {
      ctx.addIssue({ code: 'custom', path: [key], message: 'expected a proportion between 0 and 1', input: value });
      continue;
    }
    if (typeof value === 'number') continue;
    if (isStderr && (value === 'N/A' || value === null)) continue;
    ctx.addIssue({ code: 'custom', path: [key], message: isStderr ? 'expected number or "N/A"' : 'expected number', input: value });
  }
});

export const resultsFileSchema = z.looseObject({
  results: z.record(z.string(), taskMetrics),
  groups: z.record(z.string(), taskMetrics).optional(),
  group_subtasks: z.record(z.string(), z.array(z.string())).optional(),
  configs: z.record(z.string(), z.looseObject({ num_fewshot: z.number().nullable().optional() })).optional(),
  versions: z.record(z.string(), z.union([z.number(), z.string(), z.null()])).optional(),
  'n-shot': z.record(z.string(), z.number().nullable()).optional(),
  'n-samples': z.record(z.string(), z.looseObject({ original: z.number().int().nonnegative(), effective: z.number().int().nonnegative() })).optional(),
  config: z
    .looseObject({
      model: z.string().nullable().optional(),
      model_args: z.union([z.string(), z.record(z.string(), z.unknown()), z.null()]).optional(),
      batch_size: z.union([z.number(), z.string(), z.null()]).optional(),
      limit: z.number().nullable().optional(),
      random_seed: z.number().nullable().optional(),
    })
    .optional(),
  model_name: z.string().nullable().optional(),
  date: z.number().nullable().optional(),
  git_hash: z.string().nullable().optional(),
  lm_eval_version: z.string().nullable().optional(),
  task_hashes: z.record(z.string(), z.string()).optional(),
});
export type ResultsFile = z.infer<typeof resultsFileSchema>;

const generationArgs = z.looseObject({
  until: z.union([z.array(z.string()), z.string()]).optional(),
  max_gen_toks: z.number().optional(),
});
const requestArgument = z.union([z.string(), generationArgs]);

export const sampleLineSchema = z.looseObject({
  doc_id: z.number().int().nonnegative(),
  doc: z.record(z.string(), z.unknown()),
  target: z.union([z.string(), z.number()]),
  /** `{gen_args_<i>: {arg_<j>: …}}` since 0.4.3; a list of argument lists before that. */
  arguments: z.union([
    z.record(z.string(), z.record(z.string(), requestArgument)),
    z.array(z.array(requestArgument)),
  ]),
  resps: z.array(z.array(z.unknown())),
  filtered_resps: z.array(z.unknown()),
  filter: z.string().optional(),
  metrics: z.array(z.string()).optional(),
  doc_hash: z.string().optional(),
  prompt_hash: z.string().optional(),
  target_hash: z.string().optional(),
  /** sciboard's addition: metric -> why its score is 0 without a verdict (equivalence time limit, grader error). */
  notes: z.record(z.string(), z.string()).optional(),
});
export type SampleLine = z.infer<typeof sampleLineSchema>;

/** One line per problem: `file[:line]: path.to.field: expected …, got …`. */
export function describeIssues(error: z.ZodError, where: string): string {
  return error.issues
    .slice(0, 5)
    .map((issue) => {
      const path = issue.path.map(String).join('.') || '(top level)';
      const expected = issue.code === 'invalid_type' ? `expected ${issue.expected}` : issue.message;
      const got = 'input' in issue && issue.input !== undefined ? `, got ${describeValue(issue.input)}` : '';
      return `${where}: ${path}: ${expected}${got}`;
    })
    .join('\n');
}

function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'string') return `string ${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value)}`;
  return typeof value;
}
