/**
 * The helpers that decide whether a test's prerequisite (PostgreSQL, chromium, unshare, a shared fixture) is
 * there: on a developer machine a missing one is printed and the tests skip; under CI=true it throws, so a
 * green CI run means those tests ran.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { skipOrFail as dbSkipOrFail } from '../../../packages/db/src/test-backends.ts';
import { skipOrFail as evalSkipOrFail } from '../../../packages/eval/src/testing/sharedData.ts';
import { chromiumAvailable } from './server.ts';

const ci = process.env.CI;
afterEach(() => {
  if (ci === undefined) delete process.env.CI;
  else process.env.CI = ci;
  vi.restoreAllMocks();
});

describe('a missing test prerequisite', () => {
  it('is printed and skipped outside CI', () => {
    delete process.env.CI;
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    expect(() => dbSkipOrFail('no PostgreSQL')).not.toThrow();
    expect(evalSkipOrFail('no fixture')).toBe('no fixture');
    expect(chromiumAvailable('browser tests', '/nonexistent/chromium')).toBe(false);
    expect(warn.mock.calls.map((c) => String(c[0]))).toEqual([
      expect.stringContaining('no PostgreSQL'),
      expect.stringContaining('no fixture'),
      expect.stringContaining('/nonexistent/chromium not found'),
    ]);
  });

  it('fails the run under CI=true', () => {
    process.env.CI = 'true';
    expect(() => dbSkipOrFail('no PostgreSQL')).toThrow(/no PostgreSQL; CI=true requires it/);
    expect(() => evalSkipOrFail('no fixture')).toThrow(/no fixture; CI=true requires it/);
    expect(() => chromiumAvailable('browser tests', '/nonexistent/chromium')).toThrow(/CI=true requires it/);
  });
});
