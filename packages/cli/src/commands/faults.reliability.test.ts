/**
 * Storage faults and broken models under `sciboard eval`: a read-only database, a full disk under the output
 * folder, and a model whose logits are all NaN. The storage faults are made with a private mount namespace
 * (unshare -m: a read-only bind mount, a tiny tmpfs), which needs root; without it they are skipped with the
 * reason printed.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import onnxProto from 'onnx-proto';
import { beforeAll, describe, expect, it } from 'vitest';
import { writeTinyModel } from '@sciboard/onnx';
import { skipOrFail } from '../../../db/src/test-backends.ts';

const repo = resolve(import.meta.dirname, '../../../..');
const bin = join(repo, 'packages/cli/bin/sciboard.mjs');
const samples = join(repo, 'packages/eval/samples');
const root = mkdtempSync(join(tmpdir(), 'sciboard-faults-'));
const model = join(root, 'model');
const TASKS = `${samples}/science-mc.yaml,${samples}/arithmetic.yaml`;

const canMount = spawnSync('unshare', ['-m', 'sh', '-c', `mount -t tmpfs -o size=64k tmpfs ${JSON.stringify(tmpdir())}`]).status === 0;
if (!canMount) skipOrFail('read-only database and full-disk tests: unshare -m with mount needs root');

/** Runs the CLI; `mounts` are shell commands run first in a private mount namespace, gone when it exits. */
function sciboard(args: string[], db: string, mounts: string[] = []) {
  const quoted = [process.execPath, bin, ...args].map((a) => `'${a.replaceAll("'", "'\\''")}'`).join(' ');
  const command = mounts.length ? ['unshare', '-m', 'sh', '-c', `${mounts.join(' && ')} && exec ${quoted}`] : [process.execPath, bin, ...args];
  return spawnSync(command[0]!, command.slice(1), { cwd: repo, env: { ...process.env, SCIBOARD_DB: db, DATABASE_URL: '' }, encoding: 'utf8', timeout: 120_000 });
}

function rows(db: string, sql: string): Record<string, unknown>[] {
  const conn = new Database(db, { readonly: true });
  try {
    return conn.prepare(sql).all() as Record<string, unknown>[];
  } finally {
    conn.close();
  }
}
const snapshot = (db: string) =>
  Object.fromEntries(
    (rows(db, "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name") as { name: string }[]).map(({ name }) => [name, JSON.stringify(rows(db, `SELECT * FROM "${name}" ORDER BY rowid`))]),
  );

beforeAll(async () => {
  await writeTinyModel(model, { seed: 21, layers: 1 });
}, 60_000);

