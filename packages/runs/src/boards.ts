/**
 * Boards as the site and `sciboard board` show them: the board definitions and builder, a board's inputs read
 * from the store, and the formats a board is written in. The adapters reach @sciboard/leaderboard through here.
 */
import { readFileSync } from 'node:fs';
import { bundledReportedCsv, parseReportedCsv, SCIGLM_SOURCE, type Store } from '@sciboard/db';
import {
  boards,
  boardToCsv,
  boardToJson,
  boardToLatex,
  boardToText,
  flagsFromStore,
  measuredFromStore,
  reportedFromStore,
  type BoardDefinition,
  type BoardFlag,
  type BoardView,
  type MeasuredScore,
  type ReportedScore,
} from '@sciboard/leaderboard';

export { boards, buildBoard, canonicalBands, columnBaseline, compareBands, getBoard, reportedRowProblem } from '@sciboard/leaderboard';
export type { BoardCell, BoardColumn, BoardDefinition, BoardId, BoardRow, BoardView, MeasuredScore } from '@sciboard/leaderboard';

export interface BoardInputs {
  measured: MeasuredScore[];
  reported: ReportedScore[];
  flags: BoardFlag[];
}

/**
 * Everything a board needs, read in parallel. With `bundledWhenEmpty`, a database nobody has loaded reference
 * rows into still shows the paper's published numbers (read from the bundled file, not written).
 */
export async function readBoardInputs(store: Store, o: { bundledWhenEmpty?: boolean } = {}): Promise<BoardInputs> {
  const [measured, reported, flags] = await Promise.all([store.boardScores(), store.listReported(), store.listFlags()]);
  const reportedRows =
    reported.length === 0 && o.bundledWhenEmpty ? parseReportedCsv(readFileSync(bundledReportedCsv, 'utf8'), bundledReportedCsv, SCIGLM_SOURCE) : reported;
  return { measured: measuredFromStore(measured), reported: reportedFromStore(reportedRows), flags: flagsFromStore(flags, measured) };
}

/** The board of that id, or undefined (the caller names the id and the expected ones in its own error). */
export function findBoard(id: string): BoardDefinition | undefined {
  return Object.hasOwn(boards, id) ? (boards as Record<string, BoardDefinition>)[id] : undefined;
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
