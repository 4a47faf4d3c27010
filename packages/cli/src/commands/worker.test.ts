import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDb, type Store } from '@sciboard/db';
import { writeTinyModel } from '@sciboard/onnx';
import { skipOrFail } from '../../../db/src/test-backends.ts';

const repo = resolve(import.meta.dirname, '../../../..');
const bin = join(repo, 'packages/cli/bin/sciboard.mjs');
const samples = join(repo, 'packages/eval/samples');
const dataDir = resolve(process.env.SCIBOARD_SHARED_DIR ?? join(repo, '../shared'), 'data');
const hasData = existsSync(join(dataDir, 'mmlu'));
if (!hasData) console.warn(`worker test: no datasets under ${dataDir}; using the bundled sample suites only (2 shards)`);
// With the datasets: eight MMLU subjects and the two sample suites, ten shards over three runs.
const TASKS = [join(samples, 'arithmetic.yaml'), join(samples, 'science-mc.yaml'), ...(hasData ? ['mmlu-sci'] : [])].join(',');
const LIMIT = 4;

const pgAvailable = spawnSync('psql', ['-h', '127.0.0.1', '-U', 'postgres', '-Atc', 'select 1'], { encoding: 'utf8' }).stdout.trim() === '1';
if (!pgAvailable) skipOrFail('worker test, the pg-boss part: no PostgreSQL at 127.0.0.1:5432');

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function cli(args: string[], env: NodeJS.ProcessEnv) {
  const out = spawnSync(process.execPath, [bin, ...args], { env: { ...process.env, ...env }, encoding: 'utf8', timeout: 120_000 });
  if (out.status !== 0) throw new Error(`sciboard ${args.join(' ')} exited ${out.status}: ${out.stderr}`);
  return out;
}

function workerProcess(env: NodeJS.ProcessEnv): ChildProcess & { log: string[] } {
  const child = spawn(process.execPath, [bin, 'worker', '--until-idle', '--batch-size', '1', '--store-every', '1', '--device', 'cpu'], {
    env: { ...process.env, ...env, SCIBOARD_DATA_DIR: dataDir },
    stdio: ['ignore', 'ignore', 'pipe'],
  }) as ChildProcess & { log: string[] };
  child.log = [];
  child.stderr!.on('data', (d: Buffer) => child.log.push(d.toString()));
  return child;
}

const exited = (child: ChildProcess) => new Promise<number | null>((r) => (child.exitCode !== null || child.signalCode ? r(child.exitCode) : child.once('exit', (code) => r(code))));

/** Scores as comparable rows: subset, metric, filter, value, n. */
async function scoreRows(store: Store): Promise<string[]> {
  const rows: string[] = [];
  for (const run of await store.listRuns()) for (const s of await store.scoresForRun(run.id)) rows.push(`${run.task}|${s.subset}|${s.metric}|${s.filter}|${s.value}|${s.n}`);
  return rows.sort();
}

