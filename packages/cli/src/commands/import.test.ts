import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openDb } from '@sciboard/db';
import { runCliInProcess } from '../testing.ts';

const repo = resolve(import.meta.dirname, '../../../..');
const lmEvalRun = join(repo, 'packages/db/src/lmeval/fixtures/pythia-160m');

const sciboard = (args: string[], db: string) => runCliInProcess(args, { db });

describe('sciboard import', () => {
  it('imports an lm-eval output folder once; a second import changes nothing', async () => {
    const db = join(mkdtempSync(join(tmpdir(), 'sciboard-import-')), 'db.sqlite');
    const first = await sciboard(['import', lmEvalRun], db);
    expect(first.stderr).toBe('');
    expect(first.status).toBe(0);
    // Two requested tasks in the file (gsm8k and the group mmlu_stem): two runs.
    expect(first.stdout).toMatch(/imported gsm8k from .* as run 1 of EleutherAI\/pythia-160m: 2 scores, 3 items\n/);
    expect(first.stdout).toMatch(/imported mmlu_stem from .* as run 2 of EleutherAI\/pythia-160m: 3 scores, 3 items\n/);
    const second = await sciboard(['import', lmEvalRun], db);
    expect(second.status).toBe(0);
    expect(second.stdout).toMatch(/imported before as run 1 \(gsm8k\), run 2 \(mmlu_stem\)/);
    const renamed = await sciboard(['import', lmEvalRun, '--model', 'pythia-160m-copy'], db);
    expect(renamed.stdout).toMatch(/as run 3 of pythia-160m-copy/);

    const store = await openDb({ file: db });
    expect((await store.listRuns()).map((r) => r.modelName).sort()).toEqual(['EleutherAI/pythia-160m', 'EleutherAI/pythia-160m', 'pythia-160m-copy', 'pythia-160m-copy']);
    expect((await store.listResults(1)).total).toBe(3);
    expect((await store.listResults(2)).total).toBe(3);
    await store.close();
  });

  it('loads a reported-results CSV with its source, idempotently', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sciboard-import-'));
    const db = join(dir, 'db.sqlite');
    const csv = join(dir, 'reported.csv');
    writeFileSync(csv, 'board,params_band,model,column,score,rerun_by_authors\nmath,6B-7B,Mistral-7B,GSM8K,40.1,true\n');
    const args = ['import', csv, '--reported', '--paper', 'Mistral 7B', '--year', '2023', '--table', 'Table 2'];
    expect((await sciboard(args, db)).status).toBe(0);
    expect((await sciboard(args, db)).stdout).toMatch(/loaded 1 reported scores/);
    const store = await openDb({ file: db });
    expect(await store.listReported()).toEqual([
      expect.objectContaining({ model: 'Mistral-7B', score: 40.1, rerunByAuthors: true, sourcePaper: 'Mistral 7B', sourceTable: 'Table 2', sourceYear: 2023 }),
    ]);
    await store.close();
  });

  it('fails clearly: bad CSV row exits 1 naming line and field; a missing path or stray flag exits 2', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sciboard-import-'));
    const db = join(dir, 'db.sqlite');
    const csv = join(dir, 'bad.csv');
    writeFileSync(csv, 'board,params_band,model,column,score,rerun_by_authors\nmath,6B-7B,X,GSM8K,12,maybe\n');
    const bad = await sciboard(['import', csv, '--reported'], db);
    expect(bad.status).toBe(1);
    expect(bad.stderr).toBe(`sciboard: ${csv}:2: rerun_by_authors: expected true or false, got "maybe"\n`);
    const missing = await sciboard(['import', join(dir, 'nope.json')], db);
    expect(missing.status).toBe(2);
    expect(missing.stderr).toMatch(/nope\.json: no such file or folder/);
    expect((await sciboard(['import', lmEvalRun, '--paper', 'X'], db)).status).toBe(2);
    const empty = await sciboard(['import', dir], db);
    expect(empty.status).toBe(1);
    expect(empty.stderr).toMatch(/no results_\*\.json file/);
  });

  it('checks every reported row against the boards before storing any: a column a board lacks exits 1, nothing stored', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sciboard-import-'));
    const db = join(dir, 'db.sqlite');
    const csv = join(dir, 'bad.csv');
    writeFileSync(
      csv,
      'board,params_band,model,column,score,rerun_by_authors\nscience,6B-7B,Good,CEval-Hard,50,false\nscience,6B-7B,Bad,Astrology,99,false\n',
    );
    const bad = await sciboard(['import', csv, '--reported'], db);
    expect(bad.status).toBe(1);
    expect(bad.stderr).toBe(`sciboard: ${csv}:3: column: board "science" has no column "Astrology" (expected one of CEval-Hard, CEval-Sci, MMLU-Sci, SciEval, SciBench, Avg. Sci, Avg. Sci+Math)\n`);
    const unknownBoard = join(dir, 'board.csv');
    writeFileSync(unknownBoard, 'board,params_band,model,column,score,rerun_by_authors\nchemistry,6B-7B,Bad,CEval-Hard,9,false\n');
    expect((await sciboard(['import', unknownBoard, '--reported'], db)).stderr).toMatch(/board\.csv:2: board: expected one of science, math/);
    const store = await openDb({ file: db });
    expect(await store.listReported()).toEqual([]);
    await store.close();
  });

  it('works end to end through the sciboard binary, honouring SCIBOARD_DB', async () => {
    const db = join(mkdtempSync(join(tmpdir(), 'sciboard-import-')), 'db.sqlite');
    const bin = join(repo, 'packages/cli/bin/sciboard.mjs');
    const r = spawnSync(process.execPath, [bin, 'import', lmEvalRun], {
      encoding: 'utf8',
      timeout: 60_000,
      env: { ...process.env, SCIBOARD_DB: db, DATABASE_URL: '' },
    });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const store = await openDb({ file: db });
    expect((await store.listRuns()).map((run) => run.task).sort()).toEqual(['gsm8k', 'mmlu_stem']);
    await store.close();
  });
});
