export {
  openShardQueue,
  openLeaseQueue,
  openPgBossQueue,
  SHARD_QUEUE,
  DEFAULT_QUEUE_SETTINGS,
  type QueueSettings,
  type ShardLease,
  type ShardQueue,
} from './shard-queue.ts';
export { runWorker, type ShardRunner, type WorkerOptions, type WorkerSummary } from './worker.ts';
