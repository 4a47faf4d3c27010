/** The fields of an lm-eval results document that are keyed by task or group name. */
const PER_TASK_FIELDS = [
  'results',
  'groups',
  'group_subtasks',
  'configs',
  'versions',
  'n-shot',
  'higher_is_better',
  'n-samples',
  'task_hashes',
  // sciboard's additions
  'intervals',
  'generation_stats',
] as const;

/** A task (or group) and everything under it, by the document's `group_subtasks`. */
export function tasksUnder(results: { group_subtasks?: Record<string, string[]> }, task: string): Set<string> {
  const keep = new Set<string>();
  const visit = (name: string): void => {
    if (keep.has(name)) return;
    keep.add(name);
    for (const member of results.group_subtasks?.[name] ?? []) visit(member);
  };
  visit(task);
  return keep;
}

/**
 * The part of an lm-eval results document that belongs to one requested task or group: every per-task field
 * cut down to it and its subtasks, everything else (config, dates, versions of the harness) as it was. This
 * is what one run holds, so a file of several tasks becomes several runs.
 */
export function resultsForTask<T extends object>(results: T, task: string): T {
  const keep = tasksUnder(results as { group_subtasks?: Record<string, string[]> }, task);
  const out: Record<string, unknown> = { ...(results as Record<string, unknown>) };
  for (const field of PER_TASK_FIELDS) {
    const byTask = out[field];
    if (byTask && typeof byTask === 'object') out[field] = Object.fromEntries(Object.entries(byTask).filter(([name]) => keep.has(name)));
  }
  return out as T;
}

/** What a results document was asked for: the tasks and groups that are nobody's subtask, sorted. */
export function topLevelTasks(results: { results: Record<string, unknown>; groups?: Record<string, unknown>; group_subtasks?: Record<string, string[]> }): string[] {
  const named = new Set([...Object.keys(results.results), ...Object.keys(results.groups ?? {})]);
  const subtasks = new Set(Object.values(results.group_subtasks ?? {}).flat());
  return [...named].filter((task) => !subtasks.has(task)).sort();
}
