/**
 * lm-eval's ConfigurableTask, reduced to what our suites use: a description, few-shot examples from a separate
 * split or a fixed list (first n, or drawn per document by the seeded random sampler), `doc_to_text` /
 * `doc_to_choice` / `doc_to_target`, target delimiter " " and few-shot delimiter "\n\n" (lm_eval/api/task.py
 * `fewshot_context`, lm_eval/api/samplers.py `ContextSampler` and `FirstNSampler`).
 */
import { documentAt, generatedText, type Doc, type ItemScore, type ModelResponse, type PreparedTask, type RowScoring, type TaskDefinition, type TaskRequest } from '../task.ts';
import { PythonRandom } from '../python/random.ts';
import { applyFilters, exactMatch, type ExactMatchOptions, type FilterPipeline } from './filters.ts';
import { plainPrompt, type PromptParts, type PromptShot } from '../chat/prompt.ts';

interface CommonSpec<D extends Doc> {
  name: string;
  alias?: string;
  version: string;
  defaultNumFewshot: number;
  description?: string;
  targetDelimiter?: string;
  fewshotDelimiter?: string;
  loadDocs(dataDir: string): D[];
  /** The few-shot split; absent when the task has no few-shot split (or has fixed exemplars). */
  loadFewshotDocs?(dataDir: string): D[];
  /** lm-eval's `fewshot_config.samples`: exemplars written into the task, taken first n (`sampler` is ignored). */
  fixedExemplars?: D[];
  /**
   * lm-eval's `fewshot_config.sampler`: `first_n` (the default here) gives every document the first k of the split;
   * `random` (lm-eval's default) draws k for each document with Python's `random.Random(seed).sample`, one generator
   * per task advanced in document order. The few-shot split must not be the evaluated split (no draw is skipped).
   */
  sampler?: 'first_n' | 'random';
  /** Why the task has no few-shot examples, for the error when some are asked for (a generic reason otherwise). */
  noFewshotReason?: string;
  docToText(doc: D): string;
  config?: Record<string, unknown>;
}

export interface MultipleChoiceSpec<D extends Doc> extends CommonSpec<D> {
  outputType: 'multiple_choice';
  docToChoice(doc: D): string[];
  /** Index of the correct choice (what lm-eval logs as `target`). */
  docToTarget(doc: D): number;
  /** All correct indices, where a dataset allows several (AGIEval's `gold`); defaults to `[docToTarget]`. */
  goldIndices?(doc: D): number[];
  metrics: ('acc' | 'acc_norm')[];
}

interface CommonGenerateSpec<D extends Doc> extends CommonSpec<D> {
  outputType: 'generate_until';
  /** What lm-eval logs as `target`; for exemplars, the answer text that follows their question. */
  docToTarget(doc: D): string;
  until: string[];
  maxGenToks: number;
}

/** A generation task scored by lm-eval's `filter_list`, each filter's answer by `exact_match`. */
export interface GenerateSpec<D extends Doc> extends CommonGenerateSpec<D> {
  filters: FilterPipeline[];
  exactMatch: ExactMatchOptions;
  /** A dataset row handed in from outside as a document (lm-eval's `process_docs`); given, `sciboard grade` can score rows. */
  documentFromRow?(row: Doc): D;
}

/**
 * A generation task scored by its own `process_docs` / `process_results` (lm-eval's `utils.py`, e.g. MATH's answer
 * extraction and equivalence checks), shared by every task of its family.
 */
export interface OwnScoringGenerateSpec<D extends Doc> extends CommonGenerateSpec<D> {
  rowScoring: RowScoring;
  /** Every `"<metric>,<filter>"` key `rowScoring.score` returns, in lm-eval's results order. */
  metricKeys: string[];
}

export type TemplateTaskSpec<D extends Doc> = MultipleChoiceSpec<D> | GenerateSpec<D> | OwnScoringGenerateSpec<D>;

const ownScoring = <D extends Doc>(spec: TemplateTaskSpec<D>): spec is OwnScoringGenerateSpec<D> => 'rowScoring' in spec;

export const DEFAULT_TARGET_DELIMITER = ' ';
export const DEFAULT_FEWSHOT_DELIMITER = '\n\n';

