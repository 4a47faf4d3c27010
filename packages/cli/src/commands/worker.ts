import type { Command } from 'commander';
import { openDb, resolveTarget, scoresFromLmEvalResults, type ClaimedShard, type Store, type SubmissionRow } from '@sciboard/db';
import { checkEvalSettings, DEFAULT_STORE_EVERY, evaluate, GradingPool, loadChatTemplate, loadTaskSpec, type ChatTemplate, type EvalSettings, type EvaluateScoringOptions, type LanguageModel, type TaskDefinition } from '@sciboard/eval';
import { loadModelInWorker, type WorkerLanguageModel } from '@sciboard/onnx';
import type { Dtype } from '@sciboard/onnx/layout';
import { DEFAULT_QUEUE_SETTINGS, openShardQueue, payloadOf, runWorker, type ShardRunner, type SubmissionPayload, type WorkerSummary } from '@sciboard/queue';
import { deviceOption, positiveInt, positiveSeconds } from '../options.ts';
import { chooseDataDir } from '../dataDir.ts';

export interface WorkerCommandOptions {
  concurrency?: number;
  device?: 'auto' | 'cpu' | 'cuda';
  untilIdle?: boolean;
  dataDir?: string;
  /** Rows per forward pass (default: picked from the model's size and the free memory). */
  batchSize?: number;
  /** Items per stored batch (default the evaluator's, 16). */
  storeEvery?: number;
  leaseSeconds?: number;
  maxAttempts?: number;
  /** Seconds allowed for one MATH equivalence check (default 5, as lm-eval). */
  timeLimit?: number;
  /** Worker threads for MATH equivalence checks, shared by every shard of this process (default one per core). */
  graderThreads?: number;
}

/** A loaded model as the shard runner uses it; `loadModelInWorker` by default. */
type ShardModel = LanguageModel & { provider: string; dispose(): Promise<void>; graphFile?: string; batchSize?: number; batchSizeReason?: string };

function workerDataDir(given: string | undefined): string {
  return chooseDataDir(given, { needed: false, withCheckoutData: true });
}

function taskOf(payload: SubmissionPayload, subset: string, task: string): string | TaskDefinition {
  const plan = payload.subsets.find((s) => s.subset === subset);
  if (!plan) throw new Error(`subset ${subset} is not part of this submission`);
  return plan.spec ? loadTaskSpec(plan.spec) : task;
}

/** The submission's prompt settings and, when it applies one, the checkpoint's chat template. */
function promptOf(payload: SubmissionPayload, log: (line: string) => void): { settings: EvalSettings; chatTemplate?: ChatTemplate } {
  const settings = checkEvalSettings(payload.settings ?? {});
  if (!settings.applyChatTemplate) return { settings };
  const { template, warnings } = loadChatTemplate(payload.model.checkpointPath, typeof settings.applyChatTemplate === 'string' ? settings.applyChatTemplate : undefined);
  for (const w of warnings) log(`warning: ${w}`);
  return { settings, chatTemplate: template };
}

/**
 * Answers nothing: scores are computed from the items the shards stored, and a missing item is an error
 * rather than a reason to run the model again in the scoring step.
 */
const storedItemsOnly: LanguageModel = {
  loglikelihood: async (requests) => {
    throw new Error(`${requests.length} items are missing from the stored results`);
  },
  generate: async (requests) => {
    throw new Error(`${requests.length} items are missing from the stored results`);
  },
};

