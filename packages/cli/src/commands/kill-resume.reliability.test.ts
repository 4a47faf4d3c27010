/**
 * `sciboard eval` killed with SIGKILL at seeded random moments, then rerun: the rerun reuses every batch the
 * killed run stored, the final results.json, samples files, per-item results and database scores equal an
 * uninterrupted run's, and no item is stored twice. Writes go to the JSONL file and the database together.
 *
 * Fields that legitimately differ between two runs and are left out of the comparison: results.json `date`,
 * `start_time`, `end_time`, `total_evaluation_time_seconds`; the runs row's timestamps, timings and
 * throughput; every row's `created_at`.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { seededRandom } from '@sciboard/gate';
import { writeTinyModel } from '@sciboard/onnx';
import { main } from '../main.ts';

const repo = resolve(import.meta.dirname, '../../../..');
const bin = join(repo, 'packages/cli/bin/sciboard.mjs');
const samples = join(repo, 'packages/eval/samples');
const root = mkdtempSync(join(tmpdir(), 'sciboard-kill-'));
const model = join(root, 'model');
const TASKS = `${samples}/science-mc.yaml,${samples}/arithmetic.yaml`;
const BATCH = 1;
const TOTAL_ITEMS = 14; // 8 multiple-choice + 6 arithmetic documents
/** One run per requested task, in name order. */
const TASK_NAMES = ['sample_arithmetic', 'sample_science_mc'];

const evalArgs = (out: string) => ['eval', '--model', model, '--tasks', TASKS, '--device', 'cpu', '--batch-size', String(BATCH), '--store-every', String(BATCH), '--threads', '1', '--output', out];

interface KillPoint {
  /** Complete batch lines in items.jsonl before the kill is armed (0: as soon as the model has loaded). */
  afterBatches: number;
  /** Then this much later, so the kill lands anywhere inside the next batch or write. */
  delayMs: number;
}

