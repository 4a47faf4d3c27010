import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const repo = resolve(import.meta.dirname, '../../../..');
const bin = join(repo, 'packages/cli/bin/sciboard.mjs');
const samples = join(repo, 'packages/eval/samples');
const sharedData = resolve(repo, process.env.SCIBOARD_SHARED_DIR ?? '../shared', 'data');
const run = (args: string[], env: Record<string, string | undefined> = {}) =>
  spawnSync(process.execPath, [bin, ...args], { cwd: repo, encoding: 'utf8', timeout: 120_000, env: { ...process.env, ...env } });

describe('sciboard requests', () => {
  it('prints one line per document for spec-file suites', () => {
    const r = run(['requests', '--tasks', `${samples}/science-mc.yaml,${samples}/arithmetic.yaml`, '--num-fewshot', '0']);
    expect(r.status, r.stderr).toBe(0);
    const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
    expect(lines).toHaveLength(14);
    expect(lines[0]).toEqual({
      task: 'sample_science_mc',
      doc_index: 0,
      request_type: 'loglikelihood',
      context: expect.stringMatching(/^The following are multiple choice questions \(with answers\) about basic science\.\n\nA ball/),
      continuations: [' A', ' B', ' C', ' D'],
      gold: 1,
    });
    expect(lines[13]).toMatchObject({ task: 'sample_arithmetic', doc_index: 5, request_type: 'generate_until', until: ['\n\n', 'Question:'], gold: '57' });
  });

  it('rejects an unknown task with close matches and exit 2, and asks for a data directory', () => {
    const bad = run(['requests', '--tasks', 'mmlu_anatom', '--data-dir', '/nowhere']);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/unknown task or group "mmlu_anatom"; did you mean: mmlu_anatomy/);
    const noData = run(['requests', '--tasks', 'mmlu_anatomy'], { SCIBOARD_DATA_DIR: '', SCIBOARD_CACHE: join(tmpdir(), `sciboard-no-cache-${process.pid}`) });
    expect(noData.status).toBe(2);
    expect(noData.stderr).toMatch(/no datasets found: pass --data-dir, set SCIBOARD_DATA_DIR, or fetch them with 'sciboard data pull --tasks mmlu_anatomy'/);
  });

  it.skipIf(!existsSync(sharedData))('expands groups over the release data, honouring --limit and --num-fewshot', () => {
    const r = run(['requests', '--tasks', 'ceval-hard', '--limit', '2', '--num-fewshot', '5', '--data-dir', sharedData]);
    expect(r.status, r.stderr).toBe(0);
    const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
    expect(lines).toHaveLength(16);
    expect(lines[0].task).toBe('ceval-valid_advanced_mathematics');
    expect(lines[0].context.split('\n答案：').length).toBe(7); // five shots, the question, and the tail
    expect(['0', '1', '2', '3']).toContain(String(lines[0].gold));
  });
});
