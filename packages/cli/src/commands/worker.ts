import type { Command } from 'commander';
import {
  DEFAULT_QUEUE_SETTINGS,
  DEFAULT_STORE_EVERY,
  type Dtype,
  evaluationShardRunner,
  type EvaluationShardRunnerOptions,
  openDb,
  openShardQueue,
  resolveTarget,
  runWorker,
  type ShardModel,
  type ShardRunner,
  type Store,
  type WorkerSummary,
} from '@sciboard/runs';
import { loadModelInWorker, type WorkerLanguageModel } from '@sciboard/onnx';
import { cliEnv } from '../env.ts';
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
  /** The database to work on (default: the configured one). */
  database?: { file?: string };
}

function workerDataDir(given: string | undefined): string {
  return chooseDataDir(given, { needed: false, withCheckoutData: true });
}

/** Evaluates shards with ONNX models in worker threads, keeping loaded checkpoints for the next shard. */
export function onnxShardRunner(
  store: Store,
  o: Omit<EvaluationShardRunnerOptions, 'loadModel'> & {
    /** Rows per forward pass of the models this runner loads (default: the engine's, picked per model). */
    batchSize?: number;
    /** Loads a checkpoint (the graph of the submission's `dtype`); tests substitute a scripted model. */
    loadModel?: (dir: string, dtype?: Dtype) => Promise<ShardModel>;
  },
): ShardRunner {
  const loadModel =
    o.loadModel ??
    ((dir: string, dtype?: Dtype): Promise<WorkerLanguageModel> => loadModelInWorker(dir, { device: o.device, runtime: cliEnv().engine, ...(o.batchSize ? { batchSize: o.batchSize } : {}), ...(dtype ? { dtype } : {}) }));
  return evaluationShardRunner(store, { ...o, loadModel });
}

/** Runs a worker on the configured database until stopped, or until the queue is empty with `untilIdle`. */
export async function runWorkerCommand(opts: WorkerCommandOptions, signal?: AbortSignal): Promise<WorkerSummary> {
  const log = (line: string) => process.stderr.write(`${line}\n`);
  const env = cliEnv();
  const database = { ...env.database, ...opts.database };
  const store = await openDb(database);
  const target = resolveTarget(database);
  const leaseSeconds = opts.leaseSeconds ?? env.leaseSeconds ?? DEFAULT_QUEUE_SETTINGS.leaseSeconds;
  const queue = await openShardQueue(store, {
    url: target.dialect === 'postgres' ? target.url : undefined,
    leaseSeconds,
    maxAttempts: opts.maxAttempts,
  });
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