/** Index of the largest value, ties to the first (numpy's argmax); numpy ranks NaN above all, so the first NaN wins. */
export function argmax(values: number[]): number {
  let best = 0;
  for (let i = 0; i < values.length; i++) {
    if (Number.isNaN(values[i])) return i;
    if (values[i]! > values[best]!) best = i;
  }
  return best;
}

/** Length in Unicode code points, as Python's `len` counts it for acc_norm. */
export function codePointLength(s: string): number {
  let n = 0;
  for (const _ of s) n++;
  return n;
}

export function defineTemplateTask<D extends Doc>(spec: TemplateTaskSpec<D>): TaskDefinition {
  return {
    name: spec.name,
    version: spec.version,
    outputType: spec.outputType,
    defaultNumFewshot: spec.defaultNumFewshot,
    ...(spec.alias !== undefined ? { alias: spec.alias } : {}),
    ...(spec.config !== undefined ? { config: spec.config } : {}),
    ...rowScoringOf(spec),
    prepare({ dataDir, numFewshot, fewshotSeed, scoring }) {
      const k = numFewshot ?? spec.defaultNumFewshot;
      if (!Number.isInteger(k) || k < 0) throw new Error(`${spec.name}: number of few-shot examples must be a non-negative integer, got ${k}`);
      const docs = spec.loadDocs(dataDir);
      const shotsFor = fewshotExemplars(spec, dataDir, k, docs.length, fewshotSeed ?? DEFAULT_FEWSHOT_SEED);
      const targetDelimiter = spec.targetDelimiter ?? DEFAULT_TARGET_DELIMITER;
      const fewshotDelimiter = spec.fewshotDelimiter ?? DEFAULT_FEWSHOT_DELIMITER;
      const doc = (i: number): D => documentAt(spec.name, docs, i);
      const promptParts = (i: number): PromptParts => {
        const d = doc(i);
        return {
          description: spec.description ?? '',
          shots: shotsFor(i),
          question: spec.docToText(d),
          targetDelimiter,
          fewshotDelimiter,
          ...(spec.outputType === 'multiple_choice' ? { choices: spec.docToChoice(d) } : {}),
        };
      };
      const prepared: PreparedTask = {
        name: spec.name,
        numFewshot: k,
        docs,
        metricKeys: ownScoring(spec)
          ? spec.metricKeys
          : spec.outputType === 'multiple_choice'
            ? spec.metrics.map((m) => `${m},none`)
            : spec.filters.map((f) => `exact_match,${f.name}`),
        promptParts,
        request(i): TaskRequest {
          const parts = promptParts(i);
          const context = plainPrompt(parts);
          if (spec.outputType === 'multiple_choice') {
            return { kind: 'loglikelihood', context, continuations: parts.choices!.map((c) => targetDelimiter + c) };
          }
          return { kind: 'generate_until', context, until: spec.until, maxTokens: spec.maxGenToks };
        },
        target: (i) => spec.docToTarget(doc(i)),
        score: (d, response: ModelResponse) => (ownScoring(spec) ? spec.rowScoring.score(d, response, scoring) : scoreDocument(spec, d as D, response)),
      };
      return prepared;
    },
  };
}

/** lm-eval's default few-shot seed (`--fewshot_random_seed`, evaluator.simple_evaluate). */
export const DEFAULT_FEWSHOT_SEED = 1234;

/**
 * The few-shot rows lm-eval's random sampler puts before each of `numDocs` documents: one `Random(seed)` stream for
 * the task, `sample(pool, k)` once per document in dataset order.
 */
export function randomShotIndices(numDocs: number, poolSize: number, k: number, seed = DEFAULT_FEWSHOT_SEED): number[][] {
  const rnd = new PythonRandom(seed);
  return Array.from({ length: numDocs }, () => (k > 0 ? rnd.sampleIndices(poolSize, k) : []));
}

