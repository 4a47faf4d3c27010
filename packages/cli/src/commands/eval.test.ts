import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';

const repo = resolve(import.meta.dirname, '../../../..');
const bin = join(repo, 'packages/cli/bin/sciboard.mjs');
const samples = join(repo, 'packages/eval/samples');
// Runs are recorded in a database of this test's own, never in the checkout's default one.
const dbFile = join(mkdtempSync(join(tmpdir(), 'sciboard-eval-db-')), 'runs.db');
const env = { ...process.env, SCIBOARD_DB: dbFile, DATABASE_URL: '' };
const run = (args: string[]) => spawnSync(process.execPath, [bin, ...args], { cwd: repo, env, encoding: 'utf8', timeout: 120_000 });

describe('sciboard eval', () => {
  let root = '';
  beforeAll(() => {
    root = mkdtempSync(join(tmpdir(), 'sciboard-eval-cli-'));
    const made = run(['tiny-model', '--out', join(root, 'model'), '--layers', '1']);
    expect(made.status, made.stderr).toBe(0);
  });

  it('writes results.json and samples, prints the table, and resumes on rerun', () => {
    const out = join(root, 'out');
    const args = ['eval', '--model', join(root, 'model'), '--tasks', `${samples}/science-mc.yaml,${samples}/arithmetic.yaml`, '--device', 'cpu', '--batch-size', '4', '--output', out];
    const first = run(args);
    expect(first.status, first.stderr).toBe(0);
    expect(first.stderr).toMatch(/provider: cpu/);
    expect(first.stderr).toMatch(/sample_science_mc: 8\/8 \(100\.0%\).*done in/);
    expect(first.stdout).toMatch(/\|sample_science_mc\s*\|\s*1\|none\s*\|\s*0\|acc\s*\|↑\|\s*\d\.\d{4}\|±\|\s*\d\.\d{4}\|/);
    expect(readdirSync(out).sort()).toEqual(['items.jsonl', 'results.json', 'samples_sample_arithmetic.jsonl', 'samples_sample_science_mc.jsonl']);
    const results = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8'));
    expect(results.results.sample_science_mc['acc,none']).toBeGreaterThanOrEqual(0);
    expect(results.config.device).toBe('cpu');
    expect(results.generation_stats.sample_arithmetic.hit_max_tokens).toBeGreaterThanOrEqual(0);
    const samplesBefore = readFileSync(join(out, 'samples_sample_science_mc.jsonl'), 'utf8');
    expect(samplesBefore.trim().split('\n')).toHaveLength(8);

    const second = run(args);
    expect(second.status, second.stderr).toBe(0);
    expect(second.stderr).toMatch(/sample_science_mc: 8\/8 .*\(8 resumed\)/);
    expect(readFileSync(join(out, 'samples_sample_science_mc.jsonl'), 'utf8')).toBe(samplesBefore);
    const again = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8'));
    for (const r of [results, again]) {
      delete r.date;
      delete r.total_evaluation_time_seconds;
    }
    expect(again).toEqual(results);
  });

  it('fails clearly for a missing checkpoint and a bad device', () => {
    const missing = run(['eval', '--model', join(root, 'nope'), '--tasks', `${samples}/science-mc.yaml`]);
    expect(missing.status).toBe(1);
    expect(missing.stderr).toMatch(/^sciboard: .*nope/);
    const device = run(['eval', '--model', join(root, 'model'), '--tasks', `${samples}/science-mc.yaml`, '--device', 'tpu']);
    expect(device.status).toBe(2);
  });

  it('records one run per requested task, and a rerun continues the unfinished one', async () => {
    const dbDir = mkdtempSync(join(tmpdir(), 'sciboard-eval-runs-'));
    const perTaskEnv = { ...env, SCIBOARD_DB: join(dbDir, 'runs.db') };
    const args = ['eval', '--model', join(root, 'model'), '--tasks', `${samples}/science-mc.yaml,${samples}/arithmetic.yaml`, '--device', 'cpu', '--output', join(root, 'per-task')];
    const first = spawnSync(process.execPath, [bin, ...args], { cwd: repo, env: perTaskEnv, encoding: 'utf8', timeout: 120_000 });
    expect(first.status, first.stderr).toBe(0);
    expect(first.stderr).toMatch(/sample_science_mc: recorded as run \d+ in the database/);
    expect(first.stderr).toMatch(/sample_arithmetic: recorded as run \d+ in the database/);
    const { openDb } = await import('@sciboard/db');
    const store = await openDb({ file: perTaskEnv.SCIBOARD_DB });
    try {
      const runs = await store.listRuns({ modelName: 'model' });
      expect(runs.map((r) => [r.task, r.status]).sort()).toEqual([['sample_arithmetic', 'finished'], ['sample_science_mc', 'finished']]);
      const mc = runs.find((r) => r.task === 'sample_science_mc')!;
      const arithmetic = runs.find((r) => r.task === 'sample_arithmetic')!;
      // Each run holds its own task's items and scores only.
      expect((await store.listResults(mc.id)).items.map((i) => i.task)).toEqual(Array(8).fill('sample_science_mc'));
      expect((await store.listResults(arithmetic.id)).items.map((i) => i.task)).toEqual(Array(6).fill('sample_arithmetic'));
      expect(new Set((await store.scoresForRun(mc.id)).map((s) => s.subset))).toEqual(new Set(['sample_science_mc']));
      expect(new Set((await store.scoresForRun(arithmetic.id)).map((s) => s.subset))).toEqual(new Set(['sample_arithmetic']));
      expect(mc.config.taskVersions).toEqual({ sample_science_mc: expect.anything() });

      // As after a crash before the multiple-choice run was marked finished: the rerun continues that run, also
      // with another engine batch size and stored-batch size (they are recorded, not part of the run's identity).
      await store.updateRun(mc.id, { status: 'running', finishedAt: null });
      const second = spawnSync(process.execPath, [bin, ...args, '--batch-size', '3', '--store-every', '5'], { cwd: repo, env: perTaskEnv, encoding: 'utf8', timeout: 120_000 });
      expect(second.status, second.stderr).toBe(0);
      expect(second.stderr).toMatch(/sample_science_mc: 8\/8 .*\(8 resumed\)/);
      expect(second.stderr).toContain(`sample_science_mc: recorded as run ${mc.id} in the database`);
      const after = await store.listRuns({ modelName: 'model' });
      expect(after.filter((r) => r.task === 'sample_science_mc').map((r) => [r.id, r.status])).toEqual([[mc.id, 'finished']]);
      expect(after.find((r) => r.id === mc.id)!.config).toMatchObject({ batchSize: 3, storeEvery: 5 });
      expect(after.find((r) => r.id === mc.id)!.configHash).toBe(mc.configHash);
      expect((await store.listResults(mc.id)).total).toBe(8);
    } finally {
      await store.close();
    }
  });

  it('records per-task runs from an output folder alone, without running the model again', async () => {
    // As for a run recorded before runs were per task, or made with --no-store: the items are in items.jsonl.
    const dbDir = mkdtempSync(join(tmpdir(), 'sciboard-eval-rerecord-'));
    const perTaskEnv = { ...env, SCIBOARD_DB: join(dbDir, 'runs.db') };
    const args = ['eval', '--model', join(root, 'model'), '--tasks', `${samples}/science-mc.yaml,${samples}/arithmetic.yaml`, '--device', 'cpu', '--output', join(root, 'rerecord')];
    const unstored = spawnSync(process.execPath, [bin, ...args, '--no-store'], { cwd: repo, env: perTaskEnv, encoding: 'utf8', timeout: 120_000 });
    expect(unstored.status, unstored.stderr).toBe(0);
    const stored = spawnSync(process.execPath, [bin, ...args], { cwd: repo, env: perTaskEnv, encoding: 'utf8', timeout: 120_000 });
    expect(stored.status, stored.stderr).toBe(0);
    expect(stored.stderr).toMatch(/sample_science_mc: 8\/8 .*\(8 resumed\)/);
    expect(stored.stderr).toMatch(/sample_arithmetic: 6\/6 .*\(6 resumed\)/);
    const { openDb } = await import('@sciboard/db');
    const store = await openDb({ file: perTaskEnv.SCIBOARD_DB });
    try {
      const runs = await store.listRuns({ modelName: 'model' });
      const counts = await Promise.all(runs.map(async (r) => [r.task, r.status, (await store.listResults(r.id)).total]));
      expect(counts.sort()).toEqual([['sample_arithmetic', 'finished', 6], ['sample_science_mc', 'finished', 8]]);
    } finally {
      await store.close();
    }
  });

  it('records the run in the database and gates a rerun against the first output', async () => {
    const out = join(root, 'gated');
    const args = ['eval', '--model', join(root, 'model'), '--tasks', `${samples}/science-mc.yaml`, '--device', 'cpu', '--output', out];
    const first = run(args);
    expect(first.status, first.stderr).toBe(0);
    expect(first.stderr).toMatch(/recorded as run \d+ in the database/);
    const { openDb } = await import('@sciboard/db');
    const store = await openDb({ file: dbFile });
    const [stored] = await store.listRuns({ modelName: 'model' });
    expect(stored?.status).toBe('finished');
    const scores = await store.scoresForRun(stored!.id);
    expect(scores.some((s) => s.subset === 'sample_science_mc' && s.metric === 'acc')).toBe(true);
    expect((await store.listResults(stored!.id)).total).toBe(8);
    // How the scores were made is kept with the run: lm-eval's bootstrap_iters default and the scoring choices.
    expect(stored!.config).toMatchObject({ bootstrapIters: 100000, scoring: { hendrycks_extraction: 'lm-eval', equivalence_time_limit_s: 5 } });
    await store.close();

    const gated = run([...args.slice(0, -1), join(root, 'gated-again'), '--gate-against', out, '--junit', join(root, 'junit.xml')]);
    expect(gated.status, gated.stdout + gated.stderr).toBe(0);
    expect(readFileSync(join(root, 'junit.xml'), 'utf8')).toMatch(/<testsuites/);
  });
});
