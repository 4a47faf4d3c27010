/**
 * A board view's whole state lives in the URL so a view can be shared: filters, search, shown columns, pinned
 * rows, sort and normalisation. This module parses that state (rejecting nonsense with a message naming the
 * parameter) and applies the filters; the same parser serves the pages and the JSON/CSV/LaTeX API.
 */
import {
  type BoardDefinition,
  type BoardInputs,
  type BoardRow,
  type BoardView,
  buildBoard,
  canonicalBands,
  compareBands,
} from '@sciboard/runs/boards';
import { z } from 'zod';

export type SearchParams = Record<string, string | string[] | undefined>;

const list = z
  .string()
  .optional()
  .transform((s) => (s ? s.split(',').map((x) => x.trim()).filter(Boolean) : []));
const flag = z
  .enum(['0', '1', 'true', 'false'])
  .optional()
  .transform((v) => v === '1' || v === 'true');

const boardQuerySchema = z.object({
  band: list,
  type: list,
  source: z.enum(['all', 'measured', 'reported']).default('all'),
  since: z
    .string()
    .regex(/^\d{4}-\d{2}-\d{2}$/, 'expected a date as YYYY-MM-DD')
    .optional(),
  q: z.string().max(200).optional(),
  cols: list,
  pin: list,
  sort: z
    .string()
    .regex(/^[^:]+:(asc|desc)$/, 'expected <column>:asc or <column>:desc')
    .optional(),
  norm: flag,
  flagged: z.enum(['show', 'hide', 'only']).default('show'),
  page: z.coerce.number().int('expected a whole page number').min(1, 'expected a page number from 1').default(1),
});

/** Rows per page of the board table: the page stays light (every measured cell carries its hover card). */
export const ROWS_PER_PAGE = 100;

export type BoardQuery = z.output<typeof boardQuerySchema>;

export class QueryError extends Error {}

function single(params: SearchParams): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(params)) {
    // Repeated parameters (checkbox groups submitted by the filter form) are the same as a comma list.
    const v = Array.isArray(value) ? value.join(',') : value;
    if (v !== undefined && v !== '') out[key] = v;
  }
  return out;
}

export function parseBoardQuery(params: SearchParams, board: BoardDefinition): BoardQuery {
  const parsed = boardQuerySchema.safeParse(single(params));
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new QueryError(`query parameter "${issue.path.join('.')}": ${issue.message}`);
  }
  const query = parsed.data;
  const names = board.columns.map((c) => c.name);
  for (const c of query.cols) {
    if (!names.includes(c)) throw new QueryError(`query parameter "cols": unknown column "${c}" (expected ${names.join(', ')})`);
  }
  if (query.sort) {
    const column = query.sort.slice(0, query.sort.lastIndexOf(':'));
    if (![...names, 'model', 'average'].includes(column)) {
      throw new QueryError(`query parameter "sort": unknown column "${column}"`);
    }
  }
  return query;
}


export interface FilteredBoard {
  view: BoardView;
  /** Facets of the unfiltered board, for the filter controls. */
  bands: string[];
  modelTypes: string[];
  totalRows: number;
}

