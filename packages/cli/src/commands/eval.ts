import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import {
  DEFAULT_STORE_EVERY,
  type Dtype,
  evaluate,
  type EvaluationOutput,
  formatResultsTable,
  isDefaultSettings,
  JsonlSink,
  openDb,
  openRunRecords,
  type ResultSink,
  runConfigDtype,
  selectGraph,
  settingsConfig,
  sha256,
  type TaskProgress,
} from '@sciboard/runs';
import { loadModel } from '@sciboard/onnx';
import { DTYPE_HELP, deviceOption, dtypeOption, hendrycksExtractionOption, nonNegativeInt, positiveInt, positiveSeconds } from '../options.ts';
import { formatDuration } from '../progress.ts';
import { addPromptOptions, chatTemplateFor, promptSettings, type PromptOptions } from '../promptOptions.ts';
import { dataDirFor, parseTasksOption } from './requests.ts';
import { gateCommand } from './gate.ts';
import { tasksOrBoard } from '../boardPlan.ts';
import { cliEnv } from '../env.ts';

export interface EvalCommandOptions extends PromptOptions {
  model: string;
  tasks: string;
  numFewshot?: number;
  limit?: number;
  /** Rows per forward pass (lm-eval's batch_size); omitted: picked from the model's size and the machine's free memory. */
  batchSize?: number;
  /** Items per stored batch: documents per model call and per write (default the evaluator's, 16). */
  storeEvery?: number;
  device: 'auto' | 'cpu' | 'cuda';
  dataDir?: string;
  output?: string;
  threads?: number;
  /** Which published graph of the folder to load (transformers.js's precision names); default fp32. */
  dtype?: Dtype;
  /** The graph file that will run, relative to the checkpoint (recorded with the run). */
  graphFile?: string;
  /** hendrycks_math answer span: lm-eval's (default) or the boxed-first deviation. */
  hendrycksExtraction?: 'lm-eval' | 'boxed-first';
  stringEqualityFirst?: boolean;
  /** Seconds allowed for one equivalence check (default 5, as lm-eval). */
  timeLimit?: number;
  graderThreads?: number;
  /** lm-eval's --bootstrap_iters: 0 reports no standard errors. */
  bootstrapIters?: number;
}

export interface StoreAndGateOptions {
  store: boolean;
  gateAgainst?: string;
  maxDrop?: string;
  alpha?: string;
  junit?: string;
  summary?: string;
}

/** Where item results are kept between runs, inside the output folder. */
export const ITEMS_FILE = 'items.jsonl';

/**
 * Runs an evaluation and writes results.json and samples_<task>.jsonl. `extraSinks` lets storage (the
 * database) receive every batch too; the JSONL sink in the output folder is always the resume source.
 * `onLoaded` hears the model's batch size (and why, when it was picked) before the first item is scored.
 */
