import { and, asc, desc, eq, inArray, isNull, lt, ne, notExists, or, sql } from 'drizzle-orm';
import type { DialectAdapter, QueryDb } from '../client.ts';
import type { ShardStatus, SubmissionStatus } from '../schema/shared.ts';
import type * as pgSchema from '../schema/pg.ts';

export type SubmissionRow = typeof pgSchema.submissions.$inferSelect;

/** A unique-index violation on the live dedupe key, from either driver (drizzle wraps it as the cause). */
function isLiveKeyConflict(err: unknown): boolean {
  for (let e = err as { code?: unknown; message?: unknown; cause?: unknown } | undefined, depth = 0; e && depth < 5; e = e.cause as typeof e, depth++) {
    const unique = e.code === '23505' || e.code === 'SQLITE_CONSTRAINT_UNIQUE';
    if (unique && /submissions_dedupe_key_live_idx|submissions\.dedupe_key/.test(`${String(e.message)} ${String((e as { constraint?: unknown }).constraint)}`)) return true;
  }
  return false;
}

/** Another live submission with the same key committed first: the caller answers with that one instead. */
export class DuplicateSubmissionError extends Error {
  constructor(readonly dedupeKey: string) {
    super(`a live submission with key ${dedupeKey.slice(0, 12)}… already exists`);
  }
}
export type ShardRow = typeof pgSchema.submissionShards.$inferSelect;

export interface ShardInput {
  runId: number;
  /** The board subset (or suite) whose run the shard's items merge into. */
  subset: string;
  /** The leaf task the shard evaluates. */
  task: string;
  /** Its documents [docStart, docEnd) when the task is split into item ranges; absent: the whole task. */
  docStart?: number;
  docEnd?: number;
  /** Claim order within the submission (see `claimShard`). */
  turn?: number;
}

/** How errors and logs name a shard: the task, and its document range when it has one (`gsm8k_cot[16,32)`). */
export function shardLabel(shard: { task: string; docStart: number | null; docEnd: number | null }): string {
  return shard.docStart === null && shard.docEnd === null ? shard.task : `${shard.task}[${shard.docStart ?? 0},${shard.docEnd ?? ''})`;
}

export interface SubmissionInput {
  payload: Record<string, unknown>;
  dedupeKey: string;
  shards: ShardInput[];
}

export interface SubmissionSummary extends SubmissionRow {
  shards: { total: number; done: number; running: number; failed: number; itemsDone: number; itemsTotal: number };
}

/** A shard handed to one worker, with what it needs to run it. */
export interface ClaimedShard extends ShardRow {
  payload: Record<string, unknown>;
}

export interface LeaseOptions {
  owner: string;
  leaseMs: number;
  /** Attempts after which an expired lease fails the shard (and its submission) instead of being retried. */
  maxAttempts: number;
}

const now = () => new Date().toISOString();
const later = (ms: number) => new Date(Date.now() + ms).toISOString();

