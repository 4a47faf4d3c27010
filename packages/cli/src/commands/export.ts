import type { Command } from 'commander';
import { exportLmEval, openDb } from '@sciboard/runs';
import { UsageError } from '../main.ts';
import { positiveInt } from '../options.ts';
import { cliEnv } from '../env.ts';

export function register(program: Command): void {
  program
    .command('export')
    .description('Write a stored run as lm-evaluation-harness output files')
    .requiredOption('--run <id>', 'run id (see `sciboard runs`)', positiveInt('--run'))
    .requiredOption('--out <dir>', 'folder to write results_<date>.json and samples_<task>_<date>.jsonl into')
    .option('--format <format>', 'output format: lm-eval', 'lm-eval')
    .action(async (opts: { run: number; out: string; format: string }) => {
      if (opts.format !== 'lm-eval') throw new UsageError(`--format must be lm-eval, got "${opts.format}"`);
      const store = await openDb(cliEnv().database);
      try {
        const written = await exportLmEval(store, opts.run, opts.out);
        process.stdout.write(`${[written.resultsFile, ...written.samplesFiles].join('\n')}\n`);
      } finally {
        await store.close();
      }
    });
}
