import type { ClaimedShard, Store } from '@sciboard/db';
import PgBoss from 'pg-boss';

export const SHARD_QUEUE = 'sciboard-shards';
/** pg-boss's default schema, where its job table lives. */
const PGBOSS_SCHEMA = 'pgboss';

export interface QueueSettings {
  /** How long a claimed shard stays its worker's without a heartbeat (pg-boss needs at least 10). */
  leaseSeconds: number;
  /** Attempts per shard before it fails its submission. */
  maxAttempts: number;
}

/**
 * The settings when a caller names none. A deployment sets its lease for every process (the CLI and the site
 * read SCIBOARD_LEASE_SECONDS and pass it as `leaseSeconds`): on PostgreSQL pg-boss stores the lease as each
 * job's expiry when it is submitted, so submitters and workers must agree on it.
 */
export const DEFAULT_QUEUE_SETTINGS: QueueSettings = { leaseSeconds: 60, maxAttempts: 3 };

/** One claimed shard: the worker heartbeats while it runs, then completes or fails it exactly once. */
export interface ShardLease {
  shard: ClaimedShard;
  /** Renews the lease; false when it was lost (expired and taken by another worker). */
  heartbeat(): Promise<boolean>;
  complete(): Promise<{ completed: boolean; runRemaining: number; submissionRemaining: number }>;
  fail(error: string): Promise<void>;
}

/**
 * Where workers take shards from. SQLite (one machine): leased rows claimed in a transaction. PostgreSQL
 * (many machines): pg-boss jobs, one per shard, with the shard rows kept as the record of progress.
 */
export interface ShardQueue {
  kind: 'leases' | 'pg-boss';
  /** Makes newly stored shards claimable (ids, or rows whose turn sets their place in the claim order). */
  publish(shards: (number | Pick<ClaimedShard, 'id' | 'turn'>)[]): Promise<void>;
  next(owner: string): Promise<ShardLease | undefined>;
  /** Fails shards whose holder died on their last attempt. */
  sweep(): Promise<void>;
  close(): Promise<void>;
}

export function openLeaseQueue(store: Store, settings: QueueSettings): ShardQueue {
  const leaseMs = settings.leaseSeconds * 1000;
  return {
    kind: 'leases',
    publish: async () => undefined,
    async next(owner) {
      const shard = await store.claimShard({ owner, leaseMs, maxAttempts: settings.maxAttempts });
      if (!shard) return undefined;
      return {
        shard,
        heartbeat: () => store.extendLease(shard.id, owner, leaseMs),
        complete: () => store.completeShard(shard.id, owner),
        fail: (error) => store.failShardAttempt(shard.id, owner, error, shard.attempts >= settings.maxAttempts),
      };
    },
    sweep: async () => void (await store.failLapsedShards(settings.maxAttempts)),
    close: async () => undefined,
  };
}

