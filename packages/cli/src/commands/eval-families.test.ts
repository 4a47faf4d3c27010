import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { importLmEval, openDb } from '@sciboard/db';
import { skipOrFail } from '../../../eval/src/testing/sharedData.ts';

const repo = resolve(import.meta.dirname, '../../../..');
const bin = join(repo, 'packages/cli/bin/sciboard.mjs');
const shared = process.env.SCIBOARD_SHARED_DIR ?? resolve(repo, '../shared');
const fixture = join(shared, 'fixtures/tiny-llm');
const data = join(shared, 'data');
const present = existsSync(join(fixture, 'model.onnx')) && existsSync(join(data, 'MANIFEST.json'));
if (!present) skipOrFail(`the per-family end-to-end evaluation: ${fixture} or ${data} not found`);

// One leaf task of every family the boards are made of.
const TASKS = ['ceval-valid_college_physics', 'mmlu_astronomy', 'agieval_sat_math', 'scieval_valid', 'gsm8k', 'gsm8k_cot', 'minerva_math_algebra', 'hendrycks_math_algebra'];

describe.skipIf(!present)('sciboard eval on every task family with the fixture model', () => {
  it('writes results and samples that lm-eval tooling (our zod-checked importer) accepts', async () => {
    const root = mkdtempSync(join(tmpdir(), 'sciboard-families-'));
    const out = join(root, 'out');
    const r = spawnSync(
      process.execPath,
      [bin, 'eval', '--model', fixture, '--tasks', TASKS.join(','), '--limit', '2', '--data-dir', data, '--device', 'cpu', '--output', out, '--no-store'],
      { cwd: repo, encoding: 'utf8', timeout: 300_000 },
    );
    expect(r.status, r.stderr).toBe(0);
    const results = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8'));
    expect(Object.keys(results.results).sort()).toEqual([...TASKS].sort());
    expect(results.results.gsm8k).toHaveProperty(['exact_match,strict-match']);
    expect(results.results.gsm8k).toHaveProperty(['exact_match,flexible-extract']);
    expect(results.results.minerva_math_algebra).toHaveProperty(['exact_match,none']);
    // lm-eval's minerva_math reports math_verify beside exact_match; versions are the YAMLs'.
    expect(results.results.minerva_math_algebra).toHaveProperty(['math_verify,none']);
    expect(results.results.minerva_math_algebra).toHaveProperty(['math_verify_stderr,none']);
    expect(results.versions).toMatchObject({ minerva_math_algebra: 3, hendrycks_math_algebra: 1, gsm8k: 3, 'ceval-valid_college_physics': 2, mmlu_astronomy: 1 });
    expect(results.config).toMatchObject({ bootstrap_iters: 100000, fewshot_seed: 1234, scoring: { hendrycks_extraction: 'lm-eval', equivalence_time_limit_s: 5 } });
    expect(results.results.mmlu_astronomy).toHaveProperty(['acc,none']);
    expect(results['n-shot'].gsm8k).toBe(5);
    expect(results['n-shot'].gsm8k_cot).toBe(8);
    expect(results['n-shot'].minerva_math_algebra).toBe(4);
    for (const task of TASKS) expect(readdirSync(out)).toContain(`samples_${task}.jsonl`);

    const store = await openDb({ file: join(root, 'import.db') });
    const imported = await importLmEval(store, { resultsFile: join(out, 'results.json'), samplesDir: out, modelName: 'tiny-llm' });
    // One run per task, two items each.
    expect(imported.runs.map((r) => [r.task, r.items])).toEqual([...TASKS].sort().map((task) => [task, 2]));
    const math = imported.runs.find((r) => r.task === 'minerva_math_algebra')!;
    expect((await store.scoresForRun(math.runId)).some((x) => x.subset === 'minerva_math_algebra' && x.metric === 'math_verify')).toBe(true);
    await store.close();
  });
});
