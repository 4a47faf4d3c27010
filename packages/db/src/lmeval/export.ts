/**
 * Writes a stored run as lm-evaluation-harness output: `results_<date>.json` and one
 * `samples_<task>_<date>.jsonl` per task, in the layout `importLmEval` (and lm-eval's own tooling) reads.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import type { LmEvalResultEntry, LmEvalResults } from '@sciboard/contracts';
import { join } from 'node:path';
import { toItemRecord, type ItemRecord } from '../queries/results.ts';
import type { Store } from '../store.ts';
import type { Run, Score } from '../types.ts';
import { sampleLinesFromItem } from './samples.ts';

export interface ExportLmEvalResult {
  resultsFile: string;
  samplesFiles: string[];
}

const PAGE = 1000;

export async function exportLmEval(store: Store, runId: number, outDir: string): Promise<ExportLmEvalResult> {
  const run = await store.getRun(runId);
  if (!run) throw new Error(`run ${runId} does not exist`);
  const model = await store.getModel(run.modelId);
  if (!model) throw new Error(`run ${runId} points at model ${run.modelId}, which does not exist`);
  const scores = await store.scoresForRun(runId);
  const items = await allItems(store, runId);

  // lm-eval's file-name date: an ISO time with ':' replaced, so it is safe in file names everywhere.
  const dateId = (run.finishedAt ?? run.createdAt).replace(/Z$/, '').replaceAll(':', '-');
  mkdirSync(outDir, { recursive: true });
  const resultsFile = join(outDir, `results_${dateId}.json`);
  writeFileSync(resultsFile, `${JSON.stringify(resultsJson(run, model.name, scores), null, 2)}\n`);

  const byTask = new Map<string, ItemRecord[]>();
  for (const item of items) byTask.set(item.task, [...(byTask.get(item.task) ?? []), item]);
  const samplesFiles: string[] = [];
  for (const [task, taskItems] of byTask) {
    const path = join(outDir, `samples_${task}_${dateId}.jsonl`);
    const lines = taskItems.flatMap(sampleLinesFromItem).map((line) => JSON.stringify(line));
    writeFileSync(path, `${lines.join('\n')}\n`);
    samplesFiles.push(path);
  }
  return { resultsFile, samplesFiles };
}

async function allItems(store: Store, runId: number): Promise<ItemRecord[]> {
  const out: ItemRecord[] = [];
  for (let offset = 0; ; offset += PAGE) {
    const { items } = await store.listResults(runId, { offset, limit: PAGE });
    out.push(...items.map(toItemRecord));
    if (items.length < PAGE) return out;
  }
}

interface StoredLmEval {
  aliases?: Record<string, string>;
  groupNames?: string[];
  [key: string]: unknown;
}

function resultsJson(run: Run, modelName: string, scores: Score[]): Record<string, unknown> {
  const { aliases = {}, groupNames = [], ...imported } = (run.config.lmEval ?? {}) as StoredLmEval;
  const results: Record<string, LmEvalResultEntry> = {};
  for (const score of scores) {
    const entry = (results[score.subset] ??= { alias: aliases[score.subset] ?? score.subset });
    entry[`${score.metric},${score.filter}`] = score.value;
    entry[`${score.metric}_stderr,${score.filter}`] = score.stderr ?? 'N/A';
  }
  const groups = Object.fromEntries(groupNames.filter((name) => results[name]).map((name) => [name, results[name]!]));
  if (run.source === 'imported') return { results, ...(groupNames.length > 0 ? { groups } : {}), ...imported, model_name: modelName };

  const subsets = Object.keys(results);
  const config = run.config;
  // A run holds one requested task or group: a group's run names its subsets, so the file imports as one run.
  const members = subsets.filter((s) => s !== run.task);
  const group = results[run.task] && members.length > 0 ? { groups: { [run.task]: results[run.task]! }, group_subtasks: { [run.task]: members } } : {};
  return {
    results,
    ...group,
    versions: config.taskVersions ?? {},
    'n-shot': Object.fromEntries(subsets.map((s) => [s, config.numFewshot ?? 0])),
    'n-samples': Object.fromEntries(
      subsets.flatMap((s) => {
        const n = scores.find((score) => score.subset === s)?.n;
        return n == null ? [] : [[s, { original: n, effective: n }]];
      }),
    ),
    config: {
      model: 'sciboard',
      model_args: `pretrained=${modelName}`,
      // lm-eval's batch_size is the engine's rows per forward pass; sciboard adds why it was picked and its
      // items per stored batch, which an import reads back.
      batch_size: config.batchSize ?? null,
      ...(config.batchSizePickedFrom ? { batch_size_picked_from: config.batchSizePickedFrom } : {}),
      ...(config.storeEvery ? { store_every: config.storeEvery } : {}),
      limit: config.limit ?? null,
      random_seed: config.seed ?? null,
    },
    model_name: modelName,
    date: Date.parse(run.finishedAt ?? run.createdAt) / 1000,
  } satisfies Partial<LmEvalResults> & { model_name: string };
}
