import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { XMLParser } from 'fast-xml-parser';
import { openDb } from '@sciboard/db';
import { describe, expect, it } from 'vitest';
import { skipOrFail } from '../../../db/src/test-backends.ts';

const repo = resolve(import.meta.dirname, '../../../..');
const bin = join(repo, 'packages/cli/bin/sciboard.mjs');
const sciboard = (args: string[]) => spawnSync(process.execPath, [bin, 'gate', ...args], { cwd: repo, encoding: 'utf8', timeout: 60_000 });
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/** 0/1 verdicts: item i is right when its seeded draw falls under the accuracy. */
function answers(n: number, accuracy: number, seed: number): number[] {
  let state = seed;
  return Array.from({ length: n }, () => {
    state = (state * 48271) % 2147483647;
    return state / 2147483647 < accuracy ? 1 : 0;
  });
}

/** Writes an lm-eval `--output_path --log_samples` folder: results_<date>.json and a samples file per task. */
function lmEvalOutput(dir: string, tasks: Record<string, { scores: number[]; shots?: number }>): string {
  const date = '2025-05-06T07-08-09.101112';
  const model = join(dir, 'org__checkpoint');
  mkdirSync(model, { recursive: true });
  const results: Record<string, unknown> = {};
  for (const [task, { scores }] of Object.entries(tasks)) {
    const mean = scores.reduce((s, x) => s + x, 0) / scores.length;
    results[task] = { alias: task, 'acc,none': mean, 'acc_stderr,none': Math.sqrt((mean * (1 - mean)) / scores.length) };
    const lines = scores.map((acc, id) => {
      const doc = { question: `${task} question ${id}`, choices: ['A', 'B', 'C', 'D'], answer: id % 4 };
      return JSON.stringify({
        doc_id: id, doc, target: doc.answer, filter: 'none', metrics: ['acc'], acc,
        doc_hash: sha256(JSON.stringify(doc)), prompt_hash: sha256(`Q: ${doc.question}\nA:`), target_hash: sha256(String(doc.answer)),
      });
    });
    writeFileSync(join(model, `samples_${task}_${date}.jsonl`), lines.join('\n'));
  }
  const names = Object.keys(tasks);
  writeFileSync(join(model, `results_${date}.json`), JSON.stringify({
    results,
    configs: Object.fromEntries(names.map((t) => [t, { task: t, num_fewshot: tasks[t]!.shots ?? 0 }])),
    versions: Object.fromEntries(names.map((t) => [t, 1])),
    'n-shot': Object.fromEntries(names.map((t) => [t, tasks[t]!.shots ?? 0])),
    'n-samples': Object.fromEntries(names.map((t) => [t, { original: tasks[t]!.scores.length, effective: tasks[t]!.scores.length }])),
    higher_is_better: Object.fromEntries(names.map((t) => [t, { acc: true }])),
  }));
  return dir;
}

/** The candidate gets `wrong` of its right answers wrong (a corrupted answer key, a broken checkpoint). */
const corrupt = (scores: number[], wrong: number) => scores.map((v, i) => (v === 1 && scores.slice(0, i).filter((x) => x === 1).length < wrong ? 0 : v));

const physics = answers(400, 0.55, 11);
const chemistry = answers(300, 0.45, 12);
const biology = answers(250, 0.6, 13);