/** Evaluates shards with ONNX models in worker threads, keeping loaded checkpoints for the next shard. */
export function onnxShardRunner(
  store: Store,
  o: {
    device: 'auto' | 'cpu' | 'cuda';
    dataDir: string;
    /** Rows per forward pass of the models this runner loads (default: the engine's, picked per model). */
    batchSize?: number;
    /** Items per stored batch (default the evaluator's `DEFAULT_STORE_EVERY`). */
    storeEvery?: number;
    log: (line: string) => void;
    /** Equivalence time limit and grader threads; one grading pool serves every shard and closes with the runner. */
    scoring?: Pick<EvaluateScoringOptions, 'timeLimitMs' | 'graderThreads' | 'grader'>;
    /** Loads a checkpoint (the graph of the submission's `dtype`); tests substitute a scripted model. */
    loadModel?: (dir: string, dtype?: Dtype) => Promise<ShardModel>;
  },
): ShardRunner {
  // Loaded models kept per checkpoint and precision: two submissions of one folder may run different graphs.
  const idle = new Map<string, ShardModel[]>();
  const load =
    o.loadModel ??
    ((dir: string, dtype?: Dtype): Promise<WorkerLanguageModel> => loadModelInWorker(dir, { device: o.device, ...(o.batchSize ? { batchSize: o.batchSize } : {}), ...(dtype ? { dtype } : {}) }));
  const keyOf = (payload: SubmissionPayload) => `${payload.model.checkpointPath}\u0000${payload.dtype ?? 'fp32'}`;
  const acquire = async (payload: SubmissionPayload) => idle.get(keyOf(payload))?.pop() ?? load(payload.model.checkpointPath, payload.dtype);
  const release = (payload: SubmissionPayload, model: ShardModel) => idle.set(keyOf(payload), [...(idle.get(keyOf(payload)) ?? []), model]);
  // Workers start on the first MATH check only; a check that outlives the limit has its worker replaced.
  const pool = o.scoring?.grader
    ? undefined
    : new GradingPool({ ...(o.scoring?.timeLimitMs ? { timeLimitMs: o.scoring.timeLimitMs } : {}), ...(o.scoring?.graderThreads ? { size: o.scoring.graderThreads } : {}) });
  const scoring = { grader: o.scoring?.grader ?? pool!, ...(o.scoring?.timeLimitMs ? { timeLimitMs: o.scoring.timeLimitMs } : {}) };

  return {
    async run(shard: ClaimedShard, context) {
      const payload = shard.payload as unknown as SubmissionPayload;
      const task = taskOf(payload, shard.subset, shard.task);
      const model = await acquire(payload);
      try {
        const run = await store.getRun(shard.runId);
        if (run?.status === 'pending') {
          await store.updateRun(shard.runId, {
            status: 'running',
            startedAt: new Date().toISOString(),
            device: o.device,
            provider: model.provider,
            // The graph file that runs, recorded beside the precision the run's configuration names, and how this
            // worker batches (not part of the run's identity: the first worker's settings are the ones recorded).
            config: {
              ...run.config,
              ...(model.graphFile ? { graphFile: model.graphFile } : {}),
              batchSize: model.batchSize ?? null,
              ...(model.batchSizeReason ? { batchSizePickedFrom: model.batchSizeReason } : {}),
              storeEvery: o.storeEvery ?? DEFAULT_STORE_EVERY,
            },
          });
        }
        await evaluate({
          model,
          tasks: [task],
          dataDir: o.dataDir,
          limit: payload.limit ?? undefined,
          // An item-range shard evaluates its documents only; prompts and exemplars are the whole task's.
          ...(shard.docStart !== null || shard.docEnd !== null ? { docRange: { start: shard.docStart ?? 0, end: shard.docEnd ?? Number.MAX_SAFE_INTEGER } } : {}),
          ...(o.storeEvery ? { storeEvery: o.storeEvery } : {}),
          ...(model.batchSize ? { modelBatchSize: model.batchSize } : {}),
          ...(model.batchSizeReason ? { modelBatchSizeReason: model.batchSizeReason } : {}),
          sink: store.resultSink(shard.runId),
          signal: context.signal,
          modelName: payload.model.name,
          device: model.provider,
          onProgress: (p) => context.progress(p.done, p.total),
          scoring,
          ...promptOf(payload, o.log),
          onWarning: (w) => o.log(`warning: ${w}`),
        });
      } finally {
        release(payload, model);
      }
    },

    async finishRun(submission: SubmissionRow, runId: number) {
      const payload = payloadOf(submission);
      const plan = payload.subsets.find((s) => s.runId === runId);
      if (!plan) throw new Error(`run ${runId} is not part of submission ${submission.id}`);
      const started = Date.now();
      // The prompts are rebuilt with the submission's settings: the stored items' prompt hashes must match them.
      const prompt = promptOf(payload, o.log);
      const { results } = await evaluate({
        model: storedItemsOnly,
        tasks: [plan.spec ? loadTaskSpec(plan.spec) : plan.subset],
        dataDir: o.dataDir,
        limit: payload.limit ?? undefined,
        sink: store.resultSink(plan.runId),
        modelName: payload.model.name,
        scoring,
        ...prompt,
      });
      await store.writeScores(plan.runId, scoresFromLmEvalResults(results));
      const items = Object.values(results['n-samples']).reduce((n, x) => n + x.effective, 0);
      const run = await store.getRun(plan.runId);
      const seconds = run?.startedAt ? (started - Date.parse(run.startedAt)) / 1000 : null;
      await store.updateRun(plan.runId, {
        status: 'finished',
        finishedAt: new Date().toISOString(),
        ...(seconds !== null ? { timings: { seconds }, throughput: items / Math.max(seconds, 1e-3) } : {}),
        ...(results.chat_template_sha ? { config: { ...(run?.config ?? {}), chatTemplateSha: results.chat_template_sha } } : {}),
      });
      o.log(`run ${plan.runId} (${plan.subset}) scored over ${items} items`);
    },

    async close() {
      for (const models of idle.values()) for (const model of models) await model.dispose();
      idle.clear();
      await pool?.close();
    },
  };
}

