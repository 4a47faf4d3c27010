import { describe, expect, it } from 'vitest';
import { canonicalBands, compareBands } from './bands.ts';
import { boards, columnBaseline, getBoard, normaliseScore } from './boards.ts';
import { buildBoard } from './build.ts';
import { boardToCsv, boardToLatex, boardToText } from './export.ts';
import { rankCells } from './ranking.ts';
import { flagsFromStore, reportedFromStore } from './stored.ts';
import type { MeasuredScore, ReportedScore } from './types.ts';

function measured(model: string, id: number, subset: string, value: number, half = 0.02, extra: Partial<MeasuredScore> = {}): MeasuredScore {
  const column = [...boards.science.columns, ...boards.math.columns].find((c) => c.subset === subset)!;
  return {
    modelId: id, modelName: model, band: '6B-7B', params: 6.2, runId: `run-${id}-${subset}`, subset,
    metric: column.metric, filter: column.filter, value, ciLow: value - half, ciHigh: value + half, n: 500,
    numFewshot: 5, harnessVersion: '0.4.9', taskVersion: '1.0', promptHash: 'abc', revision: 'main',
    finishedAt: '2026-11-01T00:00:00Z', ...extra,
  };
}
const reportedScore = (model: string, column: string, score: number, rerun = false): ReportedScore => ({
  board: 'science', band: '6B-7B', model, column, score, rerunByAuthors: rerun, source: 'SciGLM paper',
});

