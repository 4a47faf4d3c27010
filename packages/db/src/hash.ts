import { createHash } from 'node:crypto';

export function sha256(text: string | Buffer): string {
  return createHash('sha256').update(text).digest('hex');
}

/** JSON with object keys sorted at every depth, so equal values hash equally whatever their key order. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : v,
  );
}

/**
 * Configuration recorded with a run that is not part of what it measured: the engine's rows per forward pass (and
 * why that number was picked), the items per stored batch, and the graph file that ran for the configured
 * precision. Neither changes a result, so a rerun with another batch size resumes the same run.
 */
export const RECORDED_ONLY_CONFIG = ['batchSize', 'batchSizePickedFrom', 'storeEvery', 'graphFile'] as const;

/** The part of a run's configuration that makes its identity (see `RECORDED_ONLY_CONFIG`). */
export function runIdentity(config: unknown): unknown {
  if (!config || typeof config !== 'object' || Array.isArray(config)) return config;
  const identity: Record<string, unknown> = { ...(config as Record<string, unknown>) };
  for (const key of RECORDED_ONLY_CONFIG) delete identity[key];
  // Runs recorded while the batch size was part of the identity hashed `batchSize: null` unless one was given;
  // keeping that null keeps their identity, so they resume as before.
  if ('batchSize' in config) identity['batchSize'] = null;
  return identity;
}

/** The identity of a run's configuration: `findRun` matches on it to resume. */
export function runConfigHash(config: unknown): string {
  return sha256(canonicalJson(runIdentity(config)));
}
