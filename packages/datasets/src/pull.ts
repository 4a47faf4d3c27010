import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { dataCacheDir, hubCacheDir, type Environment } from './cacheDir.ts';
import { hubConfigFromEnv, type HubConfig } from './hubConfig.ts';
import { downloadHubFile } from './hubDownload.ts';
import { HubError, isSafeRelativePath, listDatasetFiles } from './hubTree.ts';
import type { Progress } from './progress.ts';
import type { SuiteSource } from './suites.ts';

/** Written beside the pulled data: per suite, where it came from and the sha256 of every file written. */
export const CHECKSUMS_FILE = 'CHECKSUMS.json';

/** No evaluation file comes near this (MMLU's largest shard is a few MB); a listing that says more is refused. */
const MAX_FILE_BYTES = 2 * 1024 ** 3;

export interface PulledSuite {
  repo: string;
  revision: string;
  pulledAt: string;
  /** Hub path → the oid (sha256 for LFS files) it was verified against. */
  sources: Record<string, string>;
  /** Data-folder path → sha256 of the bytes written. */
  files: Record<string, string>;
}

export interface PullOptions {
  /** The environment the caller read: HF_ENDPOINT, HF_TOKEN, HF_HUB_OFFLINE, SCIBOARD_CACHE, XDG_CACHE_HOME. */
  env: Environment;
  config?: HubConfig;
  progress?: Progress;
  /** Further attempts per file after a dropped connection. */
  retries?: number;
}

export interface PullResult {
  pulled: string[];
  /** Already in the cache (offline mode). */
  cached: string[];
  /** Suites that cannot be pulled, with the reason. */
  skipped: Array<{ id: string; reason: string }>;
  dataDir: string;
}

export function readChecksums(dataDir: string): Record<string, PulledSuite> {
  const file = join(dataDir, CHECKSUMS_FILE);
  if (!existsSync(file)) return {};
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as Record<string, PulledSuite>;
  } catch (err) {
    throw new Error(`${file}: not valid JSON (${(err as Error).message}); delete it and pull again`);
  }
}

/** Suites among `suites` whose data is not in `dataDir`. */
export function missingSuites(dataDir: string, suites: readonly SuiteSource[]): SuiteSource[] {
  return suites.filter((s) => !existsSync(join(dataDir, s.marker)));
}

/**
 * Downloads each suite's files from the Hub into the cache (verified, resumable) and writes the release layout
 * under the data cache. Offline (HF_HUB_OFFLINE=1) nothing is fetched: suites already pulled are reported, and
 * a missing one is an error naming it.
 */
export async function pullSuites(suites: readonly SuiteSource[], options: PullOptions): Promise<PullResult> {
  const { env } = options;
  const config = options.config ?? hubConfigFromEnv(env);
  const dataDir = dataCacheDir(env);
  const result: PullResult = { pulled: [], cached: [], skipped: [], dataDir };
  if (config.offline) {
    for (const s of suites.filter((x) => x.unavailable)) result.skipped.push({ id: s.id, reason: s.unavailable! });
    const missing = missingSuites(dataDir, suites.filter((x) => !x.unavailable));
    if (missing.length > 0) {
      throw new HubError(
        `HF_HUB_OFFLINE is set and the cache (${dataDir}) lacks ${missing.map((s) => `${s.id} (${s.repo}, ${s.marker})`).join(', ')}; ` +
          'pull them on a machine that reaches the Hub, or unset HF_HUB_OFFLINE',
      );
    }
    result.cached.push(...suites.filter((s) => !s.unavailable).map((s) => s.id));
    return result;
  }
  for (const suite of suites) {
    if (suite.unavailable) {
      result.skipped.push({ id: suite.id, reason: suite.unavailable });
      options.progress?.line(`${suite.id}: skipped: ${suite.unavailable}`);
      continue;
    }
    await pullSuite(suite, config, env, dataDir, options);
    result.pulled.push(suite.id);
  }
  return result;
}

async function pullSuite(suite: SuiteSource, config: HubConfig, env: Environment, dataDir: string, options: PullOptions): Promise<void> {
  const listing = await listDatasetFiles(config, suite.repo, suite.revision);
  const wanted = suite.select(listing);
  if (wanted.length === 0) throw new HubError(`${suite.repo}@${suite.revision}: none of the files ${suite.id} needs are in the repository`);
  const tooBig = wanted.find((f) => f.size > MAX_FILE_BYTES);
  if (tooBig) throw new HubError(`${suite.repo}/${tooBig.path}: listed at ${tooBig.size} bytes, over the ${MAX_FILE_BYTES}-byte limit for one data file`);
  const total = wanted.reduce((n, f) => n + f.size, 0);
  options.progress?.line(`${suite.id}: ${wanted.length} file(s), ${(total / 1e6).toFixed(1)} MB from ${suite.repo}`);
  const local = new Map<string, string>();
  const hubDir = join(hubCacheDir(env), 'datasets', ...suite.repo.split('/'), suite.revision);
  for (const file of wanted) {
    const dest = join(hubDir, ...file.path.split('/'));
    await downloadHubFile(config, suite.repo, suite.revision, file, dest, {
      retries: options.retries,
      onProgress: (done, size) => options.progress?.file(`${suite.id} ${file.path}`, done, size),
    });
    local.set(file.path, dest);
  }
  const outputs = await suite.build(local);
  const files: Record<string, string> = {};
  for (const out of outputs) {
    if (!isSafeRelativePath(out.path)) throw new Error(`${suite.id}: refusing to write outside the data folder: ${out.path}`);
    const dest = join(dataDir, ...out.path.split('/'));
    mkdirSync(dirname(dest), { recursive: true });
    // Written whole, then renamed: a reader never sees half a file.
    const tmp = `${dest}.${process.pid}.tmp`;
    writeFileSync(tmp, out.content);
    renameSync(tmp, dest);
    files[out.path] = createHash('sha256').update(out.content).digest('hex');
  }
  const checksums = readChecksums(dataDir);
  checksums[suite.id] = {
    repo: suite.repo,
    revision: suite.revision,
    pulledAt: new Date().toISOString(),
    sources: Object.fromEntries(wanted.map((f) => [f.path, f.lfsSha256 ?? f.oid])),
    files,
  };
  const tmp = join(dataDir, `${CHECKSUMS_FILE}.${process.pid}.tmp`);
  writeFileSync(tmp, `${JSON.stringify(checksums, null, 1)}\n`);
  renameSync(tmp, join(dataDir, CHECKSUMS_FILE));
  options.progress?.line(`${suite.id}: ${outputs.length} file(s) written under ${dataDir}`);
}