describe('sciboard gate (lm-eval files)', () => {
  it('fails exactly the task whose answers were corrupted, with exit 1, JUnit, summary and JSON', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sciboard-gate-'));
    const baseline = lmEvalOutput(join(dir, 'baseline'), { physics: { scores: physics }, chemistry: { scores: chemistry }, biology: { scores: biology } });
    const candidate = lmEvalOutput(join(dir, 'candidate'), { physics: { scores: physics }, chemistry: { scores: corrupt(chemistry, 30) }, biology: { scores: biology } });
    const summary = join(dir, 'out', 'summary.md');
    mkdirSync(join(dir, 'out'));
    writeFileSync(summary, '# earlier step\n');
    const result = sciboard(['--baseline', baseline, '--candidate', candidate, '--max-drop', '2', '--junit', join(dir, 'out', 'gate.xml'), '--summary', summary, '--json', join(dir, 'out', 'gate.json')]);
    expect(result.stderr).not.toMatch(/sciboard:/);
    expect(result.status).toBe(1);
    expect(result.stdout).toMatch(/^FAIL +chemistry/m);
    expect(result.stdout).toMatch(/REGRESSION: 3 compared, 1 regressed \(chemistry\)/);

    const report = JSON.parse(readFileSync(join(dir, 'out', 'gate.json'), 'utf8'));
    expect(report.units.filter((u: { status: string }) => u.status === 'fail').map((u: { name: string }) => u.name)).toEqual(['chemistry']);
    const chemistryUnit = report.units.find((u: { name: string }) => u.name === 'chemistry');
    expect(chemistryUnit).toMatchObject({ method: 'mcnemar-exact', n: 300, counts: { baselineOnly: 30, candidateOnly: 0 } });
    expect(chemistryUnit.drop).toBeCloseTo(10, 10);

    const junit = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '', isArray: (n) => n === 'testcase' }).parse(readFileSync(join(dir, 'out', 'gate.xml'), 'utf8'));
    expect(junit.testsuites.testsuite).toMatchObject({ tests: '3', failures: '1', errors: '0', skipped: '0' });
    expect(junit.testsuites.testsuite.testcase.map((t: { name: string; failure?: unknown }) => [t.name, t.failure !== undefined])).toEqual([
      ['physics', false], ['chemistry', true], ['biology', false],
    ]);
    const markdown = readFileSync(summary, 'utf8');
    expect(markdown.startsWith('# earlier step\n## ❌ sciboard gate: regression')).toBe(true);
  });

  it('passes identical runs with exit 0', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sciboard-gate-'));
    const run = lmEvalOutput(join(dir, 'run'), { physics: { scores: physics }, chemistry: { scores: chemistry } });
    const result = sciboard(['--baseline', run, '--candidate', run]);
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/^PASS: 2 compared, 0 regressed/m);
  });

  it('exits 2 when it cannot decide: a missing run, different shot counts, a bad option', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sciboard-gate-'));
    const baseline = lmEvalOutput(join(dir, 'baseline'), { physics: { scores: physics, shots: 5 } });
    const zeroShot = lmEvalOutput(join(dir, 'candidate'), { physics: { scores: physics, shots: 0 } });
    const missing = sciboard(['--baseline', baseline, '--candidate', join(dir, 'nowhere')]);
    expect(missing.status).toBe(2);
    expect(missing.stdout).toContain(`problem: ${join(dir, 'nowhere')}: no such file or directory`);
    const shots = sciboard(['--baseline', baseline, '--candidate', zeroShot]);
    expect(shots.status).toBe(2);
    expect(shots.stdout).toContain('refused: physics: different shot counts (baseline 5-shot, candidate 0-shot)');
    const usage = sciboard(['--baseline', baseline, '--candidate', zeroShot, '--alpha', '2']);
    expect(usage.status).toBe(2);
    expect(usage.stderr).toContain('--alpha must be between 0 and 1, got "2"');
    const noDatabase = spawnSync(process.execPath, [bin, 'gate', '--baseline', 'model:a', '--candidate', 'model:b'], {
      cwd: repo, encoding: 'utf8', timeout: 60_000, env: { ...process.env, DATABASE_URL: 'postgres://postgres@127.0.0.1:1/none' },
    });
    expect(noDatabase.status).toBe(2);
    expect(noDatabase.stdout).toMatch(/problem: model:[ab]: cannot read the database/);
    const unwritable = sciboard(['--baseline', baseline, '--candidate', baseline, '--junit', '/proc/gate.xml']);
    expect(unwritable.status).toBe(2);
    expect(unwritable.stderr).toMatch(/^sciboard: .*\/proc/m);
    const badConfig = join(dir, 'gate.yaml');
    writeFileSync(badConfig, 'tasks:\n  physics: { maxDrop: -1 }\n');
    const config = sciboard(['--baseline', baseline, '--candidate', baseline, '--config', badConfig]);
    expect(config.status).toBe(2);
    expect(config.stdout).toContain(`${badConfig}:2: tasks.physics.maxDrop: expected a drop in points ≥ 0, got -1`);
  });
});

