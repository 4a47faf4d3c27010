import { openAdapter, type Dialect, type OpenDbOptions } from './client.ts';
import { flagQueries } from './queries/flags.ts';
import { importQueries } from './queries/imports.ts';
import { modelQueries } from './queries/models.ts';
import { resultQueries } from './queries/results.ts';
import { runQueries } from './queries/runs.ts';
import { scoreQueries } from './queries/scores.ts';
import { submissionQueries } from './queries/submissions.ts';
import { tokenQueries } from './queries/tokens.ts';
import { bundledReportedCsv, reportedQueries, SCIGLM_SOURCE } from './reported.ts';
import type { DialectAdapter } from './client.ts';

function buildStore(adapter: DialectAdapter) {
  const queries = {
    ...modelQueries(adapter),
    ...runQueries(adapter),
    ...resultQueries(adapter),
    ...scoreQueries(adapter),
    ...reportedQueries(adapter),
    ...flagQueries(adapter),
    ...importQueries(adapter),
    ...submissionQueries(adapter),
    ...tokenQueries(adapter),
  };
  return {
    dialect: adapter.dialect as Dialect,
    ...takingTurns(queries, adapter),
    // adapter.close waits for queued calls itself; queueing it behind them too would make it wait for itself.
    close: () => adapter.close(),
  };
}

/** Wraps every async query so it runs inside `adapter.exclusive` (`resultSink` returns a sink that does so itself). */
function takingTurns<T extends Record<string, (...args: never[]) => unknown>>(queries: T, adapter: DialectAdapter): T {
  return Object.fromEntries(
    Object.entries(queries).map(([name, query]) => [
      name,
      name === 'resultSink' ? query : (...args: never[]) => adapter.exclusive(async () => query(...args)),
    ]),
  ) as T;
}

/** The project's one door to the database: the same async queries on SQLite and PostgreSQL. */
export type Store = ReturnType<typeof buildStore>;

const adapters = new WeakMap<Store, DialectAdapter>();

/**
 * Opens (and creates and migrates, on first use) the database: PostgreSQL when `url` is set, else the SQLite
 * file `file` or `.sciboard/sciboard.db`. The CLI and the site read both from their environment.
 */
export async function openDb(options: OpenDbOptions = {}): Promise<Store> {
  const adapter = await openAdapter(options);
  const store = buildStore(adapter);
  adapters.set(store, adapter);
  return store;
}

function adapterOf(store: Store): DialectAdapter {
  const adapter = adapters.get(store);
  if (!adapter) throw new Error('not a store opened by openDb');
  return adapter;
}

/**
 * Runs `fn` with a store whose every query belongs to one transaction: all its writes commit together or
 * none do (an import writes a model, a run, its scores and items this way). Inside `fn` use only `tx`: on
 * SQLite the outer store waits for the transaction to end.
 */
export function withTransaction<T>(store: Store, fn: (tx: Store) => Promise<T>): Promise<T> {
  const adapter = adapterOf(store);
  // Inside, queries already hold the store's turn and share the transaction: they must not wait for either.
  const inside = (db: DialectAdapter['db']): DialectAdapter => ({ ...adapter, db, transaction: (inner) => inner(db), exclusive: (inner) => inner() });
  return adapter.exclusive(() => adapter.transaction((db) => fn(buildStore(inside(db)))));
}

/** Loads the SciGLM paper's reported tables carried with this package. */
export function loadBundledReported(store: Store): Promise<{ rows: number }> {
  return store.loadReportedCsv(bundledReportedCsv, SCIGLM_SOURCE);
}
