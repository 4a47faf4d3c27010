/** How each board column's measured cells were scored, for cell links and the /suites page. */
import { type BoardColumn, boards, columnBaseline } from '@sciboard/runs';
import type { SuiteInfo } from './suite-link.ts';

export type { SuiteInfo } from './suite-link.ts';

const toInfo = (board: string, c: BoardColumn): SuiteInfo => ({
  board,
  column: c.name,
  subset: c.subset,
  metric: `${c.metric},${c.filter}`,
  scoring: c.suite.scoring,
  url: c.suite.url,
  description: c.description,
  baseline: Math.round(columnBaseline(c) * 100) / 100,
});

export function allSuites(): SuiteInfo[] {
  return Object.values(boards).flatMap((b) => b.columns.map((c) => toInfo(b.id, c)));
}

/** A board's suites by column name. */
export function suitesByColumn(boardId: string): Record<string, SuiteInfo> {
  return Object.fromEntries(allSuites().filter((s) => s.board === boardId).map((s) => [s.column, s]));
}
