/**
 * A board's inputs as the site and `sciboard board` read them: measured scores, reported rows and flags, read
 * in parallel and turned into the builder's shapes.
 */
import { readFileSync } from 'node:fs';
import { bundledReportedCsv, parseReportedCsv, SCIGLM_SOURCE, type Store } from '@sciboard/db';
import { flagsFromStore, measuredFromStore, reportedFromStore } from '@sciboard/leaderboard';
import type { BoardInputs } from './boards.ts';

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
