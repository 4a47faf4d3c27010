/**
 * Turns stored scores into a board view: rows grouped by band, marks and ranks per band and column, averages
 * recomputed from the shown columns.
 *
 * A model measured here and the same model's reported numbers are SEPARATE rows (`kind: 'measured'` and
 * `kind: 'reported'`), so a reader never sees a row that silently mixes the two. Where both exist for one
 * column, the measured cell carries the `gap` (measured − reported) and the source it was compared with.
 * Models are matched by name, case- and whitespace-insensitively.
 */
import { canonicalBands, compareBands } from './bands.ts';
import type { BoardColumn, BoardDefinition } from './boards.ts';
import { columnBaseline, normaliseScore } from './boards.ts';
import { rankCells } from './ranking.ts';
import type { BoardCell, BoardFlag, BoardRow, BoardView, MeasuredScore, ReportedScore } from './types.ts';

export interface BuildBoardInput {
  measured?: MeasuredScore[];
  reported?: ReportedScore[];
  flags?: BoardFlag[];
  /** Accuracy rescaled to the random-guess baseline instead of raw accuracy. */
  normalise?: boolean;
  /** Drop every row that carries a flag (on the model or on any of its cells). */
  excludeFlagged?: boolean;
  /** Column names to show, in board order; defaults to all. Averages are recomputed over these. */
  columns?: string[];
  /**
   * Rows to keep (a view's search and filters). Marks and ranks are computed among the kept rows, so a view
   * of the reported rows alone shows the paper's own bold and underline.
   */
  rowFilter?: (row: BoardRow) => boolean;
}

const round2 = (x: number): number => Math.round(x * 100) / 100;
const nameKey = (name: string): string => name.trim().replace(/\s+/g, ' ').toLowerCase();

// Runs share finish times and boards repeat them per column: parsing each distinct string once keeps a
// thousand-model board fast.
const isoCache = new Map<string, string | null>();
function toIso(value: string | Date | null | undefined): string | null {
  if (value === null || value === undefined) return null;
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? null : value.toISOString();
  let iso = isoCache.get(value);
  if (iso === undefined) {
    const date = new Date(value);
    iso = Number.isNaN(date.getTime()) ? null : date.toISOString();
    if (isoCache.size > 10_000) isoCache.clear();
    isoCache.set(value, iso);
  }
  return iso;
}

function shownColumns(board: BoardDefinition, picked: string[] | undefined): BoardColumn[] {
  if (!picked) return board.columns;
  for (const name of picked) {
    if (!board.columns.some((c) => c.name === name)) {
      throw new Error(
        `board "${board.id}" has no column "${name}": expected one of ${board.columns.map((c) => c.name).join(', ')}`,
      );
    }
  }
  return board.columns.filter((c) => picked.includes(c.name));
}

/** Latest score per model and column; several runs of one model keep the most recently finished. */
function latestMeasured(board: BoardDefinition, measured: MeasuredScore[]): Map<string, Map<string, MeasuredScore>> {
  const byModel = new Map<string, Map<string, MeasuredScore>>();
  const columnOf = new Map(board.columns.map((c) => [`${c.subset}\u0000${c.metric}\u0000${c.filter}`, c]));
  for (const score of measured) {
    const column = columnOf.get(`${score.subset}\u0000${score.metric}\u0000${score.filter}`);
    if (!column) continue;
    const modelKey = String(score.modelId);
    const cells = byModel.get(modelKey) ?? new Map<string, MeasuredScore>();
    byModel.set(modelKey, cells);
    const previous = cells.get(column.name);
    const newer = (toIso(score.finishedAt) ?? '') >= (toIso(previous?.finishedAt) ?? '');
    if (!previous || newer) cells.set(column.name, score);
  }
  return byModel;
}

function displayValue(percent: number, column: BoardColumn, normalise: boolean): number {
  return normalise ? normaliseScore(percent, column.choices, columnBaseline(column)) : percent;
}