describe('buildBoard with measured scores', () => {
  it('keeps measured and reported rows of one model apart and exposes the gap', () => {
    const view = buildBoard(boards.science, {
      measured: [measured('ChatGLM3-6B-Base', 1, 'ceval-hard', 0.42, 0.03)],
      reported: [reportedScore('chatglm3-6b-base', 'CEval-Hard', 45.4, true)],
    });
    expect(view.rows.map((r) => r.kind)).toEqual(['reported', 'measured']);
    const cell = view.rows[1]!.cells['CEval-Hard']!;
    expect(cell).toMatchObject({ value: 42, source: 'measured', ci95: [39, 45] });
    expect(cell.gap).toEqual({ reported: 45.4, source: 'SciGLM paper', rerun: true, difference: -3.4 });
    expect(cell.provenance).toMatchObject({ runId: 'run-1-ceval-hard', numFewshot: 5, promptHash: 'abc', metricKey: 'acc,none' });
    expect(view.rows[0]!.cells['CEval-Hard']!.gap).toBeUndefined();
  });

  it("carries each measured cell's precision in its provenance", () => {
    const view = buildBoard(boards.math, { measured: [measured('quantised', 1, 'gsm8k', 0.5, 0.02, { dtype: 'q4' }), measured('quantised', 1, 'agieval_sat_math', 0.4)] });
    const row = view.rows.find((r) => r.model === 'quantised')!;
    expect(row.cells['GSM8K']!.provenance!.dtype).toBe('q4');
    expect(row.cells['SAT-Math']!.provenance!.dtype).toBeNull();
  });

  it('tells a chat-template run from a plain one, per cell and per row', () => {
    const view = buildBoard(boards.math, {
      measured: [measured('chat', 1, 'gsm8k', 0.5, 0.02, { chatTemplate: true }), measured('chat', 1, 'agieval_sat_math', 0.4), measured('base', 2, 'gsm8k', 0.3)],
    });
    const chat = view.rows.find((r) => r.model === 'chat')!;
    expect(chat.chatTemplate).toBe(true);
    expect(chat.cells['GSM8K']!.provenance!.chatTemplate).toBe(true);
    expect(chat.cells['SAT-Math']!.provenance!.chatTemplate).toBe(false);
    expect(view.rows.find((r) => r.model === 'base')!.chatTemplate).toBe(false);
    // The terminal and CSV exports say so too.
    expect(boardToText(view)).toMatch(/chat \[measured, chat\] +\*\*50\.00\*\*ᶜ +- /);
    expect(boardToCsv(view)).toMatch(/chat,measured,.*50\.00,measured \(chat template\)/);
  });

  it('ignores scores under another metric or filter and keeps the latest run per column', () => {
    const view = buildBoard(boards.math, {
      measured: [
        measured('m', 1, 'gsm8k', 0.3, 0.02, { filter: 'strict-match' }),
        measured('m', 1, 'gsm8k', 0.5, 0.02, { finishedAt: '2026-10-01T00:00:00Z', runId: 'old' }),
        measured('m', 1, 'gsm8k', 0.6, 0.02, { finishedAt: '2026-11-02T00:00:00Z', runId: 'new' }),
      ],
    });
    expect(view.rows[0]!.cells['GSM8K']).toMatchObject({ value: 60, provenance: { runId: 'new' } });
    expect(view.rows[0]!.updatedAt).toBe('2026-11-02T00:00:00.000Z');
  });

  it('normalises multiple-choice columns to the random-guess baseline and leaves generation columns', () => {
    const scores = [measured('m', 1, 'ceval-hard', 0.625, 0), measured('m', 1, 'scibench', 0.1, 0)];
    const view = buildBoard(boards.science, { measured: scores, normalise: true });
    expect(view.normalised).toBe(true);
    expect(view.rows[0]!.cells['CEval-Hard']!.value).toBe(50);
    expect(view.rows[0]!.cells['SciBench']!.value).toBe(10);
    expect(normaliseScore(20, 4)).toBe(0);
    expect(normaliseScore(100, 4)).toBe(100);
  });

  it('gives SciEval the item-weighted guessing baseline of its three item types', () => {
    const scieval = boards.science.columns.find((c) => c.name === 'SciEval')!;
    // (1187 × 1/4 + 99 × 1/3 + 155 × 0.31139784946) / 1441 = 378.0167 / 1441
    expect(columnBaseline(scieval)).toBeCloseTo(26.2329, 3);
    expect(columnBaseline(boards.science.columns.find((c) => c.name === 'CEval-Hard')!)).toBe(25);
    expect(columnBaseline(boards.science.columns.find((c) => c.name === 'SciBench')!)).toBe(0);
    const view = buildBoard(boards.science, { measured: [measured('m', 1, 'scieval', 0.631165, 0)], normalise: true });
    expect(view.rows[0]!.cells['SciEval']!.value).toBeCloseTo(50, 1);
  });

  it('gives every column a suite link and a scoring sentence', () => {
    for (const c of [...boards.science.columns, ...boards.math.columns]) {
      expect(c.suite.url, c.name).toMatch(/^https:\/\/github\.com\//);
      expect(c.suite.scoring.length, c.name).toBeGreaterThan(20);
    }
  });

  it('ranks by non-overlapping intervals and reports ties', () => {
    const view = buildBoard(boards.science, {
      measured: [
        measured('a', 1, 'scieval', 0.6, 0.05),
        measured('b', 2, 'scieval', 0.57, 0.05),
        measured('c', 3, 'scieval', 0.3, 0.02),
      ],
    });
    const cells = Object.fromEntries(view.rows.map((r) => [r.model, r.cells['SciEval']!]));
    expect(cells.a).toMatchObject({ mark: 'best', rank: 1, tied: true });
    expect(cells.b).toMatchObject({ mark: 'second', rank: 1, tied: true });
    expect(cells.c).toMatchObject({ mark: null, rank: 3, tied: false });
    expect(rankCells([{ value: 1, low: 1, high: 1 }, { value: 1, low: 1, high: 1 }]).map((r) => r.mark)).toEqual(['best', 'best']);
  });

  it('marks flagged rows and cells, and drops them on request', () => {
    const input = {
      measured: [measured('a', 1, 'scieval', 0.6), measured('b', 2, 'scieval', 0.5)],
      flags: [{ model: 'a', column: 'SciEval', reason: 'suspected contamination' }],
    };
    const view = buildBoard(boards.science, input);
    const a = view.rows.find((r) => r.model === 'a')!;
    expect(a.flags).toEqual([{ column: 'SciEval', reason: 'suspected contamination' }]);
    expect(a.cells['SciEval']!.flag).toBe('suspected contamination');
    const filtered = buildBoard(boards.science, { ...input, excludeFlagged: true });
    expect(filtered.rows.map((r) => r.model)).toEqual(['b']);
    expect(filtered.rows[0]!.cells['SciEval']!.mark).toBe('best');
  });

  it('marks among the rows a view keeps', () => {
    const input = {
      reported: [reportedScore('paper-a', 'SciEval', 50), reportedScore('paper-b', 'SciEval', 40)],
      measured: [measured('ours', 1, 'scieval', 0.7)],
    };
    const all = buildBoard(boards.science, input);
    expect(all.rows.find((r) => r.model === 'paper-a')!.cells['SciEval']!.mark).toBe('second');
    const reportedOnly = buildBoard(boards.science, { ...input, rowFilter: (r) => r.kind === 'reported' });
    expect(reportedOnly.rows.map((r) => [r.model, r.cells['SciEval']!.mark])).toEqual([['paper-a', 'best'], ['paper-b', 'second']]);
  });

  it("orders bands by size and folds the store's 30B-34B into the paper's 30B-32B", () => {
    expect(['30B-34B', '≤3B', '6B-7B', 'API', '12B-13B', '>72B'].sort(compareBands)).toEqual(['API', '≤3B', '6B-7B', '12B-13B', '30B-34B', '>72B']);
    expect(canonicalBands(['30B-32B', '30B-34B', 'API']).get('30B-34B')).toBe('30B-32B');
    const view = buildBoard(boards.science, {
      reported: [{ ...reportedScore('paper-32b', 'SciEval', 60), band: '30B-32B' }],
      measured: [measured('ours-32b', 7, 'scieval', 0.7, 0.01, { band: '30B-34B' })],
    });
    expect(view.rows.map((r) => [r.model, r.band])).toEqual([['paper-32b', '30B-32B'], ['ours-32b', '30B-32B']]);
    expect(view.rows[1]!.cells['SciEval']!.mark).toBe('best');
    expect(view.rows[0]!.cells['SciEval']!.mark).toBe('second');
  });

  it('rejects unknown boards and columns with the name at fault; a reported column the board lacks is left out', () => {
    expect(() => getBoard('physics')).toThrow(/unknown board "physics".*science, math/);
    expect(() => buildBoard(boards.science, { columns: ['GSM8K'] })).toThrow(/no column "GSM8K"/);
    // Imports refuse such rows (reportedRowProblem); one stored anyway must not take the board down.
    expect(JSON.stringify(buildBoard(boards.science, { reported: [reportedScore('x', 'Chemistry', 3)] }))).not.toContain('Chemistry');
  });
});

describe('exports', () => {
  const view = buildBoard(boards.math, {
    reported: [
      { board: 'math', band: '6B-7B', model: 'MAmmoTH & MetaMath-7B', column: 'GSM8K', score: 66.3, rerunByAuthors: false, source: 'p' },
      { board: 'math', band: '6B-7B', model: 'ChatGLM2_6B', column: 'GSM8K', score: 25.85, rerunByAuthors: true, source: 'p' },
    ],
  });

  it('writes booktabs LaTeX with bold best, underlined second, daggers and escaped names', () => {
    const tex = boardToLatex(view);
    expect(tex).toContain('\\toprule');
    expect(tex).toContain('\\multicolumn{8}{c}{\\textit{6B-7B}}');
    expect(tex).toContain('MAmmoTH \\& MetaMath-7B & \\textbf{66.30} & -');
    expect(tex).toContain('ChatGLM2\\_6B & \\underline{25.85}$^\\dagger$');
    expect(tex).toContain('66.30$^*$');
    expect(tex.trimEnd().endsWith('\\end{tabular}')).toBe(true);
  });

  it('writes CSV with quoted fields where needed and text with marks', () => {
    const csv = boardToCsv(view).split('\n');
    expect(csv[0]).toMatch(/^band,model,kind,GSM8K,GSM8K source,/);
    expect(csv[2]).toContain('reported (rerun by authors)');
    const text = boardToText(view);
    expect(text).toContain('**66.30**');
    expect(text).toContain('_25.85_†');
  });
});

describe('store adapters', () => {
  it('keeps the load order of reported rows and labels the source briefly', () => {
    const base = { board: 'math', band: 'API', column: 'GSM8K', rerunByAuthors: false, sourcePaper: 'SciGLM: Training Scientific LMs', sourceTable: 'Table 4', sourceYear: 2024, sourceUrl: null };
    const rows = reportedFromStore([
      { ...base, id: 2, model: 'B', score: 2 },
      { ...base, id: 1, model: 'A', score: 1 },
    ]);
    expect(rows.map((r) => r.model)).toEqual(['A', 'B']);
    expect(rows[0]!.source).toBe('SciGLM, Table 4');
  });

  it('resolves run flags to their model and ignores flags on nothing it shows', () => {
    const scores = [{ ...measured('m', 4, 'gsm8k', 0.5), runId: 40 }] as Parameters<typeof flagsFromStore>[1];
    const flags = flagsFromStore(
      [
        { id: 1, modelId: null, runId: 40, subset: 'gsm8k', metric: null, reason: 'test set in training data', createdAt: '' },
        { id: 2, modelId: null, runId: 99, subset: null, metric: null, reason: 'unknown run', createdAt: '' },
      ],
      scores,
    );
    expect(flags).toEqual([{ modelId: 4, subset: 'gsm8k', reason: 'test set in training data' }]);
    const math = buildBoard(boards.math, { measured: scores, flags });
    expect(math.rows[0]!.cells['GSM8K']!.flag).toBe('test set in training data');
    const science = buildBoard(boards.science, { measured: [measured('m', 4, 'scieval', 0.5)], flags });
    expect(science.rows[0]!.flags).toEqual([]);
  });
});