/** Spawns the CLI and, given a kill point, SIGKILLs it there. */
async function spawnEval(out: string, db: string, kill?: KillPoint): Promise<{ killed: boolean }> {
  const child = spawn(process.execPath, [bin, ...evalArgs(out)], {
    cwd: repo,
    env: { ...process.env, SCIBOARD_DB: db, DATABASE_URL: '' },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let loaded = false;
  child.stderr!.on('data', (chunk: Buffer) => {
    if (loaded || !String(chunk).includes('provider:')) return;
    loaded = true;
    if (!kill) return;
    const items = join(out, 'items.jsonl');
    const poll = setInterval(() => {
      const lines = existsSync(items) ? readFileSync(items, 'utf8').split('\n').length - 1 : 0;
      if (lines < kill.afterBatches) return;
      clearInterval(poll);
      setTimeout(() => child.kill('SIGKILL'), kill.delayMs);
    }, 1);
    child.once('exit', () => clearInterval(poll));
  });
  const [code, signal] = (await once(child, 'exit')) as [number | null, NodeJS.Signals | null];
  if (signal !== 'SIGKILL' && code !== 0) throw new Error(`sciboard eval exited with ${code}`);
  return { killed: signal === 'SIGKILL' };
}

async function rerunInProcess(out: string, db: string): Promise<string> {
  process.env.SCIBOARD_DB = db;
  delete process.env.DATABASE_URL;
  let stderr = '';
  const spies = [
    vi.spyOn(process.stdout, 'write').mockImplementation(() => true),
    vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => ((stderr += String(chunk)), true)),
  ];
  try {
    const status = await main(evalArgs(out));
    expect(status, stderr).toBe(0);
  } finally {
    for (const s of spies) s.mockRestore();
    process.exitCode = undefined;
  }
  return stderr;
}

interface StoredItem {
  task: string;
  docIndex: number;
}

/** Items of complete batch lines (a torn last line is what resume ignores too). */
function jsonlItems(out: string): StoredItem[] {
  const file = join(out, 'items.jsonl');
  if (!existsSync(file)) return [];
  const lines = readFileSync(file, 'utf8').split('\n');
  return lines.slice(0, -1).flatMap((line) => (JSON.parse(line) as { items: StoredItem[] }).items);
}

const withoutTimes = (results: Record<string, unknown>) => {
  const copy = structuredClone(results);
  for (const key of ['date', 'start_time', 'end_time', 'total_evaluation_time_seconds']) delete copy[key];
  return copy;
};

/** Each task's latest run as compared: its outcome, per-item results and scores, without timestamps. */
function dbState(db: string) {
  const conn = new Database(db, { readonly: true });
  try {
    const latest = conn.prepare('SELECT max(id) AS id FROM runs GROUP BY task ORDER BY task').all() as { id: number }[];
    return latest.map(({ id }) => ({
      run: conn.prepare('SELECT model_id, task, config_hash, status, error, device, source FROM runs WHERE id = ?').get(id),
      results: conn.prepare('SELECT task, doc_index, doc_hash, prompt_hash, doc, request, response, target, filtered, scores FROM results WHERE run_id = ? ORDER BY task, doc_index').all(id),
      scores: conn.prepare('SELECT subset, metric, filter, value, stderr, ci_low, ci_high, n FROM scores WHERE run_id = ? ORDER BY subset, metric, filter').all(id),
    }));
  } finally {
    conn.close();
  }
}
/** Run statuses by task (one run per requested task). */
const runStatuses = (db: string): Record<string, string[]> => {
  if (!existsSync(db)) return {};
  const conn = new Database(db, { readonly: true });
  try {
    const hasTable = conn.prepare("SELECT 1 FROM sqlite_master WHERE name = 'runs'").get();
    const rows = hasTable ? (conn.prepare('SELECT task, status FROM runs ORDER BY id').all() as { task: string; status: string }[]) : [];
    const byTask: Record<string, string[]> = {};
    for (const r of rows) (byTask[r.task] ??= []).push(r.status);
    return byTask;
  } finally {
    conn.close();
  }
};
const dbResultKeys = (db: string): string[] => {
  if (!existsSync(db)) return [];
  const conn = new Database(db, { readonly: true });
  try {
    const hasTable = conn.prepare("SELECT 1 FROM sqlite_master WHERE name = 'results'").get();
    return hasTable ? (conn.prepare('SELECT task, doc_index FROM results').all() as { task: string; doc_index: number }[]).map((r) => `${r.task}#${r.doc_index}`) : [];
  } finally {
    conn.close();
  }
};

describe('an evaluation killed with SIGKILL and rerun', () => {
  const reference = { out: join(root, 'reference'), db: join(root, 'reference.db') };

  beforeAll(async () => {
    await writeTinyModel(model, { seed: 11, layers: 1 });
    await spawnEval(reference.out, reference.db);
  }, 60_000);

  const seeds = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
  let killedMidRun = 0;
  /** Items stored when a kill landed mid-evaluation: distinct values mean distinct kill points. */
  const partialKillPoints = new Set<number>();

  it.each(seeds)('seed %i: resumes without recomputing stored batches and ends identical to an uninterrupted run', async (seed) => {
    const out = join(root, `seed-${seed}`);
    const db = join(root, `seed-${seed}.db`);
    // Seeded: the kill moments are the same on every machine and every run.
    const draw = seededRandom(seed);
    const { killed } = await spawnEval(out, db, { afterBatches: Math.floor(draw() * TOTAL_ITEMS), delayMs: Math.floor(draw() * 20) });
    if (killed) killedMidRun++;

    const storedInJsonl = jsonlItems(out);
    const storedInDb = dbResultKeys(db);
    const statusesBeforeKill = runStatuses(db);
    const jsonlKeys = storedInJsonl.map((i) => `${i.task}#${i.docIndex}`);
    // The database is written before the file a rerun resumes from: it holds every resumable item, and at
    // most the one batch the kill interrupted beyond them.
    expect(storedInDb).toEqual(expect.arrayContaining(jsonlKeys));
    expect(storedInDb.length - new Set(jsonlKeys).size).toBeLessThanOrEqual(BATCH);

    if (killed && jsonlKeys.length > 0 && jsonlKeys.length < TOTAL_ITEMS) partialKillPoints.add(jsonlKeys.length);
    const stderr = await rerunInProcess(out, db);
    const resumed = [...stderr.matchAll(/: (\d+)\/(\d+) \(100\.0%\).*?(?:\((\d+) resumed\))?$/gm)].reduce((n, m) => n + Number(m[3] ?? 0), 0);
    expect(resumed, stderr).toBe(killed ? new Set(jsonlKeys).size : TOTAL_ITEMS);

    const items = jsonlItems(out).map((i) => `${i.task}#${i.docIndex}`);
    expect(new Set(items).size, 'no item stored twice').toBe(items.length);
    expect(items).toHaveLength(TOTAL_ITEMS);
    for (const file of ['samples_sample_science_mc.jsonl', 'samples_sample_arithmetic.jsonl']) {
      expect(readFileSync(join(out, file), 'utf8'), file).toBe(readFileSync(join(reference.out, file), 'utf8'));
    }
    const results = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8'));
    const expected = JSON.parse(readFileSync(join(reference.out, 'results.json'), 'utf8'));
    expect(withoutTimes(results)).toEqual(withoutTimes(expected));

    const state = dbState(db);
    expect(state).toEqual(dbState(reference.db));
    expect(state.map((s) => s.run)).toEqual(TASK_NAMES.map((task) => expect.objectContaining({ task, status: 'finished', error: null })));
    expect(state.flatMap((s) => s.results)).toHaveLength(TOTAL_ITEMS);
    // An interrupted run is continued, not duplicated; only a kill after a task's run was marked finished
    // leaves that run standing, and the rerun records a second, identical one.
    expect(runStatuses(db)).toEqual(
      Object.fromEntries(TASK_NAMES.map((task) => [task, statusesBeforeKill[task]?.includes('finished') ? ['finished', 'finished'] : ['finished']])),
    );
  });

  it('killed most runs before they finished (the seeds exercise real interruptions)', () => {
    expect(killedMidRun).toBeGreaterThanOrEqual(7);
    // Kill points are seeded batch counts plus a few milliseconds, so where exactly they land varies a little by
    // machine; many must fall between batches of the evaluation itself, not before it starts or after it ends.
    expect(partialKillPoints.size, [...partialKillPoints].join(',')).toBeGreaterThanOrEqual(4);
  });
});
