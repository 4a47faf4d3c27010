import type { Command } from 'commander';
import { openDb, type RunStatus, type RunWithModel } from '@sciboard/runs';
import { UsageError } from '../main.ts';
import { cliEnv } from '../env.ts';

const STATUSES: RunStatus[] = ['pending', 'running', 'finished', 'failed'];

/** A plain aligned text table: what a terminal user scans; `--format json` is for scripts. */
export function runsTable(runs: RunWithModel[]): string {
  const header = ['id', 'model', 'task', 'status', 'source', 'device', 'dtype', 'started', 'finished'];
  const rows = runs.map((r) => [
    String(r.id),
    r.modelName,
    r.task,
    r.status === 'failed' && r.error ? `failed: ${r.error}` : r.status,
    r.source,
    [r.device, r.provider].filter(Boolean).join('/') || '-',
    // The precision the run loaded (its configuration's dtype: float32, float16, q4, …).
    typeof r.config?.dtype === 'string' ? r.config.dtype : '-',
    r.startedAt ?? '-',
    r.finishedAt ?? '-',
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  return [header, ...rows].map((row) => row.map((cell, i) => cell.padEnd(widths[i]!)).join('  ').trimEnd()).join('\n');
}

export function register(program: Command): void {
  program
    .command('runs')
    .description('List evaluation runs, newest first')
    .option('--model <name>', 'only this model’s runs')
    .option('--status <status>', `only runs in this state: ${STATUSES.join(', ')}`)
    .option('--format <format>', 'table or json', 'table')
    .action(async (opts: { model?: string; status?: string; format: string }) => {
      if (opts.format !== 'table' && opts.format !== 'json') throw new UsageError(`--format must be table or json, got "${opts.format}"`);
      if (opts.status !== undefined && !STATUSES.includes(opts.status as RunStatus)) {
        throw new UsageError(`--status must be one of ${STATUSES.join(', ')}, got "${opts.status}"`);
      }
      const store = await openDb(cliEnv().database);
      try {
        const runs = await store.listRuns({ modelName: opts.model, status: opts.status as RunStatus | undefined });
        if (opts.format === 'json') process.stdout.write(`${JSON.stringify(runs, null, 2)}\n`);
        else process.stdout.write(runs.length > 0 ? `${runsTable(runs)}\n` : 'no runs\n');
      } finally {
        await store.close();
      }
    });
}
