/** Rows a board is built from or exported with are data from outside: none of them breaks or arms the output. */
import { describe, expect, it } from 'vitest';
import { boards } from './boards.ts';
import { buildBoard } from './build.ts';
import { boardToCsv } from './export.ts';
import { reportedRowProblem } from './reported-check.ts';
import type { ReportedScore } from './types.ts';

const reported = (model: string, column: string, score: number): ReportedScore => ({
  board: 'science', band: '6B-7B', model, column, score, rerunByAuthors: false, source: 'a paper',
});

describe('untrusted board rows', () => {
  it('a reported score naming a column the board lacks is left out; the board and its other rows still build', () => {
    const view = buildBoard(boards.science, {
      reported: [reported('good-model', 'CEval-Hard', 50), reported('bad-model', 'Astrology', 99), reported('bad-model', 'MMLU-Sci', 40)],
    });
    expect(view.rows.map((r) => r.model).sort()).toEqual(['bad-model', 'good-model']);
    expect(view.rows.find((r) => r.model === 'bad-model')!.cells['MMLU-Sci']!.value).toBe(40);
    expect(JSON.stringify(view)).not.toContain('Astrology');
  });

  it('reportedRowProblem accepts board columns, averages and extras and names what is wrong otherwise', () => {
    expect(reportedRowProblem({ board: 'science', column: 'CEval-Hard' })).toBeNull();
    expect(reportedRowProblem({ board: 'science', column: 'Avg. Sci' })).toBeNull();
    expect(reportedRowProblem({ board: 'science', column: 'Avg. Sci+Math' })).toBeNull();
    expect(reportedRowProblem({ board: 'science', column: 'Astrology' })).toMatch(/^column: board "science" has no column "Astrology"/);
    expect(reportedRowProblem({ board: 'chemistry', column: 'CEval-Hard' })).toMatch(/^board: expected one of science, math/);
  });

  it('CSV export neutralises names that a spreadsheet would run as formulas, and leaves numbers alone', () => {
    const names = ['=HYPERLINK("http://x","y")', '+1+1', '-2+3', '@SUM(A1)', '\t=1', 'plain'];
    const view = buildBoard(boards.science, { reported: names.map((n) => reported(n, 'CEval-Hard', 12.5)) });
    const lines = boardToCsv(view).trim().split('\n').slice(1);
    const models = lines.map((l) => (l.match(/^[^,]*,("(?:[^"]|"")*"|[^,]*)/)![1]!).replace(/^"|"$/g, '').replace(/""/g, '"'));
    expect(models.sort()).toEqual(["'+1+1", "'-2+3", "'=HYPERLINK(\"http://x\",\"y\")", "'@SUM(A1)", "'\t=1", 'plain'].sort());
    for (const line of lines) expect(line).toContain(',12.50,');
  });
});