export function buildBoard(board: BoardDefinition, input: BuildBoardInput = {}): BoardView {
  const normalise = input.normalise ?? false;
  const columns = shownColumns(board, input.columns);
  const reported = (input.reported ?? []).filter((r) => r.board === board.id);
  const flags = input.flags ?? [];
  const rows: BoardRow[] = [];

  // Reported numbers per model name and column, to expose the gap on measured cells of the same model.
  const reportedByName = new Map<string, Map<string, ReportedScore>>();
  const reportedRows = new Map<string, BoardRow>();
  for (const r of reported) {
    const byColumn = reportedByName.get(nameKey(r.model)) ?? new Map<string, ReportedScore>();
    reportedByName.set(nameKey(r.model), byColumn);
    const key = `reported:${r.source}:${r.model}`;
    let row = reportedRows.get(key);
    if (!row) {
      row = emptyRow(key, r.model, r.band, 'reported');
      reportedRows.set(key, row);
    }
    const column = columns.find((c) => c.name === r.column);
    if (column) {
      byColumn.set(r.column, r);
      row.cells[column.name] = {
        value: displayValue(r.score, column, normalise),
        source: 'reported',
        rerun: r.rerunByAuthors,
        mark: null,
        ci95: null,
        rank: 0,
        tied: false,
        reportedBy: r.source,
      };
    } else if (r.column === board.averageName || board.reportedOnlyColumns.includes(r.column)) {
      row.reportedExtras[r.column] = r.score;
    }
    // A reported score naming a column the board does not have is left out: imports refuse such rows, and one
    // stored anyway (an older database, a hand edit) must not take the whole board down.
  }
  rows.push(...reportedRows.values());

  const measured = input.measured ?? [];
  const info = new Map(measured.map((m) => [String(m.modelId), m]));
  for (const [modelId, cellsByColumn] of latestMeasured(board, measured)) {
    const first = info.get(modelId)!;
    const row = emptyRow(`measured:${modelId}`, first.modelName, first.band, 'measured');
    row.modelId = modelId;
    row.modelType = first.modelType ?? null;
    row.params = first.params ?? null;
    for (const column of columns) {
      const score = cellsByColumn.get(column.name);
      if (!score) continue;
      const percent = score.value * 100;
      const hasInterval = typeof score.ciLow === 'number' && typeof score.ciHigh === 'number';
      const cell: BoardCell = {
        value: displayValue(percent, column, normalise),
        source: 'measured',
        rerun: false,
        mark: null,
        ci95: hasInterval
          ? [displayValue(score.ciLow! * 100, column, normalise), displayValue(score.ciHigh! * 100, column, normalise)]
          : null,
        rank: 0,
        tied: false,
        provenance: {
          runId: String(score.runId),
          n: score.n ?? null,
          numFewshot: score.numFewshot ?? null,
          harnessVersion: score.harnessVersion ?? null,
          taskVersion: score.taskVersion === null || score.taskVersion === undefined ? null : String(score.taskVersion),
          promptHash: score.promptHash ?? null,
          chatTemplate: score.chatTemplate === true,
          dtype: score.dtype ?? null,
          revision: score.revision ?? null,
          finishedAt: toIso(score.finishedAt),
          subset: score.subset,
          metricKey: `${score.metric},${score.filter}`,
        },
      };
      const sameModelReported = reportedByName.get(nameKey(first.modelName))?.get(column.name);
      if (sameModelReported) {
        const reportedValue = displayValue(sameModelReported.score, column, normalise);
        cell.gap = {
          reported: round2(reportedValue),
          source: sameModelReported.source,
          rerun: sameModelReported.rerunByAuthors,
          difference: round2(cell.value - reportedValue),
        };
      }
      row.cells[column.name] = cell;
      if (cell.provenance!.chatTemplate) row.chatTemplate = true;
      const finished = cell.provenance!.finishedAt;
      if (finished && (!row.updatedAt || finished > row.updatedAt)) row.updatedAt = finished;
    }
    rows.push(row);
  }

  const bandNames = canonicalBands(rows.map((r) => r.band));
  for (const row of rows) row.band = bandNames.get(row.band) ?? row.band;
  applyFlags(rows, flags, board);
  const kept = rows.filter((r) => !(input.excludeFlagged && r.flags.length > 0) && (input.rowFilter?.(r) ?? true));
  for (const row of kept) row.average = averageOf(row, columns);
  markWithinBands(kept, columns);
  for (const row of kept) {
    for (const cell of Object.values(row.cells)) {
      cell.value = round2(cell.value);
      if (cell.ci95) cell.ci95 = [round2(cell.ci95[0]), round2(cell.ci95[1])];
    }
    if (row.average.value !== null) row.average.value = round2(row.average.value);
  }
  kept.sort((a, b) => compareBands(a.band, b.band));

  return {
    board: board.id,
    title: board.title,
    columns: columns.map((c) => c.name),
    averageName: board.averageName,
    normalised: normalise,
    rows: kept,
  };
}

