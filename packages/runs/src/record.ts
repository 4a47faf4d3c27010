/**
 * Recording runs: open (or resume) a run, store its items as they are scored, then finish it with its scores
 * or fail it with the reason. `sciboard eval`, `start`'s demo and the workers record runs the same way.
 */
import { basename, resolve } from 'node:path';
import { DEFAULT_STORE_EVERY, evaluate, leafTasksOf, type EvaluationOutput, type LanguageModel, type ResultSink, type ResultsJson, type ScoreRow, type TaskDefinition, type TaskProgress } from '@sciboard/eval';
import { settingsConfig, type EvalSettings } from '@sciboard/eval';
import { runConfigDtype, type Dtype } from '@sciboard/onnx/layout';
import { resultsForTask, runConfigHash, sha256, type ModelInput, type RunConfig, type RunPatch, type Store } from '@sciboard/db';

/** Recorded in each run's configuration (part of its identity). */
export const HARNESS_VERSION = 'sciboard-0.1.0';

export interface RunRecord {
  runId: number;
  /** Per-item results go to the database as the evaluator scores them. */
  sink: ResultSink;
  finish(output: Pick<EvaluationOutput, 'results' | 'scores' | 'records'>): Promise<void>;
  fail(err: unknown): Promise<void>;
}

export interface RunSettings {
  numFewshot?: number;
  limit?: number;
  /** The engine's rows per forward pass (lm-eval's `batch_size`): recorded, not part of the identity. */
  batchSize?: number;
  /** When the engine picked its batch size itself: what it was picked from. Recorded. */
  batchSizePickedFrom?: string;
  /** Items per stored batch (default the evaluator's `DEFAULT_STORE_EVERY`): recorded, not part of the identity. */
  storeEvery?: number;
  device?: string;
  provider?: string;
  /** Scoring deviations; only non-default choices enter the run's identity (its config hash). */
  hendrycksExtraction?: 'lm-eval' | 'boxed-first';
  stringEqualityFirst?: boolean;
  /** Chat template, system instruction, generation arguments, seeds: non-default ones enter the run's identity. */
  prompt?: EvalSettings;
  /** The checkpoint's precision that ran (`--dtype`): part of the run's identity. */
  dtype?: Dtype;
  /** The graph file that ran, relative to the checkpoint (`onnx/model_q4.onnx`): recorded, not part of the identity. */
  graphFile?: string;
}


/**
 * A run's configuration: what ran and how it was scored, which is its identity (device and timings are not part of
 * it), and how it was batched, which is recorded beside it (`batchSize`, `batchSizePickedFrom`, `storeEvery`: the
 * database leaves them out of the identity, see `runIdentity`).
 */
export function runConfigOf(s: RunSettings): RunConfig {
  return {
    numFewshot: s.numFewshot ?? null,
    limit: s.limit ?? null,
    batchSize: s.batchSize ?? null,
    ...(s.batchSizePickedFrom ? { batchSizePickedFrom: s.batchSizePickedFrom } : {}),
    ...(s.storeEvery ? { storeEvery: s.storeEvery } : {}),
    dtype: runConfigDtype(s.dtype),
    harnessVersion: HARNESS_VERSION,
    // Added only when a deviation is chosen, so runs with lm-eval's scoring keep the identity they had.
    ...(s.hendrycksExtraction === 'boxed-first' ? { hendrycksExtraction: 'boxed-first' } : {}),
    ...(s.stringEqualityFirst ? { stringEqualityFirst: true } : {}),
    ...settingsConfig(s.prompt ?? {}),
  };
}

/** Items the results were computed over, summed over their tasks. */
function itemsOf(results: ResultsJson): number {
  return Object.values(results['n-samples']).reduce((n, x) => n + x.effective, 0);
}

/**
 * Stores a run's score rows and marks it finished, with its time and items per second when its start is known;
 * `config`, when given, replaces the stored configuration (provenance added as it ran). Returns the items scored.
 */
export async function finishRunWithScores(
  store: Store,
  runId: number,
  scored: { scores: ScoreRow[]; items: number },
  o: { seconds: number | null; config?: RunPatch['config'] },
): Promise<number> {
  await store.writeScores(runId, scored.scores);
  const { items } = scored;
  await store.updateRun(runId, {
    status: 'finished',
    finishedAt: new Date().toISOString(),
    ...(o.seconds !== null ? { timings: { seconds: o.seconds }, throughput: items / Math.max(o.seconds, 1e-3) } : {}),
    ...(o.config ? { config: o.config } : {}),
  });
  return items;
}

