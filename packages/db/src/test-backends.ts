/**
 * The two real backends every query test runs against: a SQLite file in a fresh temp dir, and a fresh
 * database on the local PostgreSQL server (dropped afterwards). Only tests import this module.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';

export const PG_ADMIN_URL = process.env.SCIBOARD_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

export interface TestBackend {
  name: 'sqlite' | 'postgres';
  /** Options for `openDb` pointing at this backend's fresh database. */
  target: { file: string; url?: undefined } | { url: string; file?: undefined };
  dispose(): Promise<void>;
}

export function sqliteBackend(): TestBackend {
  const dir = mkdtempSync(join(tmpdir(), 'sciboard-db-'));
  return {
    name: 'sqlite',
    target: { file: join(dir, 'nested', 'sciboard.db') },
    dispose: async () => rmSync(dir, { recursive: true, force: true }),
  };
}

let counter = 0;

/**
 * A test's prerequisite is missing: printed and skipped on a developer machine, an error under CI=true (so a
 * green CI run means the PostgreSQL tests really ran).
 */
export function skipOrFail(reason: string): void {
  if (process.env.CI === 'true') throw new Error(`${reason}; CI=true requires it, so the tests that need it fail instead of skipping`);
  console.warn(`skipping: ${reason}`);
}

/** Whether the local PostgreSQL server answers; when not, skipOrFail with the reason. */
export async function postgresAvailable(): Promise<boolean> {
  const admin = new pg.Client({ connectionString: PG_ADMIN_URL, connectionTimeoutMillis: 3000 });
  try {
    await admin.connect();
    await admin.end();
    return true;
  } catch (err) {
    skipOrFail(`PostgreSQL tests: no server at ${PG_ADMIN_URL} (${(err as Error).message})`);
    return false;
  }
}

/** Undefined, with the reason printed, when no PostgreSQL server answers (an error under CI=true). */
export async function postgresBackend(): Promise<TestBackend | undefined> {
  const admin = new pg.Client({ connectionString: PG_ADMIN_URL, connectionTimeoutMillis: 3000 });
  try {
    await admin.connect();
  } catch (err) {
    skipOrFail(`PostgreSQL tests: no server at ${PG_ADMIN_URL} (${(err as Error).message})`);
    return undefined;
  }
  const database = `sciboard_test_${process.pid}_${Date.now()}_${counter++}`;
  await admin.query(`CREATE DATABASE ${database}`);
  await admin.end();
  const url = new URL(PG_ADMIN_URL);
  url.pathname = `/${database}`;
  return {
    name: 'postgres',
    target: { url: url.toString() },
    dispose: async () => {
      const client = new pg.Client({ connectionString: PG_ADMIN_URL });
      await client.connect();
      await client.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
      await client.end();
    },
  };
}

export async function allBackends(): Promise<TestBackend[]> {
  const postgres = await postgresBackend();
  return postgres ? [sqliteBackend(), postgres] : [sqliteBackend()];
}
