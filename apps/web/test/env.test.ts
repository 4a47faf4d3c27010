/** The site reads its environment once per process; `reloadSiteEnv()` makes it read again. */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { readSiteEnv, reloadSiteEnv, siteEnv } from '../lib/env.ts';

const saved = process.env.SCIBOARD_SUBMIT_RATE_PER_MINUTE;
afterEach(() => {
  if (saved === undefined) delete process.env.SCIBOARD_SUBMIT_RATE_PER_MINUTE;
  else process.env.SCIBOARD_SUBMIT_RATE_PER_MINUTE = saved;
  reloadSiteEnv();
});

describe('siteEnv', () => {
  it('keeps what it first read until reloaded', () => {
    process.env.SCIBOARD_SUBMIT_RATE_PER_MINUTE = '7';
    reloadSiteEnv();
    const first = siteEnv();
    expect(first.submitRatePerMinute).toBe(7);
    process.env.SCIBOARD_SUBMIT_RATE_PER_MINUTE = '9';
    expect(siteEnv()).toBe(first);
    expect(siteEnv().submitRatePerMinute).toBe(7);
    reloadSiteEnv();
    expect(siteEnv().submitRatePerMinute).toBe(9);
  });

  it('reads the documented variables and defaults', () => {
    const data = mkdtempSync(join(tmpdir(), 'sciboard-env-'));
    const env = readSiteEnv({ SCIBOARD_MODEL_ROOTS: ' /a : /b/c ', SCIBOARD_DB: '/tmp/x.db', SCIBOARD_DATA_DIR: data });
    expect(env.modelRoots).toEqual(['/a', '/b/c']);
    expect(env.database).toEqual({ url: undefined, file: '/tmp/x.db' });
    expect(env.dataDir).toBe(data);
    expect([env.submitRatePerMinute, env.authFailuresPerMinute, env.uploadMaxBytes, env.boardCacheMs]).toEqual([20, 10, 512 * 1024 * 1024, 5000]);
  });
});