/**
 * Opens (or resumes) the run of this model, task and configuration: an unfinished run with the same
 * configuration is continued, so a rerun recomputes nothing already stored.
 */
export async function beginRun(store: Store, modelId: number, task: string, s: RunSettings): Promise<RunRecord> {
  // The evaluator runs here with these settings, so its default items per stored batch is recorded too.
  const config = runConfigOf({ ...s, storeEvery: s.storeEvery ?? DEFAULT_STORE_EVERY });
  const existing = await store.findRun(modelId, task, runConfigHash(config));
  const run =
    existing && existing.status !== 'finished'
      ? existing
      : await store.createRun({ modelId, task, config, status: 'pending', source: 'measured' });
  const started = Date.now();
  await store.updateRun(run.id, {
    status: 'running',
    startedAt: new Date(started).toISOString(),
    device: s.device ?? null,
    provider: s.provider ?? null,
    error: null,
    // A resumed run records how it is batched now (another batch size resumes the same run).
    config: { ...config, ...(s.graphFile ? { graphFile: s.graphFile } : {}) },
  });
  return {
    runId: run.id,
    sink: store.resultSink(run.id),
    async finish({ results, scores, records }) {
      // Provenance the boards show: shots and task versions as run, and one hash over every prompt sent.
      const prompts = Object.keys(records)
        .sort()
        .flatMap((task) => records[task]!.map((r) => `${task}:${r.docIndex}:${r.promptHash}`));
      const shots = [...new Set(Object.values(results['n-shot']))];
      await finishRunWithScores(store, run.id, { scores, items: itemsOf(results) }, {
        seconds: (Date.now() - started) / 1000,
        config: {
          ...config,
          ...(s.graphFile ? { graphFile: s.graphFile } : {}),
          numFewshot: config.numFewshot ?? (shots.length === 1 ? shots[0]! : null),
          taskVersions: results.versions,
          // How the scores were made: extraction, equivalence time limit, bootstrap_iters and lm-eval's seeds.
          scoring: results.config['scoring'] ?? null,
          bootstrapIters: results.config['bootstrap_iters'] ?? null,
          promptHash: sha256(prompts.join('\n')),
          ...(results.chat_template_sha ? { chatTemplateSha: results.chat_template_sha } : {}),
        },
      });
    },
    async fail(err) {
      const error = err instanceof Error ? err.message : String(err);
      await store.updateRun(run.id, { status: 'failed', error, finishedAt: new Date().toISOString() });
    },
  };
}

export interface EvaluateIntoStoreOptions extends RunSettings {
  store: Store;
  model: LanguageModel;
  modelInfo: ModelInput;
  /** Each entry becomes one run: a registry name (leaf task or group) or a spec-file suite's definition. */
  tasks: (string | TaskDefinition)[];
  dataDir: string;
  onProgress?: (p: TaskProgress) => void;
  signal?: AbortSignal;
}

/** Runs each requested task as one stored run, writing per-item results as they are scored. */
export async function evaluateIntoStore(o: EvaluateIntoStoreOptions): Promise<{ task: string; runId: number; results: ResultsJson }[]> {
  const model = await o.store.upsertModel(o.modelInfo);
  const out = [];
  for (const requested of o.tasks) {
    const task = typeof requested === 'string' ? requested : requested.name;
    const record = await beginRun(o.store, model.id, task, o);
    try {
      const output = await evaluate({
        model: o.model,
        tasks: [requested],
        dataDir: o.dataDir,
        numFewshot: o.numFewshot,
        limit: o.limit,
        ...(o.storeEvery ? { storeEvery: o.storeEvery } : {}),
        ...(o.batchSize ? { modelBatchSize: o.batchSize } : {}),
        ...(o.batchSizePickedFrom ? { modelBatchSizeReason: o.batchSizePickedFrom } : {}),
        sink: record.sink,
        onProgress: o.onProgress,
        signal: o.signal,
        modelName: o.modelInfo.name,
        device: o.provider,
      });
      await record.finish(output);
      out.push({ task, runId: record.runId, results: output.results });
    } catch (err) {
      await record.fail(err);
      throw err;
    }
  }
  return out;
}

