/**
 * Runs tasks against a LanguageModel the way lm-eval's `simple_evaluate` does, with two additions: each chunk's
 * results go to the sink as soon as they are scored, and items the sink already holds are skipped (resume).
 */
import { docHash, sha256 } from './hash.ts';
import type { GenerateResult, LanguageModel } from './model.ts';
import { getGroupDefinition, resolveTasks } from './registry.ts';
import { buildResults, scoreRows, summarizeRun, type EvaluatedTask, type ResultsJson, type ScoreRow } from './results.ts';
import { samplesForTask, type SampleRecord } from './samples.ts';
import type { ItemRecord, ResultSink } from './sink.ts';
import type { ItemScore, ModelResponse, PreparedTask, ScoringOptions, TaskDefinition, TaskRequest } from './task.ts';
import { DEFAULT_TIME_LIMIT_MS, GradingPool, type MathGrader } from './generation/grading/pool.ts';
import { applyPromptFormat, type PromptFormat } from './chat/apply.ts';
import { checkEvalSettings, type EvalSettings } from './chat/settings.ts';
import type { ChatTemplate } from './chat/template.ts';

export interface TaskProgress {
  task: string;
  done: number;
  total: number;
  /** Items scored in this run (resumed items excluded). */
  scoredThisRun: number;
  elapsedSeconds: number;
  /** Items per second in this run; null until one chunk is done. */
  rate: number | null;
  etaSeconds: number | null;
}

export interface EvaluateOptions {
  model: LanguageModel;
  /** Registry names (tasks or groups) and/or task definitions, e.g. from `loadTaskSpec`. */
  tasks: (string | TaskDefinition)[];
  dataDir: string;
  numFewshot?: number;
  /** First N documents of each task (lm-eval's --limit). */
  limit?: number;
  /**
   * Evaluate only documents [start, end) of the (limited) task: one item-range shard of a task split across
   * workers. Few-shot exemplars, seeds and prompts are the whole task's, so a document's prompt and record are
   * the same whichever range holds it; results then cover the range's documents only.
   */
  docRange?: { start: number; end: number };
  /**
   * Items per stored batch (default `DEFAULT_STORE_EVERY`): documents asked of the model in one call and written
   * to the sink in one write, so a crash loses at most this many. Recorded as `store_every`.
   */
  storeEvery?: number;
  /**
   * The model's own batch size, rows per forward pass, when it has one: recorded as lm-eval's `batch_size`, and
   * how the evaluator batches does not depend on it.
   */
  modelBatchSize?: number;
  /** When the model's batch size was picked rather than given: what it was picked from (`batch_size_picked_from`). */
  modelBatchSizeReason?: string;
  sink?: ResultSink;
  onProgress?: (p: TaskProgress) => void;
  signal?: AbortSignal;
  /** Recorded under `config` in the results. */
  modelName?: string;
  modelArgs?: string;
  device?: string;
  /** Scoring choices for generation tasks (recorded under `config.scoring`). */
  scoring?: EvaluateScoringOptions;
  /**
   * lm-eval's `bootstrap_iters` (default 100000). Every stderr here is closed-form (lm-eval's `mean_stderr` for
   * mean metrics, which it uses whenever bootstrap_iters > 0); 0 means no stderr at all ("N/A"), as in lm-eval.
   */
  bootstrapIters?: number;
  /** Clock in milliseconds; injectable so tests can compare runs byte for byte. */
  now?: () => number;
  /**
   * lm-eval's prompt and generation options: chat template, system instruction, few-shot exemplars as turns,
   * generation arguments and seeds (see chat/settings.ts). Absent: plain prompts as every task defines them.
   */
  settings?: EvalSettings;
  /** The checkpoint's chat template (`loadChatTemplate`), needed when `settings.applyChatTemplate` is set. */
  chatTemplate?: ChatTemplate;
  /** Warnings about the prompts (a chat template that refuses the system turn). */
  onWarning?: (message: string) => void;
}

export interface EvaluationOutput {
  results: ResultsJson;
  /** Every task's and group's scores as rows for the database (the same numbers as `results`). */
  scores: ScoreRow[];
  samples: Record<string, SampleRecord[]>;
  records: Record<string, ItemRecord[]>;
}

