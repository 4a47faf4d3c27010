import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { InvalidArgumentError, type Command } from 'commander';
import { importLmEval, openDb, reportedRowProblem, type ReportedSource, SCIGLM_SOURCE } from '@sciboard/runs';
import { UsageError } from '../main.ts';
import { isReportedCsv } from '../reportedCsv.ts';
import { cliEnv } from '../env.ts';

interface ImportOptions {
  model?: string;
  reported?: boolean;
  paper?: string;
  table?: string;
  year?: number;
  url?: string;
}

/** lm-eval writes `<out>/<model>/results_<date>.json`: look in the folder given and one level below. */
export function findResultsFiles(dir: string): string[] {
  const found: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
    if (entry.isFile() && /^results_.+\.json$/.test(entry.name)) found.push(join(dir, entry.name));
    else if (entry.isDirectory()) {
      for (const inner of readdirSync(join(dir, entry.name)).sort()) {
        if (/^results_.+\.json$/.test(inner)) found.push(join(dir, entry.name, inner));
      }
    }
  }
  return found;
}

function year(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1900 || n > 2200) throw new InvalidArgumentError(`--year must be a year such as 2024, got "${value}"`);
  return n;
}

export function register(program: Command): void {
  program
    .command('import')
    .description('Import lm-evaluation-harness results (a results_*.json file or a folder of them) or a reported-results CSV')
    .argument('<path>', 'results_<date>.json, a folder holding such files (samples_<task>_<date>.jsonl beside them), or a CSV with --reported')
    .option('--model <name>', 'model name to file the run under (default: the one recorded in the file)')
    .option('--reported', 'the file is a reported-results CSV: board,params_band,model,column,score,rerun_by_authors')
    .option('--paper <title>', 'with --reported: the publication the numbers come from (default: the SciGLM paper)')
    .option('--table <name>', 'with --reported: the table in that publication')
    .option('--year <year>', 'with --reported: publication year', year)
    .option('--url <url>', 'with --reported: where the publication is')
    .action(async (path: string, opts: ImportOptions) => {
      if (!existsSync(path)) throw new UsageError(`${path}: no such file or folder`);
      if (!opts.reported && (opts.paper || opts.table || opts.year || opts.url)) {
        throw new UsageError('--paper, --table, --year and --url describe a reported-results CSV: add --reported');
      }
      const isDir = statSync(path).isDirectory();
      if (opts.reported && isDir) throw new UsageError(`${path}: --reported expects a CSV file, not a folder`);
      if (!opts.reported && !isDir && isReportedCsv(path)) {
        process.stderr.write(`${path}: a reported-results CSV, imported as with --reported\n`);
        opts.reported = true;
      }
      const files = isDir ? findResultsFiles(path) : [path];
      if (files.length === 0) throw new Error(`${path}: no results_*.json file in this folder or the folders in it`);

      const store = await openDb(cliEnv().database);
      try {
        if (opts.reported) {
          const source: ReportedSource = opts.paper
            ? { paper: opts.paper, table: opts.table, year: opts.year, url: opts.url }
            : SCIGLM_SOURCE;
          // Every row is checked against the boards before any is stored: a column a board lacks is refused here.
          const { rows } = await store.loadReportedCsv(path, source, reportedRowProblem);
          process.stdout.write(`loaded ${rows} reported scores from ${path} (source: ${source.paper})\n`);
          return;
        }
        for (const resultsFile of files) {
          const r = await importLmEval(store, { resultsFile, modelName: opts.model });
          const model = await store.getModel(r.modelId);
          // One run per requested task or group in the file, as `sciboard eval` records them.
          process.stdout.write(
            r.imported
              ? r.runs.map((run) => `imported ${run.task} from ${resultsFile} as run ${run.runId} of ${model?.name}: ${run.scores} scores, ${run.items} items\n`).join('')
              : `${resultsFile} was imported before as ${r.runs.map((run) => `run ${run.runId} (${run.task})`).join(', ')} of ${model?.name}; nothing to do\n`,
          );
        }
      } finally {
        await store.close();
      }
    });
}