/** Runs a worker on the configured database until stopped, or until the queue is empty with `untilIdle`. */
export async function runWorkerCommand(opts: WorkerCommandOptions, signal?: AbortSignal): Promise<WorkerSummary> {
  const log = (line: string) => process.stderr.write(`${line}\n`);
  const store = await openDb();
  const target = resolveTarget();
  const queue = await openShardQueue(store, {
    url: target.dialect === 'postgres' ? target.url : undefined,
    leaseSeconds: opts.leaseSeconds,
    maxAttempts: opts.maxAttempts,
  });
  const leaseSeconds = opts.leaseSeconds ?? DEFAULT_QUEUE_SETTINGS.leaseSeconds;
  try {
    const runner = onnxShardRunner(store, {
      device: opts.device ?? 'auto',
      dataDir: workerDataDir(opts.dataDir),
      ...(opts.batchSize ? { batchSize: opts.batchSize } : {}),
      ...(opts.storeEvery ? { storeEvery: opts.storeEvery } : {}),
      log,
      scoring: { ...(opts.timeLimit ? { timeLimitMs: opts.timeLimit * 1000 } : {}), ...(opts.graderThreads ? { graderThreads: opts.graderThreads } : {}) },
    });
    log(`worker on ${target.dialect === 'postgres' ? 'PostgreSQL (pg-boss)' : target.file} with ${opts.concurrency ?? 1} slot(s)`);
    return await runWorker({ store, queue, runner, concurrency: opts.concurrency, untilIdle: opts.untilIdle, heartbeatMs: (leaseSeconds * 1000) / 3, signal, log });
  } finally {
    await queue.close();
    await store.close();
  }
}

export function register(program: Command): void {
  program
    .command('worker')
    .description('Claim queued submission shards and evaluate them (pg-boss on PostgreSQL, leased rows on SQLite)')
    .option('--concurrency <n>', 'shards evaluated at once by this process', positiveInt('--concurrency'), 1)
    .option('--device <device>', 'auto (CUDA, else CPU), cuda or cpu', deviceOption, 'auto')
    .option('--until-idle', 'exit 0 once no shard is queued or running')
    .option('--data-dir <dir>', 'datasets folder (default: $SCIBOARD_DATA_DIR, then ../shared/data, then the `sciboard data pull` cache)')
    .option('--batch-size <n>', 'rows per forward pass (default: picked from the model\'s size and the free memory); recorded with each run', positiveInt('--batch-size'))
    .option('--store-every <n>', `items per stored batch: documents per model call and per write (default ${DEFAULT_STORE_EVERY}); workers of one submission should agree`, positiveInt('--store-every'))
    .option('--lease-seconds <n>', 'how long a shard stays claimed without a heartbeat (default: $SCIBOARD_LEASE_SECONDS or 60; at least 10 on PostgreSQL)', positiveInt('--lease-seconds'))
    .option('--time-limit <seconds>', 'time limit for one MATH equivalence check; stopped checks count as not equivalent (default 5, as lm-eval)', positiveSeconds('--time-limit'))
    .option('--grader-threads <n>', 'worker threads for MATH equivalence checks (default: one per core)', positiveInt('--grader-threads'))
    .option('--max-attempts <n>', 'attempts per shard before its submission fails', positiveInt('--max-attempts'), 3)
    .action(async (opts: WorkerCommandOptions) => {
      const controller = new AbortController();
      const stop = () => controller.abort();
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
      try {
        const summary = await runWorkerCommand(opts, controller.signal);
        process.stderr.write(`worker done: ${JSON.stringify(summary)}\n`);
      } finally {
        process.off('SIGINT', stop);
        process.off('SIGTERM', stop);
      }
    });
}