export interface RunRecords {
  /** Routes each item to the run of every requested task or group its leaf task belongs to. */
  sink: ResultSink;
  /**
   * How the evaluation is batched, once the model is loaded (an engine batch size picked from the machine is known
   * only then): recorded with every run opened after it, that is, every run, since runs open at their first item.
   */
  batchedWith(batching: Pick<RunSettings, 'batchSize' | 'batchSizePickedFrom' | 'storeEvery'>): void;
  finish(output: Pick<EvaluationOutput, 'results' | 'scores' | 'records'>): Promise<void>;
  fail(err: unknown): Promise<void>;
}

/**
 * `sciboard eval` records one run per requested task or group, as `start` and the worker do, so a run's
 * identity is (model, task, configuration) however it was made. A run is opened at the first item stored for
 * one of its leaf tasks: a bad checkpoint, task list or dataset leaves the database as it was.
 */
export function openRunRecords(
  opts: {
    /** The checkpoint folder; its name is the model's. */
    model: string;
    /** Opens the database, at the first item stored (the caller's configuration chooses which). */
    openStore: () => Promise<Store>;
    log?: (line: string) => void;
  } & RunSettings,
  requested: (string | TaskDefinition)[],
): RunRecords {
  const leavesOf = new Map<string, string[]>();
  for (const t of requested) {
    const name = typeof t === 'string' ? t : t.name;
    if (!leavesOf.has(name)) leavesOf.set(name, typeof t === 'string' ? leafTasksOf(t) : [t.name]);
  }
  // A leaf in two requested groups (mmlu_stem and mmlu_physics, say) is stored in both runs.
  const runsOfLeaf = new Map<string, string[]>();
  for (const [name, leaves] of leavesOf) for (const leaf of leaves) runsOfLeaf.set(leaf, [...(runsOfLeaf.get(leaf) ?? []), name]);

  let connecting: Promise<{ store: Store; modelId: number }> | undefined;
  const connect = () =>
    (connecting ??= (async () => {
      const store = await opts.openStore();
      const modelDir = resolve(opts.model);
      const model = await store.upsertModel({ name: basename(modelDir), checkpointPath: modelDir });
      return { store, modelId: model.id };
    })());
  const opened = new Map<string, Promise<RunRecord>>();
  let settings: RunSettings = opts;
  const record = (name: string): Promise<RunRecord> => {
    let run = opened.get(name);
    if (!run) opened.set(name, (run = connect().then(({ store, modelId }) => beginRun(store, modelId, name, settings))));
    return run;
  };
  const runsFor = (leaf: string): Promise<RunRecord[]> => {
    const names = runsOfLeaf.get(leaf);
    if (!names) throw new Error(`task ${leaf} belongs to none of the requested tasks (${[...leavesOf.keys()].join(', ')})`);
    return Promise.all(names.map(record));
  };
  const finished = new Set<string>();
  const close = async () => {
    if (connecting) await (await connecting.catch(() => undefined))?.store.close();
  };

  return {
    batchedWith(batching) {
      settings = { ...settings, ...batching };
    },
    sink: {
      // An item counts as stored when every run of its leaf holds it; the rest are written again (writes upsert).
      async completed(leaf) {
        const [first, ...others] = await Promise.all((await runsFor(leaf)).map((run) => run.sink.completed(leaf)));
        return new Map([...first!].filter(([docIndex]) => others.every((m) => m.has(docIndex))));
      },
      async write(items) {
        const byLeaf = new Map<string, typeof items>();
        for (const item of items) byLeaf.set(item.task, [...(byLeaf.get(item.task) ?? []), item]);
        for (const [leaf, forLeaf] of byLeaf) for (const run of await runsFor(leaf)) await run.sink.write(forLeaf);
      },
    },
    async finish({ results, scores, records }) {
      for (const name of leavesOf.keys()) {
        const slice = resultsForTask(results, name);
        const run = await record(name);
        await run.finish({
          results: slice,
          // The run's own rows: its task or group and everything under it, as the slice of results.
          scores: scores.filter((row) => row.subset in slice.results),
          records: Object.fromEntries(Object.entries(records).filter(([leaf]) => leaf in slice['n-samples'])),
        });
        finished.add(name);
        opts.log?.(`${name}: recorded as run ${run.runId} in the database`);
      }
      await close();
    },
    async fail(err) {
      for (const [name, run] of opened) {
        if (!finished.has(name)) await run.then((r) => r.fail(err), () => undefined);
      }
      await close();
    },
  };
}
