/** Whether a reported score names a board and column that exist, checked before an import stores anything. */
import { boards } from './boards.ts';
import type { BoardDefinition } from './boards.ts';

/** Null when the board has the column (a shown column, its average, or a reported-only extra); else why not. */
export function reportedRowProblem(row: { board: string; column: string }): string | null {
  const board = (boards as Record<string, BoardDefinition>)[row.board];
  if (!board) return `board: expected one of ${Object.keys(boards).join(', ')}, got ${JSON.stringify(row.board)}`;
  const known = [...board.columns.map((c) => c.name), board.averageName, ...board.reportedOnlyColumns];
  if (!known.includes(row.column)) return `column: board "${board.id}" has no column ${JSON.stringify(row.column)} (expected one of ${known.join(', ')})`;
  return null;
}
