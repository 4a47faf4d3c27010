import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import type { Command } from 'commander';
import { applyPromptFormat, LM_EVAL_SEEDS, parseTaskArguments, resolveTasks, type TaskDefinition, UnknownTaskError } from '@sciboard/runs';
import { UsageError } from '../main.ts';
import { chooseDataDir } from '../dataDir.ts';
import { nonNegativeInt, positiveInt } from '../options.ts';
import { addPromptOptions, chatTemplateFor, promptSettings, type PromptOptions } from '../promptOptions.ts';

export interface RequestsOptions extends PromptOptions {
  tasks: string;
  /** The checkpoint whose chat template --apply-chat-template uses. */
  model?: string;
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

/**
 * One JSON object per document: what would be sent to the model (with a chat template, the rendered prompt as
 * `context`), and the gold answer.
 */
export function* requestLines(options: RequestsOptions, warn: (line: string) => void = (l) => process.stderr.write(`${l}\n`)): Generator<string> {
  const settings = promptSettings(options);
  const chatTemplate = chatTemplateFor(options.model, settings, warn);
  const { definitions, needsDataDir } = parseTasksOption(options.tasks);
  const dataDir = dataDirFor(options.dataDir, needsDataDir, options.tasks);
  const fewshotSeed = (settings.seed ?? LM_EVAL_SEEDS).fewshot_seed;
  for (const def of definitions) {
    const task = applyPromptFormat(def.prepare({ dataDir, numFewshot: options.numFewshot, fewshotSeed }), {
      settings,
      ...(chatTemplate ? { chatTemplate } : {}),
      onWarning: (w) => warn(`warning: ${w}`),
    });
    const n = options.limit === undefined ? task.docs.length : Math.min(options.limit, task.docs.length);
    for (let i = 0; i < n; i++) {
      const req = task.request(i);
      const body =
        req.kind === 'loglikelihood'
          ? { request_type: 'loglikelihood', context: req.context, continuations: req.continuations }
          : { request_type: 'generate_until', context: req.context, until: req.until, max_gen_toks: req.maxTokens };
      yield JSON.stringify({ task: task.name, doc_index: i, ...body, gold: task.target(i) });
    }
  }
}

export function register(program: Command): void {
  const command = program
    .command('requests')
    .description('Print the requests a run would send (one JSON line per document), without running a model')
    .requiredOption('--tasks <list>', 'comma-separated tasks, groups or spec files (.yaml/.json)')
    .option('--model <dir>', 'checkpoint folder whose chat template --apply-chat-template renders (only its tokenizer files are read)')
    .option('--num-fewshot <k>', 'few-shot examples (default: each task\'s own, as lm-eval)', nonNegativeInt('--num-fewshot'))
    .option('--limit <n>', 'first N documents of each task', positiveInt('--limit'))
    .option('--data-dir <dir>', 'datasets folder (default: $SCIBOARD_DATA_DIR, then the `sciboard data pull` cache)')
    .option('--out <file>', 'write to this file instead of stdout');
  addPromptOptions(command).action(async (opts: RequestsOptions & { out?: string }) => {
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
