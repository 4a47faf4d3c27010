import type { Command } from 'commander';
import {
  boardSubsets,
  dataCacheDir,
  HubError,
  pullSuites,
  readChecksums,
  stderrProgress,
  SUITES,
  suitesForTasks,
  type SuiteSource,
  UnknownSuiteError,
} from '@sciboard/runs';
import { UsageError } from '../main.ts';
import { cliEnv } from '../env.ts';

interface PullOptions {
  tasks?: string;
  board?: string;
  all?: boolean;
}

/** The suites a `data pull` asks for: exactly one of --tasks, --board, --all. */
export function suitesToPull(o: PullOptions): SuiteSource[] {
  const given = [o.tasks !== undefined, o.board !== undefined, Boolean(o.all)].filter(Boolean).length;
  if (given !== 1) throw new UsageError('give one of --tasks LIST, --board science,math or --all');
  if (o.all) return [...SUITES];
  let names: string[];
  if (o.board !== undefined) {
    try {
      names = boardSubsets(o.board.split(',').map((s) => s.trim()).filter(Boolean));
    } catch (err) {
      throw new UsageError(`--${(err as Error).message}`);
    }
  } else {
    names = o.tasks!.split(',').map((s) => s.trim()).filter(Boolean);
  }
  if (names.length === 0) throw new UsageError('--tasks needs at least one task name');
  try {
    return suitesForTasks(names);
  } catch (err) {
    if (err instanceof UnknownSuiteError) throw new UsageError(err.message);
    throw err;
  }
}

export function register(program: Command): void {
  const data = program.command('data').description('Datasets: fetch them from the Hugging Face Hub into the cache, or list what it holds');
  data
    .command('pull')
    .description(`Download the suites' data from the Hugging Face Hub (HF_ENDPOINT, HF_TOKEN, HF_HUB_OFFLINE honoured) into ${dataCacheDir(cliEnv().vars)}`)
    .option('--tasks <list>', 'tasks or groups whose data to fetch (e.g. mmlu_stem,gsm8k)')
    .option('--board <list>', 'every column of these boards: science, math or science,math')
    .option('--all', 'every suite')
    .action(async (opts: PullOptions) => {
      const suites = suitesToPull(opts);
      const progress = stderrProgress();
      try {
        const result = await pullSuites(suites, { env: cliEnv().vars, progress });
        if (result.cached.length > 0) progress.line(`offline: ${result.cached.join(', ')} already in ${result.dataDir}`);
        else progress.line(`data in ${result.dataDir}: ${result.pulled.join(', ') || 'nothing pulled'}`);
        if (result.skipped.length > 0) process.exitCode = 1;
      } catch (err) {
        if (err instanceof HubError) throw new Error(err.message);
        throw err;
      }
    });
  data
    .command('list')
    .description('The suites in the cache, where they came from and when')
    .action(() => {
      const dir = dataCacheDir(cliEnv().vars);
      const pulled = readChecksums(dir);
      process.stdout.write(`${dir}\n`);
      for (const s of SUITES) {
        const p = pulled[s.id];
        process.stdout.write(`${s.id.padEnd(12)} ${p ? `${p.repo}@${p.revision}, ${Object.keys(p.files).length} files, pulled ${p.pulledAt}` : `not pulled (${s.repo})`}\n`);
      }
    });
}
