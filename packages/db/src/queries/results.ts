import { and, asc, count, eq, lt, type SQL } from 'drizzle-orm';
import type { DialectAdapter, QueryDb } from '../client.ts';
import type { ItemRecord, ResultSink } from '@sciboard/contracts';
import type { ListResultsOptions, ResultRow } from '../types.ts';
import { excludedSet } from './upsert.ts';

// One item's stored result and the sink the evaluator writes through: the evaluator's own shapes, declared once
// in @sciboard/contracts, so what eval produces is what is stored.
export type { ItemRecord, ResultSink };

/** Rows per INSERT: keeps every statement well under SQLite's bound-parameter limit. */
const ROWS_PER_STATEMENT = 500;

export function resultQueries(adapter: DialectAdapter) {
  const { db, tables } = adapter;
  const { results } = tables;

  async function writeResults(tx: QueryDb, runId: number, items: ItemRecord[]): Promise<void> {
    // PostgreSQL refuses an upsert that touches one row twice, so a batch repeating an item keeps its last copy.
    const unique = [...new Map(items.map((item) => [`${item.task}\u0000${item.docIndex}`, item])).values()];
    for (let start = 0; start < unique.length; start += ROWS_PER_STATEMENT) {
      const rows = unique.slice(start, start + ROWS_PER_STATEMENT).map((item) => ({ ...item, notes: item.notes ?? null, answerFound: item.answerFound ?? null, runId }));
      await tx
        .insert(results)
        .values(rows)
        .onConflictDoUpdate({
          target: [results.runId, results.task, results.docIndex],
          set: excludedSet(results, ['docHash', 'promptHash', 'doc', 'request', 'response', 'target', 'filtered', 'scores', 'notes', 'answerFound']),
        });
    }
  }

  return {
    /** Where the evaluator stores each item as soon as it is scored; a rerun resumes from `completed`. */
    resultSink(runId: number): ResultSink {
      return {
        // The sink outlives the call that made it, so its methods take the store's turn themselves.
        completed: (task) =>
          adapter.exclusive(async () => {
            const rows = await db
              .select()
              .from(results)
              .where(and(eq(results.runId, runId), eq(results.task, task)));
            return new Map(rows.map((row) => [row.docIndex, toItemRecord(row)]));
          }),
        write: async (items) => {
          if (items.length === 0) return;
          await adapter.exclusive(() => adapter.transaction((tx) => writeResults(tx, runId, items)));
        },
      };
    },

    async listResults(runId: number, options: ListResultsOptions = {}): Promise<{ total: number; items: ResultRow[] }> {
      const conditions: SQL[] = [eq(results.runId, runId)];
      if (options.task !== undefined) conditions.push(eq(results.task, options.task));
      if (options.onlyWrong !== undefined) conditions.push(lt(adapter.jsonNumber(results.scores, options.onlyWrong), 1));
      const where = and(...conditions);
      const [counted] = await db.select({ total: count() }).from(results).where(where);
      const items = await db
        .select()
        .from(results)
        .where(where)
        .orderBy(asc(results.task), asc(results.docIndex))
        .limit(options.limit ?? 100)
        .offset(options.offset ?? 0);
      return { total: Number(counted?.total ?? 0), items };
    },

    async getResult(runId: number, task: string, docIndex: number): Promise<ResultRow | undefined> {
      const [row] = await db
        .select()
        .from(results)
        .where(and(eq(results.runId, runId), eq(results.task, task), eq(results.docIndex, docIndex)))
        .limit(1);
      return row;
    },
  };
}

export function toItemRecord(row: ResultRow): ItemRecord {
  const { task, docIndex, docHash, promptHash, doc, request, response, target, filtered, scores, notes, answerFound } = row;
  return { task, docIndex, docHash, promptHash, doc, request, response, target, filtered, scores, ...(answerFound ? { answerFound } : {}), ...(notes ? { notes } : {}) };
}
