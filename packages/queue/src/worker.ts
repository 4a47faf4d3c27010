import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { shardLabel, type ClaimedShard, type Store, type SubmissionRow } from '@sciboard/db';
import type { ShardQueue } from './shard-queue.ts';

/** What evaluates shards; the queue knows nothing of models (the CLI supplies an ONNX runner). */
export interface ShardRunner {
  /** Evaluates the shard's items into its run, resuming from the items already stored there. */
  run(shard: ClaimedShard, context: { signal: AbortSignal; progress(done: number, total: number): void }): Promise<void>;
  /**
   * Computes the scores of one run of the submission, whose shards are all done, from its stored items, stores
   * them and marks the run finished.
   */
  finishRun(submission: SubmissionRow, runId: number): Promise<void>;
  close(): Promise<void>;
}

export interface WorkerOptions {
  store: Store;
  queue: ShardQueue;
  runner: ShardRunner;
  /** Shards evaluated at once by this process. */
  concurrency?: number;
  /** Return once no shard is queued or running anywhere (instead of waiting for more work). */
  untilIdle?: boolean;
  /** Renew the lease this often (a third of the lease, so two missed beats are survivable). */
  heartbeatMs: number;
  pollMs?: number;
  /** How long one worker holds a run's scoring step before another may take it over (default 10 min). */
  scoringLeaseMs?: number;
  signal?: AbortSignal;
  log?: (line: string) => void;
}

export interface WorkerSummary {
  shardsDone: number;
  shardsFailed: number;
  /** Runs whose scores this process computed. */
  runsScored: number;
  submissionsFinished: number;
}

/**
 * The subset a run of the submission fills, for log lines. The payload's shape belongs to whoever enqueued it;
 * the queue reads only the run-to-subset list every payload carries.
 */
function subsetOfRun(submission: SubmissionRow, runId: number): string | undefined {
  const subsets = (submission.payload as { subsets?: { runId: number; subset: string }[] }).subsets;
  return subsets?.find((s) => s.runId === runId)?.subset;
}

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve) => {
    const wake = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', wake);
      resolve();
    };
    const timer = setTimeout(wake, ms);
    signal?.addEventListener('abort', wake, { once: true });
  });

/** Claims and runs shards until stopped (or, with `untilIdle`, until the queue is empty). */
export async function runWorker(o: WorkerOptions): Promise<WorkerSummary> {
  const log = o.log ?? (() => undefined);
  const summary: WorkerSummary = { shardsDone: 0, shardsFailed: 0, runsScored: 0, submissionsFinished: 0 };
  const processId = `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;

  async function scoreRun(submissionId: number, runId: number): Promise<void> {
    // The worker that lands a run's last range and an idle one sweeping for unscored runs can both get here:
    // the scoring lease lets exactly one of them compute the run's scores.
    if (!(await o.store.claimRunScoring(runId, o.scoringLeaseMs ?? 600_000))) return;
    const submission = await o.store.getSubmission(submissionId);
    if (!submission || (submission.status !== 'queued' && submission.status !== 'running')) return;
    const subset = subsetOfRun(submission, runId) ?? 'its subset';
    try {
      await o.runner.finishRun(submission, runId);
      summary.runsScored++;
      log(`run ${runId} (${subset}) of submission ${submissionId} finished: scores stored`);
    } catch (err) {
      const message = `computing the scores of ${subset} (run ${runId}) failed: ${(err as Error).message}`;
      await o.store.failSubmission(submissionId, message);
      log(`submission ${submissionId} failed: ${message}`);
    }
  }

  /** Scores the submission's runs whose shards are all done, then finishes the submission once all its runs have. */
  async function settle(submissionId: number): Promise<void> {
    for (const { runId } of await o.store.runsAwaitingScores(submissionId)) await scoreRun(submissionId, runId);
    if (await o.store.finishSubmission(submissionId)) {
      summary.submissionsFinished++;
      log(`submission ${submissionId} finished: every run scored`);
    }
  }

  async function runOne(owner: string): Promise<boolean> {
    const lease = await o.queue.next(owner);
    if (!lease) return false;
    const { shard } = lease;
    // The label carries the document range of an item-range shard, e.g. gsm8k_cot[16,32).
    log(`${new Date().toISOString()} shard ${shard.id} (${shard.subset} / ${shardLabel(shard)}) attempt ${shard.attempts} by ${owner}`);
    const lost = new AbortController();
    const onStop = () => lost.abort(new Error('worker stopping'));
    o.signal?.addEventListener('abort', onStop, { once: true });
    const beat = setInterval(() => {
      lease.heartbeat().then(
        (held) => held || lost.abort(new Error('lease lost to another worker')),
        (err: Error) => log(`heartbeat of shard ${shard.id} failed: ${err.message}`),
      );
    }, o.heartbeatMs);
    let lastProgress = 0;
    try {
      await o.runner.run(shard, {
        signal: lost.signal,
        progress: (done, total) => {
          // Progress is for people watching the queue: once a second is plenty.
          if (Date.now() - lastProgress < 1000 && done < total) return;
          lastProgress = Date.now();
          void o.store.reportShardProgress(shard.id, done, total).catch(() => undefined);
        },
      });
      clearInterval(beat);
      const outcome = await lease.complete();
      if (!outcome.completed) {
        log(`shard ${shard.id}: lease was lost before completion; its items are stored and the new holder resumes from them`);
        return true;
      }
      summary.shardsDone++;
      // A run is scored as soon as its last shard lands, whatever the submission's other runs are doing. The
      // shard is done whatever happens here: a failure to reach the scoring step is left to the idle sweep.
      if (outcome.runRemaining === 0) {
        await settle(shard.submissionId).catch((err: Error) => log(`scores of submission ${shard.submissionId} left to the next sweep: ${err.message}`));
      }
    } catch (err) {
      clearInterval(beat);
      if (lost.signal.aborted) {
        log(`shard ${shard.id} abandoned: ${(lost.signal.reason as Error).message}`);
        return true;
      }
      const message = err instanceof Error ? err.message : String(err);
      summary.shardsFailed++;
      log(`shard ${shard.id} (${shardLabel(shard)}) attempt ${shard.attempts} failed: ${message}`);
      await lease.fail(message);
    } finally {
      clearInterval(beat);
      o.signal?.removeEventListener('abort', onStop);
    }
    return true;
  }

  async function idle(): Promise<boolean> {
    await o.queue.sweep();
    // A worker that died after a run's last shard but before its scores leaves the run (and its submission) here.
    const due = [...(await o.store.runsAwaitingScores()).map((r) => r.submissionId), ...(await o.store.submissionsAwaitingScores()).map((s) => s.id)];
    for (const submissionId of new Set(due)) await settle(submissionId);
    return (await o.store.openShards()).length === 0;
  }

  const slot = async (index: number) => {
    const owner = `${processId}:${index}`;
    while (!o.signal?.aborted) {
      if (await runOne(owner)) continue;
      if ((await idle()) && o.untilIdle) return;
      await sleep(o.pollMs ?? 1000, o.signal);
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.max(1, o.concurrency ?? 1) }, (_, i) => slot(i)));
  } finally {
    await o.runner.close();
  }
  return summary;
}
