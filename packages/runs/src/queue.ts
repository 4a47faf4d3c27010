/**
 * The shard queue as submitters and workers use it: the site and `sciboard submit` open it to enqueue,
 * `sciboard worker` runs the claim loop over it. The adapters reach @sciboard/queue through here.
 */
export { DEFAULT_QUEUE_SETTINGS, openShardQueue, runWorker } from '@sciboard/queue';
export type { QueueSettings, ShardQueue, ShardRunner, WorkerSummary } from '@sciboard/queue';