/** Items per stored batch unless `storeEvery` says otherwise. */
export const DEFAULT_STORE_EVERY = 16;
export const DEFAULT_BOOTSTRAP_ITERS = 100000;

export interface EvaluateScoringOptions {
  hendrycksExtraction?: ScoringOptions['hendrycksExtraction'];
  stringEqualityFirst?: boolean;
  /** Time limit for one equivalence check in milliseconds (default 5000, as lm-eval). */
  timeLimitMs?: number;
  /** Worker threads for equivalence checks (default: one per core). */
  graderThreads?: number;
  /** A grader to use instead of a pool made (and closed) by this run. */
  grader?: MathGrader;
}

/** lm-eval's seeds (evaluator.simple_evaluate defaults); the gsm8k few-shot sampler uses the few-shot seed. */
export const LM_EVAL_SEEDS = { random_seed: 0, numpy_seed: 1234, torch_seed: 1234, fewshot_seed: 1234 } as const;

export function requestHash(request: TaskRequest): string {
  return sha256(JSON.stringify(request));
}

export class PromptChangedError extends Error {}

export async function evaluate(options: EvaluateOptions): Promise<EvaluationOutput> {
  const now = options.now ?? Date.now;
  const started = now();
  const { definitions, groups } = resolveRequested(options.tasks);
  const chunkDocs = options.storeEvery ?? DEFAULT_STORE_EVERY;
  if (!Number.isInteger(chunkDocs) || chunkDocs < 1) throw new Error(`storeEvery must be a positive integer, got ${chunkDocs}`);
  if (options.limit !== undefined && (!Number.isInteger(options.limit) || options.limit < 1)) {
    throw new Error(`limit must be a positive integer, got ${options.limit}`);
  }
  const range = options.docRange;
  if (range && !(Number.isInteger(range.start) && Number.isInteger(range.end) && range.start >= 0 && range.end > range.start)) {
    throw new Error(`docRange must be integers with 0 <= start < end, got [${range.start}, ${range.end})`);
  }

  const bootstrapIters = options.bootstrapIters ?? DEFAULT_BOOTSTRAP_ITERS;
  if (!Number.isInteger(bootstrapIters) || bootstrapIters < 0) throw new Error(`bootstrapIters must be a non-negative integer, got ${bootstrapIters}`);
  const sc = options.scoring ?? {};
  const timeLimitMs = sc.timeLimitMs ?? DEFAULT_TIME_LIMIT_MS;
  // The pool's workers start on the first check, so runs without MATH tasks never start one.
  const ownPool = sc.grader ? undefined : new GradingPool({ timeLimitMs, ...(sc.graderThreads ? { size: sc.graderThreads } : {}) });
  const scoring: ScoringOptions = {
    grader: sc.grader ?? ownPool!,
    ...(sc.hendrycksExtraction ? { hendrycksExtraction: sc.hendrycksExtraction } : {}),
    ...(sc.stringEqualityFirst ? { stringEqualityFirst: true } : {}),
  };
  const evaluated: EvaluatedTask[] = [];
  const samples: Record<string, SampleRecord[]> = {};
  const records: Record<string, ItemRecord[]> = {};
  const settings = checkEvalSettings(options.settings ?? {});
  const seeds = settings.seed ?? LM_EVAL_SEEDS;
  const format = { settings, ...(options.chatTemplate ? { chatTemplate: options.chatTemplate } : {}), ...(options.onWarning ? { onWarning: options.onWarning } : {}) };
  try {
    const prepared = definitions.map((def) => ({
      def,
      task: prepareForRun(def, { dataDir: options.dataDir, numFewshot: options.numFewshot, scoring, seeds, format }),
    }));
    for (const { def, task } of prepared) {
      const total = options.limit === undefined ? task.docs.length : Math.min(options.limit, task.docs.length);
      const taskRecords = await runTask(options, task, total, chunkDocs, now, range);
      records[task.name] = taskRecords;
      samples[task.name] = samplesForTask(task, taskRecords);
      evaluated.push({ definition: def, prepared: task, records: taskRecords, originalSize: task.docs.length });
    }
  } finally {
    await ownPool?.close();
  }

  const results = buildResults({
    tasks: evaluated,
    groups,
    config: {
      model: options.modelName ?? 'unknown',
      model_args: options.modelArgs ?? null,
      batch_size: options.modelBatchSize ?? null,
      ...(options.modelBatchSizeReason ? { batch_size_picked_from: options.modelBatchSizeReason } : {}),
      store_every: chunkDocs,
      device: options.device ?? null,
      limit: options.limit ?? null,
      num_fewshot: options.numFewshot ?? null,
      data_dir: options.dataDir,
      bootstrap_iters: bootstrapIters,
      gen_kwargs: settings.genKwargs ?? null,
      random_seed: seeds.random_seed,
      numpy_seed: seeds.numpy_seed,
      torch_seed: seeds.torch_seed,
      fewshot_seed: seeds.fewshot_seed,
      scoring: {
        hendrycks_extraction: sc.hendrycksExtraction ?? 'lm-eval',
        string_equality_first: sc.stringEqualityFirst ?? false,
        equivalence_time_limit_s: timeLimitMs / 1000,
      },
    },
    bootstrapIters,
    startedMs: started,
    endedMs: now(),
  });
  // lm-eval's experiment arguments (EvaluationTracker.general_config_tracker), at the top level of results.json.
  const chatTemplate = settings.applyChatTemplate ? (options.chatTemplate ?? null) : null;
  Object.assign(results, {
    chat_template: chatTemplate?.text ?? null,
    chat_template_sha: chatTemplate?.sha256 ?? null,
    chat_template_name: chatTemplate?.name ?? null,
    system_instruction: settings.systemInstruction ?? null,
    system_instruction_sha: settings.systemInstruction === undefined ? null : sha256(settings.systemInstruction),
    fewshot_as_multiturn: settings.fewshotAsMultiturn ?? false,
  });
  // --gen_kwargs updates each generation task's generation_kwargs, as lm-eval's set_config(update=True) does.
  if (settings.genKwargs) {
    for (const { definition } of evaluated) {
      const c = results.configs[definition.name];
      if (definition.outputType !== 'generate_until' || !c) continue;
      c['generation_kwargs'] = { ...((c['generation_kwargs'] as Record<string, unknown> | undefined) ?? {}), ...settings.genKwargs };
    }
  }
  return { results, scores: scoreRows(summarizeRun(evaluated, groups, bootstrapIters)), samples, records };
}

