/**
 * One live submission per checkpoint and configuration, decided by the database: the unique index on live
 * dedupe keys refuses every concurrent copy, and the migration that adds it upgrades databases that already
 * hold duplicates from the racy days.
 */
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { DuplicateSubmissionError, migrationsFolders, openDb, type Store } from './index.ts';
import { allBackends, type TestBackend } from './test-backends.ts';

const backends = await allBackends();
const staging = mkdtempSync(join(tmpdir(), 'sciboard-dedupe-'));

/** The migrations as they were before the unique index: what an older database was made with. */
function migrationsBefore(dialect: 'sqlite' | 'postgres', tag: string): string {
  const source = migrationsFolders[dialect];
  const journal = JSON.parse(readFileSync(join(source, 'meta/_journal.json'), 'utf8')) as { entries: { tag: string }[] };
  const cut = journal.entries.findIndex((e) => e.tag === tag);
  expect(cut).toBeGreaterThan(0);
  const out = join(staging, `${dialect}-${Date.now()}`);
  mkdirSync(join(out, 'meta'), { recursive: true });
  for (const entry of journal.entries.slice(0, cut)) cpSync(join(source, `${entry.tag}.sql`), join(out, `${entry.tag}.sql`));
  writeFileSync(join(out, 'meta/_journal.json'), JSON.stringify({ ...journal, entries: journal.entries.slice(0, cut) }));
  return out;
}

async function submissionWith(store: Store, key: string) {
  const model = await store.upsertModel({ name: `m-${key}-${Math.random()}` });
  const run = await store.createRun({ modelId: model.id, task: 'suite', config: {} });
  return store.createSubmission({ payload: {}, dedupeKey: key, shards: [{ runId: run.id, subset: 'suite', task: 't' }] });
}

async function execute(backend: TestBackend, statements: string[]): Promise<void> {
  if (backend.target.file) {
    const db = new Database(backend.target.file);
    for (const statement of statements) db.exec(statement);
    db.close();
    return;
  }
  const client = new pg.Client({ connectionString: backend.target.url });
  await client.connect();
  for (const statement of statements) await client.query(statement);
  await client.end();
}

afterAll(async () => {
  for (const backend of backends) await backend.dispose();
  rmSync(staging, { recursive: true, force: true });
});

describe.each(backends.map((b) => [b.name, b] as const))('submission dedupe keys on %s', (_name, backend: TestBackend) => {
  it('an old database holding duplicate live keys migrates: the oldest keeps the key, the rest stay as rows', async () => {
    const old = await openDb({ ...backend.target, migrationsFolder: migrationsBefore(backend.name, '0003_submission_dedupe_unique') });
    await old.close();
    // Written as the old code could write them: nothing stopped a second live row with the same key.
    const insert = "INSERT INTO submissions (payload, dedupe_key, progress) VALUES ('{}', 'dup', 0)";
    await execute(backend, [insert, insert, insert]);
    const [a, b, c] = [1, 2, 3].map((id) => ({ submission: { id } })) as [{ submission: { id: number } }, { submission: { id: number } }, { submission: { id: number } }];
    const again = await openDb({ ...backend.target, migrationsFolder: migrationsBefore(backend.name, '0003_submission_dedupe_unique') });
    await again.failSubmission(c.submission.id, 'failed long ago');
    await again.close();

    const store = await openDb(backend.target);
    try {
      const keys = Object.fromEntries((await store.listSubmissions()).map((s) => [s.id, [s.dedupeKey, s.status]]));
      expect(keys).toEqual({
        [a.submission.id]: ['dup', 'queued'],
        [b.submission.id]: [null, 'queued'],
        [c.submission.id]: ['dup', 'failed'],
      });
      expect((await store.findSubmissionByDedupeKey('dup'))?.id).toBe(a.submission.id);
    } finally {
      await store.close();
    }
  });

  it('of concurrent inserts with one key, from separate connections, exactly one is stored; a failed one frees the key', async () => {
    const stores = await Promise.all([0, 1, 2].map(() => openDb(backend.target)));
    try {
      // better-sqlite3 is synchronous: in one process its connections take turns (processes racing on one file
      // are serialised the same way by SQLite's write lock); PostgreSQL's really run at once.
      const outcomes =
        backend.name === 'sqlite'
          ? await stores.reduce<Promise<PromiseSettledResult<unknown>[]>>(
              async (done, s) => [...(await done), ...(await Promise.allSettled([submissionWith(s, 'race')]))],
              Promise.resolve([]),
            )
          : await Promise.allSettled(stores.map((s) => submissionWith(s, 'race')));
      expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
      for (const o of outcomes) if (o.status === 'rejected') expect(o.reason).toBeInstanceOf(DuplicateSubmissionError);
      const live = (await stores[0]!.listSubmissions()).filter((s) => s.dedupeKey === 'race');
      expect(live).toHaveLength(1);
      await stores[0]!.failSubmission(live[0]!.id, 'worker gave up');
      await expect(submissionWith(stores[1]!, 'race')).resolves.toBeTruthy();
    } finally {
      for (const s of stores) await s.close();
    }
  });
});
