import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openDb } from '@sciboard/db';

const repo = resolve(import.meta.dirname, '../../../..');
const bin = join(repo, 'packages/cli/bin/sciboard.mjs');
const samples = join(repo, 'packages/eval/samples');
const env = { ...process.env, SCIBOARD_DB: join(mkdtempSync(join(tmpdir(), 'sciboard-bs-db-')), 'runs.db'), DATABASE_URL: '' };
const run = (args: string[]) => spawnSync(process.execPath, [bin, ...args], { cwd: repo, env, encoding: 'utf8', timeout: 120_000 });

describe('sciboard eval without --batch-size', () => {
  it('picks the batch size from the model and the memory, prints it and records it in results.json', () => {
    const root = mkdtempSync(join(tmpdir(), 'sciboard-bs-'));
    const made = run(['tiny-model', '--out', join(root, 'model'), '--layers', '1']);
    expect(made.status, made.stderr).toBe(0);
    const out = join(root, 'out');
    const picked = run(['eval', '--model', join(root, 'model'), '--tasks', `${samples}/arithmetic.yaml`, '--device', 'cpu', '--no-store', '--output', out]);
    expect(picked.status, picked.stderr).toBe(0);
    const line = /batch size: (\d+) \(picked: (.*); --batch-size sets it\)/.exec(picked.stderr);
    expect(line, picked.stderr).not.toBeNull();
    expect(line![2]).toMatch(/MB of weights, 1 layers, hidden \d+, KV cache .* per row .*(CPU cap 32|memory: \d+ rows fit)/);
    const config = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')).config;
    expect(config.batch_size).toBe(Number(line![1]));
    expect(config.batch_size_picked_from).toBe(line![2]);

    const given = run(['eval', '--model', join(root, 'model'), '--tasks', `${samples}/arithmetic.yaml`, '--device', 'cpu', '--no-store', '--batch-size', '3', '--output', join(root, 'out3')]);
    expect(given.status, given.stderr).toBe(0);
    expect(given.stderr).not.toMatch(/batch size:/);
    const fixed = JSON.parse(readFileSync(join(root, 'out3', 'results.json'), 'utf8')).config;
    expect(fixed.batch_size).toBe(3);
    expect(fixed.batch_size_picked_from).toBeUndefined();
    // Items per stored batch are the evaluator's own setting, with its own default.
    expect(config.store_every).toBe(16);
    expect(fixed.store_every).toBe(16);
  });
});

describe('sciboard eval --batch-size and --store-every', () => {
  it('records both with the run, and another batch size is the same run configuration', async () => {
    const root = mkdtempSync(join(tmpdir(), 'sciboard-bs-store-'));
    const db = join(root, 'runs.db');
    const stored = (args: string[]) => spawnSync(process.execPath, [bin, ...args], { cwd: repo, env: { ...env, SCIBOARD_DB: db }, encoding: 'utf8', timeout: 120_000 });
    const made = stored(['tiny-model', '--out', join(root, 'model'), '--layers', '1']);
    expect(made.status, made.stderr).toBe(0);
    const evalArgs = ['eval', '--model', join(root, 'model'), '--tasks', `${samples}/arithmetic.yaml`, '--device', 'cpu'];
    const picked = stored([...evalArgs, '--output', join(root, 'picked')]);
    expect(picked.status, picked.stderr).toBe(0);
    const size = Number(/batch size: (\d+) \(picked: /.exec(picked.stderr)?.[1]);
    const given = stored([...evalArgs, '--batch-size', '3', '--store-every', '2', '--output', join(root, 'given')]);
    expect(given.status, given.stderr).toBe(0);
    expect(JSON.parse(readFileSync(join(root, 'given', 'results.json'), 'utf8')).config).toMatchObject({ batch_size: 3, store_every: 2 });
    // Both scored the same items the same way.
    expect(readFileSync(join(root, 'given', 'samples_sample_arithmetic.jsonl'), 'utf8')).toBe(readFileSync(join(root, 'picked', 'samples_sample_arithmetic.jsonl'), 'utf8'));

    const store = await openDb({ file: db });
    try {
      const runs = (await store.listRuns()).reverse();
      expect(runs).toHaveLength(2);
      expect(runs[0]!.config).toMatchObject({ batchSize: size, storeEvery: 16 });
      expect(runs[0]!.config.batchSizePickedFrom).toMatch(/MB of weights, 1 layers/);
      expect(runs[1]!.config).toMatchObject({ batchSize: 3, storeEvery: 2 });
      expect(runs[1]!.config).not.toHaveProperty('batchSizePickedFrom');
      // The engine's batch size and the stored-batch size are not part of the run's identity.
      expect(runs[1]!.configHash).toBe(runs[0]!.configHash);
    } finally {
      await store.close();
    }
  });
});
