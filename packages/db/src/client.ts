/**
 * Opens the database and hides the dialect: PostgreSQL when a URL is given, else an embedded SQLite file.
 * The query layer is written once against the PostgreSQL query-builder types; at runtime the SQLite driver
 * and tables stand in for them (Drizzle's select/insert/update/delete/onConflict/returning builders have the
 * same shape in both dialects). Anything that genuinely differs lives in `DialectAdapter`.
 */
import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { sql, type SQL } from 'drizzle-orm';
import { drizzle as drizzleSqlite } from 'drizzle-orm/better-sqlite3';
import { migrate as migrateSqlite } from 'drizzle-orm/better-sqlite3/migrator';
import { drizzle as drizzlePg, type NodePgDatabase } from 'drizzle-orm/node-postgres';
import { migrate as migratePg } from 'drizzle-orm/node-postgres/migrator';
import type { AnyPgColumn } from 'drizzle-orm/pg-core';
import pg from 'pg';
import * as pgSchema from './schema/pg.ts';
import * as sqliteSchema from './schema/sqlite.ts';

export type Tables = typeof pgSchema;
export type QueryDb = NodePgDatabase<Tables>;
export type Dialect = 'sqlite' | 'postgres';

export interface DialectAdapter {
  dialect: Dialect;
  db: QueryDb;
  tables: Tables;
  /**
   * Runs `fn` atomically; everything it writes through `tx` commits together or not at all. On SQLite it
   * must run inside `exclusive`, which every store method takes (see `openSqlite`).
   */
  transaction<T>(fn: (tx: QueryDb) => Promise<T>): Promise<T>;
  /** Runs `fn` with no other store call of this process in between (SQLite); PostgreSQL needs no such lock. */
  exclusive<T>(fn: () => Promise<T>): Promise<T>;
  /** A numeric field of a JSON column, e.g. one metric of a result's `scores`. */
  jsonNumber(column: AnyPgColumn, key: string): SQL<number | null>;
  close(): Promise<void>;
}

export interface OpenDbOptions {
  /** PostgreSQL connection string (the apps read it from DATABASE_URL); when set, `file` is not used. */
  url?: string;
  /** SQLite file (the apps read it from SCIBOARD_DB); default `.sciboard/sciboard.db` under the working directory. */
  file?: string;
  /** Where the migrations live; only tools and tests that stage an older schema need to change it. */
  migrationsFolder?: string;
}

const packageRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const migrationsFolders: Record<Dialect, string> = {
  sqlite: resolve(packageRoot, 'drizzle/sqlite'),
  postgres: resolve(packageRoot, 'drizzle/pg'),
};

/** Any fixed 64-bit key: it only has to be the same in every process migrating the same database. */
const MIGRATION_LOCK_KEY = 7_304_511_203;

export function resolveTarget(options: OpenDbOptions = {}): { dialect: 'postgres'; url: string } | { dialect: 'sqlite'; file: string } {
  if (options.url) return { dialect: 'postgres', url: options.url };
  const file = options.file || '.sciboard/sciboard.db';
  return { dialect: 'sqlite', file: resolve(file) };
}

export async function openAdapter(options: OpenDbOptions = {}): Promise<DialectAdapter> {
  const target = resolveTarget(options);
  return target.dialect === 'postgres'
    ? openPostgres(target.url, options.migrationsFolder ?? migrationsFolders.postgres)
    : openSqlite(target.file, options.migrationsFolder ?? migrationsFolders.sqlite);
}

/** A read-only file or a full disk surfaces mid-run as "attempt to write a readonly database": say which file. */
function namingTheFile(err: unknown, file: string): unknown {
  const code = (err as { code?: unknown } | null)?.code ?? (err as { cause?: { code?: unknown } } | null)?.cause?.code;
  if (err instanceof Error && typeof code === 'string' && /^SQLITE_(READONLY|FULL|IOERR|CANTOPEN)/.test(code)) {
    return new Error(`SQLite database ${file}: ${err.message}`, { cause: err });
  }
  return err;
}

