import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';

/** The environment variables a caller read (the apps pass theirs; the package reads none itself). */
export type Environment = Readonly<Record<string, string | undefined>>;

/** `$SCIBOARD_CACHE`, else `~/.cache/sciboard` (`$XDG_CACHE_HOME/sciboard` when that is set). */
export function cacheRoot(env: Environment): string {
  if (env.SCIBOARD_CACHE) return resolve(env.SCIBOARD_CACHE);
  return join(env.XDG_CACHE_HOME ? resolve(env.XDG_CACHE_HOME) : join(homedir(), '.cache'), 'sciboard');
}

/** The pulled datasets, in the release layout the loaders read: the cache is a data directory like any other. */
export function dataCacheDir(env: Environment): string {
  return join(cacheRoot(env), 'data');
}

/** Downloaded Hub files, kept so a later pull (or a resumed one) does not fetch them again. */
export function hubCacheDir(env: Environment): string {
  return join(cacheRoot(env), 'hub');
}

export interface ResolvedDataDir {
  dir: string;
  /** Where it came from, for messages. */
  source: 'option' | 'SCIBOARD_DATA_DIR' | 'default' | 'cache';
  exists: boolean;
}

/**
 * The one place the datasets folder is chosen: `--data-dir`, then `$SCIBOARD_DATA_DIR` (both taken as given),
 * then any caller defaults that exist (a checkout's ../shared/data), then the pull cache.
 */
export function resolveDataDir(given: string | undefined, options: { env: Environment; defaults?: string[] }): ResolvedDataDir {
  const { env } = options;
  if (given) return { dir: resolve(given), source: 'option', exists: existsSync(given) };
  if (env.SCIBOARD_DATA_DIR) return { dir: resolve(env.SCIBOARD_DATA_DIR), source: 'SCIBOARD_DATA_DIR', exists: existsSync(env.SCIBOARD_DATA_DIR) };
  for (const d of options.defaults ?? []) if (existsSync(d)) return { dir: resolve(d), source: 'default', exists: true };
  const cache = dataCacheDir(env);
  return { dir: cache, source: 'cache', exists: existsSync(cache) };
}
