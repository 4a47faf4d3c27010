import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { openDb } from '@sciboard/db';

const repo = resolve(import.meta.dirname, '../../../..');
const bin = join(repo, 'packages/cli/bin/sciboard.mjs');
const samples = join(repo, 'packages/eval/samples');
const root = mkdtempSync(join(tmpdir(), 'sciboard-dtype-cli-'));
const dbFile = join(root, 'runs.db');
const env = { ...process.env, SCIBOARD_DB: dbFile, DATABASE_URL: '', SCIBOARD_DATA_DIR: join(root, 'no-data') };
const run = (args: string[]) => spawnSync(process.execPath, [bin, ...args], { cwd: repo, env, encoding: 'utf8', timeout: 120_000 });
const model = join(root, 'community');
const tasks = `${samples}/science-mc.yaml,${samples}/arithmetic.yaml`;

/** A folder as onnx-community publishes one: three precisions of one model under onnx/. */
describe('checkpoint folders holding several precisions', () => {
  beforeAll(() => {
    const made = run(['tiny-model', '--out', model, '--layers', '1', '--seed', '4', '--dtype', 'fp32,fp16,q4']);
    expect(made.status, made.stderr).toBe(0);
    expect(made.stdout).toMatch(/files onnx\/model\.onnx, onnx\/model_fp16\.onnx, onnx\/model_q4\.onnx, config\.json/);
  });

  it('tiny-model refuses an unknown precision, naming the accepted ones', () => {
    const bad = run(['tiny-model', '--out', join(root, 'bad'), '--dtype', 'fp16,fp8']);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/--dtype takes a comma-separated list of fp32, fp16, q4, q4f16, q8, int8, uint8, bnb4, got "fp8"/);
  });

  it('evaluates each --dtype end to end, each run recording its precision and graph file', async () => {
    const expected = { fp32: ['onnx/model.onnx', 'float32'], fp16: ['onnx/model_fp16.onnx', 'float16'], q4: ['onnx/model_q4.onnx', 'q4'] } as const;
    for (const [dtype, [file]] of Object.entries(expected)) {
      const out = join(root, `out-${dtype}`);
      const result = run(['eval', '--model', model, '--tasks', tasks, '--dtype', dtype, '--device', 'cpu', '--batch-size', '4', '--output', out]);
      expect(result.status, result.stderr).toBe(0);
      expect(result.stderr).toContain(`model: community (${file}, ${dtype})`);
      expect(JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')).results.sample_science_mc['acc,none']).toBeGreaterThanOrEqual(0);
    }
    // Without --dtype the fp32 graph runs, as the same run as --dtype fp32 (its identity is unchanged).
    const plain = run(['eval', '--model', model, '--tasks', tasks, '--device', 'cpu', '--batch-size', '4', '--output', join(root, 'out-fp32')]);
    expect(plain.status, plain.stderr).toBe(0);
    expect(plain.stderr).toContain('model: community (onnx/model.onnx, fp32)');

    const store = await openDb({ file: dbFile });
    try {
      const runs = await store.listRuns({ modelName: 'community' });
      const seen = [...new Set(runs.map((r) => JSON.stringify([r.task, r.config.dtype, r.config.graphFile, r.status])))].map((x) => JSON.parse(x)).sort();
      expect(seen).toEqual(
        Object.values(expected)
          .flatMap(([file, dtype]) => ['sample_arithmetic', 'sample_science_mc'].map((task) => [task, dtype, file, 'finished']))
          .sort(),
      );
      // Each precision is its own configuration (three config hashes per task); the run without --dtype has the
      // configuration of --dtype fp32.
      const mc = runs.filter((r) => r.task === 'sample_science_mc');
      expect(new Set(mc.map((r) => r.configHash)).size).toBe(3);
      const fp32 = mc.filter((r) => r.config.dtype === 'float32');
      expect(fp32).toHaveLength(2);
      expect(fp32[0]!.configHash).toBe(fp32[1]!.configHash);
      // `sciboard runs` shows each run's precision.
      const listed = run(['runs', '--model', 'community']).stdout.split('\n');
      expect(listed[0]).toMatch(/\bdtype\b/);
      expect(listed.filter((l) => /sample_science_mc/.test(l)).map((l) => l.match(/\b(float32|float16|q4)\b/)?.[1]).sort()).toEqual(['float16', 'float32', 'float32', 'q4']);
    } finally {
      await store.close();
    }
  }, 240_000);

  it("keeps each precision's default output folder apart, so one never resumes another's items", () => {
    const inTmp = (args: string[]) => spawnSync(process.execPath, [bin, ...args], { cwd: root, env, encoding: 'utf8', timeout: 120_000 });
    const args = ['eval', '--model', model, '--tasks', `${samples}/science-mc.yaml`, '--device', 'cpu', '--batch-size', '4', '--no-store'];
    const fp32 = inTmp(args);
    expect(fp32.status, fp32.stderr).toBe(0);
    const q4 = inTmp([...args, '--dtype', 'q4']);
    expect(q4.status, q4.stderr).toBe(0);
    expect(q4.stderr).not.toMatch(/resumed/);
    const results = (name: string) => JSON.parse(readFileSync(join(root, '.sciboard/output', name, 'results.json'), 'utf8'));
    expect(results('community').config.model_args).not.toMatch(/dtype=/);
    // lm-eval's model_args key, which `sciboard import` reads into the run's configuration.
    expect(results('community-q4').config.model_args).toMatch(/,dtype=q4$/);
  }, 120_000);

  it('says which graphs a folder holds when the asked one is missing', () => {
    const missing = run(['eval', '--model', model, '--tasks', tasks, '--dtype', 'int8', '--device', 'cpu']);
    expect(missing.status).toBe(1);
    expect(missing.stderr).toMatch(/no int8 graph for --dtype int8 .*found onnx\/model\.onnx \(--dtype fp32\), onnx\/model_fp16\.onnx \(--dtype fp16\), onnx\/model_q4\.onnx \(--dtype q4\)/);
    const typo = run(['score', '--model', model, '--requests', join(root, 'none.jsonl'), '--dtype', 'float16']);
    expect(typo.status).toBe(2);
    expect(typo.stderr).toMatch(/--dtype must be one of fp32, fp16, q4, q4f16, q8, int8, uint8, bnb4, got "float16"/);
  });

  it('score --dtype answers with the chosen graph', () => {
    const requests = join(root, 'requests.jsonl');
    const write = spawnSync('sh', ['-c', `printf '%s\\n' '{"type":"loglikelihood","context":"2+2=","continuation":"4"}' '{"type":"generate","context":"Q: 1+1?\\nA:","until":["\\\\n"],"max_tokens":6}' > ${requests}`]);
    expect(write.status).toBe(0);
    const q4 = run(['score', '--model', model, '--requests', requests, '--dtype', 'q4', '--device', 'cpu']);
    expect(q4.status, q4.stderr).toBe(0);
    expect(q4.stderr).toContain('model community (onnx/model_q4.onnx, q4)');
    const [ll, gen] = q4.stdout.trim().split('\n').map((l) => JSON.parse(l));
    expect(Number.isFinite(ll.logprob)).toBe(true);
    expect(typeof gen.text).toBe('string');
  });

  it('submit --dtype queues the chosen graph, and the worker runs that file', async () => {
    const submitted = run(['submit', model, '--name', 'community-q4', '--dtype', 'q4', '--tasks', `${samples}/science-mc.yaml`, '--limit', '3']);
    expect(submitted.status, submitted.stderr).toBe(0);
    const worked = run(['worker', '--until-idle', '--device', 'cpu', '--batch-size', '2']);
    expect(worked.status, worked.stderr).toBe(0);
    const store = await openDb({ file: dbFile });
    try {
      const [stored] = await store.listRuns({ modelName: 'community-q4' });
      expect(stored).toMatchObject({ status: 'finished', config: { dtype: 'q4', graphFile: 'onnx/model_q4.onnx' } });
    } finally {
      await store.close();
    }
    // The same folder and tasks at another precision is another submission, not a duplicate.
    const fp16 = run(['submit', model, '--name', 'community-q4', '--dtype', 'fp16', '--tasks', `${samples}/science-mc.yaml`, '--limit', '3']);
    expect(fp16.status, fp16.stderr).toBe(0);
    expect(JSON.parse(fp16.stdout).duplicate).toBe(false);
    expect(existsSync(join(model, 'model.onnx'))).toBe(false);
  }, 240_000);
});