export function submissionQueries(adapter: DialectAdapter) {
  const { db, tables } = adapter;
  const { submissions, submissionShards: shards, runs, runScoring } = tables;

  async function failSubmission(tx: QueryDb, submissionId: number, error: string): Promise<void> {
    await tx
      .update(submissions)
      .set({ status: 'failed', error, finishedAt: now() })
      .where(and(eq(submissions.id, submissionId), ne(submissions.status, 'failed')));
  }

  async function summaries(rows: SubmissionRow[]): Promise<SubmissionSummary[]> {
    if (rows.length === 0) return [];
    const counts = await db
      .select({
        submissionId: shards.submissionId,
        status: shards.status,
        n: sql<number>`count(*)`,
        itemsDone: sql<number>`coalesce(sum(${shards.itemsDone}), 0)`,
        itemsTotal: sql<number>`coalesce(sum(${shards.itemsTotal}), 0)`,
      })
      .from(shards)
      .where(inArray(shards.submissionId, rows.map((r) => r.id)))
      .groupBy(shards.submissionId, shards.status);
    return rows.map((row) => {
      const mine = counts.filter((c) => c.submissionId === row.id);
      const of = (s: ShardStatus) => Number(mine.find((c) => c.status === s)?.n ?? 0);
      const sum = (k: 'itemsDone' | 'itemsTotal') => mine.reduce((t, c) => t + Number(c[k]), 0);
      return {
        ...row,
        shards: {
          total: mine.reduce((t, c) => t + Number(c.n), 0),
          done: of('done'),
          running: of('running'),
          failed: of('failed'),
          itemsDone: sum('itemsDone'),
          itemsTotal: sum('itemsTotal'),
        },
      };
    });
  }

  return {
    /** The submission and its shards, all or nothing. */
    async createSubmission(input: SubmissionInput): Promise<{ submission: SubmissionRow; shards: ShardRow[] }> {
      if (input.shards.length === 0) throw new Error('a submission needs at least one shard');
      return adapter.transaction(async (tx) => {
        // The unique index on live keys decides between concurrent submitters: the loser's insert is refused
        // (after the winner commits, on PostgreSQL) and its whole transaction rolls back.
        const [submission] = await tx
          .insert(submissions)
          .values({ payload: input.payload, dedupeKey: input.dedupeKey, progress: 0 })
          .returning()
          .catch((err: unknown) => {
            throw isLiveKeyConflict(err) ? new DuplicateSubmissionError(input.dedupeKey) : err;
          });
        const rows = await tx
          .insert(shards)
          .values(input.shards.map((s) => ({ ...s, submissionId: submission!.id })))
          .returning();
        return { submission: submission!, shards: rows };
      });
    },

    /** The newest submission with this checkpoint and configuration that has not failed. */
    async findSubmissionByDedupeKey(dedupeKey: string): Promise<SubmissionRow | undefined> {
      const [row] = await db
        .select()
        .from(submissions)
        .where(and(eq(submissions.dedupeKey, dedupeKey), ne(submissions.status, 'failed')))
        .orderBy(desc(submissions.id))
        .limit(1);
      return row;
    },

    async getSubmission(id: number): Promise<SubmissionSummary | undefined> {
      const rows = await db.select().from(submissions).where(eq(submissions.id, id)).limit(1);
      return (await summaries(rows))[0];
    },

    /** Newest first. */
    async listSubmissions(options: { limit?: number } = {}): Promise<SubmissionSummary[]> {
      const rows = await db.select().from(submissions).orderBy(desc(submissions.id)).limit(options.limit ?? 200);
      return summaries(rows);
    },

    async listShards(submissionId: number): Promise<ShardRow[]> {
      return db.select().from(shards).where(eq(shards.submissionId, submissionId)).orderBy(asc(shards.id));
    },

    /**
     * Takes the next shard that is queued or whose lease expired, under a lease for `owner`, in one
     * transaction (SQLite: BEGIN IMMEDIATE serialises claimers across processes; PostgreSQL: row locks
     * skipped by other claimers). An expired shard that already used `maxAttempts` fails its submission.
     * Order: lowest turn first, then oldest submission: every submission's first shard before anyone's second,
     * so a large submission never holds back a small one submitted after it (round-robin across submissions).
     */
    async claimShard(o: LeaseOptions): Promise<ClaimedShard | undefined> {
      return adapter.transaction(async (tx) => {
        for (;;) {
          const claimable = tx
            .select({ shard: shards, payload: submissions.payload })
            .from(shards)
            .innerJoin(submissions, eq(submissions.id, shards.submissionId))
            .where(
              and(
                ne(submissions.status, 'failed'),
                or(eq(shards.status, 'queued'), and(eq(shards.status, 'running'), lt(shards.leaseExpiresAt, now()))),
              ),
            )
            .orderBy(asc(shards.turn), asc(shards.submissionId), asc(shards.id))
            .limit(1);
          const [found] = adapter.dialect === 'postgres' ? await claimable.for('update', { of: shards, skipLocked: true }) : await claimable;
          if (!found) return undefined;
          const { shard, payload } = found;
          if (shard.status === 'running' && shard.attempts >= o.maxAttempts) {
            const error = `shard ${shardLabel(shard)} lost its lease ${shard.attempts} times (last holder ${shard.leaseOwner})`;
            await tx.update(shards).set({ status: 'failed', error, finishedAt: now() }).where(eq(shards.id, shard.id));
            await failSubmission(tx, shard.submissionId, error);
            continue;
          }
          const [claimed] = await tx
            .update(shards)
            .set({ status: 'running', leaseOwner: o.owner, leaseExpiresAt: later(o.leaseMs), attempts: shard.attempts + 1, startedAt: shard.startedAt ?? now() })
            .where(eq(shards.id, shard.id))
            .returning();
          await tx
            .update(submissions)
            .set({ status: 'running', startedAt: sql`coalesce(${submissions.startedAt}, ${now()})` })
            .where(and(eq(submissions.id, shard.submissionId), eq(submissions.status, 'queued')));
          return { ...claimed!, payload };
        }
      });
    },

    /**
     * Fails the shards whose holder stopped renewing the lease on their last allowed attempt (an external
     * queue such as pg-boss gives up on those jobs without any worker left to say so); returns their ids.
     */
    async failLapsedShards(maxAttempts: number): Promise<number[]> {
      return adapter.transaction(async (tx) => {
        const lapsed = await tx
          .select()
          .from(shards)
          .where(and(eq(shards.status, 'running'), lt(shards.leaseExpiresAt, now()), sql`${shards.attempts} >= ${maxAttempts}`));
        for (const shard of lapsed) {
          const error = `shard ${shardLabel(shard)} lost its lease ${shard.attempts} times (last holder ${shard.leaseOwner})`;
          await tx.update(shards).set({ status: 'failed', error, finishedAt: now() }).where(eq(shards.id, shard.id));
          await failSubmission(tx, shard.submissionId, error);
        }
        return lapsed.map((s) => s.id);
      });
    },

    /** Takes a shard handed out by an external queue (pg-boss), as `claimShard` would. */
    async startShard(shardId: number, o: Omit<LeaseOptions, 'maxAttempts'>): Promise<ClaimedShard | undefined> {
      return adapter.transaction(async (tx) => {
        const [found] = await tx
          .select({ shard: shards, payload: submissions.payload, submissionStatus: submissions.status })
          .from(shards)
          .innerJoin(submissions, eq(submissions.id, shards.submissionId))
          .where(eq(shards.id, shardId));
        if (!found || found.shard.status === 'done' || found.shard.status === 'failed' || found.submissionStatus === 'failed') return undefined;
        const [claimed] = await tx
          .update(shards)
          .set({ status: 'running', leaseOwner: o.owner, leaseExpiresAt: later(o.leaseMs), attempts: found.shard.attempts + 1, startedAt: found.shard.startedAt ?? now() })
          .where(eq(shards.id, shardId))
          .returning();
        await tx
          .update(submissions)
          .set({ status: 'running', startedAt: sql`coalesce(${submissions.startedAt}, ${now()})` })
          .where(and(eq(submissions.id, found.shard.submissionId), eq(submissions.status, 'queued')));
        return { ...claimed!, payload: found.payload };
      });
    },

    /** Extends the lease; false when the shard is no longer this owner's (it expired and was taken). */
    async extendLease(shardId: number, owner: string, leaseMs: number): Promise<boolean> {
      const rows = await db
        .update(shards)
        .set({ leaseExpiresAt: later(leaseMs) })
        .where(and(eq(shards.id, shardId), eq(shards.leaseOwner, owner), eq(shards.status, 'running')))
        .returning({ id: shards.id });
      return rows.length > 0;
    },

    async reportShardProgress(shardId: number, itemsDone: number, itemsTotal: number): Promise<void> {
      await db.update(shards).set({ itemsDone, itemsTotal }).where(eq(shards.id, shardId));
    },

    /**
     * Marks the shard done (only if `owner` still holds it) and returns how many shards of its run and of
     * its submission are still unfinished, so the caller knows when to compute scores.
     */
    async completeShard(shardId: number, owner: string): Promise<{ completed: boolean; runRemaining: number; submissionRemaining: number }> {
      return adapter.transaction(async (tx) => {
        const [done] = await tx
          .update(shards)
          .set({ status: 'done', finishedAt: now(), leaseExpiresAt: null, itemsDone: sql`coalesce(${shards.itemsTotal}, ${shards.itemsDone})` })
          .where(and(eq(shards.id, shardId), eq(shards.leaseOwner, owner), eq(shards.status, 'running')))
          .returning();
        const [shard] = done ? [done] : await tx.select().from(shards).where(eq(shards.id, shardId));
        if (!shard) throw new Error(`shard ${shardId} does not exist`);
        const remaining = async (column: typeof shards.runId | typeof shards.submissionId, id: number) => {
          const [row] = await tx.select({ n: sql<number>`count(*)` }).from(shards).where(and(eq(column, id), ne(shards.status, 'done')));
          return Number(row?.n ?? 0);
        };
        const submissionRemaining = await remaining(shards.submissionId, shard.submissionId);
        const [all] = await tx.select({ n: sql<number>`count(*)` }).from(shards).where(eq(shards.submissionId, shard.submissionId));
        const total = Number(all?.n ?? 1);
        await tx.update(submissions).set({ progress: (total - submissionRemaining) / total }).where(eq(submissions.id, shard.submissionId));
        return { completed: Boolean(done), runRemaining: await remaining(shards.runId, shard.runId), submissionRemaining };
      });
    },

    /**
     * Records a failed attempt: the shard goes back to the queue, or, when `final`, fails together with
     * its submission, whose error names the shard.
     */
    async failShardAttempt(shardId: number, owner: string, error: string, final: boolean): Promise<void> {
      await adapter.transaction(async (tx) => {
        const [shard] = await tx
          .update(shards)
          .set(final ? { status: 'failed', error, finishedAt: now(), leaseExpiresAt: null } : { status: 'queued', error, leaseExpiresAt: null, leaseOwner: null })
          // Only a shard still running under this owner: a done shard is never put back in the queue.
          .where(and(eq(shards.id, shardId), eq(shards.leaseOwner, owner), eq(shards.status, 'running')))
          .returning();
        if (shard && final) await failSubmission(tx, shard.submissionId, `shard ${shardLabel(shard)} failed after ${shard.attempts} attempts: ${error}`);
      });
    },

    /** Fails a submission and its unfinished shards (e.g. their jobs were lost by the external queue). */
    async failSubmission(submissionId: number, error: string): Promise<void> {
      await adapter.transaction(async (tx) => {
        await tx
          .update(shards)
          .set({ status: 'failed', error, finishedAt: now() })
          .where(and(eq(shards.submissionId, submissionId), inArray(shards.status, ['queued', 'running'])));
        await failSubmission(tx, submissionId, error);
      });
    },

    /**
     * Takes the scoring step of a run whose shards are all done: true for exactly one caller until `leaseMs`
     * passes (a scorer that died is replaced then), false while another holds it or once the run has ended.
     */
    async claimRunScoring(runId: number, leaseMs: number): Promise<boolean> {
      const taken = await db
        .insert(runScoring)
        .values({ runId, expiresAt: later(leaseMs) })
        .onConflictDoUpdate({ target: runScoring.runId, set: { expiresAt: later(leaseMs) }, setWhere: lt(runScoring.expiresAt, now()) })
        .returning({ runId: runScoring.runId });
      if (taken.length === 0) return false;
      const [run] = await db.select({ status: runs.status }).from(runs).where(eq(runs.id, runId));
      return run !== undefined && run.status !== 'finished' && run.status !== 'failed';
    },

    /**
     * Marks the submission finished once every shard is done and every run has its scores (the run is
     * finished); true for the one call that did, false while work remains or once it ended.
     */
    async finishSubmission(submissionId: number): Promise<boolean> {
      const openShard = db.select({ id: shards.id }).from(shards).where(and(eq(shards.submissionId, submissionId), ne(shards.status, 'done')));
      const unscored = db
        .select({ id: runs.id })
        .from(runs)
        .where(and(ne(runs.status, 'finished'), inArray(runs.id, db.select({ id: shards.runId }).from(shards).where(eq(shards.submissionId, submissionId)))));
      const rows = await db
        .update(submissions)
        .set({ status: 'finished' as SubmissionStatus, progress: 1, finishedAt: now(), error: null })
        .where(and(eq(submissions.id, submissionId), inArray(submissions.status, ['queued', 'running']), notExists(openShard), notExists(unscored)))
        .returning({ id: submissions.id });
      return rows.length > 0;
    },

    /** Shards not yet done or failed, of submissions still alive: the queue is idle when this is empty. */
    async openShards(): Promise<ShardRow[]> {
      return db
        .select({ shard: shards })
        .from(shards)
        .innerJoin(submissions, eq(submissions.id, shards.submissionId))
        .where(and(inArray(shards.status, ['queued', 'running']), ne(submissions.status, 'failed')))
        .orderBy(asc(shards.id))
        .then((rows) => rows.map((r) => r.shard));
    },

    /**
     * Runs of live submissions whose shards are all done but which have no scores yet (not finished), oldest
     * first; of one submission when `submissionId` is given.
     */
    async runsAwaitingScores(submissionId?: number): Promise<{ runId: number; submissionId: number }[]> {
      // The subquery's submission_shards is its own scan (it shadows the outer one); runs.id is the outer row's.
      const open = db.select({ id: shards.id }).from(shards).where(and(eq(shards.runId, runs.id), ne(shards.status, 'done')));
      return db
        .selectDistinct({ runId: runs.id, submissionId: submissions.id })
        .from(runs)
        .innerJoin(shards, eq(shards.runId, runs.id))
        .innerJoin(submissions, eq(submissions.id, shards.submissionId))
        .where(
          and(
            inArray(submissions.status, ['queued', 'running']),
            ne(runs.status, 'finished'),
            notExists(open),
            submissionId === undefined ? undefined : eq(submissions.id, submissionId),
          ),
        )
        .orderBy(asc(runs.id));
    },

    /** Submissions whose every shard is done but which are not marked finished (their last runs' scores are due). */
    async submissionsAwaitingScores(): Promise<SubmissionRow[]> {
      const open = db.select({ id: shards.id }).from(shards).where(and(eq(shards.submissionId, submissions.id), ne(shards.status, 'done')));
      return db
        .select()
        .from(submissions)
        .where(and(inArray(submissions.status, ['queued', 'running']), notExists(open), isNull(submissions.finishedAt)))
        .orderBy(asc(submissions.id));
    },
  };
}
