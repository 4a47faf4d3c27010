import type { LmEvalScores } from '@sciboard/contracts';
import type { ScoreInput } from '../types.ts';

// The scores part of an lm-eval results document, declared once in @sciboard/contracts with the file shapes.
export type { LmEvalScores };

/** Every score of a results document (tasks and groups) as store rows, with stderr, n and interval when known. */
export function scoresFromLmEvalResults(results: LmEvalScores): ScoreInput[] {
  const rows: ScoreInput[] = [];
  for (const [subset, metrics] of Object.entries({ ...results.groups, ...results.results })) {
    const n = sampleCount(results, subset);
    for (const [key, value] of Object.entries(metrics)) {
      const comma = key.indexOf(',');
      const metric = key.slice(0, comma);
      if (comma < 0 || metric.endsWith('_stderr') || typeof value !== 'number') continue;
      const filter = key.slice(comma + 1);
      const stderr = metrics[`${metric}_stderr,${filter}`];
      const ci = results.intervals?.[subset]?.[key] ?? null;
      rows.push({ subset, metric, filter, value, stderr: typeof stderr === 'number' ? stderr : null, ciLow: ci?.[0] ?? null, ciHigh: ci?.[1] ?? null, n });
    }
  }
  return rows;
}

/** Items scored: a task's effective sample count; a group's is the sum over its subtasks. */
function sampleCount(results: LmEvalScores, subset: string, seen = new Set<string>()): number | null {
  const own = results['n-samples']?.[subset]?.effective;
  if (own !== undefined) return own;
  const subtasks = results.group_subtasks?.[subset];
  if (!subtasks?.length || seen.has(subset)) return null;
  seen.add(subset);
  let total = 0;
  for (const task of subtasks) {
    const n = sampleCount(results, task, seen);
    if (n === null) return null;
    total += n;
  }
  return total;
}
