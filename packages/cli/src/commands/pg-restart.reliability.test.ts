/**
 * PostgreSQL dropping the writer's connections mid-evaluation. The server is shared with other test runs on
 * the machine, so instead of restarting it this test ends every connection of its own database with
 * pg_terminate_backend (what a restart does to a client), once results have started to arrive. The writer
 * must reconnect and go on; the stored run ends with every item exactly once. Skipped, with the reason
 * printed, when no PostgreSQL answers at 127.0.0.1:5432.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeTinyModel } from '@sciboard/onnx';
import { skipOrFail } from '../../../db/src/test-backends.ts';

const repo = resolve(import.meta.dirname, '../../../..');
const bin = join(repo, 'packages/cli/bin/sciboard.mjs');
const samples = join(repo, 'packages/eval/samples');
const root = mkdtempSync(join(tmpdir(), 'sciboard-pg-drop-'));
const SERVER = 'postgres://postgres@127.0.0.1:5432';
const database = `sciboard_reliability_${process.pid}_${Date.now()}`;
const TOTAL_ITEMS = 14;

const admin = new pg.Client({ connectionString: `${SERVER}/postgres` });
const reachable = await admin.connect().then(
  () => true,
  (err: Error) => (skipOrFail(`the PostgreSQL connection-drop test: ${SERVER} unreachable (${err.message})`), false),
);

function runEval(model: string, out: string): Promise<{ code: number | null; stderr: string }> {
  const child = spawn(process.execPath, [bin, 'eval', '--model', model, '--tasks', `${samples}/science-mc.yaml,${samples}/arithmetic.yaml`, '--device', 'cpu', '--batch-size', '1', '--store-every', '1', '--threads', '1', '--output', out], {
    cwd: repo,
    env: { ...process.env, DATABASE_URL: `${SERVER}/${database}` },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (d) => (stderr += d));
  return once(child, 'exit').then(([code]) => ({ code: code as number | null, stderr }));
}

describe.skipIf(!reachable)('PostgreSQL drops the connections of a running evaluation', () => {
  const model = join(root, 'model');
  let store: pg.Client;

  beforeAll(async () => {
    await admin.query(`CREATE DATABASE ${database}`);
    store = new pg.Client({ connectionString: `${SERVER}/${database}` });
    await store.connect();
    // Big enough that the evaluation lasts a few hundred milliseconds past the first stored results.
    await writeTinyModel(model, { seed: 31, layers: 4, hidden: 256, heads: 4, kvHeads: 2 });
  }, 120_000);

  afterAll(async () => {
    await store?.end();
    if (reachable) {
      await admin.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
      await admin.end();
    }
  });

  it('the writer reconnects and finishes; every item stored once and the scores match results.json', async () => {
    const out = join(root, 'out');
    const running = runEval(model, out);
    let terminated = 0;
    let finished = false;
    void running.then(() => (finished = true));
    // Wait for the first results, then end every connection of the evaluation's database (not this one).
    while (!finished && terminated === 0) {
      const stored = await store.query('SELECT count(*)::int AS n FROM results').catch(() => ({ rows: [{ n: 0 }] }));
      if (stored.rows[0].n >= 3) {
        const ended = await admin.query(
          "SELECT count(*)::int AS n FROM (SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> $2 AND backend_type = 'client backend') t",
          [database, (await store.query('SELECT pg_backend_pid() AS pid')).rows[0].pid],
        );
        terminated = ended.rows[0].n;
        break;
      }
      await new Promise((r) => setTimeout(r, 20));
    }
    const { code, stderr } = await running;
    expect(terminated, 'connections ended while the evaluation ran').toBeGreaterThan(0);
    expect(code, stderr).toBe(0);

    // One run per requested task, each finished once.
    const runs = (await store.query('SELECT task, status, error FROM runs ORDER BY task')).rows;
    expect(runs).toEqual(['sample_arithmetic', 'sample_science_mc'].map((task) => ({ task, status: 'finished', error: null })));
    const items = (await store.query('SELECT count(*)::int AS n, count(DISTINCT (task, doc_index))::int AS distinct_n FROM results')).rows[0];
    expect(items).toEqual({ n: TOTAL_ITEMS, distinct_n: TOTAL_ITEMS });
    const results = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8'));
    const acc = (await store.query("SELECT value FROM scores WHERE subset = 'sample_science_mc' AND metric = 'acc'")).rows;
    expect(acc).toEqual([{ value: results.results.sample_science_mc['acc,none'] }]);
  });
});
