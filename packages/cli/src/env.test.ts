import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { resolveTarget } from '@sciboard/db';
import { cliEnv } from './env.ts';

describe('the command line configuration', () => {
  it('chooses DATABASE_URL, then SCIBOARD_DB, then the default file', () => {
    expect(resolveTarget(cliEnv({}).database)).toEqual({ dialect: 'sqlite', file: resolve('.sciboard/sciboard.db') });
    expect(resolveTarget(cliEnv({ SCIBOARD_DB: 'elsewhere/x.db' }).database)).toEqual({ dialect: 'sqlite', file: resolve('elsewhere/x.db') });
    expect(resolveTarget(cliEnv({ SCIBOARD_DB: 'elsewhere/x.db', DATABASE_URL: 'postgres://env/db' }).database)).toEqual({ dialect: 'postgres', url: 'postgres://env/db' });
    // An empty DATABASE_URL (as tests and compose files write to unset it) leaves SQLite chosen.
    expect(resolveTarget(cliEnv({ SCIBOARD_DB: 'x.db', DATABASE_URL: '' }).database)).toEqual({ dialect: 'sqlite', file: resolve('x.db') });
  });

  it('reads the lease every process of a deployment shares, and leaves it unset otherwise', () => {
    expect(cliEnv({ SCIBOARD_LEASE_SECONDS: '120' }).leaseSeconds).toBe(120);
    expect(cliEnv({}).leaseSeconds).toBeUndefined();
    expect(cliEnv({ SCIBOARD_LEASE_SECONDS: 'soon' }).leaseSeconds).toBeUndefined();
  });

  it("passes the engine's cache folders and profile down, with the optimised-graph cache off unless asked for", () => {
    expect(cliEnv({}).engine).toEqual({});
    expect(cliEnv({ SCIBOARD_ORT_GRAPH_CACHE: '0', SCIBOARD_CACHE: '/c' }).engine).toEqual({});
    expect(cliEnv({ SCIBOARD_ORT_GRAPH_CACHE: '1', SCIBOARD_CACHE: '/c', SCIBOARD_CACHE_DIR: '/g', SCIBOARD_ORT_PROFILE: '/tmp/prof' }).engine).toEqual({
      optimizedGraphDir: resolve('/c/ort-optimized'),
      graphCacheDir: '/g',
      profilePrefix: '/tmp/prof',
    });
    expect(cliEnv({ SCIBOARD_ORT_GRAPH_CACHE: '1', XDG_CACHE_HOME: '/x' }).engine.optimizedGraphDir).toBe(resolve('/x/sciboard/ort-optimized'));
  });
});
