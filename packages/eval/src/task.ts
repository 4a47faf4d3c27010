/**
 * What a task is to the evaluator: it only describes (documents, prompts, scoring); the model only computes.
 * Modelled on lm-evaluation-harness's Task / Instance split.
 */
import type { ModelResponse, TaskRequest } from '@sciboard/contracts';
import type { PromptParts } from './chat/prompt.ts';

export type Doc = Record<string, unknown>;

/**
 * One document's request (a multiple-choice question becomes one log-likelihood per continuation) and the
 * model's response: stored with every item, so declared once with the item record.
 */
export type { ModelResponse, TaskRequest };

export interface ItemScore {
  /** lm-eval filter name -> extracted answer (`none` where the metric does its own extraction). */
  filtered: Record<string, string>;
  /** `"<metric>,<filter>"` -> value, e.g. `"acc,none"`, `"exact_match,strict-match"`. */
  scores: Record<string, number>;
  /**
   * Generation tasks: filter name -> whether an answer could be extracted. When absent the evaluator counts an
   * extracted answer of `[invalid]` (lm-eval's fallback) or an empty string as "no answer".
   */
  answerFound?: Record<string, boolean>;
  /**
   * `"<metric>,<filter>"` -> why that score is 0 when the grader says: a check stopped at its time limit, a grader
   * that raised, or the grader's own reason ("unparseable: ...", "... differs from gold ..."). Absent otherwise.
   */
  notes?: Record<string, string>;
}

export interface PrepareOptions {
  dataDir: string;
  /** Overrides the task's default shot count (lm-eval's `--num_fewshot`). */
  numFewshot?: number;
  /** Scoring choices and the grader that runs time-limited equivalence checks (see generation/README.md). */
  scoring?: ScoringOptions;
  /** Seed of the few-shot sampler (lm-eval's `fewshot_random_seed`, default 1234); tasks with fixed exemplars ignore it. */
  fewshotSeed?: number;
}

/** Options that change how generation tasks are scored; recorded under `config.scoring` in results. */
export interface ScoringOptions {
  /** hendrycks_math answer span: lm-eval's `$`-span rule (default) or the boxed-first deviation. */
  hendrycksExtraction?: 'lm-eval' | 'boxed-first';
  /** minerva_math deviation: identical normalised strings count as equal before the symbolic check. */
  stringEqualityFirst?: boolean;
  /** Runs minerva equivalence and math_verify checks; a process-wide pool with lm-eval's 5 s limit when absent. */
  grader?: import('./generation/grading/pool.ts').MathGrader;
}

export interface PreparedTask {
  /** Leaf task name, as lm-eval names it (`mmlu_college_physics`, `ceval-valid_physician`, `gsm8k`). */
  name: string;
  numFewshot: number;
  /** Evaluation documents in dataset order; `docIndex` below indexes this array. */
  docs: Doc[];
  request(docIndex: number): TaskRequest;
  /**
   * The prompt's parts (description, exemplars, question) as lm-eval's `fewshot_context` assembles them, so a chat
   * template can lay them out as turns; absent for suites whose prompt is not built that way.
   */
  promptParts?(docIndex: number): PromptParts;
  /** The gold answer as lm-eval reports it in `--log_samples` (`target`). */
  target(docIndex: number): string | number;
  /**
   * lm-eval's `process_results(doc, results)`: scores one of the task's documents (an element of `docs`, or the
   * `doc` of a stored item) from the model's response. Depends on nothing but the two, so stored items can be
   * scored again without the prompts. May be asynchronous: MATH equivalence checks run in worker threads under a
   * time limit.
   */
  score(doc: Doc, response: ModelResponse): ItemScore | Promise<ItemScore>;
  /** Every `"<metric>,<filter>"` key that `score` returns, in lm-eval's results order. */
  metricKeys: string[];
  /** Metrics where lower is better, if any (lm-eval's `higher_is_better: false`). */
  lowerIsBetter?: string[];
}

/** A generation's text, or an error naming the task when the response is not a generation. */
export function generatedText(task: string, response: ModelResponse): string {
  if (response.kind !== 'generate_until') throw new Error(`${task}: expected a generation, got log-likelihoods`);
  return response.text;
}

/** A task's document by index, or an error naming the task and how many documents it has. */
export function documentAt<D>(task: string, docs: readonly D[], i: number): D {
  const d = docs[i];
  if (d === undefined) throw new Error(`${task}: no document ${i} (the task has ${docs.length})`);
  return d;
}

export interface TaskDefinition {
  name: string;
  version: string;
  outputType: 'multiple_choice' | 'generate_until';
  defaultNumFewshot: number;
  prepare(options: PrepareOptions): PreparedTask;
  /** Display name in results tables (lm-eval's `task_alias`); defaults to `name`. */
  alias?: string;
  /** The task's lm-eval style config, reported under `configs` in results.json. */
  config?: Record<string, unknown>;
  /**
   * How the task scores a completion for a dataset row it is handed rather than one it loaded (`sciboard grade`);
   * absent for tasks that cannot (multiple choice needs log-likelihoods, not a completion). Tasks that score
   * alike share one object, so a group whose tasks all share it can be graded by its name.
   */
  rowScoring?: RowScoring;
}

/** Scoring of dataset rows given from outside: the row as the task's document, then `process_results`. */
export interface RowScoring {
  /**
   * A raw dataset row as the task's document (lm-eval's `process_docs` for one row, e.g. the MATH gold answer taken
   * from the solution); a row the task cannot score is a `DocFieldError` naming the field.
   */
  document(row: Doc): Doc;
  /** `PreparedTask.score` of that document, under the given scoring options. */
  score(doc: Doc, response: ModelResponse, scoring?: ScoringOptions): ItemScore | Promise<ItemScore>;
}

/** A document field that is missing or not what the task needs; `problem` completes `field "<field>" ...`. */
export class DocFieldError extends Error {
  constructor(
    readonly field: string,
    readonly problem: string,
  ) {
    super(`field "${field}" ${problem}`);
    this.name = 'DocFieldError';
  }
}

/** A value as an error message quotes it: "nothing" when absent, else its JSON, cut to 60 characters. */
export function describeValue(v: unknown): string {
  if (v === undefined) return 'nothing';
  const s = JSON.stringify(v);
  return s.length > 60 ? `${s.slice(0, 57)}...` : s;
}

/** A row's string field, or a `DocFieldError` saying what it holds instead. */
export function stringField(row: Doc, field: string): string {
  const v = row[field];
  if (typeof v !== 'string') throw new DocFieldError(field, `must be a string, got ${describeValue(v)}`);
  return v;
}

export interface GroupDefinition {
  name: string;
  /** Leaf task names or other group names. */
  members: string[];
  /** Groups aggregate as lm-eval does: a micro average over leaf items (size-weighted mean of task means). */
  aggregation: 'micro';
  /** Display name in results tables (lm-eval's `group_alias`). */
  alias?: string;
  version?: string;
  /** Why these members: shown by `listGroups()` and in the README for board subsets. */
  note?: string;
}

/** A score known to be synchronous (multiple choice, regex filters); an error if the task scored asynchronously. */
export function scoreNow(result: ItemScore | Promise<ItemScore>): ItemScore {
  if (result instanceof Promise) throw new Error('this task scores asynchronously; await its score');
  return result;
}
