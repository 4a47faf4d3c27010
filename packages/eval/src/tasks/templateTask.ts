/**
 * lm-eval's ConfigurableTask, reduced to what our suites use: a description, first-n few-shot examples from a
 * separate split, `doc_to_text` / `doc_to_choice` / `doc_to_target`, target delimiter " " and few-shot
 * delimiter "\n\n" (lm_eval/api/task.py `fewshot_context`, lm_eval/api/samplers.py `FirstNSampler`).
 */
import { documentAt, generatedText, type Doc, type ItemScore, type ModelResponse, type PreparedTask, type TaskDefinition, type TaskRequest } from '../task.ts';
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
  /** First-n few-shot source; absent when the task has no few-shot split. */
  loadFewshotDocs?(dataDir: string): D[];
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

export interface GenerateSpec<D extends Doc> extends CommonSpec<D> {
  outputType: 'generate_until';
  docToTarget(doc: D): string;
  until: string[];
  maxGenToks: number;
  filters: FilterPipeline[];
  exactMatch: ExactMatchOptions;
}

export type TemplateTaskSpec<D extends Doc> = MultipleChoiceSpec<D> | GenerateSpec<D>;

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
    prepare({ dataDir, numFewshot }) {
      const k = numFewshot ?? spec.defaultNumFewshot;
      if (!Number.isInteger(k) || k < 0) throw new Error(`${spec.name}: number of few-shot examples must be a non-negative integer, got ${k}`);
      const docs = spec.loadDocs(dataDir);
      const shots = fewshotExemplars(spec, dataDir, k);
      const targetDelimiter = spec.targetDelimiter ?? DEFAULT_TARGET_DELIMITER;
      const fewshotDelimiter = spec.fewshotDelimiter ?? DEFAULT_FEWSHOT_DELIMITER;
      const doc = (i: number): D => documentAt(spec.name, docs, i);
      const promptParts = (i: number): PromptParts => {
        const d = doc(i);
        return {
          description: spec.description ?? '',
          shots,
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
        metricKeys: spec.outputType === 'multiple_choice' ? spec.metrics.map((m) => `${m},none`) : spec.filters.map((f) => `exact_match,${f.name}`),
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
        score(d, response: ModelResponse): ItemScore {
          if (spec.outputType === 'multiple_choice') {
            if (response.kind !== 'loglikelihood') throw new Error(`${spec.name}: expected log-likelihood results, got a generation`);
            return scoreMultipleChoice(spec, d as D, response.results.map((r) => r.logprob));
          }
          return scoreGeneration(spec, d as D, generatedText(spec.name, response));
        },
      };
      return prepared;
    },
  };
}

/** The first k exemplars of the few-shot split (lm-eval's first_n sampler), as question and answer text. */
function fewshotExemplars<D extends Doc>(spec: TemplateTaskSpec<D>, dataDir: string, k: number): PromptShot[] {
  if (k === 0) return [];
  if (!spec.loadFewshotDocs) {
    throw new Error(`${spec.name} has no few-shot split; run it with 0 shots (lm-eval would sample shots from the test split itself)`);
  }
  const pool = spec.loadFewshotDocs(dataDir);
  if (k > pool.length) throw new Error(`${spec.name}: ${k} few-shot examples requested but the few-shot split has only ${pool.length}`);
  return pool.slice(0, k).map((d) => {
    const target = spec.outputType === 'multiple_choice' ? spec.docToChoice(d)[spec.docToTarget(d)] : spec.docToTarget(d);
    return { question: spec.docToText(d), answer: target ?? '' };
  });
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