export async function openPgBossQueue(store: Store, url: string, settings: QueueSettings, republishAfterMs = 120_000): Promise<ShardQueue> {
  if (settings.leaseSeconds < 10) throw new Error(`lease must be at least 10 seconds with pg-boss, got ${settings.leaseSeconds}`);
  // pg-boss 10 (the last major that supports Node 20) has no heartbeats: an active job expires expireInSeconds
  // after it started, so the lease is the job's expiry and a heartbeat moves its start forward (renewJob).
  const boss = new PgBoss({
    connectionString: url,
    max: 4,
    // Expired jobs are what hands a dead worker's shard to the next one: look for them often.
    maintenanceIntervalSeconds: 2,
    schedule: false,
  });
  boss.on('error', (err: Error) => process.stderr.write(`pg-boss: ${err.message}\n`));
  await boss.start();
  await boss.createQueue(SHARD_QUEUE, {
    name: SHARD_QUEUE,
    retryLimit: settings.maxAttempts - 1,
    retryDelay: 1,
    expireInSeconds: settings.leaseSeconds,
  });
  const db = boss.getDb();
  // pg-boss hands out the highest priority first, then the oldest job: priority −turn gives every submission's
  // first shard before anyone's second, the same round-robin as the leased rows' claim order.
  const jobFor = (shard: number | Pick<ClaimedShard, 'id' | 'turn'>) => {
    const { id, turn } = typeof shard === 'number' ? { id: shard, turn: 0 } : shard;
    return { name: SHARD_QUEUE, data: { shardId: id }, priority: -turn, retryLimit: settings.maxAttempts - 1, expireInSeconds: settings.leaseSeconds };
  };
  const leaseMs = settings.leaseSeconds * 1000;
  return {
    kind: 'pg-boss',
    async publish(shards) {
      if (shards.length === 0) return;
      await boss.insert(shards.map(jobFor));
    },
    async next(owner) {
      for (;;) {
        const [job] = await boss.fetch<{ shardId: number }>(SHARD_QUEUE, { batchSize: 1, includeMetadata: true });
        if (!job) return undefined;
        const shard = await store.startShard(job.data.shardId, { owner, leaseMs });
        if (!shard) {
          // Already done or failed (a job delivered again after its worker finished): nothing left to do.
          await boss.complete(SHARD_QUEUE, job.id);
          continue;
        }
        const final = job.retryCount >= job.retryLimit;
        return {
          shard,
          async heartbeat() {
            await db.executeSql(`UPDATE ${PGBOSS_SCHEMA}.job SET started_on = now() WHERE name = $1 AND id = $2 AND state = 'active'`, [SHARD_QUEUE, job.id]);
            return store.extendLease(shard.id, owner, leaseMs);
          },
          async complete() {
            const outcome = await store.completeShard(shard.id, owner);
            await boss.complete(SHARD_QUEUE, job.id);
            return outcome;
          },
          async fail(error) {
            await store.failShardAttempt(shard.id, owner, error, final);
            await boss.fail(SHARD_QUEUE, job.id, { error });
          },
        };
      }
    },
    async sweep() {
      await store.failLapsedShards(settings.maxAttempts);
      // Shards are committed before their jobs are sent; a submitter that died in between leaves shards no
      // job will ever deliver. Once a submission is old enough that its submitter is done, send them again.
      const created = new Map<number, number>();
      for (const shard of await store.openShards()) {
        if (shard.status !== 'queued') continue;
        if (!created.has(shard.submissionId)) created.set(shard.submissionId, Date.parse((await store.getSubmission(shard.submissionId))?.createdAt ?? ''));
        if (!(Date.now() - created.get(shard.submissionId)! >= republishAfterMs)) continue;
        const { rows } = await db.executeSql(
          `SELECT 1 FROM ${PGBOSS_SCHEMA}.job WHERE name = $1 AND data @> $2::jsonb AND state IN ('created', 'retry', 'active') LIMIT 1`,
          [SHARD_QUEUE, JSON.stringify({ shardId: shard.id })],
        );
        if (rows.length > 0) continue;
        await boss.insert([jobFor(shard)]);
      }
    },
    close: () => boss.stop({ graceful: false }),
  };
}

/** pg-boss on PostgreSQL (`url`), leased rows otherwise. */
export function openShardQueue(store: Store, options: { url?: string } & Partial<QueueSettings> = {}): Promise<ShardQueue> {
  const settings = { ...DEFAULT_QUEUE_SETTINGS, ...definedOnly(options) };
  if (store.dialect === 'postgres') {
    if (!options.url) throw new Error('the PostgreSQL connection string is needed to reach pg-boss');
    return openPgBossQueue(store, options.url, settings);
  }
  return Promise.resolve(openLeaseQueue(store, settings));
}

function definedOnly(o: Partial<QueueSettings>): Partial<QueueSettings> {
  const out: Partial<QueueSettings> = {};
  if (o.leaseSeconds !== undefined) out.leaseSeconds = o.leaseSeconds;
  if (o.maxAttempts !== undefined) out.maxAttempts = o.maxAttempts;
  return out;
}
