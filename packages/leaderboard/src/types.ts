/** Inputs the board builder reads (shaped like packages/db's rows) and the board view it produces. */

/** One measured score: the latest run of a model on one subset (packages/db `boardScores()`). */
export interface MeasuredScore {
  modelId: string | number;
  modelName: string;
  /** Parameter band as packages/db assigns it. */
  band: string;
  /** Parameters in billions. */
  params?: number | null;
  modelType?: string | null;
  runId: string | number;
  subset: string;
  metric: string;
  filter: string;
  /** Fraction 0–1. */
  value: number;
  stderr?: number | null;
  /** 95% interval bounds as fractions 0–1. */
  ciLow?: number | null;
  ciHigh?: number | null;
  n?: number | null;
  numFewshot?: number | null;
  harnessVersion?: string | null;
  taskVersion?: string | number | null;
  promptHash?: string | null;
  /** The run applied the checkpoint's chat template. */
  chatTemplate?: boolean | null;
  /** The checkpoint precision the run loaded (float32, float16, q4, …). */
  dtype?: string | null;
  revision?: string | null;
  finishedAt?: string | Date | null;
}

/** A published number (packages/db `listReported()`), in percent as printed. */
export interface ReportedScore {
  board: string;
  column: string;
  model: string;
  band: string;
  score: number;
  /** The paper's dagger: benchmarked by the source's authors rather than quoted from another report. */
  rerunByAuthors: boolean;
  source: string;
}

/**
 * A flag on a whole model or on one of its cells. It names the model by id (measured rows) or by name (any row
 * of that name), and a cell by board column name or by measured subset; neither means the whole model.
 */
export interface BoardFlag {
  modelId?: string | number | null;
  model?: string | null;
  column?: string | null;
  subset?: string | null;
  reason: string;
}

export type CellSource = 'measured' | 'reported';
export type CellMark = 'best' | 'second' | null;

export interface MeasuredProvenance {
  runId: string;
  n: number | null;
  numFewshot: number | null;
  harnessVersion: string | null;
  taskVersion: string | null;
  promptHash: string | null;
  /** The run formatted its prompts with the checkpoint's chat template rather than as plain text. */
  chatTemplate: boolean;
  /** The checkpoint precision the run loaded, when recorded (float32, float16, q4, …). */
  dtype?: string | null;
  revision: string | null;
  finishedAt: string | null;
  subset: string;
  metricKey: string;
}

/** Where a measured cell has a reported number for the same model and column: measured − reported. */
export interface ReportedGap {
  reported: number;
  source: string;
  rerun: boolean;
  difference: number;
}

export interface BoardCell {
  /** Percent, two decimals; normalised when the view asks for it. */
  value: number;
  source: CellSource;
  rerun: boolean;
  mark: CellMark;
  /** 95% interval in percent (measured cells only). */
  ci95: [number, number] | null;
  /** 1 + the number of cells in the band and column that are better with non-overlapping intervals. */
  rank: number;
  /** Another cell in the band and column cannot be separated from this one (see `ranking.ts`). */
  tied: boolean;
  /** Which report the number comes from (reported cells). */
  reportedBy?: string;
  provenance?: MeasuredProvenance;
  gap?: ReportedGap;
  flag?: string;
}

export interface BoardRow {
  /** Stable key for pinning and URLs: `measured:<modelId>` or `reported:<source>:<model>`. */
  key: string;
  model: string;
  band: string;
  kind: CellSource;
  modelId: string | null;
  modelType: string | null;
  params: number | null;
  /** Latest `finishedAt` among the row's measured cells (ISO), for the date filter. */
  updatedAt: string | null;
  /** Some measured cell of the row comes from a chat-template run (each cell says which in its provenance). */
  chatTemplate: boolean;
  cells: Record<string, BoardCell>;
  average: { value: number | null; complete: boolean; mark: CellMark };
  /** Averages the source printed (e.g. `Avg. Sci`, `Avg. Sci+Math`), as reported. */
  reportedExtras: Record<string, number>;
  flags: Array<{ column: string | null; reason: string }>;
}

export interface BoardView {
  board: string;
  title: string;
  columns: string[];
  averageName: string;
  normalised: boolean;
  rows: BoardRow[];
}
