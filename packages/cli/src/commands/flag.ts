import type { Command } from 'commander';
import { boards, openDb } from '@sciboard/runs';
import { UsageError } from '../main.ts';
import { cliEnv } from '../env.ts';

/** A board column header (e.g. "CEval-Hard") or a subset name, as stored scores name it. */
function subsetFor(column: string): string {
  for (const board of Object.values(boards)) {
    const match = board.columns.find((c) => c.name === column || c.subset === column);
    if (match) return match.subset;
  }
  const names = Object.values(boards).flatMap((b) => b.columns.map((c) => c.name));
  throw new UsageError(`--column must be a board column (${names.join(', ')}) or its subset, got "${column}"`);
}

export function register(program: Command): void {
  program
    .command('flag')
    .description('Flag a model, or one of its cells, on the boards (suspected contamination, wrong metadata, …)')
    .requiredOption('--model <name>', 'the model to flag')
    .option('--column <name>', 'only this board column (e.g. CEval-Hard), not the whole model')
    .requiredOption('--reason <text>', 'why, shown beside the flag')
    .action(async (opts: { model: string; column?: string; reason: string }) => {
      if (!opts.reason.trim()) throw new UsageError('--reason must not be empty');
      const subset = opts.column === undefined ? null : subsetFor(opts.column);
      const store = await openDb(cliEnv().database);
      try {
        const model = await store.getModel(opts.model);
        if (!model) throw new Error(`no model named "${opts.model}" in the database`);
        const flag = await store.addFlag({ modelId: model.id, subset, reason: opts.reason.trim() });
        process.stdout.write(`flagged ${model.name}${subset ? ` (${subset})` : ''}: ${flag.reason}\n`);
      } finally {
        await store.close();
      }
    });

  program
    .command('flags')
    .description('List flags')
    .option('--model <name>', 'only this model')
    .action(async (opts: { model?: string }) => {
      const store = await openDb(cliEnv().database);
      try {
        const model = opts.model === undefined ? undefined : await store.getModel(opts.model);
        if (opts.model !== undefined && !model) throw new Error(`no model named "${opts.model}" in the database`);
        const rows = await store.listFlags(model ? { modelId: model.id } : {});
        const names = new Map((await store.listModels()).map((m) => [m.id, m.name]));
        for (const f of rows) {
          process.stdout.write(`${f.id}\t${f.modelId === null ? `run ${f.runId}` : names.get(f.modelId)}\t${f.subset ?? '(whole model)'}\t${f.reason}\n`);
        }
      } finally {
        await store.close();
      }
    });
}
