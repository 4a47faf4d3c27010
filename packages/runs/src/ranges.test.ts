import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openDb, shardLabel, type Store } from '@sciboard/db';
import { skipOrFail } from '../../db/src/test-backends.ts';
import { openLeaseQueue, openPgBossQueue, runWorker, type ShardQueue } from '@sciboard/queue';
import { planRanges, splitRanges } from './ranges.ts';
import { enqueueSubmission } from './submit.ts';

const samples = resolve(import.meta.dirname, '../../eval/samples');
const MC = join(samples, 'science-mc.yaml'); // 8 documents, multiple choice
const GEN = join(samples, 'arithmetic.yaml'); // 6 documents, generation

const pgAvailable = spawnSync('psql', ['-h', '127.0.0.1', '-U', 'postgres', '-Atc', 'select 1'], { encoding: 'utf8' }).stdout.trim() === '1';
if (!pgAvailable) skipOrFail('ranges test, the pg-boss part: no PostgreSQL at 127.0.0.1:5432');

describe('splitting a task into document ranges', () => {
  it('covers every document once in contiguous ranges', () => {
    expect(splitRanges(8, 3)).toEqual([
      { start: 0, end: 3 },
      { start: 3, end: 6 },
      { start: 6, end: 8 },
    ]);
    expect(splitRanges(4, 16)).toEqual([{ start: 0, end: 4 }]);
    expect(() => splitRanges(4, 0)).toThrow(/shardSize: expected a positive integer, got 0/);
  });

  it('counts documents after the limit, defaults by kind, and refuses a size it cannot apply', () => {
    const plans = [
      { subset: 'sample_science_mc', spec: MC, tasks: ['sample_science_mc'] },
      { subset: 'sample_arithmetic', spec: GEN, tasks: ['sample_arithmetic'] },
    ];
    const sized = planRanges(plans, { dataDir: samples, shardSize: 3, limit: 7 });
    expect(sized.map((s) => [s.task, s.docs, s.ranges.map((r) => `${r.start}-${r.end}`).join(' ')])).toEqual([
      ['sample_science_mc', 7, '0-3 3-6 6-7'],
      ['sample_arithmetic', 6, '0-3 3-6'],
    ]);
    // Defaults: 64 generations or 1000 multiple-choice documents per range, so these small tasks stay whole.
    expect(planRanges(plans, { dataDir: samples }).map((s) => [s.shardSize, s.ranges.length])).toEqual([
      [1000, 0],
      [64, 0],
    ]);
    const unknown = [{ subset: 'gsm8k', tasks: ['gsm8k'] }];
    const empty = mkdtempSync(join(tmpdir(), 'sciboard-nodata-'));
    expect(planRanges(unknown, { dataDir: empty })[0]).toMatchObject({ task: 'gsm8k', ranges: [] });
    expect(() => planRanges(unknown, { dataDir: empty, shardSize: 10 })).toThrow(/shardSize: the documents of task "gsm8k" cannot be counted/);
  });
});

/** A large submission (8 ranges) then a small one (2 ranges), both queued before any worker claims. */
async function bigThenSmall(store: Store, queue: ShardQueue) {
  const big = await enqueueSubmission(store, queue, { checkpoint: '/m/big', contentHash: 'big', name: 'big', tasks: [MC], shardSize: 1, dataDir: samples });
  const small = await enqueueSubmission(store, queue, { checkpoint: '/m/small', contentHash: 'small', name: 'small', tasks: [GEN], shardSize: 3, dataDir: samples });
  if (big.kind !== 'queued' || small.kind !== 'queued') throw new Error('expected new submissions');
  return { big: big.submission.id, small: small.submission.id };
}

