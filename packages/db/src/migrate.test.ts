import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { migrationsFolders, openDb } from './index.ts';
import { allBackends, type TestBackend } from './test-backends.ts';

const backends = await allBackends();
const staging = mkdtempSync(join(tmpdir(), 'sciboard-migrations-'));

/** A copy of a dialect's migrations cut down to the first one: the schema an old database was made with. */
function firstMigrationOnly(dialect: 'sqlite' | 'postgres'): string {
  const source = migrationsFolders[dialect];
  const journal = JSON.parse(readFileSync(join(source, 'meta/_journal.json'), 'utf8')) as { entries: { tag: string }[] };
  expect(journal.entries.length).toBeGreaterThan(1);
  const out = join(staging, dialect);
  mkdirSync(join(out, 'meta'), { recursive: true });
  const first = journal.entries[0]!;
  cpSync(join(source, `${first.tag}.sql`), join(out, `${first.tag}.sql`));
  writeFileSync(join(out, 'meta/_journal.json'), JSON.stringify({ ...journal, entries: [first] }));
  return out;
}

async function tableNames(backend: TestBackend): Promise<string[]> {
  if (backend.target.file) {
    const db = new Database(backend.target.file, { readonly: true });
    const rows = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '__drizzle%'").all() as { name: string }[];
    db.close();
    return rows.map((r) => r.name).sort();
  }
  const client = new pg.Client({ connectionString: backend.target.url });
  await client.connect();
  const { rows } = await client.query<{ table_name: string }>("SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'");
  await client.end();
  return rows.map((r) => r.table_name).sort();
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

describe.each(backends.map((b) => [b.name, b] as const))('migrations on %s', (_name, backend) => {
  it('upgrades a database made with the first migration in place, keeping its rows', async () => {
    const old = await openDb({ ...backend.target, migrationsFolder: firstMigrationOnly(backend.name) });
    await old.close();
    expect(await tableNames(backend)).toEqual(['models', 'reported', 'results', 'runs', 'scores']);
    // Rows as the previous version of the schema wrote them (today's queries would name the newer columns).
    await execute(backend, [
      "INSERT INTO models (name, params, band) VALUES ('kept-model', 13, '12B-13B')",
      "INSERT INTO runs (model_id, task, config, config_hash, status) VALUES (1, 'gsm8k', '{\"numFewshot\":5}', 'h', 'finished')",
      "INSERT INTO scores (run_id, subset, metric, value) VALUES (1, 'gsm8k', 'exact_match', 0.25)",
    ]);
    const model = { id: 1 };
    const runRow = { id: 1 };

    const upgraded = await openDb(backend.target);
    expect(await tableNames(backend)).toEqual(['api_tokens', 'flags', 'imports', 'models', 'reported', 'results', 'run_scoring', 'runs', 'scores', 'submission_shards', 'submissions']);
    expect(await upgraded.getModel('kept-model')).toMatchObject({ id: model.id, band: '12B-13B', trainingRun: null, step: null });
    expect((await upgraded.scoresForRun(runRow.id))[0]?.value).toBe(0.25);
    expect((await upgraded.getRun(runRow.id))?.config).toEqual({ numFewshot: 5 });
    const withHistory = await upgraded.upsertModel({ name: 'kept-model', trainingRun: 'run-a', step: 1000 });
    expect(withHistory).toMatchObject({ trainingRun: 'run-a', step: 1000 });
    await upgraded.addFlag({ modelId: model.id, reason: 'added after the upgrade' });
    // Columns added since, such as the items' answer_found, are there for the evaluator's records.
    const stored = {
      task: 'gsm8k', docIndex: 0, docHash: 'd', promptHash: 'p', doc: {}, target: '1', filtered: { 'strict-match': '1' }, scores: { 'exact_match,strict-match': 1 },
      request: { kind: 'generate_until', context: 'Q', until: ['\n'], maxTokens: 8 }, response: { kind: 'generate_until', text: '#### 1', finishReason: 'stop' },
      answerFound: { 'strict-match': true },
    } as const;
    await upgraded.resultSink(runRow.id).write([{ ...stored, request: { ...stored.request, until: [...stored.request.until] } }]);
    expect((await upgraded.resultSink(runRow.id).completed('gsm8k')).get(0)?.answerFound).toEqual({ 'strict-match': true });
    await upgraded.close();

    // Opening again is a no-op: nothing is applied twice.
    const again = await openDb(backend.target);
    expect((await again.listFlags()).length).toBe(1);
    await again.close();
  });
});
