import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { skipOrFail } from '../../../eval/src/testing/sharedData.ts';

const repo = resolve(import.meta.dirname, '../../../..');
const bin = join(repo, 'packages/cli/bin/sciboard.mjs');
const shared = process.env.SCIBOARD_SHARED_DIR ?? resolve(repo, '../shared');
const fixture = join(shared, 'fixtures/tiny-llm');
const data = join(shared, 'data');
const present = existsSync(join(fixture, 'model.onnx')) && existsSync(join(data, 'mmlu'));
if (!present) skipOrFail(`the gate end-to-end test: ${fixture} or ${data} not found`);

const run = (args: string[]) => spawnSync(process.execPath, [bin, ...args], { cwd: repo, encoding: 'utf8', timeout: 300_000 });

/** Marks every item of one task wrong in an evaluation's samples and results, as a broken checkpoint would score. */
function corruptTask(outDir: string, task: string): void {
  const samplesFile = join(outDir, `samples_${task}.jsonl`);
  const lines = readFileSync(samplesFile, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
  writeFileSync(samplesFile, lines.map((s) => `${JSON.stringify({ ...s, acc: 0, acc_norm: 0 })}\n`).join(''));
  const resultsFile = join(outDir, 'results.json');
  const results = JSON.parse(readFileSync(resultsFile, 'utf8'));
  results.results[task] = { ...results.results[task], 'acc,none': 0, 'acc_norm,none': 0, 'acc_stderr,none': 0, 'acc_norm_stderr,none': 0 };
  writeFileSync(resultsFile, JSON.stringify(results));
}

describe.skipIf(!present)('the gate on two runs of the tiny fixture model', () => {
  it('fails on exactly the task whose answers were corrupted', () => {
    const root = mkdtempSync(join(tmpdir(), 'sciboard-gate-e2e-'));
    const baseline = join(root, 'baseline');
    const tasks = 'mmlu_astronomy,mmlu_college_biology';
    const evaluated = run(['eval', '--model', fixture, '--tasks', tasks, '--data-dir', data, '--device', 'cpu', '--output', baseline, '--no-store']);
    expect(evaluated.status, evaluated.stderr).toBe(0);
    const candidate = join(root, 'candidate');
    cpSync(baseline, candidate, { recursive: true });

    const same = run(['gate', '--baseline', baseline, '--candidate', candidate]);
    expect(same.status, same.stdout + same.stderr).toBe(0);

    corruptTask(candidate, 'mmlu_college_biology');
    const junit = join(root, 'junit.xml');
    const gated = run(['gate', '--baseline', baseline, '--candidate', candidate, '--junit', junit]);
    expect(gated.status, gated.stdout + gated.stderr).toBe(1);
    const xml = readFileSync(junit, 'utf8');
    const failed = [...xml.matchAll(/<testcase\b[^>]*?\sname="([^"]+)"[^>]*>\s*<failure/g)].map((m) => m[1]);
    expect(failed).toEqual(['mmlu_college_biology']);
  });
});