/** A task as a run sends it: the run's shot count, few-shot seed and prompt format (chat template, system turn). */
export function prepareForRun(
  def: TaskDefinition,
  o: { dataDir: string; numFewshot?: number; scoring?: ScoringOptions; seeds: { fewshot_seed: number }; format: PromptFormat },
): PreparedTask {
  return applyPromptFormat(def.prepare({ dataDir: o.dataDir, numFewshot: o.numFewshot, ...(o.scoring ? { scoring: o.scoring } : {}), fewshotSeed: o.seeds.fewshot_seed }), o.format);
}

/** Refuses a stored item made from another prompt or document than the task's own now: results are never mixed. */
export function checkStoredItem(task: PreparedTask, i: number, prior: ItemRecord): void {
  const expected = requestHash(task.request(i));
  if (prior.promptHash === expected && prior.docHash === docHash(task.docs[i])) return;
  const what = prior.promptHash !== expected ? 'prompt' : 'document';
  throw new PromptChangedError(
    `${task.name} document ${i}: the stored result was made with a different ${what} ` +
      `(stored promptHash ${prior.promptHash.slice(0, 12)}…, now ${expected.slice(0, 12)}…); ` +
      'refusing to mix results from different prompts — use a fresh output location or remove the stored results',
  );
}

/** The requested tasks' definitions (groups expanded to their leaves, each once) and the groups to report. */
export function resolveRequested(tasks: (string | TaskDefinition)[]): { definitions: TaskDefinition[]; groups: string[] } {
  if (tasks.length === 0) throw new Error('no tasks given');
  const definitions = new Map<string, TaskDefinition>();
  const groups: string[] = [];
  const collectGroups = (name: string): void => {
    const g = getGroupDefinition(name);
    if (!g || groups.includes(name)) return;
    groups.push(name);
    g.members.forEach(collectGroups);
  };
  for (const t of tasks) {
    if (typeof t !== 'string') {
      if (definitions.has(t.name)) throw new Error(`task "${t.name}" given twice`);
      definitions.set(t.name, t);
      continue;
    }
    for (const d of resolveTasks([t])) if (!definitions.has(d.name)) definitions.set(d.name, d);
    collectGroups(t.trim());
  }
  return { definitions: [...definitions.values()], groups };
}