export function filteredBoard(board: BoardDefinition, inputs: BoardInputs, query: BoardQuery): FilteredBoard {
  const columns = query.cols.length > 0 ? query.cols : undefined;
  // Facets come from the inputs, not the filtered rows, so a filter never hides its own way back.
  const reported = inputs.reported.filter((r) => r.board === board.id);
  const subsets = new Set(board.columns.map((c) => c.subset));
  const measured = inputs.measured.filter((m) => subsets.has(m.subset));
  const bandNames = canonicalBands([...reported.map((r) => r.band), ...measured.map((m) => m.band)]);
  const bands = [...new Set(bandNames.values())].sort(compareBands);
  const modelTypes = [...new Set(measured.map((m) => m.modelType).filter((t): t is string => !!t))].sort();
  const totalRows = new Set([...reported.map((r) => `${r.source}\u0000${r.model}`), ...measured.map((m) => String(m.modelId))]).size;
  const needle = query.q?.trim().toLowerCase();
  const keep = (row: BoardRow): boolean =>
    (query.band.length === 0 || query.band.includes(row.band)) &&
    (query.type.length === 0 || (row.modelType !== null && query.type.includes(row.modelType))) &&
    (query.source === 'all' || row.kind === query.source) &&
    // Reported rows carry no date, so a date filter keeps only rows measured since then.
    (!query.since || (row.updatedAt !== null && row.updatedAt.slice(0, 10) >= query.since)) &&
    (!needle || row.model.toLowerCase().includes(needle)) &&
    (query.flagged !== 'only' || row.flags.length > 0);
  const view = buildBoard(board, {
    ...inputs,
    normalise: query.norm,
    excludeFlagged: query.flagged === 'hide',
    columns,
    rowFilter: (row) => query.pin.includes(row.key) || keep(row),
  });
  return { view: { ...view, rows: sortRows(view.rows, query) }, bands, modelTypes, totalRows };
}

/** One page of rows; pinned rows stay on every page, above the rest. */
export function pageOfRows(rows: BoardRow[], query: Pick<BoardQuery, 'pin' | 'page'>): { rows: BoardRow[]; pages: number } {
  const pinned = rows.filter((r) => query.pin.includes(r.key));
  const rest = rows.filter((r) => !query.pin.includes(r.key));
  const pages = Math.max(1, Math.ceil(rest.length / ROWS_PER_PAGE));
  const start = (Math.min(query.page, pages) - 1) * ROWS_PER_PAGE;
  return { rows: [...pinned, ...rest.slice(start, start + ROWS_PER_PAGE)], pages };
}

/** Pinned rows first (in pin order), then the sort, or the paper's band grouping when unsorted. */
export function sortRows(rows: BoardRow[], query: Pick<BoardQuery, 'sort' | 'pin'>): BoardRow[] {
  const pinned = query.pin.map((key) => rows.find((r) => r.key === key)).filter((r): r is BoardRow => !!r);
  const rest = rows.filter((r) => !query.pin.includes(r.key));
  if (query.sort) {
    const at = query.sort.lastIndexOf(':');
    const column = query.sort.slice(0, at);
    const desc = query.sort.slice(at + 1) === 'desc';
    const valueOf = (row: BoardRow): number | string | undefined =>
      column === 'model' ? row.model.toLowerCase() : column === 'average' ? (row.average.value ?? undefined) : row.cells[column]?.value;
    rest.sort((a, b) => {
      const va = valueOf(a);
      const vb = valueOf(b);
      // Missing values sink to the bottom whatever the direction, as a dash is not a low score.
      if (va === undefined || vb === undefined) return va === vb ? 0 : va === undefined ? 1 : -1;
      const order = va < vb ? -1 : va > vb ? 1 : 0;
      return desc ? -order : order;
    });
  }
  return [...pinned, ...rest];
}

/** Serialises a query back to URL parameters, dropping defaults so shared links stay short. */
export function queryToSearch(query: Partial<BoardQuery>): string {
  const params = new URLSearchParams();
  if (query.band?.length) params.set('band', query.band.join(','));
  if (query.type?.length) params.set('type', query.type.join(','));
  if (query.source && query.source !== 'all') params.set('source', query.source);
  if (query.since) params.set('since', query.since);
  if (query.q) params.set('q', query.q);
  if (query.cols?.length) params.set('cols', query.cols.join(','));
  if (query.pin?.length) params.set('pin', query.pin.join(','));
  if (query.sort) params.set('sort', query.sort);
  if (query.norm) params.set('norm', '1');
  if (query.page && query.page > 1) params.set('page', String(query.page));
  if (query.flagged && query.flagged !== 'show') params.set('flagged', query.flagged);
  const text = params.toString();
  return text ? `?${text}` : '';
}
