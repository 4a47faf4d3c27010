import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import type { Command } from 'commander';
import { parseTaskArguments, resolveTasks, UnknownTaskError, type TaskDefinition } from '@sciboard/eval';
import { UsageError } from '../main.ts';
import { chooseDataDir } from '../dataDir.ts';
import { nonNegativeInt, positiveInt } from '../options.ts';

export interface RequestsOptions {
  tasks: string;
  numFewshot?: number;
  limit?: number;
  dataDir?: string;
}

export interface TasksOption {
  /** As given (registry names keep their groups for aggregation; spec files loaded). */
  tasks: (string | TaskDefinition)[];
  /** Leaf tasks, groups expanded, first occurrence wins. */
  definitions: TaskDefinition[];
  needsDataDir: boolean;
}

/** Reads a `--tasks` value: registry tasks and groups, or spec files. */
export function parseTasksOption(list: string): TasksOption {
  let parsed: ReturnType<typeof parseTaskArguments>;
  try {
    parsed = parseTaskArguments(list);
  } catch (err) {
    // A misspelt task is a bad argument (exit 2); a broken spec file is a failure (exit 1).
    if (err instanceof UnknownTaskError) throw new UsageError(err.message);
    throw err;
  }
  const { tasks, needsDataDir } = parsed;
  const byName = new Map<string, TaskDefinition>();
  for (const t of tasks) for (const d of typeof t === 'string' ? resolveTasks([t]) : [t]) if (!byName.has(d.name)) byName.set(d.name, d);
  return { tasks, definitions: [...byName.values()], needsDataDir };
}

/** `--data-dir`, then $SCIBOARD_DATA_DIR, then the cache `sciboard data pull` fills (see ../dataDir.ts). */
export function dataDirFor(given: string | undefined, needsDataDir: boolean, tasks?: string): string {
  return chooseDataDir(given, { needed: needsDataDir, tasks });
}

/** One JSON object per document: what would be sent to the model, and the gold answer. */
export function* requestLines(options: RequestsOptions): Generator<string> {
  const { definitions, needsDataDir } = parseTasksOption(options.tasks);
  const dataDir = dataDirFor(options.dataDir, needsDataDir, options.tasks);
  for (const def of definitions) {
    const task = def.prepare({ dataDir, numFewshot: options.numFewshot });
    const n = options.limit === undefined ? task.docs.length : Math.min(options.limit, task.docs.length);
    for (let i = 0; i < n; i++) {
      const req = task.request(i);
      const body =
        req.kind === 'loglikelihood'
          ? { request_type: 'loglikelihood', context: req.context, continuations: req.continuations }
          : { request_type: 'generate_until', context: req.context, until: req.until };
      yield JSON.stringify({ task: task.name, doc_index: i, ...body, gold: task.target(i) });
    }
  }
}

export function register(program: Command): void {
  program
    .command('requests')
    .description('Print the requests a run would send (one JSON line per document), without a model')
    .requiredOption('--tasks <list>', 'comma-separated tasks, groups or spec files (.yaml/.json)')
    .option('--num-fewshot <k>', 'few-shot examples (default: each task\'s own, as lm-eval)', nonNegativeInt('--num-fewshot'))
    .option('--limit <n>', 'first N documents of each task', positiveInt('--limit'))
    .option('--data-dir <dir>', 'datasets folder (default: $SCIBOARD_DATA_DIR, then the `sciboard data pull` cache)')
    .option('--out <file>', 'write to this file instead of stdout')
    .action(async (opts: RequestsOptions & { out?: string }) => {
      const out = opts.out ? createWriteStream(opts.out) : process.stdout;
      for (const line of requestLines(opts)) {
        if (!out.write(`${line}\n`)) await once(out, 'drain');
      }
      if (opts.out) {
        out.end();
        await once(out, 'finish');
      }
    });
}