function queueBehaviour(open: () => Promise<{ store: Store; queue: ShardQueue }>) {
  it('takes turns between submissions, refuses a duplicate completion and names the range that fails', async () => {
    const { store, queue } = await open();
    const { big, small } = await bigThenSmall(store, queue);
    const order: string[] = [];
    for (let i = 0; i < 4; i++) {
      const lease = await queue.next(`w${i}`);
      order.push(`${lease!.shard.submissionId === big ? 'big' : 'small'}:${lease!.shard.docStart}`);
      if (i === 0) {
        expect(await lease!.complete()).toMatchObject({ completed: true });
        // The same range completed again (a second delivery, a stale holder): refused, nothing counted twice.
        expect(await lease!.complete()).toMatchObject({ completed: false });
        expect((await store.getSubmission(big))?.shards.done).toBe(1);
      }
      if (i === 3) {
        await lease!.fail('out of memory');
        // Its retry comes back (after pg-boss's retry delay there); other ranges handed out meanwhile stay held.
        let again;
        for (let tries = 0; again?.shard.id !== lease!.shard.id && tries < 50; tries++) {
          again = await queue.next('w9');
          if (!again) await new Promise((r) => setTimeout(r, 100));
        }
        expect(again!.shard.id).toBe(lease!.shard.id);
        await again!.fail('out of memory');
      }
    }
    // The small submission's first range is handed out second, not after the big one's eight.
    expect(order).toEqual(['big:0', 'small:0', 'big:1', 'small:3']);
    const failed = await store.getSubmission(small);
    expect(failed?.status).toBe('failed');
    expect(failed?.error).toBe('shard sample_arithmetic[3,6) failed after 2 attempts: out of memory');
    // A run's scoring step goes to one worker at a time, and to none once the run is finished.
    const bigRun = (await store.listShards(big))[0]!.runId;
    expect(await store.claimRunScoring(bigRun, 1000)).toBe(true);
    expect(await store.claimRunScoring(bigRun, 60_000)).toBe(false);
    await new Promise((r) => setTimeout(r, 1100));
    // A scorer that died: its lease lapses and the next caller takes the step over.
    expect(await store.claimRunScoring(bigRun, 1)).toBe(true);
    await store.updateRun(bigRun, { status: 'finished' });
    await new Promise((r) => setTimeout(r, 20));
    expect(await store.claimRunScoring(bigRun, 60_000)).toBe(false);
  });
}

describe('a range that fails every attempt, through the worker loop', () => {
  it('fails its submission naming the range, and no run of it is scored', async () => {
    const store = await openDb({ file: join(mkdtempSync(join(tmpdir(), 'sciboard-ranges-fail-')), 'q.db') });
    try {
      const queue = openLeaseQueue(store, { leaseSeconds: 10, maxAttempts: 2 });
      const outcome = await enqueueSubmission(store, queue, { checkpoint: '/m/f', contentHash: 'f', name: 'failing', tasks: [MC, GEN], shardSize: 3, dataDir: samples });
      if (outcome.kind !== 'queued') throw new Error('expected a new submission');
      const attempts: string[] = [];
      const scored: number[] = [];
      const summary = await runWorker({
        store,
        queue,
        runner: {
          async run(shard) {
            attempts.push(shardLabel(shard));
            if (shard.task === 'sample_arithmetic' && shard.docStart === 3) throw new Error('out of memory');
          },
          finishRun: async (_submission, runId) => void scored.push(runId),
          close: async () => undefined,
        },
        untilIdle: true,
        heartbeatMs: 3000,
        pollMs: 50,
      });
      const submission = await store.getSubmission(outcome.submission.id);
      expect(submission?.status).toBe('failed');
      expect(submission?.error).toBe('shard sample_arithmetic[3,6) failed after 2 attempts: out of memory');
      expect(attempts.filter((a) => a === 'sample_arithmetic[3,6)')).toHaveLength(2);
      expect(summary).toMatchObject({ shardsFailed: 2, submissionsFinished: 0 });
      // The multiple-choice run's ranges all landed before the failure, so it was scored; nothing after it.
      const mcRun = outcome.shards.find((s) => s.task === 'sample_science_mc')!.runId;
      expect(scored).toEqual([mcRun]);
      expect(await store.runsAwaitingScores()).toEqual([]);
    } finally {
      await store.close();
    }
  });
});

describe('item-range shards on leased rows (SQLite)', () => {
  let store: Store | undefined;
  afterAll(async () => store?.close());
  queueBehaviour(async () => {
    store = await openDb({ file: join(mkdtempSync(join(tmpdir(), 'sciboard-ranges-')), 'q.db') });
    return { store, queue: openLeaseQueue(store, { leaseSeconds: 10, maxAttempts: 2 }) };
  });
});

describe.skipIf(!pgAvailable)('item-range shards on pg-boss (PostgreSQL)', () => {
  const database = `sciboard_ranges_q_${process.pid}_${Date.now()}`;
  let store: Store | undefined;
  let queue: ShardQueue | undefined;
  afterAll(async () => {
    await queue?.close();
    await store?.close();
    spawnSync('dropdb', ['-h', '127.0.0.1', '-U', 'postgres', '--force', database]);
  });
  queueBehaviour(async () => {
    spawnSync('createdb', ['-h', '127.0.0.1', '-U', 'postgres', database]);
    const url = `postgres://postgres@127.0.0.1:5432/${database}`;
    store = await openDb({ url });
    queue = await openPgBossQueue(store, url, { leaseSeconds: 10, maxAttempts: 2 });
    return { store, queue };
  });
});