describe('submissions evaluated by workers', () => {
  let modelDir: string;
  let work: string;
  let singleWorkerScores: string[];
  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'sciboard-worker-'));
    modelDir = join(work, 'model');
    // Wider than the default tiny model so a shard lasts long enough to be killed in the middle.
    await writeTinyModel(modelDir, { seed: 3, hidden: 256, layers: 4, heads: 4, kvHeads: 2 });
  });

  it('one worker on SQLite evaluates every shard of a submission and scores it', async () => {
    const env = { SCIBOARD_DB: join(work, 'single.db'), DATABASE_URL: '', SCIBOARD_LEASE_SECONDS: '10' };
    const submitted = JSON.parse(cli(['submit', modelDir, '--name', 'tiny-wide', '--tasks', TASKS, '--limit', String(LIMIT)], env).stdout);
    expect(submitted).toMatchObject({ duplicate: false, shards: hasData ? 10 : 2 });
    const worker = workerProcess(env);
    expect(await exited(worker), worker.log.join('')).toBe(0);
    const store = await openDb({ file: env.SCIBOARD_DB });
    expect(await store.getSubmission(submitted.submission)).toMatchObject({ status: 'finished', progress: 1 });
    singleWorkerScores = await scoreRows(store);
    expect(singleWorkerScores.length).toBeGreaterThan(submitted.runs.length);
    await store.close();
  });

  it('a shard that keeps failing fails its submission with the reason, after the allowed attempts', async () => {
    const env = { SCIBOARD_DB: join(work, 'failing.db'), DATABASE_URL: '' };
    const broken = join(work, 'broken');
    cpSync(modelDir, broken, { recursive: true });
    const submitted = JSON.parse(cli(['submit', broken, '--name', 'breaks-later', '--tasks', join(samples, 'science-mc.yaml'), '--limit', '1'], env).stdout);
    // The checkpoint passed its checks at submission and is damaged before any worker gets to it.
    writeFileSync(join(broken, 'model.onnx'), 'not a graph any more');
    const worker = spawn(process.execPath, [bin, 'worker', '--until-idle', '--max-attempts', '2', '--device', 'cpu'], { env: { ...process.env, ...env }, stdio: 'ignore' });
    expect(await exited(worker)).toBe(0);
    const store = await openDb({ file: env.SCIBOARD_DB });
    const submission = await store.getSubmission(submitted.submission);
    expect(submission?.status).toBe('failed');
    expect(submission?.error).toMatch(/^shard sample_science_mc failed after 2 attempts: .*model\.onnx/);
    expect((await store.listShards(submitted.submission))[0]).toMatchObject({ status: 'failed', attempts: 2 });
    await store.close();
  });

  /**
   * Three workers on one submission; the first is killed with SIGKILL once it holds a shard with part of its
   * items stored, so the retry has to resume. Every shard must end done, only the killed one attempted
   * twice, every item stored once, and the scores equal to the single worker's.
   */
  async function killOneOfThree(env: NodeJS.ProcessEnv, openStore: () => Promise<Store>): Promise<void> {
    const workers: (ChildProcess & { log: string[] })[] = [];
    let store: Store | undefined;
    try {
      const submitted = JSON.parse(cli(['submit', modelDir, '--name', 'tiny-wide', '--tasks', TASKS, '--limit', String(LIMIT)], env).stdout);
      store = await openStore();
      const shards = await store.listShards(submitted.submission);
      workers.push(workerProcess(env));
      const victim = workers[0]!;
      let killedShard: number | undefined;
      for (let waited = 0; killedShard === undefined && waited < 60_000; waited += 20) {
        for (const shard of await store.listShards(submitted.submission)) {
          if (shard.status !== 'running' || !shard.leaseOwner?.includes(`:${victim.pid}:`)) continue;
          const { total } = await store.listResults(shard.runId, { task: shard.task, limit: 1 });
          if (total > 0 && total < LIMIT) killedShard = shard.id;
        }
        if (killedShard === undefined) await sleep(20);
      }
      expect(killedShard, victim.log.join('')).toBeDefined();
      victim.kill('SIGKILL');
      workers.push(workerProcess(env), workerProcess(env));
      const codes = await Promise.all(workers.slice(1).map(exited));
      expect(codes, workers.map((w) => w.log.join('')).join('\n---\n')).toEqual([0, 0]);

      const after = await store.listShards(submitted.submission);
      expect(after.map((s) => s.status)).toEqual(shards.map(() => 'done'));
      expect(after.filter((s) => s.attempts !== 1).map((s) => [s.id, s.attempts])).toEqual([[killedShard, 2]]);
      expect(await store.getSubmission(submitted.submission)).toMatchObject({ status: 'finished', progress: 1 });
      for (const shard of after) {
        const { items } = await store.listResults(shard.runId, { task: shard.task, limit: 1000 });
        expect(items.map((i) => i.docIndex), shard.task).toEqual(Array.from({ length: LIMIT }, (_, i) => i));
      }
      expect(await scoreRows(store)).toEqual(singleWorkerScores);
    } finally {
      for (const w of workers) if (w.exitCode === null && !w.signalCode) w.kill('SIGKILL');
      await store?.close();
    }
  }

  it.skipIf(!pgAvailable)('three pg-boss workers on PostgreSQL, one killed mid-shard: every item once, the same scores', async () => {
    const database = `sciboard_worker_${process.pid}_${Date.now()}`;
    spawnSync('createdb', ['-h', '127.0.0.1', '-U', 'postgres', database]);
    const url = `postgres://postgres@127.0.0.1:5432/${database}`;
    try {
      await killOneOfThree({ DATABASE_URL: url, SCIBOARD_DB: '', SCIBOARD_LEASE_SECONDS: '10' }, () => openDb({ url }));
    } finally {
      spawnSync('dropdb', ['-h', '127.0.0.1', '-U', 'postgres', '--force', database]);
    }
  });

  it('three workers on one SQLite file with leased rows, one killed mid-shard: the same guarantees', async () => {
    const file = join(work, 'leases.db');
    // SQLite leases have no lower bound: a short one keeps the wait for the dead worker's shard short.
    await killOneOfThree({ SCIBOARD_DB: file, DATABASE_URL: '', SCIBOARD_LEASE_SECONDS: '3' }, () => openDb({ file }));
  });
});
