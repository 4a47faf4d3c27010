/**
 * Scores from items already stored (the queue's runs, whose shards stored every item): no model is called and no
 * item is scored again. Each stored item must be the one the task asks for now (same prompt, same document), and
 * none may be missing, before the task and group scores are computed from the items' stored scores.
 */
import { checkStoredItem, DEFAULT_BOOTSTRAP_ITERS, LM_EVAL_SEEDS, prepareForRun, resolveRequested } from './evaluator.ts';
import { scoreRows, summarizeRun, type ScoreRow, type ScoredTask } from './results.ts';
import type { ItemRecord, ResultSink } from './sink.ts';
import type { TaskDefinition } from './task.ts';
import { checkEvalSettings, type EvalSettings } from './chat/settings.ts';
import type { ChatTemplate } from './chat/template.ts';

export interface ScoreStoredOptions {
  /** Registry names (tasks or groups) and/or task definitions, as given to `evaluate`. */
  tasks: (string | TaskDefinition)[];
  dataDir: string;
  numFewshot?: number;
  /** First N documents of each task (lm-eval's --limit): the items the run holds. */
  limit?: number;
  /** Where the items are stored. */
  sink: Pick<ResultSink, 'completed'>;
  /** The run's prompt settings and chat template: the stored prompts were rendered with them. */
  settings?: EvalSettings;
  chatTemplate?: ChatTemplate;
  onWarning?: (message: string) => void;
  /** lm-eval's `bootstrap_iters` (default 100000; 0 gives no standard errors). */
  bootstrapIters?: number;
}

export interface StoredScores {
  /** Every task's and requested group's scores, as rows for the database. */
  scores: ScoreRow[];
  /** Each task's stored items, in document order. */
  records: Record<string, ItemRecord[]>;
  /** Items over all tasks. */
  items: number;
}

export class MissingItemsError extends Error {}

/** The scores of stored items, checked against the tasks' prompts and documents; an error when any is missing. */
export async function scoreStored(o: ScoreStoredOptions): Promise<StoredScores> {
  if (o.limit !== undefined && (!Number.isInteger(o.limit) || o.limit < 1)) throw new Error(`limit must be a positive integer, got ${o.limit}`);
  const { definitions, groups } = resolveRequested(o.tasks);
  const settings = checkEvalSettings(o.settings ?? {});
  const format = { settings, ...(o.chatTemplate ? { chatTemplate: o.chatTemplate } : {}), ...(o.onWarning ? { onWarning: o.onWarning } : {}) };
  const scored: ScoredTask[] = [];
  const records: Record<string, ItemRecord[]> = {};
  for (const def of definitions) {
    const task = prepareForRun(def, { dataDir: o.dataDir, numFewshot: o.numFewshot, seeds: settings.seed ?? LM_EVAL_SEEDS, format });
    const total = o.limit === undefined ? task.docs.length : Math.min(o.limit, task.docs.length);
    const stored = await o.sink.completed(task.name);
    const items: ItemRecord[] = [];
    for (let i = 0; i < total; i++) {
      const prior = stored.get(i);
      if (!prior) continue;
      checkStoredItem(task, i, prior);
      items.push(prior);
    }
    if (items.length < total) throw new MissingItemsError(`${task.name}: ${total - items.length} of ${total} items are missing from the stored results`);
    records[task.name] = items;
    scored.push({ prepared: task, records: items });
  }
  const summaries = summarizeRun(scored, groups, o.bootstrapIters ?? DEFAULT_BOOTSTRAP_ITERS);
  return { scores: scoreRows(summaries), records, items: scored.reduce((n, t) => n + t.records.length, 0) };
}
