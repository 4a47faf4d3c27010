import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseRequestLine } from './score.ts';
import { skipOrFail } from '../../../eval/src/testing/sharedData.ts';

const repo = resolve(import.meta.dirname, '../../../..');
const bin = join(repo, 'packages/cli/bin/sciboard.mjs');
const shared = process.env.SCIBOARD_SHARED_DIR ?? resolve(repo, '../shared');
const fixture = join(shared, 'fixtures/tiny-llm');
const present = existsSync(join(fixture, 'model.onnx'));
if (!present) skipOrFail(`score CLI runs: ${fixture} not found`);

const run = (args: string[]) => spawnSync(process.execPath, [bin, ...args], { cwd: repo, encoding: 'utf8', timeout: 120_000 });

describe('requests file lines', () => {
  it('names file, line and field on a bad line', () => {
    expect(() => parseRequestLine('{"type":"loglikelihood","context":"a"}', 'r.jsonl', 3)).toThrow(
      'r.jsonl:3: field "continuation" must be a string',
    );
    expect(() => parseRequestLine('{"type":"sample"}', 'r.jsonl', 1)).toThrow(/r\.jsonl:1: field "type"/);
    expect(() => parseRequestLine('{not json', 'r.jsonl', 7)).toThrow(/r\.jsonl:7: not valid JSON/);
    expect(() => parseRequestLine('{"type":"generate","context":"x","max_tokens":-1}', 'r.jsonl', 2)).toThrow(/max_tokens/);
  });
});

describe.skipIf(!present)('sciboard score', () => {
  it('answers both request types in input order and matches the reference', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sciboard-score-'));
    const cases = readFileSync(join(fixture, 'loglik.jsonl'), 'utf8').trim().split('\n').slice(0, 5).map((l) => JSON.parse(l));
    const greedy = JSON.parse(readFileSync(join(fixture, 'greedy.jsonl'), 'utf8').split('\n')[0]!);
    const lines = [
      ...cases.slice(0, 2).map((c) => ({ type: 'loglikelihood', context: c.context, continuation: c.continuation })),
      { type: 'generate', context: greedy.prompt, until: greedy.stop, max_tokens: greedy.max_new_tokens },
      ...cases.slice(2).map((c) => ({ type: 'loglikelihood', context: c.context, continuation: c.continuation })),
    ];
    const requests = join(dir, 'requests.jsonl');
    writeFileSync(requests, lines.map((l) => JSON.stringify(l)).join('\n'));
    const out = join(dir, 'out.jsonl');
    const r = run(['score', '--model', fixture, '--requests', requests, '--out', out, '--batch-size', '2']);
    expect(r.stderr).toMatch(/execution provider cpu/);
    expect(r.status).toBe(0);
    const results = readFileSync(out, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(results).toHaveLength(6);
    expect(results[2]).toEqual({ text: greedy.output_text });
    const ll = [results[0], results[1], ...results.slice(3)];
    ll.forEach((res, k) => {
      expect(Math.abs(res.logprob - cases[k].logprob_sum)).toBeLessThan(1e-4 + 2e-6 * Math.abs(cases[k].logprob_sum));
      expect(res.is_greedy).toBe(cases[k].is_greedy);
    });
  });

  it('exits non-zero with the line named on a bad requests file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sciboard-score-'));
    const requests = join(dir, 'bad.jsonl');
    writeFileSync(requests, '{"type":"loglikelihood","context":"a","continuation":"b"}\n{"type":"loglikelihood","context":5}\n');
    const r = run(['score', '--model', fixture, '--requests', requests]);
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain('bad.jsonl:2: field "context" must be a string');
  });

  it('refuses --device cuda where CUDA cannot start', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sciboard-score-'));
    const requests = join(dir, 'r.jsonl');
    writeFileSync(requests, '{"type":"loglikelihood","context":"a","continuation":" b"}\n');
    const r = run(['score', '--model', fixture, '--requests', requests, '--device', 'cuda']);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/CUDA execution provider could not start/);
  });

  it('names a missing checkpoint folder', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sciboard-score-'));
    const requests = join(dir, 'r.jsonl');
    writeFileSync(requests, '{"type":"loglikelihood","context":"a","continuation":" b"}\n');
    const r = run(['score', '--model', join(dir, 'nope'), '--requests', requests]);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/nope: not a checkpoint folder/);
  });
});