function openSqlite(file: string, migrationsFolder: string): DialectAdapter {
  mkdirSync(dirname(file), { recursive: true });
  let connection: Database.Database;
  try {
    connection = new Database(file);
  } catch (err) {
    throw new Error(`cannot open SQLite database ${file}: ${(err as Error).message}`);
  }
  try {
    connection.pragma('journal_mode = WAL');
  } catch (err) {
    connection.close();
    // WAL keeps -wal and -shm files beside the database: a read-only file or folder, or a full disk, fails here.
    throw new Error(`cannot open SQLite database ${file}: ${(err as Error).message} (it needs a writable file and folder)`);
  }
  // Readers and a writer in other processes share the file: wait for a lock instead of failing at once.
  connection.pragma('busy_timeout = 10000');
  connection.pragma('foreign_keys = ON');
  connection.pragma('synchronous = NORMAL');
  const db = drizzleSqlite(connection, { schema: sqliteSchema });
  migrateSqlite(db, { migrationsFolder });

  // better-sqlite3 transactions must be synchronous; ours await between statements. Every caller in this
  // process shares the one connection, so a query issued by another async flow between those awaits would
  // silently join the open transaction (and vanish with its rollback). Store calls therefore take turns.
  let tail: Promise<unknown> = Promise.resolve();
  const exclusive = <T>(fn: () => Promise<T>): Promise<T> => {
    const run = tail.then(fn).catch((err: unknown) => {
      throw namingTheFile(err, file);
    });
    tail = run.catch(() => undefined);
    return run;
  };
  const transaction = async <T>(fn: (tx: QueryDb) => Promise<T>): Promise<T> => {
    connection.exec('BEGIN IMMEDIATE');
    try {
      const value = await fn(db as unknown as QueryDb);
      connection.exec('COMMIT');
      return value;
    } catch (err) {
      if (connection.inTransaction) connection.exec('ROLLBACK');
      throw err;
    }
  };

  return {
    dialect: 'sqlite',
    db: db as unknown as QueryDb,
    tables: sqliteSchema as unknown as Tables,
    transaction,
    exclusive,
    jsonNumber: (column, key) => sql<number | null>`json_extract(${column}, ${`$."${key.replaceAll('"', '\\"')}"`})`,
    // Waits for the store calls already queued, so none finds the connection closed under it.
    close: () => exclusive(async () => connection.close()).then(() => undefined),
  };
}

async function openPostgres(url: string, migrationsFolder: string): Promise<DialectAdapter> {
  const pool = new pg.Pool({ connectionString: url, max: 4 });
  // An idle pooled connection the server closes (restart, dropped database) is discarded by the pool;
  // without a listener its 'error' event would crash the process.
  pool.on('error', () => undefined);
  // A connection ended while checked out (mid-transaction) also emits 'error' on its client; the query in flight
  // rejects with it and the pool drops the client, so the event itself needs no handling beyond not crashing.
  pool.on('connect', (client) => client.on('error', () => undefined));
  const db = drizzlePg(pool, { schema: pgSchema });
  const lock = await pool.connect().catch((err: Error) => {
    void pool.end();
    throw new Error(`cannot connect to PostgreSQL at ${redact(url)}: ${err.message}`);
  });
  try {
    // Several workers may start against a fresh database at once; only one may create the tables.
    await lock.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
    await migratePg(db, { migrationsFolder });
  } catch (err) {
    lock.release();
    await pool.end();
    throw err;
  }
  await lock.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]);
  lock.release();
  return {
    dialect: 'postgres',
    db,
    tables: pgSchema,
    transaction: async (fn) => {
      // The client is checked out here rather than by drizzle's pool transaction, which sends BEGIN outside its
      // try/finally: a connection the server ended while it sat idle in the pool fails that BEGIN, the client is
      // never released, and pool.end() then waits for it forever (the process exits with an unsettled await).
      const client = await pool.connect();
      let failure: Error | undefined;
      try {
        return await drizzlePg(client, { schema: pgSchema }).transaction((tx) => fn(tx as unknown as QueryDb));
      } catch (err) {
        failure = err instanceof Error ? err : new Error(String(err));
        throw err;
      } finally {
        // After an error the connection may be dead or mid-transaction: the pool discards it rather than reuse it.
        client.release(failure);
      }
    },
    exclusive: (fn) => retryWhenConnectionLost(fn),
    jsonNumber: (column, key) => sql<number | null>`(${column} ->> ${key})::double precision`,
    close: () => pool.end(),
  };
}

/**
 * A server restart or pg_terminate_backend ends the connection under a store call. The call's transaction is
 * rolled back with it, so running the whole call again on a fresh connection neither loses nor doubles a
 * write; a restarting server refuses connections for a moment, hence the few spaced attempts.
 */
async function retryWhenConnectionLost<T>(fn: () => Promise<T>, waitsMs = [100, 500, 1000, 2000, 4000]): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await fn();
    } catch (err) {
      if (attempt >= waitsMs.length || !isConnectionLost(err)) throw err;
      await new Promise((r) => setTimeout(r, waitsMs[attempt]));
    }
  }
}

function isConnectionLost(err: unknown): boolean {
  for (let e = err as { code?: unknown; message?: unknown; cause?: unknown } | undefined; e; e = e.cause as typeof e) {
    if (typeof e.code === 'string' && (/^57P0[123]$/.test(e.code) || e.code.startsWith('08') || e.code === 'ECONNREFUSED' || e.code === 'ECONNRESET')) return true;
    if (typeof e.message === 'string' && /Connection terminated|terminating connection|is not queryable/i.test(e.message)) return true;
  }
  return false;
}

function redact(url: string): string {
  return url.replace(/\/\/([^:@/]+):[^@/]*@/, '//$1:***@');
}