/** Each document's exemplars as question and answer text: fixed exemplars or the split's first k, or random draws. */
function fewshotExemplars<D extends Doc>(spec: TemplateTaskSpec<D>, dataDir: string, k: number, numDocs: number, seed: number): (i: number) => PromptShot[] {
  if (k === 0) return () => [];
  const asShot = (d: D): PromptShot => {
    const target = spec.outputType === 'multiple_choice' ? spec.docToChoice(d)[spec.docToTarget(d)] : spec.docToTarget(d);
    return { question: spec.docToText(d), answer: target ?? '' };
  };
  if (spec.fixedExemplars) {
    if (k > spec.fixedExemplars.length) throw new Error(`${spec.name}: only ${spec.fixedExemplars.length} fixed exemplars exist, ${k} shots asked for`);
    const shots = spec.fixedExemplars.slice(0, k).map(asShot);
    return () => shots;
  }
  if (!spec.loadFewshotDocs) {
    if (spec.noFewshotReason) throw new Error(`${spec.name}: ${spec.noFewshotReason}`);
    throw new Error(`${spec.name} has no few-shot split; run it with 0 shots (lm-eval would sample shots from the test split itself)`);
  }
  const pool = spec.loadFewshotDocs(dataDir);
  if (k > pool.length) throw new Error(`${spec.name}: ${k} few-shot examples requested but the few-shot split has only ${pool.length}`);
  if (spec.sampler === 'random') {
    const drawn = randomShotIndices(numDocs, pool.length, k, seed);
    return (i) => drawn[i]!.map((j) => asShot(pool[j]!));
  }
  const shots = pool.slice(0, k).map(asShot);
  return () => shots;
}

/** process_results for one document: multiple choice from its log-likelihoods, generation through the filters. */
function scoreDocument<D extends Doc>(spec: MultipleChoiceSpec<D> | GenerateSpec<D>, d: D, response: ModelResponse): ItemScore {
  if (spec.outputType === 'multiple_choice') {
    if (response.kind !== 'loglikelihood') throw new Error(`${spec.name}: expected log-likelihood results, got a generation`);
    return scoreMultipleChoice(spec, d, response.results.map((r) => r.logprob));
  }
  return scoreGeneration(spec, d, generatedText(spec.name, response));
}

/** The definition's row scoring: the family's own, or the filters' when the spec says how a row becomes a document. */
function rowScoringOf<D extends Doc>(spec: TemplateTaskSpec<D>): { rowScoring?: RowScoring } {
  if (ownScoring(spec)) return { rowScoring: spec.rowScoring };
  if (spec.outputType !== 'generate_until') return {};
  const documentFromRow = spec.documentFromRow;
  if (!documentFromRow) return {};
  return { rowScoring: { document: documentFromRow, score: (d, response) => scoreDocument(spec, d as D, response) } };
}

function scoreMultipleChoice<D extends Doc>(spec: MultipleChoiceSpec<D>, doc: D, logprobs: number[]): ItemScore {
  const choices = spec.docToChoice(doc);
  if (logprobs.length !== choices.length) {
    throw new Error(`${spec.name}: ${choices.length} choices but ${logprobs.length} log-likelihoods`);
  }
  const gold = spec.goldIndices ? spec.goldIndices(doc) : [spec.docToTarget(doc)];
  const pred = argmax(logprobs);
  const scores: Record<string, number> = {};
  for (const metric of spec.metrics) {
    if (metric === 'acc') scores['acc,none'] = gold.includes(pred) ? 1 : 0;
    else scores['acc_norm,none'] = gold.includes(argmax(logprobs.map((lp, j) => lp / codePointLength(choices[j]!)))) ? 1 : 0;
  }
  return { filtered: { none: choices[pred]! }, scores };
}

function scoreGeneration<D extends Doc>(spec: GenerateSpec<D>, doc: D, text: string): ItemScore {
  const target = spec.docToTarget(doc);
  const filtered: Record<string, string> = {};
  const scores: Record<string, number> = {};
  const answerFound: Record<string, boolean> = {};
  for (const pipeline of spec.filters) {
    const { answer, found } = applyFilters(pipeline, text);
    filtered[pipeline.name] = answer;
    answerFound[pipeline.name] = found;
    scores[`exact_match,${pipeline.name}`] = exactMatch(answer, target, spec.exactMatch) ? 1 : 0;
  }
  return { filtered, scores, answerFound };
}
