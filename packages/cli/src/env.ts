import { join } from 'node:path';
import { cacheRoot } from '@sciboard/runs';
import type { RuntimeSettings } from '@sciboard/onnx';

/**
 * The command line's configuration: the one module of the CLI that reads the environment. Commands take what
 * they need from `cliEnv()` and pass it down as options. Read at each call, since `start` and the tests run
 * commands in one process with the database chosen per command.
 */
export interface CliEnv {
  /** The whole environment, for the packages that take one (datasets' Hub settings and cache) and for child processes. */
  vars: NodeJS.ProcessEnv;
  /** PostgreSQL (`DATABASE_URL`) or the SQLite file (`SCIBOARD_DB`); neither: packages/db's default file. */
  database: { url?: string; file?: string };
  /** The queue's lease (`SCIBOARD_LEASE_SECONDS`), the same for every process of a deployment; unset: the queue's default. */
  leaseSeconds?: number;
  /** Who submits from this machine (`USER`). */
  user?: string;
  /** Print the stack of an error (`SCIBOARD_DEBUG`). */
  debug: boolean;
  /** The site's port for `start` (`PORT`). */
  port?: string;
  /**
   * The engine's files: rewritten graphs (`SCIBOARD_CACHE_DIR`), ONNX Runtime's optimised graphs under the cache
   * folder when `SCIBOARD_ORT_GRAPH_CACHE=1`, its per-operator profile (`SCIBOARD_ORT_PROFILE`).
   */
  engine: RuntimeSettings;
}

export function cliEnv(vars: NodeJS.ProcessEnv = process.env): CliEnv {
  return {
    vars,
    database: { url: vars.DATABASE_URL || undefined, file: vars.SCIBOARD_DB || undefined },
    leaseSeconds: Number(vars.SCIBOARD_LEASE_SECONDS) || undefined,
    user: vars.USER,
    debug: Boolean(vars.SCIBOARD_DEBUG),
    port: vars.PORT,
    engine: {
      ...(vars.SCIBOARD_CACHE_DIR ? { graphCacheDir: vars.SCIBOARD_CACHE_DIR } : {}),
      ...(vars.SCIBOARD_ORT_GRAPH_CACHE === '1' ? { optimizedGraphDir: join(cacheRoot(vars), 'ort-optimized') } : {}),
      ...(vars.SCIBOARD_ORT_PROFILE ? { profilePrefix: vars.SCIBOARD_ORT_PROFILE } : {}),
    },
  };
}
