/**
 * `sciboard submit --shard-size` and three `sciboard worker` processes on PostgreSQL share one GSM8K task; one
 * worker is killed in the middle of a range. The range is leased again, only its unstored items are computed,
 * and the stored items and scores equal one worker's run of the same submission as a single range.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { openDb, type Store } from '@sciboard/db';
import { tinyModelPresets, writeTinyModel } from '@sciboard/onnx';
import { sharedDataDir, sharedDataMissing } from '../../../eval/src/testing/sharedData.ts';
import { skipOrFail } from '../../../db/src/test-backends.ts';

const bin = join(resolve(import.meta.dirname, '../../../..'), 'packages/cli/bin/sciboard.mjs');
const noData = sharedDataMissing('data/gsm8k');
const pgAvailable = spawnSync('psql', ['-h', '127.0.0.1', '-U', 'postgres', '-Atc', 'select 1'], { encoding: 'utf8' }).stdout.trim() === '1';
if (!pgAvailable) skipOrFail('gsm8k ranges test: no PostgreSQL at 127.0.0.1:5432');
const LIMIT = 8;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function cli(args: string[], env: NodeJS.ProcessEnv) {
  const out = spawnSync(process.execPath, [bin, ...args], { env: { ...process.env, ...env }, encoding: 'utf8', timeout: 120_000 });
  if (out.status !== 0) throw new Error(`sciboard ${args.join(' ')} exited ${out.status}: ${out.stderr}`);
  return JSON.parse(out.stdout);
}

function worker(env: NodeJS.ProcessEnv): ChildProcess & { log: string[] } {
  // Batch size 1: every item is stored as soon as it is scored, so a kill leaves a range part-stored.
  const child = spawn(process.execPath, [bin, 'worker', '--until-idle', '--batch-size', '1', '--device', 'cpu'], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  }) as ChildProcess & { log: string[] };
  child.log = [];
  child.stderr!.on('data', (d: Buffer) => child.log.push(d.toString()));
  return child;
}
const exited = (c: ChildProcess) => new Promise<number | null>((r) => (c.exitCode !== null || c.signalCode ? r(c.exitCode) : c.once('exit', (code) => r(code))));

async function stored(store: Store): Promise<{ items: string; scores: string }> {
  const [run] = await store.listRuns();
  const { items } = await store.listResults(run!.id, { task: 'gsm8k_cot', limit: 1000 });
  const scores = await store.scoresForRun(run!.id);
  return {
    items: JSON.stringify(items.map((i) => [i.docIndex, i.promptHash, i.response, i.filtered, i.scores]).sort((a, b) => Number(a[0]) - Number(b[0]))),
    scores: JSON.stringify(scores.map((s) => [s.subset, s.metric, s.filter, s.value, s.stderr, s.ciLow, s.ciHigh, s.n])),
  };
}

async function withDatabase<T>(fn: (url: string) => Promise<T>): Promise<T> {
  const database = `sciboard_gsm8k_ranges_${process.pid}_${Date.now()}`;
  spawnSync('createdb', ['-h', '127.0.0.1', '-U', 'postgres', database]);
  try {
    return await fn(`postgres://postgres@127.0.0.1:5432/${database}`);
  } finally {
    spawnSync('dropdb', ['-h', '127.0.0.1', '-U', 'postgres', '--force', database]);
  }
}

describe.skipIf(Boolean(noData) || !pgAvailable)('GSM8K split into ranges across worker processes', () => {
  let model: string;
  beforeAll(async () => {
    model = join(mkdtempSync(join(tmpdir(), 'sciboard-gsm8k-ranges-')), 'model');
    await writeTinyModel(model, tinyModelPresets.test);
  });

  it('four ranges, three workers with one killed mid-range: the scores of a single range run', async () => {
    const base = { SCIBOARD_DATA_DIR: sharedDataDir, SCIBOARD_DB: '', SCIBOARD_LEASE_SECONDS: '10' };
    const single = await withDatabase(async (url) => {
      const env = { ...base, DATABASE_URL: url };
      expect(cli(['submit', model, '--name', 'tiny', '--tasks', 'gsm8k_cot', '--limit', String(LIMIT), '--shard-size', String(LIMIT)], env)).toMatchObject({ shards: 1 });
      const w = worker(env);
      expect(await exited(w), w.log.join('')).toBe(0);
      const store = await openDb({ url });
      try {
        return await stored(store);
      } finally {
        await store.close();
      }
    });

    await withDatabase(async (url) => {
      const env = { ...base, DATABASE_URL: url };
      const submitted = cli(['submit', model, '--name', 'tiny', '--tasks', 'gsm8k_cot', '--limit', String(LIMIT), '--shard-size', '2'], env);
      expect(submitted).toMatchObject({ shards: 4 });
      const store = await openDb({ url });
      const workers = [worker(env)];
      try {
        const victim = workers[0]!;
        let killed: number | undefined;
        for (let waited = 0; killed === undefined && waited < 90_000; waited += 10) {
          for (const shard of await store.listShards(submitted.submission)) {
            if (shard.status !== 'running' || !shard.leaseOwner?.includes(`:${victim.pid}:`)) continue;
            const { items } = await store.listResults(shard.runId, { task: 'gsm8k_cot', limit: 100 });
            if (items.some((i) => i.docIndex === shard.docStart) && !items.some((i) => i.docIndex === shard.docStart! + 1)) killed = shard.id;
          }
          if (killed === undefined) await sleep(10);
        }
        expect(killed, victim.log.join('')).toBeDefined();
        victim.kill('SIGKILL');
        expect(victim.log.join('')).toMatch(/shard \d+ \(gsm8k_cot \/ gsm8k_cot\[\d+,\d+\)\) attempt 1/);
        workers.push(worker(env), worker(env));
        const codes = await Promise.all(workers.slice(1).map(exited));
        expect(codes, workers.map((w) => w.log.join('')).join('\n---\n')).toEqual([0, 0]);
        const shards = await store.listShards(submitted.submission);
        expect(shards.map((s) => [s.docStart, s.docEnd, s.status])).toEqual([
          [0, 2, 'done'],
          [2, 4, 'done'],
          [4, 6, 'done'],
          [6, 8, 'done'],
        ]);
        expect(shards.filter((s) => s.attempts !== 1).map((s) => s.id)).toEqual([killed]);
        // The retry resumed: the killed range's first item was stored once, by the worker that was killed.
        const after = await stored(store);
        expect(JSON.parse(after.items).map((i: unknown[]) => i[0])).toEqual(Array.from({ length: LIMIT }, (_, i) => i));
        expect(after.items).toBe(single.items);
        expect(after.scores).toBe(single.scores);
      } finally {
        for (const w of workers) if (w.exitCode === null && !w.signalCode) w.kill('SIGKILL');
        await store.close();
      }
    });
  }, 300_000);
});
