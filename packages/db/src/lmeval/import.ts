/**
 * Imports an lm-evaluation-harness run (`results_<date>.json` and, beside it, `samples_<task>_<date>.jsonl`)
 * as finished runs with source "imported", one per requested task or group (a task or group that is nobody's
 * subtask in the file). Every file is read and validated before anything is written; everything is then
 * written in one transaction, and a file set imported before is recognised by its content hash and not
 * imported again.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { sha256 } from '../hash.ts';
import type { ItemRecord } from '../queries/results.ts';
import type { RunConfig } from '../schema/shared.ts';
import { withTransaction, type Store } from '../store.ts';
import { itemsFromSampleLines, SampleError } from './samples.ts';
import { scoresFromLmEvalResults } from './scores.ts';
import { resultsForTask, tasksUnder, topLevelTasks } from './slice.ts';
import { describeIssues, resultsFileSchema, sampleLineSchema, type ResultsFile, type SampleLine } from './schema.ts';

export interface ImportLmEvalOptions {
  resultsFile: string;
  /** Where the `samples_<task>_<date>.jsonl` files are; defaults to the results file's folder. */
  samplesDir?: string;
  /** Overrides the model name recorded in the file (`model_name`, or `pretrained=` in `model_args`). */
  modelName?: string;
}

export interface ImportedRun {
  /** The requested task or group the run holds (a task or group that is nobody's subtask in the file). */
  task: string;
  runId: number;
  scores: number;
  items: number;
}

export interface ImportLmEvalResult {
  modelId: number;
  /** False when this exact file set was imported before; `runs` are then the earlier import's. */
  imported: boolean;
  /** One run per requested task or group, as `sciboard eval`, `start` and the worker record them. */
  runs: ImportedRun[];
  scores: number;
  items: number;
}

// lm-eval dates its files (`samples_<task>_<date>.jsonl`); `sciboard eval` writes `samples_<task>.jsonl`.
const SAMPLES_FILE = /^samples_(.+?)(?:_(\d{4}-\d{2}-\d{2}T[\d.-]+))?\.jsonl$/;
const RESULTS_FILE = /^results_(.+)\.json$/;

export async function importLmEval(store: Store, options: ImportLmEvalOptions): Promise<ImportLmEvalResult> {
  const { resultsFile } = options;
  const resultsText = readText(resultsFile);
  const results = parseResults(resultsText, resultsFile);
  const modelName = options.modelName ?? modelNameOf(results);
  if (!modelName) throw new Error(`${resultsFile}: no model name in model_name or config.model_args; give one (--model NAME)`);

  const samplesFiles = findSamplesFiles(options.samplesDir ?? dirname(resultsFile), basename(resultsFile), leafTasks(results));
  const items: ItemRecord[] = [];
  // The model is part of the identity: the same files filed under another name are another model's run.
  let contentHash = sha256(`${modelName}\n${sha256(resultsText)}`);
  for (const { task, path } of samplesFiles) {
    const text = readText(path);
    contentHash = sha256(contentHash + sha256(text));
    items.push(...parseSamples(text, path, task));
  }
  const planned = topLevelTasks(results).map((task) => {
    const slice = resultsForTask(results, task);
    const under = tasksUnder(results, task);
    return { task, slice, scores: scoresFromLmEvalResults(slice), items: items.filter((item) => under.has(item.task)) };
  });
  const total = { scores: planned.reduce((n, p) => n + p.scores.length, 0), items: planned.reduce((n, p) => n + p.items.length, 0) };
  // Each run is recorded under the file set's hash and its task, so a second import finds every run it made.
  const importHash = (task: string) => sha256(`${contentHash}\n${task}`);

  return withTransaction(store, async (tx) => {
    const earlier = await earlierImport(tx, contentHash, planned.map((p) => ({ task: p.task, hash: importHash(p.task) })));
    if (earlier) return { ...earlier, imported: false, ...total };
    const model = (await tx.getModel(modelName)) ?? (await tx.upsertModel({ name: modelName }));
    const finishedAt = typeof results.date === 'number' ? new Date(results.date * 1000).toISOString() : new Date().toISOString();
    const runs: ImportedRun[] = [];
    for (const p of planned) {
      const run = await tx.createRun({ modelId: model.id, task: p.task, config: runConfigOf(p.slice), status: 'finished', source: 'imported', finishedAt });
      await tx.writeScores(run.id, p.scores);
      await tx.resultSink(run.id).write(p.items);
      await tx.recordImport({ contentHash: importHash(p.task), kind: 'lm-eval', path: resultsFile, runId: run.id });
      runs.push({ task: p.task, runId: run.id, scores: p.scores.length, items: p.items.length });
    }
    return { modelId: model.id, imported: true, runs, ...total };
  });
}

