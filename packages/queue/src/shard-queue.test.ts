import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDb, type Store } from '@sciboard/db';
import { openPgBossQueue, type ShardQueue } from './shard-queue.ts';
import { skipOrFail } from '../../db/src/test-backends.ts';

const pgAvailable = spawnSync('psql', ['-h', '127.0.0.1', '-U', 'postgres', '-Atc', 'select 1'], { encoding: 'utf8' }).stdout.trim() === '1';
if (!pgAvailable) skipOrFail('shard queue test: no PostgreSQL at 127.0.0.1:5432');

describe.skipIf(!pgAvailable)('the pg-boss shard queue', () => {
  const database = `sciboard_queue_${process.pid}_${Date.now()}`;
  const url = `postgres://postgres@127.0.0.1:5432/${database}`;
  let store: Store;
  let queue: ShardQueue;
  beforeAll(async () => {
    spawnSync('createdb', ['-h', '127.0.0.1', '-U', 'postgres', database]);
    store = await openDb({ url });
    queue = await openPgBossQueue(store, url, { leaseSeconds: 10, maxAttempts: 2 }, 0);
  });
  afterAll(async () => {
    await queue?.close();
    await store?.close();
    spawnSync('dropdb', ['-h', '127.0.0.1', '-U', 'postgres', '--force', database]);
  });

  async function storedShards(n: number) {
    const model = await store.upsertModel({ name: `m${Date.now()}` });
    const run = await store.createRun({ modelId: model.id, task: 'suite', config: {} });
    return store.createSubmission({ payload: {}, dedupeKey: `k${Date.now()}`, shards: Array.from({ length: n }, (_, i) => ({ runId: run.id, subset: 'suite', task: `t${i}` })) });
  }

  it('delivers each published shard to one worker and retries a failed one until its last attempt', async () => {
    const { shards } = await storedShards(2);
    await queue.publish(shards.map((s) => s.id));
    const a = await queue.next('a');
    const b = await queue.next('b');
    expect([a?.shard.id, b?.shard.id].sort()).toEqual(shards.map((s) => s.id).sort());
    expect(await queue.next('c')).toBeUndefined();
    expect(await a!.complete()).toMatchObject({ completed: true, submissionRemaining: 1 });
    expect(await b!.heartbeat()).toBe(true);
    await b!.fail('first failure');
    // pg-boss retries the failed job (retryDelay 1 s) and the shard row went back to the queue.
    let retried;
    for (let i = 0; i < 50 && !retried; i++) retried = (await queue.next('d')) ?? (await new Promise((r) => setTimeout(r, 100)), undefined);
    expect(retried?.shard).toMatchObject({ id: b!.shard.id, attempts: 2 });
    await retried!.fail('second failure');
    // Jobs published together come out in either order: the failed one is whichever b took.
    expect((await store.getSubmission(shards[0]!.submissionId))?.error).toBe(`shard ${b!.shard.task} failed after 2 attempts: second failure`);
  });

  it('sends again the shards whose jobs were never sent', async () => {
    const { shards } = await storedShards(1);
    expect(await queue.next('a')).toBeUndefined();
    await queue.sweep();
    const lease = await queue.next('a');
    expect(lease?.shard.id).toBe(shards[0]!.id);
    // Its job now exists (active): a second sweep sends nothing more.
    await queue.sweep();
    expect(await queue.next('b')).toBeUndefined();
  });
});
