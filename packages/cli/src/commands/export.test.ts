import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openDb } from '@sciboard/db';
import type { ItemRecord, ResultSink } from '@sciboard/eval';
import { runCliInProcess } from '../testing.ts';

const repo = resolve(import.meta.dirname, '../../../..');
const lmEvalRun = join(repo, 'packages/db/src/lmeval/fixtures/pythia-160m');

const sciboard = (args: string[], db: string) => runCliInProcess(args, { db });

describe('sciboard export', () => {
  it('writes lm-eval files that import into another database as the same scores', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sciboard-export-'));
    const source = join(dir, 'source.db');
    const target = join(dir, 'target.db');
    expect((await sciboard(['import', lmEvalRun], source)).status).toBe(0);
    // The file holds gsm8k and the group mmlu_stem: two runs, each exported and imported on its own.
    const files: string[][] = [];
    for (const run of [1, 2]) {
      const out = join(dir, `out-${run}`);
      const exported = await sciboard(['export', '--run', String(run), '--format', 'lm-eval', '--out', out], source);
      expect(exported.stderr).toBe('');
      expect(exported.status).toBe(0);
      files.push(readdirSync(out).sort());
      expect((await sciboard(['import', out], target)).status).toBe(0);
    }
    expect(files).toEqual([
      ['results_2024-05-01T12-30-45.123.json', 'samples_gsm8k_2024-05-01T12-30-45.123.jsonl'],
      ['results_2024-05-01T12-30-45.123.json', 'samples_mmlu_anatomy_2024-05-01T12-30-45.123.jsonl', 'samples_mmlu_astronomy_2024-05-01T12-30-45.123.jsonl'],
    ]);

    const [a, b] = [await openDb({ file: source }), await openDb({ file: target })];
    const strip = (rows: { subset: string; metric: string; filter: string; value: number; n: number | null }[]) =>
      rows.map(({ subset, metric, filter, value, n }) => ({ subset, metric, filter, value, n }));
    expect((await b.listRuns()).map((r) => r.task).sort()).toEqual(['gsm8k', 'mmlu_stem']);
    for (const run of [1, 2]) expect(strip(await b.scoresForRun(run))).toEqual(strip(await a.scoresForRun(run)));
    expect((await b.listResults(1, { onlyWrong: 'exact_match,strict-match' })).total).toBe(2);
    await Promise.all([a.close(), b.close()]);
  });

  it('rejects an unknown format (exit 2) and a missing run (exit 1)', async () => {
    const db = join(mkdtempSync(join(tmpdir(), 'sciboard-export-')), 'db.sqlite');
    const format = await sciboard(['export', '--run', '1', '--format', 'csv', '--out', '/tmp/x'], db);
    expect(format.status).toBe(2);
    expect(format.stderr).toMatch(/--format must be lm-eval, got "csv"/);
    const missing = await sciboard(['export', '--run', '42', '--out', '/tmp/x'], db);
    expect(missing.status).toBe(1);
    expect(missing.stderr).toBe('sciboard: run 42 does not exist\n');
  });

  it('exports what the evaluator wrote through the store as its ResultSink', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sciboard-export-'));
    const db = join(dir, 'db.sqlite');
    const store = await openDb({ file: db });
    const model = await store.upsertModel({ name: 'tiny', params: 0.1 });
    const run = await store.createRun({ modelId: model.id, task: 'gsm8k', config: { numFewshot: 0 }, status: 'finished' });
    // Typed as @sciboard/eval sees it: eval and db share one item record and sink (@sciboard/contracts).
    const sink: ResultSink = store.resultSink(run.id);
    const item: ItemRecord = {
      task: 'gsm8k',
      docIndex: 0,
      docHash: 'd0',
      promptHash: 'p0',
      doc: { question: '1+1?', answer: '#### 2' },
      request: { kind: 'generate_until', context: 'Question: 1+1?\nAnswer:', until: ['Question:'], maxTokens: 64 },
      response: { kind: 'generate_until', text: ' 2', finishReason: 'eos' },
      target: '#### 2',
      filtered: { 'strict-match': '[invalid]', 'flexible-extract': '2' },
      scores: { 'exact_match,strict-match': 0, 'exact_match,flexible-extract': 1 },
    };
    await sink.write([item]);
    await store.writeScores(run.id, [{ subset: 'gsm8k', metric: 'exact_match', filter: 'flexible-extract', value: 1, n: 1 }]);
    await store.close();

    const out = join(dir, 'out');
    expect((await sciboard(['export', '--run', String(run.id), '--out', out], db)).status).toBe(0);
    const samples = readdirSync(out).find((f) => f.startsWith('samples_gsm8k_'))!;
    const lines = readFileSync(join(out, samples), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines.map((l) => [l.filter, l.filtered_resps, l.exact_match])).toEqual([
      ['strict-match', ['[invalid]'], 0],
      ['flexible-extract', ['2'], 1],
    ]);
    expect(lines[0]).toMatchObject({ doc_id: 0, resps: [[' 2']], arguments: { gen_args_0: { arg_0: 'Question: 1+1?\nAnswer:', arg_1: { until: ['Question:'], max_gen_toks: 64 } } } });
  });
});
