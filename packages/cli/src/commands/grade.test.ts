import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { main } from '../main.ts';
import { GradingPool } from '@sciboard/eval';
import { ADVERSARIAL_ANSWERS, BUSY_MARKER, minervaCompletion } from '../../../eval/src/testing/adversarialMath.ts';
import { gradeFile, parseGradeLine } from './grade.ts';

const repo = resolve(import.meta.dirname, '../../../..');
const bin = join(repo, 'packages/cli/bin/sciboard.mjs');
const jsonl = (rows: unknown[]): string => rows.map((r) => JSON.stringify(r)).join('\n') + '\n';
const gsmDoc = { question: 'Natalia sold clips to 48 of her friends in April, and then she sold half as many clips in May. How many clips did Natalia sell altogether in April and May?', answer: 'Natalia sold 48/2 = <<48/2=24>>24 clips in May.\nNatalia sold 48+24 = <<48+24=72>>72 clips altogether in April and May.\n#### 72' };
const mathDoc = { problem: 'What is $\\frac{1}{2} + \\frac{1}{4}$?', solution: 'We have $\\frac{1}{2}+\\frac{1}{4} = \\boxed{\\frac{3}{4}}$.', type: 'Prealgebra', level: 'Level 1' };

describe('parseGradeLine', () => {
  it('names the line and the field that is wrong', () => {
    expect(() => parseGradeLine('gsm8k', '{"completion": 3, "doc": {}}', 'in.jsonl:4')).toThrow('in.jsonl:4: field "completion" must be a string, got 3');
    expect(() => parseGradeLine('gsm8k', '{"completion": "x", "doc": {"question": "q"}}', 'in.jsonl:2')).toThrow('in.jsonl:2: field "doc.answer" must be a string, got nothing');
    expect(() => parseGradeLine('minerva_math', '{"completion": "x", "doc": {"solution": "no box"}}', 'in.jsonl:9')).toThrow(/in\.jsonl:9: field "doc\.solution" must contain the final answer in \\boxed/);
    expect(() => parseGradeLine('hendrycks_math', '{"completion": "x"', 'in.jsonl:1')).toThrow(/in\.jsonl:1: not valid JSON/);
    expect(() => parseGradeLine('gsm8k', '{"completion": "x", "doc": []}', 'in.jsonl:5')).toThrow(/field "doc" must be an object/);
  });
});

