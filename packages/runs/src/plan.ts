import { resolve } from 'node:path';
import { getGroupDefinition, getTaskDefinition, isTaskSpecPath, leafTasksOf, loadTaskSpec } from '@sciboard/eval';
import { boards, getBoard } from '@sciboard/leaderboard';
import { SubmissionError } from './checkpoint.ts';

/** One run of a submission: a board subset (or suite) and the leaf tasks whose shards fill it. */
export interface SubsetPlan {
  subset: string;
  /** Absolute path of the suite file when the subset is a spec-file suite rather than a registry name. */
  spec?: string;
  tasks: string[];
}

export const DEFAULT_BOARDS = Object.keys(boards);

function inRegistry(name: string): boolean {
  try {
    return Boolean(getGroupDefinition(name) ?? getTaskDefinition(name));
  } catch {
    return false;
  }
}

/**
 * The suites behind every column of the boards, in column order: one plan fills a whole board row. A column
 * whose subset the registry cannot evaluate is an error, so a board never silently comes out partial.
 */
export function boardSubsets(boardIds: string[]): string[] {
  const subsets: string[] = [];
  for (const id of boardIds) {
    let board;
    try {
      board = getBoard(id);
    } catch {
      throw new SubmissionError(`board: unknown board "${id}" (known: ${DEFAULT_BOARDS.join(', ')})`, 'board');
    }
    for (const column of board.columns) {
      if (!inRegistry(column.subset)) {
        throw new SubmissionError(`board: column "${column.name}" of board "${id}" names "${column.subset}", which no task or group defines`, 'board');
      }
      if (!subsets.includes(column.subset)) subsets.push(column.subset);
    }
  }
  return subsets;
}

/**
 * The runs and shards of a submission. Each requested name becomes one run; a group's shards are its leaf
 * tasks (one per subject), so several workers can fill one run at once.
 */
export function planSubsets(request: { boards?: string[]; tasks?: string[] }): SubsetPlan[] {
  const names = request.tasks?.length ? request.tasks : boardSubsets(request.boards?.length ? request.boards : DEFAULT_BOARDS);
  const plans: SubsetPlan[] = [];
  for (const raw of names) {
    const name = raw.trim();
    if (!name) continue;
    let plan: SubsetPlan;
    if (isTaskSpecPath(name)) {
      const spec = resolve(name);
      let definition;
      try {
        definition = loadTaskSpec(spec);
      } catch (err) {
        throw new SubmissionError(`tasks: cannot load suite ${spec}: ${(err as Error).message}`, 'tasks');
      }
      plan = { subset: definition.name, spec, tasks: [definition.name] };
    } else {
      const leaves = inRegistry(name) ? leafTasksOf(name) : [];
      if (leaves.length === 0) throw new SubmissionError(`tasks: unknown task or group "${name}"`, 'tasks');
      plan = { subset: name, tasks: leaves };
    }
    if (plans.some((p) => p.subset === plan.subset)) throw new SubmissionError(`tasks: "${plan.subset}" requested twice`, 'tasks');
    plans.push(plan);
  }
  if (plans.length === 0) throw new SubmissionError('tasks: nothing to evaluate', 'tasks');
  return plans;
}
