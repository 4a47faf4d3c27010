/**
 * Published scores (e.g. the SciGLM paper's tables), shown beside measured ones and marked as reported.
 * Input is the long CSV format of shared/reference/sciglm-reported.csv:
 * `board,params_band,model,column,score,rerun_by_authors`.
 */
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { asc } from 'drizzle-orm';
import type { DialectAdapter } from './client.ts';
import { parseCsv } from './csv.ts';
import { excludedSet } from './queries/upsert.ts';
import type { Reported, ReportedSource } from './types.ts';

const COLUMNS = ['board', 'params_band', 'model', 'column', 'score', 'rerun_by_authors'] as const;

export const bundledReportedCsv = resolve(dirname(fileURLToPath(import.meta.url)), '../data/sciglm-reported.csv');

export const SCIGLM_SOURCE: ReportedSource = {
  paper: 'SciGLM: Training Scientific Language Models with Self-Reflective Instruction Annotation and Tuning',
  table: { science: 'Table 3', math: 'Table 4' },
  year: 2024,
  url: 'https://arxiv.org/abs/2401.07950',
};

type ReportedRow = Omit<Reported, 'id'>;

/** A caller's check of one parsed row (e.g. that its board has the column): null when fine, else why not. */
export type ReportedRowCheck = (row: { board: string; column: string; model: string }) => string | null;

/** Parses and checks every row before anything is written; the error names the line and field. */
export function parseReportedCsv(text: string, origin: string, source: ReportedSource, check?: ReportedRowCheck): ReportedRow[] {
  if (!source.paper?.trim()) throw new Error(`${origin}: a reported source needs a paper name`);
  const [header, ...records] = parseCsv(text);
  if (!header) throw new Error(`${origin}: empty file, expected a header ${COLUMNS.join(',')}`);
  const position = Object.fromEntries(COLUMNS.map((name) => [name, header.fields.map((f) => f.trim()).indexOf(name)]));
  const missing = COLUMNS.filter((name) => position[name] === -1);
  if (missing.length > 0) throw new Error(`${origin}:1: missing column(s) ${missing.join(', ')}; expected header ${COLUMNS.join(',')}`);
  return records.map(({ line, fields }) => {
    const at = (name: (typeof COLUMNS)[number]) => (fields[position[name]!] ?? '').trim();
    const fail = (name: (typeof COLUMNS)[number], expected: string): never => {
      throw new Error(`${origin}:${line}: ${name}: expected ${expected}, got ${JSON.stringify(at(name))}`);
    };
    for (const name of ['board', 'params_band', 'model', 'column'] as const) if (!at(name)) fail(name, 'a non-empty value');
    const score = Number(at('score'));
    if (at('score') === '' || !Number.isFinite(score)) fail('score', 'a number');
    const rerun = at('rerun_by_authors').toLowerCase();
    if (rerun !== 'true' && rerun !== 'false' && rerun !== '') fail('rerun_by_authors', 'true or false');
    const table = typeof source.table === 'string' ? source.table : source.table?.[at('board')];
    const problem = check?.({ board: at('board'), column: at('column'), model: at('model') });
    if (problem) throw new Error(`${origin}:${line}: ${problem}`);
    return {
      board: at('board'),
      column: at('column'),
      model: at('model'),
      band: at('params_band'),
      score,
      rerunByAuthors: rerun === 'true',
      sourcePaper: source.paper,
      sourceTable: table ?? null,
      sourceYear: source.year ?? null,
      sourceUrl: source.url ?? null,
    };
  });
}

export function reportedQueries(adapter: DialectAdapter) {
  const { db, tables } = adapter;
  const { reported } = tables;
  return {
    /**
     * Loads a reported-results CSV (a path, or the CSV text itself when it contains a newline). Loading the
     * same rows again updates them in place: a row is identified by board, column, model and paper.
     */
    async loadReportedCsv(pathOrText: string, source: ReportedSource, check?: ReportedRowCheck): Promise<{ rows: number }> {
      const isText = pathOrText.includes('\n');
      const origin = isText ? '<reported csv>' : pathOrText;
      const text = isText ? pathOrText : readFileSync(pathOrText, 'utf8');
      const rows = parseReportedCsv(text, origin, source, check);
      if (rows.length === 0) return { rows: 0 };
      await adapter.transaction((tx) =>
        tx
          .insert(reported)
          .values(rows)
          .onConflictDoUpdate({
            target: [reported.board, reported.column, reported.model, reported.sourcePaper],
            set: excludedSet(reported, ['band', 'score', 'rerunByAuthors', 'sourceTable', 'sourceYear', 'sourceUrl']),
          }),
      );
      return { rows: rows.length };
    },

    async listReported(): Promise<Reported[]> {
      return db
        .select()
        .from(reported)
        .orderBy(asc(reported.board), asc(reported.band), asc(reported.model), asc(reported.column));
    },
  };
}
