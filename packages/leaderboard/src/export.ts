/** Exports of a board view (whatever columns, filters and normalisation it was built with). */
import type { BoardCell, BoardRow, BoardView } from './types.ts';

const fixed = (value: number | null | undefined): string => (value === null || value === undefined ? '' : value.toFixed(2));

/**
 * Spreadsheets run a cell that starts with =, +, -, @ (or a tab / carriage return before one) as a formula, so
 * a model named `=HYPERLINK(…)` would act when the export is opened: such text gets a leading apostrophe, which
 * spreadsheets show as text. Numbers (a negative score) are left as they are.
 */
function neutralised(value: string): string {
  return /^[=+\-@\t\r]/.test(value) && !/^-?\d+(\.\d+)?$/.test(value) ? `'${value}` : value;
}

function csvField(raw: string): string {
  const value = neutralised(raw);
  return /[",\n\r]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

/** One row per model; each column has its value plus source and interval, so nothing shown is lost. */
export function boardToCsv(view: BoardView): string {
  const header = ['band', 'model', 'kind'];
  for (const column of view.columns) header.push(column, `${column} source`, `${column} ci95 low`, `${column} ci95 high`);
  header.push(view.averageName, `${view.averageName} complete`, 'flags');
  const lines = [header.map(csvField).join(',')];
  for (const row of view.rows) {
    const fields = [row.band, row.model, row.kind];
    for (const column of view.columns) {
      const cell = row.cells[column];
      const source = cell ? (cell.rerun ? `${cell.source} (rerun by authors)` : cell.provenance?.chatTemplate ? `${cell.source} (chat template)` : cell.source) : '';
      fields.push(fixed(cell?.value), source, fixed(cell?.ci95?.[0]), fixed(cell?.ci95?.[1]));
    }
    fields.push(fixed(row.average.value), String(row.average.complete), row.flags.map((f) => f.reason).join('; '));
    lines.push(fields.map(csvField).join(','));
  }
  return `${lines.join('\n')}\n`;
}

/** The API and CLI JSON shape. */
export function boardToJson(view: BoardView): string {
  return `${JSON.stringify(view, null, 2)}\n`;
}

const LATEX_SPECIAL: Record<string, string> = {
  '\\': '\\textbackslash{}',
  '&': '\\&',
  '%': '\\%',
  $: '\\$',
  '#': '\\#',
  _: '\\_',
  '{': '\\{',
  '}': '\\}',
  '~': '\\textasciitilde{}',
  '^': '\\textasciicircum{}',
};

export function escapeLatex(text: string): string {
  return text.replace(/[\\&%$#_{}~^]/g, (ch) => LATEX_SPECIAL[ch]!);
}

function latexCell(cell: Pick<BoardCell, 'value' | 'mark' | 'rerun'> | undefined): string {
  if (!cell) return '-';
  let text = cell.value.toFixed(2);
  if (cell.mark === 'best') text = `\\textbf{${text}}`;
  else if (cell.mark === 'second') text = `\\underline{${text}}`;
  return cell.rerun ? `${text}$^\\dagger$` : text;
}

function latexAverage(row: BoardRow): string {
  if (row.average.value === null) return '-';
  const text = latexCell({ value: row.average.value, mark: row.average.mark, rerun: false });
  return row.average.complete ? text : `${text}$^*$`;
}

/** booktabs table in the paper's layout: a spanning band heading, then the band's models. */
export function boardToLatex(view: BoardView): string {
  const width = view.columns.length + 2;
  const out = [
    `\\begin{tabular}{l${'c'.repeat(view.columns.length + 1)}}`,
    '\\toprule',
    `Model & ${[...view.columns, view.averageName].map(escapeLatex).join(' & ')} \\\\`,
  ];
  let band: string | null = null;
  for (const row of view.rows) {
    if (row.band !== band) {
      band = row.band;
      out.push('\\midrule', `\\multicolumn{${width}}{c}{\\textit{${escapeLatex(band)}}} \\\\`, '\\midrule');
    }
    const name = row.kind === 'measured' ? `${escapeLatex(row.model)} (measured)` : escapeLatex(row.model);
    const cells = view.columns.map((c) => latexCell(row.cells[c]));
    out.push(`${name} & ${[...cells, latexAverage(row)].join(' & ')} \\\\`);
  }
  out.push('\\bottomrule', '\\end{tabular}');
  return `${out.join('\n')}\n`;
}

function textCell(value: number, mark: BoardCell['mark'], suffix: string): string {
  const wrap = mark === 'best' ? '**' : mark === 'second' ? '_' : '';
  return `${wrap}${value.toFixed(2)}${wrap}${suffix}`;
}

/** Fixed-width text table for the terminal: `**` best, `_` second, `†` rerun by the source's authors, `ᶜ` chat template. */
export function boardToText(view: BoardView): string {
  const header = ['Band', 'Model', ...view.columns, view.averageName];
  const body = view.rows.map((row) => [
    row.band,
    row.kind === 'measured' ? `${row.model} [measured${row.chatTemplate ? ', chat' : ''}]` : row.model,
    ...view.columns.map((c) => {
      const cell = row.cells[c];
      return cell ? textCell(cell.value, cell.mark, cell.rerun ? '†' : cell.provenance?.chatTemplate ? 'ᶜ' : '') : '-';
    }),
    row.average.value === null ? '-' : textCell(row.average.value, row.average.mark, row.average.complete ? '' : '*'),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((r) => r[i]!.length)));
  const line = (cells: string[]): string => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd();
  return `${[line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...body.map(line)].join('\n')}\n`;
}