/**
 * The runs an earlier import of the same file set made, one per task. Imports made before runs were per task
 * recorded one run under the file set's own hash: one of a single task is that task's run; one of several
 * tasks is left as it was and the file is imported again as one run per task (see the package README).
 */
async function earlierImport(tx: Store, contentHash: string, tasks: { task: string; hash: string }[]): Promise<Pick<ImportLmEvalResult, 'modelId' | 'runs'> | undefined> {
  const whole = await tx.findImport(contentHash);
  const wholeRun = whole?.runId != null ? await tx.getRun(whole.runId) : undefined;
  if (wholeRun && tasks.length === 1 && wholeRun.task === tasks[0]!.task) {
    return { modelId: wholeRun.modelId, runs: [{ task: wholeRun.task, runId: wholeRun.id, ...(await counts(tx, wholeRun.id)) }] };
  }
  const runs: ImportedRun[] = [];
  let modelId: number | undefined;
  for (const { task, hash } of tasks) {
    const found = await tx.findImport(hash);
    const run = found?.runId != null ? await tx.getRun(found.runId) : undefined;
    if (!run) return undefined;
    modelId = run.modelId;
    runs.push({ task, runId: run.id, ...(await counts(tx, run.id)) });
  }
  return modelId === undefined ? undefined : { modelId, runs };
}

async function counts(tx: Store, runId: number): Promise<{ scores: number; items: number }> {
  return { scores: (await tx.scoresForRun(runId)).length, items: (await tx.listResults(runId, { limit: 1 })).total };
}

function readText(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    throw new Error(`cannot read ${path}: ${(err as Error).message}`);
  }
}

function parseResults(text: string, path: string): ResultsFile {
  let json: unknown;
  try {
    // Python's json.dumps writes NaN for an undefined metric (e.g. a stderr of one sample); JSON has none.
    json = JSON.parse(text.replace(/:\s*NaN\b/g, ': null'));
  } catch (err) {
    throw new Error(`${path}: not valid JSON: ${(err as Error).message}`);
  }
  const parsed = resultsFileSchema.safeParse(json, { reportInput: true });
  if (!parsed.success) throw new Error(describeIssues(parsed.error, path));
  return parsed.data;
}

function parseSamples(text: string, path: string, task: string): ItemRecord[] {
  const lines: { line: number; sample: SampleLine }[] = [];
  text.split('\n').forEach((raw, i) => {
    if (!raw.trim()) return;
    let json: unknown;
    try {
      json = JSON.parse(raw);
    } catch (err) {
      throw new Error(`${path}:${i + 1}: not valid JSON: ${(err as Error).message}`);
    }
    const parsed = sampleLineSchema.safeParse(json, { reportInput: true });
    if (!parsed.success) throw new Error(describeIssues(parsed.error, `${path}:${i + 1}`));
    lines.push({ line: i + 1, sample: parsed.data });
  });
  try {
    return itemsFromSampleLines(task, lines);
  } catch (err) {
    if (err instanceof SampleError) throw new Error(`${path}:${err.message.replace(/^line /, '')}`);
    throw err;
  }
}

/** Tasks with per-item samples: everything in `results` that is not a group. */
function leafTasks(results: ResultsFile): Set<string> {
  const groups = new Set([...Object.keys(results.groups ?? {}), ...Object.entries(results.group_subtasks ?? {}).filter(([, subtasks]) => subtasks.length > 0).map(([name]) => name)]);
  return new Set(Object.keys(results.results).filter((task) => !groups.has(task)));
}