/** A fresh PostgreSQL database on the local server, or undefined (with the reason printed) when none answers. */
function freshPostgres(): { url: string; drop: () => void } | undefined {
  const admin = process.env.SCIBOARD_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  const name = `sciboard_gate_test_${process.pid}_${Date.now()}`;
  const created = spawnSync('psql', [admin, '-v', 'ON_ERROR_STOP=1', '-qc', `CREATE DATABASE ${name}`], { encoding: 'utf8' });
  if (created.status !== 0) {
    skipOrFail(`the PostgreSQL gate run: cannot create a database at ${admin} (${(created.stderr || created.error?.message || '').trim()})`);
    return undefined;
  }
  const url = new URL(admin);
  url.pathname = `/${name}`;
  return { url: url.toString(), drop: () => void spawnSync('psql', [admin, '-qc', `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`]) };
}

const backends: { name: string; target: () => { options: { file?: string; url?: string }; cliArgs: string[]; env: Record<string, string>; dispose: () => void } | undefined }[] = [
  {
    name: 'SQLite',
    target: () => {
      const file = join(mkdtempSync(join(tmpdir(), 'sciboard-gate-db-')), 'sciboard.db');
      return { options: { file }, cliArgs: ['--db', file], env: {}, dispose: () => {} };
    },
  },
  {
    name: 'PostgreSQL',
    target: () => {
      const pg = freshPostgres();
      return pg && { options: { url: pg.url }, cliArgs: [], env: { DATABASE_URL: pg.url }, dispose: pg.drop };
    },
  },
];

describe('sciboard gate (database runs)', () => {
  it.each(backends)('gates run:<id> and model:<name> references read from $name', async ({ target }) => {
    const backend = target();
    if (!backend) return;
    const store = await openDb(backend.options);
    const gate = (args: string[]) =>
      spawnSync(process.execPath, [bin, 'gate', ...args, ...backend.cliArgs], { cwd: repo, encoding: 'utf8', timeout: 60_000, env: { ...process.env, ...backend.env } });
    try {
      const storeRun = async (modelName: string, task: string, scores: number[]) => {
        const model = await store.upsertModel({ name: modelName, params: 0.5 });
        const run = await store.createRun({ modelId: model.id, task, config: { numFewshot: 0, promptHash: 'p1' } });
        await store.resultSink(run.id).write(scores.map((acc, docIndex) => ({
          task, docIndex, docHash: `d${docIndex}`, promptHash: `p${docIndex}`, doc: { id: docIndex },
          request: { kind: 'loglikelihood', context: 'Q', continuations: [' A', ' B'] },
          response: { kind: 'loglikelihood', results: [{ logprob: -1, isGreedy: true }, { logprob: -2, isGreedy: false }] },
          target: 0, filtered: {}, scores: { 'acc,none': acc },
        })));
        const mean = scores.reduce((s, x) => s + x, 0) / scores.length;
        await store.writeScores(run.id, [{ subset: task, metric: 'acc', value: mean, n: scores.length }]);
        await store.updateRun(run.id, { status: 'finished', finishedAt: new Date().toISOString() });
        return run.id;
      };
      const baselinePhysics = await storeRun('step-1000', 'physics', physics);
      await storeRun('step-1000', 'chemistry', chemistry);
      await storeRun('step-2000', 'physics', physics);
      const corruptedChemistry = await storeRun('step-2000', 'chemistry', corrupt(chemistry, 30));

      const byModel = gate(['--baseline', 'model:step-1000', '--candidate', 'model:step-2000', '--max-drop', '2']);
      expect(byModel.stderr).not.toMatch(/sciboard:/);
      expect(byModel.status).toBe(1);
      expect(byModel.stdout).toMatch(/^FAIL +chemistry +acc,none +300/m);
      expect(byModel.stdout).toMatch(/^pass +physics +acc,none +400/m);
      const byRun = gate(['--baseline', `run:${baselinePhysics}`, '--candidate', `run:${corruptedChemistry}`]);
      expect(byRun.status).toBe(2);
      expect(byRun.stdout).toContain('physics missing from the candidate');
      const unknown = gate(['--baseline', 'model:step-9', '--candidate', 'model:step-2000']);
      expect(unknown.status).toBe(2);
      expect(unknown.stdout).toContain('model:step-9: no finished run of a model named "step-9"');
    } finally {
      await store.close();
      backend.dispose();
    }
  });
});
