/**
 * The datasets the demo in `sciboard start` evaluates: the configured folder (or a checkout's shared data) as
 * before; otherwise the pull cache, filled from the Hugging Face Hub first when the Hub can be reached. Offline
 * the demo keeps to the bundled sample suites and says why.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import {
  boardSubsets,
  DEFAULT_BOARDS,
  hubConfigFromEnv,
  missingSuites,
  pullSuites,
  resolveDataDir,
  stderrProgress,
  suitesForTasks,
  treeUrl,
} from '@sciboard/runs';
import { checkoutDataDir } from './dataDir.ts';
import { cliEnv } from './env.ts';

export interface DemoData {
  /** Undefined when no datasets are available. */
  dir?: string;
  /** Board columns whose data is there. */
  tasks: string[];
}

export async function demoData(log: (line: string) => void, env: NodeJS.ProcessEnv = cliEnv().vars, defaults = [checkoutDataDir()]): Promise<DemoData> {
  const wanted = boardSubsets(DEFAULT_BOARDS);
  let chosen = resolveDataDir(undefined, { env, defaults });
  if (chosen.source !== 'cache' && chosen.exists) return { dir: chosen.dir, tasks: wanted };
  if (chosen.source !== 'cache') {
    log(`SCIBOARD_DATA_DIR (${chosen.dir}) does not exist: looking in the pull cache instead`);
    chosen = resolveDataDir(undefined, { env: { ...env, SCIBOARD_DATA_DIR: undefined }, defaults });
    if (chosen.source !== 'cache') return { dir: chosen.dir, tasks: wanted };
  }
  const suites = suitesForTasks(wanted).filter((s) => !s.unavailable);
  const missing = missingSuites(chosen.dir, suites);
  if (missing.length > 0) {
    const config = hubConfigFromEnv(env);
    const names = missing.map((s) => s.id).join(', ');
    if (config.offline) log(`HF_HUB_OFFLINE is set: not fetching ${names}`);
    else if (env.CI) log(`CI: not fetching ${names} from the Hub (run 'sciboard data pull --board science,math' to get them)`);
    else if (!(await hubAnswers(config, missing[0]!.repo))) log(`the Hugging Face Hub (${config.endpoint}) cannot be reached: not fetching ${names}`);
    else {
      log(`fetching the board datasets (${names}) from ${config.endpoint} into ${chosen.dir}`);
      // One suite at a time: a dataset that cannot be fetched costs its own columns, not the others'.
      for (const suite of missing) {
        try {
          await pullSuites([suite], { env, progress: stderrProgress() });
        } catch (err) {
          log(`could not fetch ${suite.id}: ${(err as Error).message}`);
        }
      }
    }
  }
  const present = wanted.filter((t) => suitesForTasks([t]).every((s) => !s.unavailable && existsSync(join(chosen.dir, s.marker))));
  const absent = wanted.filter((t) => !present.includes(t));
  if (present.length === 0) {
    log('no datasets found (set SCIBOARD_DATA_DIR, or run sciboard data pull --board science,math): the demo uses the bundled sample suites only');
    return { tasks: [] };
  }
  if (absent.length > 0) log(`no data for ${absent.join(', ')}: those columns show reported numbers only`);
  return { dir: chosen.dir, tasks: present };
}

/** A quick look before a pull, so a machine without network does not wait for long timeouts. */
async function hubAnswers(config: ReturnType<typeof hubConfigFromEnv>, repo: string): Promise<boolean> {
  try {
    const res = await fetch(treeUrl(config, repo, 'main'), { method: 'HEAD', signal: AbortSignal.timeout(8000), headers: config.token ? { authorization: `Bearer ${config.token}` } : {} });
    await res.body?.cancel();
    return res.status < 500;
  } catch {
    return false;
  }
}
