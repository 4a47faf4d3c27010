import { boards, type Score } from '@sciboard/runs';

/**
 * The metric that decides whether an item counts as wrong: the one the boards read for this subset, else a
 * board metric the run reports, else the run's first metric.
 */
export function primaryMetricKey(scores: Score[], task: string | undefined): string {
  const columns = Object.values(boards).flatMap((b) => b.columns);
  const own = scores.find((s) => s.subset === task) ?? scores[0];
  const column = columns.find((c) => c.subset === own?.subset) ?? columns.find((c) => scores.some((s) => s.metric === c.metric && s.filter === c.filter));
  if (column && scores.some((s) => s.metric === column.metric && s.filter === column.filter)) return `${column.metric},${column.filter}`;
  return own ? `${own.metric},${own.filter}` : 'acc,none';
}
