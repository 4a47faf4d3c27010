/**
 * lm-evaluation-harness's output files as sciboard writes them: `results.json` (lm_eval/evaluator.py's results
 * document, plus sciboard's intervals and generation statistics) and the `samples_<task>.jsonl` lines of
 * `--log_samples`. The evaluator writes them, the database exports stored runs in the same shapes, and the
 * score import reads the scores back out of them. Reading lm-eval's own files is looser (older versions, fields
 * sciboard does not write): the import validates those with its own schema.
 */

/** `"<metric>,<filter>"` -> value, `"<metric>_stderr,<filter>"` -> value or "N/A", and the task's `alias`. */
export type LmEvalResultEntry = Record<string, string | number>;

export interface LmEvalResults {
  results: Record<string, LmEvalResultEntry>;
  groups: Record<string, LmEvalResultEntry>;
  group_subtasks: Record<string, string[]>;
  configs: Record<string, Record<string, unknown>>;
  versions: Record<string, string | number | null>;
  'n-shot': Record<string, number>;
  higher_is_better: Record<string, Record<string, boolean>>;
  'n-samples': Record<string, { original: number; effective: number }>;
  /** The run's arguments: model, model_args, batch_size (rows per forward pass), limit, seeds, … */
  config: Record<string, unknown>;
  date: number;
  total_evaluation_time_seconds: string;
  /** 95% intervals (normal approximation on the stderr, clipped to [0, 1]) for every score above. */
  intervals: Record<string, Record<string, [number, number] | null>>;
  /** Generation tasks: share of items with no extractable answer (per filter) and share that hit max tokens. */
  generation_stats: Record<string, Record<string, number>>;
  /** lm-eval's experiment arguments: the chat template applied (text, sha256, name), system instruction, turns. */
  chat_template?: string | null;
  chat_template_sha?: string | null;
  chat_template_name?: string | null;
  system_instruction?: string | null;
  system_instruction_sha?: string | null;
  fewshot_as_multiturn?: boolean;
}

/** The part of a results document that carries scores: what a store of scores reads from either producer. */
export interface LmEvalScores {
  results: Record<string, Record<string, unknown>>;
  groups?: Record<string, Record<string, unknown>>;
  group_subtasks?: Record<string, string[]>;
  'n-samples'?: Record<string, { effective: number }>;
  /** 95% intervals per subset and `"<metric>,<filter>"` key, where the producer computed them. */
  intervals?: Record<string, Record<string, readonly [number, number] | null>>;
}

/** One `--log_samples` line: one document under one filter (a document with two filters has two lines). */
export interface LmEvalSample {
  doc_id: number;
  doc: Record<string, unknown>;
  target: string | number;
  /** `gen_args_<i>` -> `{arg_0: context, arg_1: continuation or generation arguments}`, as lm-eval 0.4.3+ writes. */
  arguments: Record<string, { arg_0: string; arg_1: unknown }>;
  resps: unknown[];
  filtered_resps: unknown[];
  filter: string;
  metrics: string[];
  doc_hash: string;
  prompt_hash: string;
  target_hash: string;
  /** sciboard's addition: `"<metric>,<filter>"` -> why that score is 0 without a verdict. */
  notes?: Record<string, string>;
  /** Each metric's value, under the metric's name. */
  [metric: string]: unknown;
}
