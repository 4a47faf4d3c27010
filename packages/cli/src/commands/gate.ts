/**
 * `sciboard gate`: the CI regression gate. Compares a candidate checkpoint's per-item verdicts with a
 * baseline's and exits 0 (pass), 1 (a real regression) or 2 (could not decide), writing JUnit XML, a Markdown
 * step summary and the full numbers as JSON on request.
 */
import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { InvalidArgumentError, type Command } from 'commander';
import { UsageError } from '../main.ts';
import { cliEnv } from '../env.ts';
import {
  databaseResolver,
  gateExitCode,
  GateInputError,
  type GateStore,
  type RefResolver,
  renderJunit,
  renderMarkdown,
  renderTable,
  runGate,
} from '@sciboard/runs/gate';

interface GateCommandOptions {
  baseline: string;
  candidate: string;
  tasks?: string[];
  maxDrop?: number;
  alpha?: number;
  config?: string;
  junit?: string;
  summary?: string;
  json?: string;
  seed?: number;
  bootstrapIterations?: number;
  db?: string;
}

function numberIn(flag: string, ok: (n: number) => boolean, expected: string) {
  return (value: string) => {
    const n = Number(value);
    if (value.trim() === '' || !Number.isFinite(n) || !ok(n)) throw new InvalidArgumentError(`${flag} must be ${expected}, got "${value}"`);
    return n;
  };
}

function taskList(value: string, previous: string[] | undefined): string[] {
  const names = value.split(',').map((t) => t.trim()).filter((t) => t !== '');
  if (names.length === 0) throw new InvalidArgumentError(`--tasks must name at least one task, got "${value}"`);
  return [...(previous ?? []), ...names];
}

function writeOutput(file: string, text: string, append = false): void {
  mkdirSync(dirname(file), { recursive: true });
  if (append) appendFileSync(file, text);
  else writeFileSync(file, text);
}

/** Opens the database only when a reference needs it, and keeps one store for both references. */
function lazyDatabase(file: string | undefined): { resolve: RefResolver; close: () => Promise<void> } {
  let opened: Promise<{ store: GateStore & { close(): unknown } }> | undefined;
  const open = () => {
    opened ??= import('@sciboard/db').then(async ({ openDb }) => ({ store: await openDb({ ...cliEnv().database, ...(file ? { file } : {}) }) }));
    return opened;
  };
  return {
    resolve: async (ref) => {
      try {
        return await databaseResolver((await open()).store)(ref);
      } catch (err) {
        if (err instanceof GateInputError) throw err;
        // An unreachable or broken database leaves the gate unable to decide (exit 2), not a regression.
        throw new GateInputError(`${ref.kind}:${ref.value}: cannot read the database (${(err as Error).message})`);
      }
    },
    close: async () => {
      if (opened) await (await opened).store.close();
    },
  };
}

export async function gateCommand(options: GateCommandOptions): Promise<0 | 1 | 2> {
  const database = lazyDatabase(options.db);
  try {
    const report = await runGate({
      baseline: options.baseline,
      candidate: options.candidate,
      tasks: options.tasks,
      maxDrop: options.maxDrop,
      alpha: options.alpha,
      seed: options.seed,
      bootstrapIterations: options.bootstrapIterations,
      config: options.config,
      resolveRef: database.resolve,
    });
    process.stdout.write(renderTable(report));
    if (options.junit) writeOutput(options.junit, renderJunit(report));
    // GitHub's step summary is one file per step that every writer appends to.
    if (options.summary) writeOutput(options.summary, `${renderMarkdown(report)}\n`, true);
    if (options.json) writeOutput(options.json, `${JSON.stringify(report, null, 2)}\n`);
    return gateExitCode(report);
  } finally {
    await database.close();
  }
}

export function register(program: Command): void {
  program
    .command('gate')
    .description('Fail a CI build when a candidate checkpoint scores significantly worse than a baseline')
    .requiredOption('--baseline <ref>', 'lm-eval results file or output folder, run:<id> or model:<name>')
    .requiredOption('--candidate <ref>', 'the run to judge, in the same forms as --baseline')
    .option('--tasks <names>', 'comma-separated tasks or groups to gate (default: all in the baseline)', taskList)
    .option('--max-drop <points>', 'drop in points tolerated before significance is asked (default 0)', numberIn('--max-drop', (n) => n >= 0, 'a number of points ≥ 0'))
    .option('--alpha <level>', 'family-wise significance level, Holm-corrected across tasks (default 0.05)', numberIn('--alpha', (n) => n > 0 && n < 1, 'between 0 and 1'))
    .option('--config <file>', 'gate file (YAML or JSON): alpha, maxDrop, per-task thresholds and metrics, groups')
    .option('--junit <file>', 'write JUnit XML: one testcase per task, a failure per regression')
    .option('--summary <file>', 'append a GitHub-flavoured Markdown summary (e.g. "$GITHUB_STEP_SUMMARY")')
    .option('--json <file>', 'write every number behind the verdict as JSON')
    .option('--seed <n>', 'bootstrap seed for non-binary metrics', numberIn('--seed', Number.isInteger, 'an integer'))
    .option('--bootstrap-iterations <n>', 'bootstrap resamples for non-binary metrics', numberIn('--bootstrap-iterations', (n) => Number.isInteger(n) && n >= 100, 'an integer ≥ 100'))
    .option('--db <file>', 'SQLite database for run:/model: references (default: DATABASE_URL, SCIBOARD_DB or .sciboard/sciboard.db)')
    .action(async (options: GateCommandOptions) => {
      try {
        process.exitCode = await gateCommand(options);
      } catch (err) {
        // Exit 1 means a regression to CI; anything else that stops the gate (an unwritable report file, say)
        // must surface as "could not decide", which main maps from UsageError to exit 2.
        throw err instanceof UsageError ? err : new UsageError((err as Error).message);
      }
    });
}