describe('sciboard grade', () => {
  it('grades gsm8k completions with both lm-eval filters, in input order', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sciboard-grade-'));
    const input = join(dir, 'in.jsonl');
    const out = join(dir, 'out.jsonl');
    writeFileSync(
      input,
      jsonl([
        { completion: ' In May she sold 24, so 48 + 24 = 72.\n#### 72', doc: gsmDoc },
        { completion: ' She sold 48 + 24 = 72 clips, about $72.00 worth.', doc: gsmDoc },
        { completion: ' I do not know.', doc: gsmDoc },
      ]),
    );
    const stderr = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    const code = await main(['grade', '--task', 'gsm8k', '--in', input, '--out', out]);
    stderr.mockRestore();
    expect(code).toBe(0);
    const rows = readFileSync(out, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(rows).toEqual([
      { filtered: { 'strict-match': '72', 'flexible-extract': '72' }, scores: { 'exact_match,strict-match': 1, 'exact_match,flexible-extract': 1 } },
      { filtered: { 'strict-match': '[invalid]', 'flexible-extract': '$72.00' }, scores: { 'exact_match,strict-match': 0, 'exact_match,flexible-extract': 0 } },
      { filtered: { 'strict-match': '[invalid]', 'flexible-extract': '[invalid]' }, scores: { 'exact_match,strict-match': 0, 'exact_match,flexible-extract': 0 } },
    ]);
  });

  it('grades MATH completions under the minerva and hendrycks rules through the installed binary', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sciboard-grade-'));
    const input = join(dir, 'in.jsonl');
    writeFileSync(
      input,
      jsonl([
        { completion: ' The sum is $0.75$.\nFinal Answer: The final answer is $\\frac34$. I hope it is correct.', doc: mathDoc },
        { completion: ' So the answer is $\\boxed{0.75}$.', doc: mathDoc },
      ]),
    );
    const run = (task: string) => spawnSync(process.execPath, [bin, 'grade', '--task', task, '--in', input], { cwd: repo, encoding: 'utf8', timeout: 60_000 });
    const minerva = run('minerva_math');
    expect(minerva.stderr).toBe('');
    expect(minerva.status).toBe(0);
    const rows = minerva.stdout.trim().split('\n').map((l) => JSON.parse(l));
    expect(rows.map((r) => [r.filtered, r.scores['exact_match,none']])).toEqual([
      [{ none: '\\frac{3}{4}' }, 1],
      [{ none: '[invalidanswer]' }, 0],
    ]);
    // math_verify is reported beside exact_match, as lm-eval's minerva_math does.
    for (const r of rows) expect(Object.keys(r.scores)).toEqual(['exact_match,none', 'math_verify,none']);
    const hendrycks = run('hendrycks_math');
    expect(hendrycks.status).toBe(0);
    // strip_string leaves 0.75 and \frac{3}{4} different strings.
    expect(hendrycks.stdout.trim().split('\n').map((l) => JSON.parse(l))).toEqual([
      { filtered: { none: '0.75$.\nFinal Answer: The final answer is $\\frac34' }, scores: { 'exact_match,none': 0 } },
      { filtered: { none: '\\boxed{0.75}' }, scores: { 'exact_match,none': 0 } },
    ]);
    // The boxed-first deviation takes the boxed answer instead.
    const boxedFirst = spawnSync(process.execPath, [bin, 'grade', '--task', 'hendrycks_math', '--hendrycks-extraction', 'boxed-first', '--in', input], { cwd: repo, encoding: 'utf8', timeout: 60_000 });
    expect(boxedFirst.status).toBe(0);
    expect(JSON.parse(boxedFirst.stdout.trim().split('\n')[1]!)).toEqual({ filtered: { none: '0.75' }, scores: { 'exact_match,none': 0 } });
  });

  it('fails on a bad line, naming it, and writes nothing', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sciboard-grade-'));
    const input = join(dir, 'in.jsonl');
    const out = join(dir, 'out.jsonl');
    writeFileSync(input, jsonl([{ completion: '#### 72', doc: gsmDoc }, { completion: '#### 1', doc: { question: 'q' } }]));
    const stderr: string[] = [];
    const spy = vi.spyOn(process.stderr, 'write').mockImplementation((s) => (stderr.push(String(s)), true));
    const code = await main(['grade', '--task', 'gsm8k_cot', '--in', input, '--out', out]);
    spy.mockRestore();
    expect(code).toBe(1);
    expect(stderr.join('')).toContain(`${input}:2: field "doc.answer" must be a string`);
    expect(existsSync(out)).toBe(false);
  });

  it('grades adversarial MATH answers not equivalent under --time-limit, and the process exits', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sciboard-grade-'));
    const input = join(dir, 'in.jsonl');
    writeFileSync(input, jsonl(ADVERSARIAL_ANSWERS.map(([, answer, gold]) => ({ completion: minervaCompletion(answer), doc: { problem: 'p', solution: `So $\\boxed{${gold}}$.` } }))));
    const run = spawnSync(process.execPath, [bin, 'grade', '--task', 'minerva_math', '--time-limit', '1', '--grader-threads', '2', '--in', input], { cwd: repo, encoding: 'utf8', timeout: 120_000 });
    expect(run.error).toBeUndefined();
    expect(run.status, run.stderr).toBe(0);
    const rows = run.stdout.trim().split('\n').map((l) => JSON.parse(l));
    expect(rows).toHaveLength(ADVERSARIAL_ANSWERS.length);
    rows.forEach((r, i) => {
      expect(r.scores, ADVERSARIAL_ANSWERS[i]![0]).toEqual({ 'exact_match,none': 0, 'math_verify,none': 0 });
      for (const note of Object.values(r.notes ?? {})) expect(typeof note).toBe('string');
    });
  });

  it('grades the same adversarial answers under hendrycks_math (string rules only) as not equivalent', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sciboard-grade-'));
    const input = join(dir, 'in.jsonl');
    writeFileSync(input, jsonl(ADVERSARIAL_ANSWERS.map(([, answer, gold]) => ({ completion: `So $${answer}$.`, doc: { problem: 'p', solution: `So $\\boxed{${gold}}$.` } }))));
    const rows = (await gradeFile('hendrycks_math', input)).map((l) => JSON.parse(l));
    expect(rows.map((r) => r.scores['exact_match,none'])).toEqual(ADVERSARIAL_ANSWERS.map(() => 0));
    expect(rows.map((r) => r.filtered.none)).toEqual(ADVERSARIAL_ANSWERS.map(([, answer]) => answer));
  });

  it('keeps grading past a check that never returns, with the time limit as its reason', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sciboard-grade-'));
    const input = join(dir, 'in.jsonl');
    const doc = { problem: 'p', solution: 'So $\\boxed{2}$.' };
    writeFileSync(input, jsonl([{ completion: minervaCompletion(BUSY_MARKER), doc }, { completion: minervaCompletion('2'), doc }]));
    const grader = new GradingPool({ size: 2, timeLimitMs: 1000, busyMarker: BUSY_MARKER });
    try {
      const rows = (await gradeFile('minerva_math', input, { grader })).map((l) => JSON.parse(l));
      expect(rows[0]).toMatchObject({ scores: { 'exact_match,none': 0 }, notes: { 'exact_match,none': 'time limit: no verdict within 1 s' } });
      expect(rows[1].scores['exact_match,none']).toBe(1);
    } finally {
      await grader.close();
    }
  });

  it('rejects an unknown task and a missing file as usage errors', async () => {
    const spy = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    expect(await main(['grade', '--task', 'mmlu', '--in', 'x.jsonl'])).toBe(2);
    expect(await main(['grade', '--task', 'gsm8k', '--in', join(tmpdir(), 'no-such-grade-input.jsonl')])).toBe(2);
    spy.mockRestore();
  });
});