export async function runEval(
  opts: EvalCommandOptions,
  io: { stdout: NodeJS.WritableStream; stderr: NodeJS.WritableStream } = { stdout: process.stdout, stderr: process.stderr },
  extraSinks: ResultSink[] = [],
  onLoaded?: (model: { batchSize: number; batchSizeReason?: string }) => void,
): Promise<EvaluationOutput & { outputDir: string }> {
  const { tasks, needsDataDir } = parseTasksOption(opts.tasks);
  const dataDir = dataDirFor(opts.dataDir, needsDataDir, opts.tasks);
  const settings = promptSettings(opts);
  const chatTemplate = chatTemplateFor(opts.model, settings, (line) => io.stderr.write(`${line}\n`));
  if (chatTemplate) io.stderr.write(`chat template: ${chatTemplate.source}${chatTemplate.name ? ` ("${chatTemplate.name}")` : ''}\n`);
  const model = await loadModel(opts.model, {
    runtime: cliEnv().engine,
    device: opts.device,
    ...(opts.batchSize ? { batchSize: opts.batchSize } : {}),
    ...(opts.threads ? { threads: opts.threads } : {}),
    ...(opts.dtype ? { dtype: opts.dtype } : {}),
  });
  try {
    io.stderr.write(
      `model: ${model.name} (${model.graphFile}, ${model.dtype}), provider: ${model.provider}${model.fallbackReason ? ` (CUDA unavailable: ${model.fallbackReason})` : ''}\n`,
    );
    if (model.batchSizeReason) io.stderr.write(`batch size: ${model.batchSize} (picked: ${model.batchSizeReason}; --batch-size sets it)\n`);
    onLoaded?.({ batchSize: model.batchSize, ...(model.batchSizeReason ? { batchSizeReason: model.batchSizeReason } : {}) });
    // A run with other prompt settings keeps its own default folder, so it neither resumes from nor clashes with
    // the plain run's items (the resume check would refuse prompts that differ).
    const settingsKey = isDefaultSettings(settings) ? '' : `-${sha256(JSON.stringify(settingsConfig(settings))).slice(0, 8)}`;
    // So does another precision of the same folder: its items must not resume an fp32 run's.
    const dtypeKey = model.dtype === 'fp32' ? '' : `-${model.dtype}`;
    const outputDir = resolve(opts.output ?? join('.sciboard', 'output', `${model.name}${dtypeKey}${settingsKey}`));
    mkdirSync(outputDir, { recursive: true });
    const jsonl = new JsonlSink(join(outputDir, ITEMS_FILE));
    const sink: ResultSink = extraSinks.length
      ? {
          // Items the JSONL file resumes but the database lacks (a run first made with --no-store, or one whose
          // earlier run finished) are copied over, so the stored run holds every item its scores count.
          completed: async (task) => {
            const stored = await jsonl.completed(task);
            // Nothing to resume: leave the database alone until the first batch is scored.
            if (stored.size === 0) return stored;
            for (const s of extraSinks) {
              const inStore = await s.completed(task);
              const missing = [...stored.values()].filter((item) => !inStore.has(item.docIndex));
              if (missing.length > 0) await s.write(missing);
            }
            return stored;
          },
          // The database first: a rerun resumes from the JSONL file, so everything it skips must already be in
          // the database (a kill between the two writes then recomputes that batch, which the database upserts).
          write: async (items) => {
            for (const s of extraSinks) await s.write(items);
            await jsonl.write(items);
          },
        }
      : jsonl;
    const controller = new AbortController();
    const onSigint = (): void => controller.abort(new Error('interrupted; rerun the same command to resume'));
    process.once('SIGINT', onSigint);
    let output: EvaluationOutput;
    try {
      output = await evaluate({
        model,
        tasks,
        dataDir,
        numFewshot: opts.numFewshot,
        limit: opts.limit,
        ...(opts.storeEvery ? { storeEvery: opts.storeEvery } : {}),
        modelBatchSize: model.batchSize,
        ...(model.batchSizeReason ? { modelBatchSizeReason: model.batchSizeReason } : {}),
        sink,
        signal: controller.signal,
        onProgress: throttled((line) => io.stderr.write(`${line}\n`)),
        modelName: model.name,
        // lm-eval's dtype key, for a precision other than fp32 (an import of these results records it).
        modelArgs: `pretrained=${resolve(opts.model)},device=${model.provider}${model.dtype === 'fp32' ? '' : `,dtype=${runConfigDtype(model.dtype)}`}`,
        device: model.provider,
        scoring: {
          ...(opts.hendrycksExtraction ? { hendrycksExtraction: opts.hendrycksExtraction } : {}),
          ...(opts.stringEqualityFirst ? { stringEqualityFirst: true } : {}),
          ...(opts.timeLimit ? { timeLimitMs: opts.timeLimit * 1000 } : {}),
          ...(opts.graderThreads ? { graderThreads: opts.graderThreads } : {}),
        },
        ...(opts.bootstrapIters !== undefined ? { bootstrapIters: opts.bootstrapIters } : {}),
        settings,
        ...(chatTemplate ? { chatTemplate } : {}),
        onWarning: (w) => io.stderr.write(`warning: ${w}\n`),
      });
    } finally {
      process.off('SIGINT', onSigint);
    }
    writeFileSync(join(outputDir, 'results.json'), `${JSON.stringify(output.results, null, 2)}\n`);
    for (const [task, samples] of Object.entries(output.samples)) {
      writeFileSync(join(outputDir, `samples_${task}.jsonl`), samples.map((s) => `${JSON.stringify(s)}\n`).join(''));
    }
    io.stdout.write(formatResultsTable(output.results));
    io.stderr.write(`wrote ${join(outputDir, 'results.json')}\n`);
    return { ...output, outputDir };
  } finally {
    await model.dispose();
  }
}

/** One line per task start and end, and at most one every few seconds in between (logs stay short). */
function throttled(print: (line: string) => void, everyMs = 3000): (p: TaskProgress) => void {
  let last = 0;
  let task = '';
  return (p) => {
    const now = Date.now();
    const boundary = p.task !== task || p.done >= p.total;
    if (!boundary && now - last < everyMs) return;
    task = p.task;
    last = now;
    print(progressLine(p));
  };
}

function progressLine(p: TaskProgress): string {
  const pct = p.total ? ((100 * p.done) / p.total).toFixed(1) : '100.0';
  const rate = p.rate === null ? '' : ` ${p.rate.toFixed(2)} docs/s,`;
  const tail = p.done >= p.total ? ` done in ${formatDuration(p.elapsedSeconds)}` : ` ETA ${p.etaSeconds === null ? '?' : formatDuration(p.etaSeconds)}`;
  const resumed = p.done - p.scoredThisRun > 0 ? ` (${p.done - p.scoredThisRun} resumed)` : '';
  return `${p.task}: ${p.done}/${p.total} (${pct}%)${rate}${tail}${resumed}`;
}

