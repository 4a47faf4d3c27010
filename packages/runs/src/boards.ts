/**
 * Boards as the site and `sciboard board` show them: the board definitions and builder, and the formats a board
 * is written in. The adapters reach @sciboard/leaderboard through here. It reads no files and no database, so
 * the site's browser code imports it on its own as `@sciboard/runs/boards`; reading a board's inputs from the
 * store is `readBoardInputs` (board-inputs.ts).
 */
import {
  boardToCsv,
  boardToJson,
  boardToLatex,
  boardToText,
  type BoardFlag,
  type BoardView,
  type MeasuredScore,
  type ReportedScore,
} from '@sciboard/leaderboard';

export { boards, buildBoard, canonicalBands, columnBaseline, compareBands, findBoard, getBoard, reportedRowProblem } from '@sciboard/leaderboard';
export type { BoardCell, BoardColumn, BoardDefinition, BoardId, BoardRow, BoardView, MeasuredScore } from '@sciboard/leaderboard';

/** What a board is built from: read from the store by `readBoardInputs`. */
export interface BoardInputs {
  measured: MeasuredScore[];
  reported: ReportedScore[];
  flags: BoardFlag[];
}

export interface BoardFormat {
  /** The HTTP content type the site serves it with. */
  contentType: string;
  /** The file extension of a download. */
  ext: string;
  write: (view: BoardView) => string;
}

/** The formats a board is written in: the same bytes from `sciboard board --format` and the site's board API. */
export const BOARD_FORMATS = {
  table: { contentType: 'text/plain; charset=utf-8', ext: 'txt', write: boardToText },
  json: { contentType: 'application/json; charset=utf-8', ext: 'json', write: boardToJson },
  csv: { contentType: 'text/csv; charset=utf-8', ext: 'csv', write: boardToCsv },
  latex: { contentType: 'application/x-latex; charset=utf-8', ext: 'tex', write: boardToLatex },
} as const satisfies Record<string, BoardFormat>;

export type BoardFormatName = keyof typeof BOARD_FORMATS;

export function boardFormat(name: string): BoardFormat | undefined {
  return Object.hasOwn(BOARD_FORMATS, name) ? BOARD_FORMATS[name as BoardFormatName] : undefined;
}
