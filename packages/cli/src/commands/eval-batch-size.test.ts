import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

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
  });
});
