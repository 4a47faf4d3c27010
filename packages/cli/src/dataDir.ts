/**
 * The datasets folder for every command, chosen in one place (@sciboard/datasets `resolveDataDir`):
 * `--data-dir`, `$SCIBOARD_DATA_DIR`, a checkout's `../shared/data` where a command allows it, then the cache
 * `sciboard data pull` fills. And the hint that names the command fetching what is missing.
 */
import { resolve } from 'node:path';
import { dataCacheDir, pullCommandFor, resolveDataDir, suitesForTasks } from '@sciboard/runs';
import { cliEnv } from './env.ts';
import { UsageError } from './main.ts';

/** A checkout's shared datasets beside the repository, for the demo and the workers (not for `eval`). */
export function checkoutDataDir(): string {
  return resolve(import.meta.dirname, '../../../..', '../shared/data');
}

export function chooseDataDir(given: string | undefined, o: { needed: boolean; tasks?: string; withCheckoutData?: boolean }): string {
  const env = cliEnv().vars;
  const chosen = resolveDataDir(given, { env, defaults: o.withCheckoutData ? [checkoutDataDir()] : [] });
  if (o.needed && !chosen.exists) {
    const fetch = o.tasks ? `fetch them with '${pullCommandFor(registryNames(o.tasks))}'` : "fetch them with 'sciboard data pull'";
    throw new UsageError(
      chosen.source === 'cache'
        ? `no datasets found: pass --data-dir, set SCIBOARD_DATA_DIR, or ${fetch} (into ${dataCacheDir(env)})`
        : `data directory ${chosen.dir} (from ${chosen.source === 'option' ? '--data-dir' : '$SCIBOARD_DATA_DIR'}) does not exist`,
    );
  }
  return chosen.dir;
}

/** Task names of a --tasks list, spec files left out (they name their own data). */
function registryNames(list: string): string[] {
  return list
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s && !/\.(ya?ml|json)$/i.test(s));
}

const SUITE_FOLDERS: Record<string, string> = { mmlu: 'mmlu', ceval: 'ceval', gsm8k: 'gsm8k', math: 'math', agieval: 'agieval', scieval: 'scieval', scibench: 'scibench', mathematics: 'mathematics' };

/**
 * For an error that is a missing data file, the command that fetches it: the failing command's own --tasks
 * when they all map to Hub datasets, else the suite the missing file belongs to.
 */
export function missingDataHint(err: unknown, argv: readonly string[]): string | undefined {
  const e = err as { code?: string; path?: string; file?: string; message?: string };
  const missing = e?.code === 'ENOENT' || /ENOENT|no such file/.test(e?.message ?? '');
  if (!missing) return undefined;
  const tasksAt = argv.findIndex((a) => a === '--tasks' || a.startsWith('--tasks='));
  const tasksArg = tasksAt < 0 ? undefined : argv[tasksAt]!.includes('=') ? argv[tasksAt]!.slice(8) : argv[tasksAt + 1];
  if (tasksArg) {
    try {
      const names = registryNames(tasksArg);
      if (names.length > 0 && suitesForTasks(names).length > 0) return `fetch the data with '${pullCommandFor(names)}'`;
    } catch {
      // Not every name maps to a Hub dataset: fall back to the file's own suite.
    }
  }
  const file = e.file ?? e.path ?? /(\/[^\s:'"]+)/.exec(e.message ?? '')?.[1];
  if (!file) return undefined;
  // The suite is the data folder's top-level directory: the nearest one to the file with a suite's name.
  const parts = file.split(/[\\/]/).slice(0, -1);
  for (let i = parts.length - 1; i >= 0; i--) {
    const folder = SUITE_FOLDERS[parts[i]!];
    if (folder) return `fetch the data with '${pullCommandFor([folder === 'math' && file.endsWith('math500_test.jsonl') ? 'math500' : folder])}'`;
  }
  return undefined;
}
