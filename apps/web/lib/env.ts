/**
 * The site's configuration: the one module of the site that reads the environment, once per process (at the
 * first request that needs it). The packages below take what it reads as options. A process that changes its
 * environment while serving (a test trying another rate limit) calls `reloadSiteEnv()`; the store and the
 * queue stay opened with what they were given first.
 */
import { resolve } from 'node:path';
import { defaultDataDir } from '@sciboard/runs';

export interface SiteEnv {
  /** PostgreSQL (`DATABASE_URL`) or the SQLite file (`SCIBOARD_DB`); neither: packages/db's default file. */
  database: { url?: string; file?: string };
  /** Folders under which submitted checkpoint paths and uploads may lie (`SCIBOARD_MODEL_ROOTS`, colon-separated). */
  modelRoots: string[];
  /** Where the tasks' data is looked for when a submission arrives. */
  dataDir: string;
  /** The queue's lease (`SCIBOARD_LEASE_SECONDS`): submitters and workers of a deployment must agree on it. */
  leaseSeconds?: number;
  /** Submissions per token per minute (`SCIBOARD_SUBMIT_RATE_PER_MINUTE`, default 20). */
  submitRatePerMinute: number;
  /** Failed token checks per client address per minute (`SCIBOARD_AUTH_FAILURES_PER_MINUTE`, default 10). */
  authFailuresPerMinute: number;
  /** Largest upload (`SCIBOARD_UPLOAD_MAX_BYTES`, default 512 MiB). */
  uploadMaxBytes: number;
  /** How long board requests share one read of the scores (`SCIBOARD_BOARD_CACHE_MS`, default 5000; 0: off). */
  boardCacheMs: number;
}

const positiveOr = (text: string | undefined, fallback: number | undefined) => Number(text) || fallback;

let current: SiteEnv | undefined;

/** The configuration this process read from its environment. */
export function siteEnv(): SiteEnv {
  current ??= readSiteEnv(process.env);
  return current;
}

/** Reads the environment again: the next `siteEnv()` sees what was changed since. */
export function reloadSiteEnv(): void {
  current = undefined;
}

export function readSiteEnv(env: Readonly<Record<string, string | undefined>>): SiteEnv {
  let dataDir: string | undefined;
  return {
    database: { url: env.DATABASE_URL || undefined, file: env.SCIBOARD_DB || undefined },
    modelRoots: (env.SCIBOARD_MODEL_ROOTS ?? '')
      .split(':')
      .map((r) => r.trim())
      .filter(Boolean)
      .map((r) => resolve(r)),
    // Looked up only when a submission needs it: board requests read this module too.
    get dataDir() {
      dataDir ??= defaultDataDir(env);
      return dataDir;
    },
    leaseSeconds: positiveOr(env.SCIBOARD_LEASE_SECONDS, undefined),
    submitRatePerMinute: Number(env.SCIBOARD_SUBMIT_RATE_PER_MINUTE ?? 20),
    authFailuresPerMinute: Number(env.SCIBOARD_AUTH_FAILURES_PER_MINUTE ?? 10),
    uploadMaxBytes: Number(env.SCIBOARD_UPLOAD_MAX_BYTES ?? 512 * 1024 * 1024),
    boardCacheMs: Number(env.SCIBOARD_BOARD_CACHE_MS ?? 5000),
  };
}