async function runTask(
  options: EvaluateOptions,
  task: PreparedTask,
  total: number,
  chunkDocs: number,
  now: () => number,
  range?: { start: number; end: number },
): Promise<ItemRecord[]> {
  const stored = options.sink ? await options.sink.completed(task.name) : new Map<number, ItemRecord>();
  const byIndex: (ItemRecord | undefined)[] = new Array(total);
  const pending: number[] = [];
  const first = range ? Math.min(range.start, total) : 0;
  const last = range ? Math.min(range.end, total) : total;
  for (let i = first; i < last; i++) {
    const prior = stored.get(i);
    if (!prior) {
      pending.push(i);
      continue;
    }
    checkStoredItem(task, i, prior);
    byIndex[i] = prior;
  }

  const started = now();
  let scored = 0;
  const report = (): void => {
    if (!options.onProgress) return;
    const elapsed = (now() - started) / 1000;
    const size = last - first;
    const done = size - pending.length + scored;
    const rate = scored > 0 && elapsed > 0 ? scored / elapsed : null;
    options.onProgress({
      task: task.name,
      done,
      total: size,
      scoredThisRun: scored,
      elapsedSeconds: elapsed,
      rate,
      etaSeconds: rate ? (size - done) / rate : done === size ? 0 : null,
    });
  };
  report();

  /** Scores answered documents, stores them as one sink write, and counts them. */
  const store = async (chunk: number[], responses: ModelResponse[]): Promise<void> => {
    // Scored concurrently: MATH checks run in the grading pool's worker threads.
    const scores: ItemScore[] = await Promise.all(chunk.map((i, j) => task.score(task.docs[i]!, responses[j]!)));
    const batch: ItemRecord[] = chunk.map((i, j) => {
      const request = task.request(i);
      const response = responses[j]!;
      const score = scores[j]!;
      const doc = task.docs[i]!;
      return {
        task: task.name,
        docIndex: i,
        docHash: docHash(doc),
        promptHash: requestHash(request),
        doc,
        request,
        response,
        target: task.target(i),
        filtered: score.filtered,
        scores: score.scores,
        ...(score.answerFound ? { answerFound: score.answerFound } : {}),
        ...(score.notes ? { notes: score.notes } : {}),
      };
    });
    if (options.sink) await options.sink.write(batch);
    for (const r of batch) byIndex[r.docIndex] = r;
    scored += batch.length;
    report();
  };

  if (options.model.streamsGenerations && pending.length > 0 && pending.every((i) => task.request(i).kind === 'generate_until')) {
    await generateStreaming(options, task, pending, chunkDocs, store);
    return (range ? byIndex.slice(first, last) : byIndex) as ItemRecord[];
  }

  for (let start = 0; start < pending.length; ) {
    options.signal?.throwIfAborted();
    let chunk: number[];
    let asked: number[];
    if (range) {
      // A range evaluates the same model batches a whole-task run would (documents [kB, (k+1)B) together) and
      // keeps its own documents' answers: batched float kernels make a logprob depend on its batch peers, so
      // this is what keeps every record independent of how the task was split.
      const block = Math.floor(pending[start]! / chunkDocs);
      chunk = [];
      while (start < pending.length && Math.floor(pending[start]! / chunkDocs) === block) chunk.push(pending[start++]!);
      asked = Array.from({ length: Math.min(total, (block + 1) * chunkDocs) - block * chunkDocs }, (_, j) => block * chunkDocs + j);
    } else {
      chunk = pending.slice(start, start + chunkDocs);
      asked = chunk;
      start += chunkDocs;
    }
    const answers = await answer(options, asked.map((i) => task.request(i)));
    await store(
      chunk,
      chunk.map((i) => answers[asked.indexOf(i)]!),
    );
  }
  return (range ? byIndex.slice(first, last) : byIndex) as ItemRecord[];
}