describe.skipIf(!canMount)('storage faults', () => {
  it('a read-only database: a clear error naming the file, nothing evaluated into the void, the database unchanged', () => {
    const dbDir = join(root, 'ro-db');
    mkdirSync(dbDir);
    const db = join(dbDir, 'sciboard.db');
    expect(sciboard(['import', join(repo, 'packages/db/src/lmeval/fixtures/pythia-160m')], db).status).toBe(0);
    const before = snapshot(db);
    const out = join(root, 'ro-out');
    const result = sciboard(['eval', '--model', model, '--tasks', TASKS, '--device', 'cpu', '--output', out], db, [`mount --bind ${dbDir} ${dbDir}`, `mount -o remount,bind,ro ${dbDir}`]);
    expect(result.status, result.stderr).toBe(1);
    expect(result.stderr).toMatch(new RegExp(`^sciboard: (cannot open )?SQLite database ${db.replaceAll('/', '\\/')}: .*(readonly|writable)`, 'm'));
    expect(existsSync(join(out, 'results.json')), 'no results.json: no partial scores shown as final').toBe(false);
    expect(snapshot(db)).toEqual(before);
  });

  it('a full disk under the output folder: a clear error, the run marked failed with the reason, no scores', () => {
    const db = join(root, 'full-disk.db');
    const out = join(root, 'full-out');
    mkdirSync(out);
    // Room for the first batch line or two of items.jsonl, not for the whole evaluation.
    const result = sciboard(['eval', '--model', model, '--tasks', TASKS, '--device', 'cpu', '--batch-size', '2', '--store-every', '2', '--output', out], db, [`mount -t tmpfs -o size=24k tmpfs ${out}`]);
    expect(result.status, result.stderr).toBe(1);
    expect(result.stderr).toMatch(/^sciboard: .*(ENOSPC|no space left)/im);
    // One run per task, opened at its first stored item: every run the failure reached is marked failed.
    const runs = rows(db, 'SELECT id, status, error, finished_at FROM runs');
    expect(runs.length).toBeGreaterThanOrEqual(1);
    for (const run of runs) {
      expect(run).toEqual(expect.objectContaining({ status: 'failed', error: expect.stringMatching(/ENOSPC|no space left/i) }));
      expect(run.finished_at).toBeTruthy();
    }
    expect(rows(db, 'SELECT * FROM scores'), 'no partial scores stored as final').toEqual([]);
    // The tmpfs vanished with its namespace: the real folder beneath was never written to.
    expect(existsSync(join(out, 'results.json'))).toBe(false);

    // With room again the same command resumes the failed runs and finishes them: one run per task.
    const rerun = sciboard(['eval', '--model', model, '--tasks', TASKS, '--device', 'cpu', '--batch-size', '2', '--store-every', '2', '--output', out], db);
    expect(rerun.status, rerun.stderr).toBe(0);
    const after = rows(db, 'SELECT id, task, status, error FROM runs ORDER BY task');
    expect(after).toEqual(['sample_arithmetic', 'sample_science_mc'].map((task) => ({ id: expect.any(Number), task, status: 'finished', error: null })));
    expect(after.map((r) => r.id)).toEqual(expect.arrayContaining(runs.map((r) => r.id)));
    expect(rows(db, 'SELECT count(*) AS n FROM results')).toEqual([{ n: 14 }]);
  });
});

describe('a model whose logits are all NaN', () => {
  const nanModel = join(root, 'nan-model');

  beforeAll(() => {
    cpSync(model, nanModel, { recursive: true });
    const onnx = onnxProto.onnx;
    const file = join(nanModel, 'model.onnx');
    const graph = onnx.ModelProto.decode(readFileSync(file));
    const norm = graph.graph!.initializer!.find((t) => t.name === 'model.norm.weight')!;
    norm.rawData = new Uint8Array(new Float32Array(norm.rawData!.length / 4).fill(Number.NaN).buffer);
    writeFileSync(file, onnx.ModelProto.encode(graph).finish());
  });

  it('is evaluated to the end: NaN log-probabilities recorded as null and scored as lm-eval scores them, completions kept', () => {
    const db = join(root, 'nan.db');
    const out = join(root, 'nan-out');
    const result = sciboard(['eval', '--model', nanModel, '--tasks', TASKS, '--device', 'cpu', '--output', out], db);
    expect(result.status, result.stderr).toBe(0);
    const mc = readFileSync(join(out, 'samples_sample_science_mc.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(mc).toHaveLength(8);
    for (const sample of mc) {
      // JSON has no NaN: each choice's log-probability is stored as null.
      expect(sample.resps.flat().map((r: [unknown, unknown]) => r[0])).toEqual([null, null, null, null]);
      // numpy's argmax of all-NaN is 0, so lm-eval credits exactly the documents whose answer is A.
      expect(sample.acc).toBe(sample.doc.answer === 0 ? 1 : 0);
    }
    const gen = readFileSync(join(out, 'samples_sample_arithmetic.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(gen.length).toBeGreaterThanOrEqual(6);
    for (const sample of gen) expect(typeof sample.resps[0][0]).toBe('string');
    expect(rows(db, 'SELECT task, status FROM runs ORDER BY task')).toEqual(['sample_arithmetic', 'sample_science_mc'].map((task) => ({ task, status: 'finished' })));
    expect(rows(db, 'SELECT count(*) AS n FROM results')).toEqual([{ n: 14 }]);
  });
});
