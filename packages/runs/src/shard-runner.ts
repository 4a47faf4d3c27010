/**
 * What a worker does with a claimed shard: evaluate its items into the shard's run with the submission's
 * settings, and, once a run's last shard has landed, score the run from its stored items. The model is loaded
 * by the caller's `loadModel` (the CLI loads ONNX checkpoints in worker threads), so this package runs none.
 */
import type { ClaimedShard, Store, SubmissionRow } from '@sciboard/db';
import { checkEvalSettings, DEFAULT_STORE_EVERY, evaluate, GradingPool, loadChatTemplate, loadTaskSpec, scoreStored, type ChatTemplate, type EvalSettings, type EvaluateScoringOptions, type LanguageModel, type TaskDefinition } from '@sciboard/eval';
import type { Dtype } from '@sciboard/onnx/layout';
import type { ShardRunner } from '@sciboard/queue';
import { finishRunWithScores } from './record.ts';
import { payloadOf, type SubmissionPayload } from './submit.ts';

/** A loaded model as the shard runner uses it: its rows per forward pass (and why, when picked) go on the run. */
export type ShardModel = LanguageModel & { provider: string; dispose(): Promise<void>; graphFile?: string; batchSize?: number; batchSizeReason?: string };

export interface EvaluationShardRunnerOptions {
  /** Recorded as the device each run asked for. */
  device: 'auto' | 'cpu' | 'cuda';
  dataDir: string;
  /** Items per stored batch (default the evaluator's `DEFAULT_STORE_EVERY`); the model's batch size is its own. */
  storeEvery?: number;
  log: (line: string) => void;
  /** Equivalence time limit and grader threads; one grading pool serves every shard and closes with the runner. */
  scoring?: Pick<EvaluateScoringOptions, 'timeLimitMs' | 'graderThreads' | 'grader'>;
  /** Loads a checkpoint (the graph of the submission's `dtype`). */
  loadModel: (dir: string, dtype?: Dtype) => Promise<ShardModel>;
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

/** A run's batching as its configuration records it: the model's rows per forward pass and the items per write. */
export function batchingConfig(model: { batchSize?: number; batchSizeReason?: string }, storeEvery: number | undefined): Record<string, unknown> {
  return {
    batchSize: model.batchSize ?? null,
    ...(model.batchSizeReason ? { batchSizePickedFrom: model.batchSizeReason } : {}),
    storeEvery: storeEvery ?? DEFAULT_STORE_EVERY,
  };
}

/** Evaluates shards with the models `loadModel` gives, keeping loaded checkpoints for the next shard. */
export function evaluationShardRunner(store: Store, o: EvaluationShardRunnerOptions): ShardRunner {
  // Loaded models kept per checkpoint and precision: two submissions of one folder may run different graphs.
  const idle = new Map<string, ShardModel[]>();
  const keyOf = (payload: SubmissionPayload) => `${payload.model.checkpointPath}\u0000${payload.dtype ?? 'fp32'}`;
  const acquire = async (payload: SubmissionPayload) => idle.get(keyOf(payload))?.pop() ?? o.loadModel(payload.model.checkpointPath, payload.dtype);
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
            config: { ...run.config, ...(model.graphFile ? { graphFile: model.graphFile } : {}), ...batchingConfig(model, o.storeEvery) },
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
      // No model runs and nothing is scored again: a missing or changed item is an error.
      const prompt = promptOf(payload, o.log);
      const scored = await scoreStored({
        tasks: [plan.spec ? loadTaskSpec(plan.spec) : plan.subset],
        dataDir: o.dataDir,
        limit: payload.limit ?? undefined,
        sink: store.resultSink(plan.runId),
        ...prompt,
      });
      const run = await store.getRun(plan.runId);
      const chatTemplateSha = prompt.chatTemplate?.sha256;
      const items = await finishRunWithScores(store, plan.runId, scored, {
        seconds: run?.startedAt ? (started - Date.parse(run.startedAt)) / 1000 : null,
        ...(chatTemplateSha ? { config: { ...(run?.config ?? {}), chatTemplateSha } } : {}),
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
