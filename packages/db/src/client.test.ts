import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { bandForParams, openDb, resolveTarget } from './index.ts';
import { parseCsv } from './csv.ts';

const savedEnv = { DATABASE_URL: process.env.DATABASE_URL, SCIBOARD_DB: process.env.SCIBOARD_DB };
afterEach(() => {
  for (const [key, value] of Object.entries(savedEnv)) {
    if (value === undefined) delete process.env[key];
    else process.env[key] = value;
  }
});

describe('choosing the database', () => {
  it('prefers a url, then a file, then .sciboard/sciboard.db, whatever the environment says', () => {
    // The CLI and the site read DATABASE_URL and SCIBOARD_DB (packages/cli/src/env.test.ts); the package does not.
    process.env.DATABASE_URL = 'postgres://env/db';
    process.env.SCIBOARD_DB = 'elsewhere/x.db';
    expect(resolveTarget()).toEqual({ dialect: 'sqlite', file: resolve('.sciboard/sciboard.db') });
    expect(resolveTarget({ file: 'given.db' })).toEqual({ dialect: 'sqlite', file: resolve('given.db') });
    expect(resolveTarget({ url: 'postgres://given/db', file: 'given.db' })).toEqual({ dialect: 'postgres', url: 'postgres://given/db' });
  });

  it('creates .sciboard/ under the working directory on first use', async () => {
    delete process.env.DATABASE_URL;
    delete process.env.SCIBOARD_DB;
    const dir = mkdtempSync(join(tmpdir(), 'sciboard-cwd-'));
    const cwd = process.cwd();
    process.chdir(dir);
    try {
      const store = await openDb();
      await store.upsertModel({ name: 'here' });
      await store.close();
      expect(existsSync(join(dir, '.sciboard/sciboard.db'))).toBe(true);
    } finally {
      process.chdir(cwd);
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('says which server it could not reach, without the password', async () => {
    await expect(openDb({ url: 'postgres://postgres:secret@127.0.0.1:1/nothing' })).rejects.toThrow(
      /^cannot connect to PostgreSQL at postgres:\/\/postgres:\*\*\*@127\.0\.0\.1:1\/nothing/,
    );
  });
});

describe('bandForParams', () => {
  it('puts sizes in the nearest named band and unknown or API models under API', () => {
    expect([1.1, 3, 4, 6.7, 7.2, 8, 13, 14, 32, 34, 65, 72.7, 180].map((b) => bandForParams(b))).toEqual([
      '≤3B', '≤3B', '≤3B', '6B-7B', '6B-7B', '6B-7B', '12B-13B', '12B-13B', '30B-34B', '30B-34B', '65B-72B', '65B-72B', '>72B',
    ]);
    expect(bandForParams(undefined)).toBe('API');
    expect(bandForParams(7, 'api')).toBe('API');
    expect(() => bandForParams(-1)).toThrow(/positive/);
  });
});

describe('parseCsv', () => {
  it('handles quotes, embedded commas, doubled quotes, CRLF and blank lines, keeping line numbers', () => {
    expect(parseCsv('a,b\r\n"x, y","say ""hi"""\n\nlast,1')).toEqual([
      { line: 1, fields: ['a', 'b'] },
      { line: 2, fields: ['x, y', 'say "hi"'] },
      { line: 4, fields: ['last', '1'] },
    ]);
    expect(() => parseCsv('a\n"open')).toThrow('line 2: unterminated quoted field');
  });
});
