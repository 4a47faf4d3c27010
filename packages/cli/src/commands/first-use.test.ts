import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCliInProcess } from '../testing.ts';

const scratch = () => mkdtempSync(join(tmpdir(), 'sciboard-first-use-'));

describe('what a first user runs into', () => {
  it('imports a reported-results CSV given without --reported', async () => {
    const dir = scratch();
    const csv = join(dir, 'mine.csv');
    writeFileSync(csv, 'board,params_band,model,column,score,rerun_by_authors\nmath,6B-7B,Demo-7B,GSM8K,40.1,false\n');
    const r = await runCliInProcess(['import', csv], { db: join(dir, 'db.sqlite') });
    expect(r.status).toBe(0);
    expect(r.stderr).toMatch(/a reported-results CSV, imported as with --reported/);
    expect(r.stdout).toMatch(/loaded 1 reported scores/);
  });

  it('names the flag and header a CSV needs instead of "not valid JSON"', async () => {
    const dir = scratch();
    const csv = join(dir, 'other.csv');
    writeFileSync(csv, 'model,score\nx,1\n');
    const r = await runCliInProcess(['import', csv], { db: join(dir, 'db.sqlite') });
    expect(r.status).toBe(2);
    expect(r.stderr).not.toMatch(/JSON/);
    expect(r.stderr).toMatch(/other\.csv: a CSV is imported as reported results \(--reported\), with the header board,params_band,model,column,score,rerun_by_authors/);
  });

  it('a bad argument prints one line and where to look, not the whole usage', async () => {
    const r = await runCliInProcess(['eval', '--model', 'm', '--tasks', 'gsm8k', '--limit', 'lots']);
    expect(r.status).toBe(2);
    const lines = r.stderr.trim().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[1]).toBe("(see 'sciboard eval --help')");
    expect(r.stderr).not.toMatch(/Usage:/);
    const nested = await runCliInProcess(['data', 'pull', '--bogus']);
    expect(nested.stderr).toBe("error: unknown option '--bogus'\n(see 'sciboard data pull --help')\n");
    // Arguments a command itself refuses get the same hint.
    const refused = await runCliInProcess(['data', 'pull', '--tasks', 'gsm8k', '--all']);
    expect(refused.status).toBe(2);
    expect(refused.stderr).toBe("sciboard: give one of --tasks LIST, --board science,math or --all\n(see 'sciboard data pull --help')\n");
  });

  it('with no datasets anywhere, says which command fetches them', async () => {
    const env = { SCIBOARD_CACHE: scratch() };
    const saved = { ...process.env };
    try {
      delete process.env.SCIBOARD_DATA_DIR;
      Object.assign(process.env, env);
      const r = await runCliInProcess(['requests', '--tasks', 'gsm8k,mmlu_anatomy', '--limit', '1']);
      expect(r.status).toBe(2);
      expect(r.stderr).toMatch(/no datasets found: pass --data-dir, set SCIBOARD_DATA_DIR, or fetch them with 'sciboard data pull --tasks gsm8k,mmlu_anatomy'/);
    } finally {
      process.env = saved;
    }
  });

  it('when one suite is missing from the data folder, names the pull that fetches it', async () => {
    const dir = scratch();
    const r = await runCliInProcess(['requests', '--tasks', 'gsm8k', '--limit', '1', '--data-dir', dir]);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/gsm8k[/\\]test\.jsonl.*; fetch the data with 'sciboard data pull --tasks gsm8k'\n$/);
  });
});
