/**
 * A server that ends the pool's idle connections (a restart, pg_terminate_backend) must not leave a pooled client
 * checked out for ever: the next transaction's BEGIN fails on such a connection, and if that client were not
 * released, closing the store would wait for it indefinitely (an evaluation that had stored everything would then
 * exit with an unsettled await instead of 0).
 */
import { sql } from 'drizzle-orm';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openAdapter, type DialectAdapter } from './client.ts';
import { PG_ADMIN_URL, postgresBackend, type TestBackend } from './test-backends.ts';

const backend = await postgresBackend();

describe.skipIf(!backend)('PostgreSQL connections ended while idle in the pool', () => {
  let adapter: DialectAdapter;
  let admin: pg.Client;
  beforeAll(async () => {
    adapter = await openAdapter({ url: (backend as TestBackend).target.url });
    admin = new pg.Client({ connectionString: PG_ADMIN_URL });
    await admin.connect();
  });
  afterAll(async () => {
    await admin?.end();
    await backend?.dispose();
  });

  it('a transaction whose connection ends under it is retried whole on a fresh one', async () => {
    // The connection ends mid-transaction and the next statement meets a client that is no longer queryable; drizzle's
    // ROLLBACK then fails the same way, and that is the error the caller sees. It is a lost connection, not a bug.
    let attempts = 0;
    const result = await adapter.exclusive(() =>
      adapter.transaction(async (tx) => {
        attempts++;
        if (attempts === 1) await tx.execute(sql`select pg_terminate_backend(pg_backend_pid())`).catch(() => undefined);
        return tx.execute(sql`select 42 as answer`);
      }),
    );
    expect(attempts).toBe(2);
    expect((result as unknown as { rows: { answer: number }[] }).rows[0]!.answer).toBe(42);
  });

  it('transactions on ended connections fail or retry, and the store still closes', async () => {
    const database = new URL((backend as TestBackend).target.url!).pathname.slice(1);
    const outcomes: string[] = [];
    for (let round = 0; round < 5; round++) {
      // Fill the pool with idle connections, end them all on the server, and start transactions at once.
      await Promise.all(Array.from({ length: 4 }, () => adapter.transaction((tx) => tx.execute(sql`select pg_sleep(0.02)`))));
      await admin.query("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND backend_type = 'client backend'", [database]);
      const attempts = await Promise.allSettled(Array.from({ length: 4 }, () => adapter.transaction((tx) => tx.execute(sql`select 1 as one`))));
      outcomes.push(...attempts.map((a) => a.status));
    }
    // Some attempts met a dead connection (otherwise the test proved nothing) ...
    expect(outcomes).toContain('rejected');
    // ... and none of them kept a client checked out.
    const closed = await Promise.race([adapter.close().then(() => 'closed'), new Promise((r) => setTimeout(() => r('still waiting'), 5000))]);
    expect(closed).toBe('closed');
  });
});