function emptyRow(key: string, model: string, band: string, kind: BoardRow['kind']): BoardRow {
  return {
    key,
    model,
    band,
    kind,
    modelId: null,
    modelType: null,
    params: null,
    updatedAt: null,
    chatTemplate: false,
    cells: {},
    average: { value: null, complete: false, mark: null },
    reportedExtras: {},
    flags: [],
  };
}

function applyFlags(rows: BoardRow[], flags: BoardFlag[], board: BoardDefinition): void {
  for (const flag of flags) {
    const column = flag.column ?? (flag.subset ? board.columns.find((c) => c.subset === flag.subset)?.name : undefined);
    // A flag on a subset this board does not show concerns another board.
    if (flag.subset && !column && !flag.column) continue;
    for (const row of rows) {
      const matches =
        flag.modelId !== undefined && flag.modelId !== null
          ? row.modelId === String(flag.modelId)
          : !!flag.model && nameKey(row.model) === nameKey(flag.model);
      if (!matches) continue;
      row.flags.push({ column: column ?? null, reason: flag.reason });
      const cell = column ? row.cells[column] : undefined;
      if (cell) cell.flag = flag.reason;
    }
  }
}

/** Plain mean of the shown columns (the paper's Avg. Sci / Avg. Math); `complete` only when none is missing. */
function averageOf(row: BoardRow, columns: BoardColumn[]): BoardRow['average'] {
  const values = columns.map((c) => row.cells[c.name]?.value).filter((v): v is number => v !== undefined);
  if (values.length === 0) return { value: null, complete: false, mark: null };
  const mean = values.reduce((sum, v) => sum + v, 0) / values.length;
  return { value: mean, complete: values.length === columns.length, mark: null };
}

function markWithinBands(rows: BoardRow[], columns: BoardColumn[]): void {
  const bands = new Map<string, BoardRow[]>();
  for (const row of rows) {
    const band = bands.get(row.band);
    if (band) band.push(row);
    else bands.set(row.band, [row]);
  }
  for (const bandRows of bands.values()) {
    for (const column of columns) {
      const cells = bandRows.map((r) => r.cells[column.name]).filter((c): c is BoardCell => c !== undefined);
      const ranks = rankCells(
        cells.map((c) => ({ value: c.value, low: c.ci95?.[0] ?? c.value, high: c.ci95?.[1] ?? c.value })),
      );
      cells.forEach((cell, i) => Object.assign(cell, ranks[i]));
    }
    // Only complete averages compete, as the paper prints and marks averages only for full rows.
    const complete = bandRows.filter((r) => r.average.complete && r.average.value !== null);
    const ranks = rankCells(complete.map((r) => ({ value: r.average.value!, low: r.average.value!, high: r.average.value! })));
    complete.forEach((row, i) => (row.average.mark = ranks[i]!.mark));
  }
}