/** The samples files of this results file's tasks: the ones written with it (same date), else the newest. */
function findSamplesFiles(dir: string, resultsName: string, tasks: Set<string>): { task: string; path: string }[] {
  const date = RESULTS_FILE.exec(resultsName)?.[1];
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch (err) {
    throw new Error(`cannot read samples folder ${dir}: ${(err as Error).message}`);
  }
  const byTask = new Map<string, { date: string; name: string }>();
  for (const name of names) {
    const match = SAMPLES_FILE.exec(name);
    if (!match || !tasks.has(match[1]!)) continue;
    const task = match[1]!;
    const fileDate = match[2] ?? '';
    const current = byTask.get(task);
    const better = !current || (current.date !== date && (fileDate === date || fileDate > current.date));
    if (better) byTask.set(task, { date: fileDate, name });
  }
  return [...byTask.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([task, { name }]) => ({ task, path: join(dir, name) }));
}

function modelNameOf(results: ResultsFile): string | undefined {
  if (results.model_name) return results.model_name;
  const args = results.config?.model_args;
  if (typeof args === 'string') {
    const match = /(?:^|,)\s*(?:pretrained|model|path|engine)=([^,]+)/.exec(args);
    if (match) return match[1]!.trim();
  } else if (args && typeof args.pretrained === 'string') return args.pretrained;
  return results.config?.model ?? undefined;
}

function runConfigOf(results: ResultsFile): RunConfig {
  const shots = [...new Set(Object.values(results['n-shot'] ?? {}))];
  const modelArgs = results.config?.model_args;
  const dtype = typeof modelArgs === 'string' ? /(?:^|,)\s*dtype=([^,]+)/.exec(modelArgs)?.[1] : modelArgs?.dtype;
  const { results: _results, groups: _groups, ...rest } = results;
  return {
    numFewshot: shots.length === 1 ? shots[0]! : null,
    limit: results.config?.limit ?? null,
    batchSize: results.config?.batch_size ?? null,
    ...batchingOf(results),
    seed: results.config?.random_seed ?? null,
    dtype: typeof dtype === 'string' ? dtype : null,
    harnessVersion: results.lm_eval_version ?? (results.git_hash ? `git-${results.git_hash}` : null),
    taskVersions: results.versions ?? {},
    promptHash: results.task_hashes && Object.keys(results.task_hashes).length > 0 ? sha256(JSON.stringify(results.task_hashes)) : null,
    ...chatSettingsOf(results),
    // Everything else in the file, so an export writes back what was imported.
    lmEval: { ...rest, aliases: aliasesOf(results), groupNames: Object.keys(results.groups ?? {}) },
  };
}

/** sciboard's own results also say why the batch size was picked and how many items were stored together. */
function batchingOf(results: ResultsFile): { batchSizePickedFrom?: string; storeEvery?: number } {
  const pickedFrom = results.config?.['batch_size_picked_from'];
  const storeEvery = results.config?.['store_every'];
  return {
    ...(typeof pickedFrom === 'string' ? { batchSizePickedFrom: pickedFrom } : {}),
    ...(typeof storeEvery === 'number' ? { storeEvery } : {}),
  };
}

/**
 * lm-eval's experiment arguments under the names `sciboard eval` records them, so an imported chat-template run is
 * told from a plain one on the boards (the template's name is not in the file; its sha256 is).
 */
function chatSettingsOf(results: ResultsFile): Record<string, unknown> {
  const r = results as Record<string, unknown>;
  const template = typeof r['chat_template'] === 'string' && r['chat_template'] !== '';
  return {
    ...(template ? { applyChatTemplate: true, fewshotAsMultiturn: r['fewshot_as_multiturn'] === true } : {}),
    ...(template && typeof r['chat_template_sha'] === 'string' ? { chatTemplateSha: r['chat_template_sha'] } : {}),
    ...(typeof r['system_instruction'] === 'string' && r['system_instruction'] !== '' ? { systemInstruction: r['system_instruction'] } : {}),
  };
}

function aliasesOf(results: ResultsFile): Record<string, string> {
  const entries = { ...results.groups, ...results.results };
  return Object.fromEntries(
    Object.entries(entries).flatMap(([task, metrics]) => (typeof metrics.alias === 'string' ? [[task, metrics.alias]] : [])),
  );
}
