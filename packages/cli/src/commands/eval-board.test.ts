import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { boards } from '@sciboard/leaderboard';
import { runCliInProcess } from '../testing.ts';

const repo = resolve(import.meta.dirname, '../../../..');
const dataDir = resolve(process.env.SCIBOARD_SHARED_DIR ?? join(repo, '../shared'), 'data');
const BOARD_DATA = ['ceval', 'mmlu', 'agieval', 'scieval', 'scibench', 'gsm8k', 'math', 'mathematics'];
const missing = BOARD_DATA.filter((d) => !existsSync(join(dataDir, d)));
if (missing.length > 0) {
  const reason = `eval --board test: ${missing.join(', ')} not found under ${dataDir} (set SCIBOARD_SHARED_DIR)`;
  if (process.env.CI) throw new Error(reason);
  console.warn(`skipped: ${reason}`);
}

interface BoardJson {
  columns: string[];
  rows: Array<{ model: string; kind: string; cells: Record<string, { value: number; source: string; provenance?: { subset: string; n: number | null } }> }>;
}

describe.skipIf(missing.length > 0)('sciboard eval --board', () => {
  it('fills every column of both boards in one run, --limit per leaf task', async () => {
    const root = mkdtempSync(join(tmpdir(), 'sciboard-eval-board-'));
    const db = join(root, 'runs.db');
    const model = join(root, 'board-model');
    expect((await runCliInProcess(['tiny-model', '--out', model, '--layers', '1'], { db })).status).toBe(0);

    const out = join(root, 'out');
    const run = await runCliInProcess(
      ['eval', '--model', model, '--board', 'science,math', '--limit', '3', '--data-dir', dataDir, '--device', 'cpu', '--output', out],
      { db },
    );
    expect(run.status, run.stderr).toBe(0);
    const results = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8'));
    // Every leaf task got at most three documents: 10 SciBench books and 56 Mathematics modules among them.
    const leaves = Object.keys(results['n-samples']);
    expect(leaves.filter((t) => t.startsWith('scibench_'))).toHaveLength(10);
    expect(leaves.filter((t) => t.startsWith('mathematics_'))).toHaveLength(56);
    for (const t of leaves) expect(results['n-samples'][t].effective, t).toBeLessThanOrEqual(3);

    for (const id of ['science', 'math'] as const) {
      const printed = await runCliInProcess(['board', id, '--format', 'json'], { db });
      expect(printed.status, printed.stderr).toBe(0);
      const view = JSON.parse(printed.stdout) as BoardJson;
      const row = view.rows.find((r) => r.kind === 'measured' && r.model === 'board-model');
      expect(row, `${id}: no measured row`).toBeDefined();
      expect(view.columns).toEqual(boards[id].columns.map((c) => c.name));
      for (const column of boards[id].columns) {
        const cell = row!.cells[column.name];
        expect(cell?.source, `${id} / ${column.name}`).toBe('measured');
        expect(cell!.provenance?.subset).toBe(column.subset);
        expect(cell!.value).toBeGreaterThanOrEqual(0);
      }
    }
    expect(row(JSON.parse((await runCliInProcess(['board', 'science', '--format', 'json'], { db })).stdout)).cells['SciBench']!.provenance!.n).toBe(30);
  }, 600_000);

  it('refuses --board with --tasks, and an unknown board', async () => {
    const db = join(mkdtempSync(join(tmpdir(), 'sciboard-eval-board-')), 'runs.db');
    const both = await runCliInProcess(['eval', '--model', 'x', '--board', 'science', '--tasks', 'gsm8k'], { db });
    expect(both.status).toBe(2);
    expect(both.stderr).toMatch(/--board or --tasks, not both/);
    const unknown = await runCliInProcess(['eval', '--model', 'x', '--board', 'physics'], { db });
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toMatch(/unknown board "physics"/);
  });
});

function row(view: BoardJson) {
  return view.rows.find((r) => r.kind === 'measured' && r.model === 'board-model')!;
}
