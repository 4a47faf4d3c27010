import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDb, type Store } from '../index.ts';
import { allBackends, type TestBackend } from '../test-backends.ts';

const backends = await allBackends();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe.each(backends.map((b) => [b.name, b] as const))('submission shards on %s', (_name, backend: TestBackend) => {
  let store: Store;
  let runA: number;
  let runB: number;
  beforeAll(async () => {
    store = await openDb(backend.target);
    const model = await store.upsertModel({ name: 'm' });
    runA = (await store.createRun({ modelId: model.id, task: 'group-a', config: {} })).id;
    runB = (await store.createRun({ modelId: model.id, task: 'suite-b', config: {} })).id;
  });
  afterAll(async () => {
    await store?.close();
    await backend.dispose();
  });

  it('hands each shard to one owner, re-leases an expired one, and counts what remains', async () => {
    const { submission } = await store.createSubmission({
      payload: { name: 'm' },
      dedupeKey: 'key-1',
      shards: [
        { runId: runA, subset: 'group-a', task: 'a1' },
        { runId: runA, subset: 'group-a', task: 'a2' },
        { runId: runB, subset: 'suite-b', task: 'suite-b' },
      ],
    });
    expect((await store.findSubmissionByDedupeKey('key-1'))?.id).toBe(submission.id);
    expect(await store.findSubmissionByDedupeKey('key-2')).toBeUndefined();

    const lease = { leaseMs: 60_000, maxAttempts: 3 };
    const claims = await Promise.all(['w1', 'w2', 'w3', 'w4'].map((owner) => store.claimShard({ ...lease, owner })));
    expect(claims.filter(Boolean).map((c) => c!.task).sort()).toEqual(['a1', 'a2', 'suite-b']);
    // On PostgreSQL which claimer comes away empty depends on who locked rows first.
    expect(claims.filter((c) => c === undefined)).toHaveLength(1);
    expect(claims.find(Boolean)!.payload).toEqual({ name: 'm' });
    expect((await store.getSubmission(submission.id))?.status).toBe('running');

    // One lease lapses: another worker takes the shard over and the first can no longer extend or complete it.
    const lapsed = claims.find(Boolean)!;
    const lapsedOwner = lapsed.leaseOwner!;
    expect(await store.extendLease(lapsed.id, lapsedOwner, 1)).toBe(true);
    await sleep(20);
    const retaken = await store.claimShard({ ...lease, owner: 'w5' });
    expect(retaken).toMatchObject({ id: lapsed.id, attempts: 2, leaseOwner: 'w5' });
    expect(await store.extendLease(lapsed.id, lapsedOwner, 60_000)).toBe(false);
    expect((await store.completeShard(lapsed.id, lapsedOwner)).completed).toBe(false);

    const order = claims.filter((c) => c && c.id !== lapsed.id).map((c) => c!);
    const first = await store.completeShard(order[0]!.id, order[0]!.leaseOwner!);
    expect(first).toMatchObject({ completed: true, submissionRemaining: 2 });
    await store.completeShard(order[1]!.id, order[1]!.leaseOwner!);
    expect(await store.submissionsAwaitingScores()).toEqual([]);
    const last = await store.completeShard(lapsed.id, 'w5');
    expect(last).toEqual({ completed: true, runRemaining: 0, submissionRemaining: 0 });
    expect((await store.submissionsAwaitingScores()).map((s) => s.id)).toEqual([submission.id]);
    expect((await store.runsAwaitingScores(submission.id)).map((r) => r.runId)).toEqual([runA, runB]);
    // Finished only once every run has its scores.
    expect(await store.finishSubmission(submission.id)).toBe(false);
    await store.updateRun(runA, { status: 'finished' });
    await store.updateRun(runB, { status: 'finished' });
    expect(await store.finishSubmission(submission.id)).toBe(true);
    expect(await store.finishSubmission(submission.id)).toBe(false);
    const finished = await store.getSubmission(submission.id);
    expect(finished).toMatchObject({ status: 'finished', progress: 1, shards: { total: 3, done: 3, failed: 0 } });
    expect(await store.openShards()).toEqual([]);
  });

  it("puts a run up for scoring as soon as its own shards are done, while the submission's other runs go on", async () => {
    const model = await store.upsertModel({ name: 'm2' });
    const runC = (await store.createRun({ modelId: model.id, task: 'gsm8k_cot', config: {} })).id;
    const runD = (await store.createRun({ modelId: model.id, task: 'suite-d', config: {} })).id;
    const { submission } = await store.createSubmission({
      payload: {},
      dedupeKey: 'key-runs',
      shards: [
        { runId: runC, subset: 'gsm8k_cot', task: 'gsm8k_cot', docStart: 0, docEnd: 16, turn: 0 },
        { runId: runC, subset: 'gsm8k_cot', task: 'gsm8k_cot', docStart: 16, docEnd: 32, turn: 1 },
        { runId: runD, subset: 'suite-d', task: 'suite-d', turn: 2 },
      ],
    });
    const lease = { leaseMs: 60_000, maxAttempts: 3 };
    const [c1, c2, d] = [await store.claimShard({ ...lease, owner: 'w1' }), await store.claimShard({ ...lease, owner: 'w2' }), await store.claimShard({ ...lease, owner: 'w3' })];
    expect([c1?.runId, c2?.runId, d?.runId]).toEqual([runC, runC, runD]);
    expect(await store.completeShard(c1!.id, 'w1')).toEqual({ completed: true, runRemaining: 1, submissionRemaining: 2 });
    // A failure reported after completion (the holder's later step threw) does not put the done shard back.
    await store.failShardAttempt(c1!.id, 'w1', 'late failure', false);
    expect((await store.listShards(submission.id))[0]).toMatchObject({ id: c1!.id, status: 'done', error: null });
    expect(await store.runsAwaitingScores(submission.id)).toEqual([]);
    expect(await store.completeShard(c2!.id, 'w2')).toEqual({ completed: true, runRemaining: 0, submissionRemaining: 1 });
    expect(await store.runsAwaitingScores(submission.id)).toEqual([{ runId: runC, submissionId: submission.id }]);
    expect(await store.runsAwaitingScores()).toContainEqual({ runId: runC, submissionId: submission.id });
    expect(await store.submissionsAwaitingScores()).toEqual([]);
    // Its scores are taken by one scorer; the submission is not finished while run D's shard runs.
    expect(await store.claimRunScoring(runC, 60_000)).toBe(true);
    expect(await store.claimRunScoring(runC, 60_000)).toBe(false);
    await store.updateRun(runC, { status: 'finished' });
    expect(await store.runsAwaitingScores(submission.id)).toEqual([]);
    expect(await store.finishSubmission(submission.id)).toBe(false);
    await store.completeShard(d!.id, 'w3');
    expect(await store.runsAwaitingScores(submission.id)).toEqual([{ runId: runD, submissionId: submission.id }]);
    await store.updateRun(runD, { status: 'finished' });
    expect(await store.finishSubmission(submission.id)).toBe(true);
    expect(await store.getSubmission(submission.id)).toMatchObject({ status: 'finished', progress: 1 });
  });

  it('fails the submission with the shard error after the last attempt', async () => {
    const { submission, shards } = await store.createSubmission({
      payload: {},
      dedupeKey: 'key-3',
      shards: [{ runId: runB, subset: 'suite-b', task: 'suite-b' }],
    });
    const lease = { leaseMs: 60_000, maxAttempts: 2 };
    const one = await store.claimShard({ ...lease, owner: 'x' });
    await store.failShardAttempt(one!.id, 'x', 'out of memory', false);
    expect((await store.listShards(submission.id))[0]).toMatchObject({ status: 'queued', error: 'out of memory' });
    const two = await store.claimShard({ ...lease, owner: 'y' });
    expect(two?.attempts).toBe(2);
    await store.failShardAttempt(two!.id, 'y', 'out of memory again', true);
    const failed = await store.getSubmission(submission.id);
    expect(failed?.status).toBe('failed');
    expect(failed?.error).toBe('shard suite-b failed after 2 attempts: out of memory again');
    expect(shards).toHaveLength(1);
    expect(await store.findSubmissionByDedupeKey('key-3')).toBeUndefined();
    expect((await store.listSubmissions()).map((s) => s.id)[0]).toBe(submission.id);
  });

  it('fails a shard whose lease expired on every attempt', async () => {
    const { submission } = await store.createSubmission({ payload: {}, dedupeKey: 'key-4', shards: [{ runId: runB, subset: 'suite-b', task: 't' }] });
    const lease = { leaseMs: 1, maxAttempts: 1 };
    expect(await store.claimShard({ ...lease, owner: 'dies' })).toBeDefined();
    await sleep(20);
    expect(await store.claimShard({ ...lease, owner: 'next' })).toBeUndefined();
    expect((await store.getSubmission(submission.id))?.error).toMatch(/lost its lease 1 times \(last holder dies\)/);
  });
});