/**
 * A generation task's pending documents in one call to a model that streams its results: the model keeps its
 * batch full across the whole task (a finished row's slot goes to the next prompt at once) instead of waiting, chunk
 * by chunk, for each chunk's longest row. Every answer is scored and stored as soon as it arrives (answers that
 * arrive while a write is under way go together in the next write, up to a batch per write), so a crash loses only
 * the rows in flight.
 * Greedy decoding gives a row the same tokens whatever rows share its batch (the engine's tests check this), so a
 * range computes only its own documents.
 */
async function generateStreaming(
  options: EvaluateOptions,
  task: PreparedTask,
  docs: number[],
  perWrite: number,
  store: (chunk: number[], responses: ModelResponse[]) => Promise<void>,
): Promise<void> {
  const requests = docs.map((i) => {
    const r = task.request(i);
    if (r.kind !== 'generate_until') throw new Error(`${task.name} document ${i}: expected a generation request`);
    return { context: r.context, until: r.until, maxTokens: r.maxTokens };
  });
  // Stops the model when storing fails, so the error surfaces now rather than after the whole task.
  const stop = new AbortController();
  const signal = options.signal ? AbortSignal.any([options.signal, stop.signal]) : stop.signal;
  const delivered = new Set<number>();
  const waiting: number[] = [];
  const answers = new Map<number, ModelResponse>();
  let failure: { error: unknown } | undefined;
  let writing: Promise<void> = Promise.resolve();
  const flush = (): void => {
    writing = writing.then(async () => {
      // At most a batch per write, as chunked runs write: a write cut short by a crash leaves at most that many
      // items in one sink and not the next.
      while (!failure && waiting.length > 0) {
        const positions = waiting.splice(0, perWrite);
        try {
          await store(
            positions.map((j) => docs[j]!),
            positions.map((j) => answers.get(j)!),
          );
        } catch (error) {
          failure = { error };
          stop.abort(error);
        }
        for (const j of positions) answers.delete(j);
      }
    });
  };
  const onResult = (j: number, g: GenerateResult): void => {
    if (delivered.has(j) || j < 0 || j >= docs.length) return;
    delivered.add(j);
    answers.set(j, { kind: 'generate_until', text: g.text, finishReason: g.finishReason });
    waiting.push(j);
    flush();
  };
  let results: GenerateResult[] = [];
  try {
    results = await options.model.generate(requests, { signal, onResult });
  } catch (err) {
    await writing;
    throw failure ? failure.error : err;
  }
  if (results.length !== requests.length) throw new Error(`the model returned ${results.length}/${requests.length} generations`);
  results.forEach((g, j) => onResult(j, g));
  await writing;
  if (failure) throw failure.error;
}

/** Flattens multiple-choice continuations into one log-likelihood call and generations into one generate call. */
async function answer(options: EvaluateOptions, requests: TaskRequest[]): Promise<ModelResponse[]> {
  const llRequests: { context: string; continuation: string }[] = [];
  const genRequests: { context: string; until: string[]; maxTokens: number }[] = [];
  for (const r of requests) {
    if (r.kind === 'loglikelihood') for (const c of r.continuations) llRequests.push({ context: r.context, continuation: c });
    else genRequests.push({ context: r.context, until: r.until, maxTokens: r.maxTokens });
  }
  const callOptions = options.signal ? { signal: options.signal } : undefined;
  const ll = llRequests.length ? await options.model.loglikelihood(llRequests, callOptions) : [];
  const gen = genRequests.length ? await options.model.generate(genRequests, callOptions) : [];
  if (ll.length !== llRequests.length || gen.length !== genRequests.length) {
    throw new Error(
      `the model returned ${ll.length}/${llRequests.length} log-likelihoods and ${gen.length}/${genRequests.length} generations`,
    );
  }
  let li = 0;
  let gi = 0;
  return requests.map((r): ModelResponse => {
    if (r.kind === 'loglikelihood') {
      const results = ll.slice(li, li + r.continuations.length);
      li += r.continuations.length;
      return { kind: 'loglikelihood', results: results.map((x) => ({ logprob: x.logprob, isGreedy: x.isGreedy })) };
    }
    const g = gen[gi++]!;
    return { kind: 'generate_until', text: g.text, finishReason: g.finishReason };
  });
}
