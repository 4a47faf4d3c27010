/**
 * Item-range shards: a leaf task split into contiguous document ranges, each claimed by whichever worker is
 * free, so adding workers shortens a single large task (GSM8K, MATH) instead of only spreading many tasks.
 */
import { getTaskDefinition, loadTaskSpec, type TaskDefinition } from '@sciboard/eval';
import { SubmissionError } from './checkpoint.ts';
import type { SubsetPlan } from './plan.ts';

/**
 * Documents per range when the submitter does not choose. A generation costs seconds on a CPU (up to 256 new
 * tokens), so 64 of them keep a range to minutes while a queue round trip stays a small fraction of it; a
 * multiple-choice item is one forward pass per choice, so ranges are larger to keep queue overhead per item low.
 */
export const DEFAULT_SHARD_SIZE: Record<TaskDefinition['outputType'], number> = { generate_until: 64, multiple_choice: 1000 };

/** The largest shard size accepted, as for `limit`: far above any task's size (a larger size is one range). */
export const MAX_SHARD_SIZE = 1_000_000;

/**
 * Why a requested shard size is refused, or undefined when it is usable: a positive integer up to
 * `MAX_SHARD_SIZE`, given as a number or as decimal digits (a form field, a command-line argument). The one
 * rule behind `sciboard submit --shard-size`, the API's and the form's `shardSize`, and `planRanges`.
 */
export function shardSizeProblem(value: unknown): string | undefined {
  const n = typeof value === 'string' && /^\s*\d+\s*$/.test(value) ? Number(value) : value;
  if (typeof n === 'number' && Number.isInteger(n) && n >= 1 && n <= MAX_SHARD_SIZE) return undefined;
  return `expected a positive integer of at most ${MAX_SHARD_SIZE}, got ${JSON.stringify(value)}`;
}

/** A requested shard size as a number; a SubmissionError naming `shardSize` when `shardSizeProblem` refuses it. */
export function parseShardSize(value: unknown): number {
  const problem = shardSizeProblem(value);
  if (problem) throw new SubmissionError(`shardSize: ${problem}`, 'shardSize');
  return Number(value);
}

export interface DocRange {
  start: number;
  end: number;
}

/** Contiguous ranges of at most `size` documents covering [0, docs); one range when it all fits. */
export function splitRanges(docs: number, size: number): DocRange[] {
  if (!(Number.isInteger(size) && size > 0)) throw new SubmissionError(`shardSize: expected a positive integer, got ${size}`, 'shardSize');
  const ranges: DocRange[] = [];
  for (let start = 0; start < docs; start += size) ranges.push({ start, end: Math.min(docs, start + size) });
  return ranges;
}

/** One task's split as recorded in the submission's payload. */
export interface TaskSplit {
  subset: string;
  task: string;
  docs: number;
  shardSize: number;
  /** Empty when the task is one whole-task shard (it fits one range, or its size was unknown at submission). */
  ranges: DocRange[];
}

/**
 * How each leaf task is split: with `shardSize` given every task uses it; otherwise the default for the task's
 * kind. Sizes come from the task's data (with `limit` applied, as the evaluator counts). Without data here, an
 * explicit `shardSize` is an error naming the task; the default falls back to one whole-task shard.
 */
export function planRanges(plans: SubsetPlan[], o: { dataDir?: string; limit?: number; shardSize?: number }): TaskSplit[] {
  if (o.shardSize !== undefined) parseShardSize(o.shardSize);
  const splits: TaskSplit[] = [];
  for (const plan of plans) {
    for (const task of plan.tasks) {
      let definition: TaskDefinition;
      let docs: number;
      try {
        definition = plan.spec ? loadTaskSpec(plan.spec) : getTaskDefinition(task);
        if (!o.dataDir) throw new Error('no data folder');
        docs = definition.prepare({ dataDir: o.dataDir }).docs.length;
      } catch (err) {
        if (o.shardSize !== undefined) {
          const reason = (err as Error).message.split('\n')[0];
          throw new SubmissionError(`shardSize: the documents of task "${task}" cannot be counted here to split it (${reason})`, 'shardSize');
        }
        splits.push({ subset: plan.subset, task, docs: 0, shardSize: 0, ranges: [] });
        continue;
      }
      if (o.limit !== undefined) docs = Math.min(docs, o.limit);
      const shardSize = o.shardSize ?? DEFAULT_SHARD_SIZE[definition.outputType];
      const ranges = splitRanges(docs, shardSize);
      splits.push({ subset: plan.subset, task, docs, shardSize, ranges: ranges.length > 1 ? ranges : [] });
    }
  }
  return splits;
}
