import { generationGroups, generationTasks } from './generation/index.ts';
import { agievalSatMath } from './tasks/agieval.ts';
import { boardGroups } from './tasks/boards.ts';
import { cevalGroups, cevalTasks } from './tasks/ceval.ts';
import { mmluGroups, mmluTasks } from './tasks/mmlu.ts';
import { scievalValid } from './tasks/scieval.ts';
import { scibenchGroups, scibenchTasks } from './scibench/tasks.ts';
import { mathematicsGroups, mathematicsTasks } from './mathematics/tasks.ts';
import type { GroupDefinition, RowScoring, TaskDefinition } from './task.ts';

const TASKS = new Map<string, TaskDefinition>();
const GROUPS = new Map<string, GroupDefinition>();
for (const t of [...cevalTasks, ...mmluTasks, agievalSatMath, scievalValid, ...scibenchTasks, ...mathematicsTasks, ...generationTasks]) TASKS.set(t.name, t);
for (const g of [...cevalGroups, ...mmluGroups, ...boardGroups, ...scibenchGroups, ...mathematicsGroups, ...generationGroups]) GROUPS.set(g.name, g);

export class UnknownTaskError extends Error {
  constructor(
    readonly taskName: string,
    readonly suggestions: string[],
  ) {
    super(
      `unknown task or group "${taskName}"` +
        (suggestions.length ? `; did you mean: ${suggestions.join(', ')}?` : '; run `listTasks()` / `listGroups()` for the names'),
    );
    this.name = 'UnknownTaskError';
  }
}

export function getTaskDefinition(name: string): TaskDefinition {
  const t = TASKS.get(name);
  if (!t) throw new UnknownTaskError(name, closeMatches(name));
  return t;
}

export function getGroupDefinition(name: string): GroupDefinition | undefined {
  return GROUPS.get(name);
}

export function listTasks(): string[] {
  return [...TASKS.keys()].sort();
}

export function listGroups(): GroupDefinition[] {
  return [...GROUPS.values()].sort((a, b) => a.name.localeCompare(b.name));
}

/** Leaf task names under a group, depth first, in member order. */
export function leafTasksOf(name: string, seen: Set<string> = new Set()): string[] {
  const group = GROUPS.get(name);
  if (!group) return TASKS.has(name) ? [name] : [];
  if (seen.has(name)) throw new Error(`group "${name}" contains itself`);
  seen.add(name);
  const out = group.members.flatMap((m) => {
    if (!GROUPS.has(m) && !TASKS.has(m)) throw new Error(`group "${name}" names unknown member "${m}"`);
    return leafTasksOf(m, seen);
  });
  seen.delete(name);
  return out;
}

/** Expands groups to leaf tasks (first occurrence wins); an unknown name is an error listing close matches. */
export function resolveTasks(names: string[]): TaskDefinition[] {
  const out = new Map<string, TaskDefinition>();
  for (const raw of names) {
    const name = raw.trim();
    if (!TASKS.has(name) && !GROUPS.has(name)) throw new UnknownTaskError(name, closeMatches(name));
    for (const leaf of leafTasksOf(name)) if (!out.has(leaf)) out.set(leaf, TASKS.get(leaf)!);
  }
  return [...out.values()];
}

/**
 * How a task, or a group whose tasks all score alike, scores completions for dataset rows it is handed (what
 * `sciboard grade` asks); undefined when it cannot (multiple choice, or a group mixing scorings). An unknown name
 * is an `UnknownTaskError`.
 */
export function rowScoringOf(name: string): RowScoring | undefined {
  const leaves = resolveTasks([name]);
  const scoring = leaves[0]?.rowScoring;
  return scoring && leaves.every((t) => t.rowScoring === scoring) ? scoring : undefined;
}

/** The tasks and groups `rowScoringOf` answers for: groups, then tasks, each alphabetically. */
export function gradableNames(): string[] {
  return [...[...GROUPS.keys()].sort(), ...listTasks()].filter((n) => rowScoringOf(n) !== undefined);
}

function closeMatches(name: string, max = 5): string[] {
  const all = [...TASKS.keys(), ...GROUPS.keys()];
  const q = name.toLowerCase();
  const scored = all.map((n) => {
    const l = n.toLowerCase();
    const d = l.includes(q) ? 0 : levenshtein(q, l) / Math.max(q.length, l.length);
    return { n, d };
  });
  return scored
    .filter((s) => s.d <= 0.4)
    .sort((a, b) => a.d - b.d || a.n.length - b.n.length || a.n.localeCompare(b.n))
    .slice(0, max)
    .map((s) => s.n);
}

function levenshtein(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = cur;
  }
  return prev[b.length]!;
}