/** The graph file a folder would load for `dtype`, or undefined when it would not load (the loader says why). */
export function graphFileOf(dir: string, dtype: Dtype | undefined): string | undefined {
  try {
    return selectGraph(resolve(dir), dtype).file;
  } catch {
    return undefined;
  }
}

export function register(program: Command): void {
  const command = program
    .command('eval')
    .description('Score an ONNX checkpoint on tasks, groups or spec-file suites, as lm-evaluation-harness would')
    .requiredOption('--model <dir>', 'checkpoint folder (config.json, tokenizer.json, model.onnx)')
    .option('--tasks <list>', 'comma-separated tasks, groups or spec files (.yaml/.json)')
    .option('--board <ids>', 'science | math | science,math: every column\'s suite, so one run fills a board row (--limit applies per leaf task)')
    .option('--num-fewshot <k>', 'few-shot examples (default: each task\'s own, as lm-eval)', nonNegativeInt('--num-fewshot'))
    .option('--limit <n>', 'first N documents of each task', positiveInt('--limit'))
    .option('--batch-size <n>', 'rows per forward pass, lm-eval\'s batch_size (default: picked from the model\'s size and the free memory, and printed); recorded, not part of the run\'s identity', positiveInt('--batch-size'))
    .option('--store-every <n>', `items per stored batch: documents per model call and per write, so an interrupted run loses at most this many (default ${DEFAULT_STORE_EVERY})`, positiveInt('--store-every'))
    .option('--device <device>', 'auto | cpu | cuda', deviceOption, 'auto')
    .option('--threads <n>', 'intra-op threads', positiveInt('--threads'))
    .option('--dtype <dtype>', DTYPE_HELP, dtypeOption)
    .option('--data-dir <dir>', 'datasets folder (default: $SCIBOARD_DATA_DIR, then the `sciboard data pull` cache)')
    .option('--output <dir>', 'results folder; a rerun resumes from it (default: .sciboard/output/<model name>/, suffixed with a --dtype other than fp32 and a hash of non-default prompt settings)')
    .option('--hendrycks-extraction <mode>', 'hendrycks_math answer span: lm-eval (between the first and last $) | boxed-first (deviation)', hendrycksExtractionOption)
    .option('--string-equality-first', 'minerva_math deviation: identical normalised answers count as equal before the symbolic check')
    .option('--time-limit <seconds>', 'time limit for one MATH equivalence check; stopped checks count as not equivalent (default 5, as lm-eval)', positiveSeconds('--time-limit'))
    .option('--grader-threads <n>', 'worker threads for MATH equivalence checks (default: one per core)', positiveInt('--grader-threads'))
    .option('--bootstrap-iters <n>', "lm-eval's bootstrap_iters (default 100000; stderrs are closed-form); 0 reports no standard errors", nonNegativeInt('--bootstrap-iters'))
    .option('--no-store', 'do not record the run in the database (SCIBOARD_DB / DATABASE_URL)')
    .option('--gate-against <ref>', 'then gate this run against a baseline (results file or folder, run:<id>, model:<name>)')
    .option('--max-drop <points>', 'with --gate-against: drop in points tolerated before significance is asked')
    .option('--alpha <level>', 'with --gate-against: family-wise significance level (default 0.05)')
    .option('--junit <file>', 'with --gate-against: write JUnit XML')
    .option('--summary <file>', 'with --gate-against: append a Markdown summary');
  addPromptOptions(command).action(async (opts: EvalCommandOptions & StoreAndGateOptions & { board?: string }) => {
      opts.tasks = tasksOrBoard(opts);
      // The graph that will run, recorded with the run (the loader's own rule; a folder it refuses fails there).
      opts.graphFile = graphFileOf(opts.model, opts.dtype);
      // Chat template, system instruction, generation arguments and seeds are part of the run's identity.
      const prompt = promptSettings(opts);
      // One run per requested task or group, each recorded at its first stored batch (see openRunRecords).
      const runs = opts.store
        ? openRunRecords({ ...opts, prompt, openStore: () => openDb(cliEnv().database), log: (line) => process.stderr.write(`${line}\n`) }, parseTasksOption(opts.tasks).tasks)
        : undefined;
      try {
        // The engine's batch size, picked or given, and the items per stored batch are recorded with each run.
        const output = await runEval(opts, undefined, runs ? [runs.sink] : [], (model) =>
          runs?.batchedWith({ batchSize: model.batchSize, batchSizePickedFrom: model.batchSizeReason, storeEvery: opts.storeEvery }),
        );
        await runs?.finish(output);
        if (opts.gateAgainst) {
          process.exitCode = await gateCommand({
            baseline: opts.gateAgainst,
            candidate: output.outputDir,
            maxDrop: opts.maxDrop === undefined ? undefined : Number(opts.maxDrop),
            alpha: opts.alpha === undefined ? undefined : Number(opts.alpha),
            junit: opts.junit,
            summary: opts.summary,
          });
        }
      } catch (err) {
        await runs?.fail(err);
        throw err;
      }
    });
}
