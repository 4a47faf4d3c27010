/**
 * `--board science|math|science,math` as a task list: the same plan `submit --board` queues (packages/runs
 * `boardSubsets`), one entry per column, so a single evaluation fills a whole board row.
 */
import { boardSubsets } from '@sciboard/runs';
import { UsageError } from './main.ts';

export function boardTaskList(board: string): string {
  const ids = board.split(',').map((s) => s.trim()).filter(Boolean);
  if (ids.length === 0) throw new UsageError('--board needs one or more of science, math (comma-separated)');
  try {
    return boardSubsets(ids).join(',');
  } catch (err) {
    throw new UsageError(`--${(err as Error).message}`);
  }
}

/** `--tasks` or `--board`, exactly one of them. */
export function tasksOrBoard(opts: { tasks?: string; board?: string }): string {
  if (opts.tasks && opts.board) throw new UsageError('give --board or --tasks, not both');
  if (opts.board) return boardTaskList(opts.board);
  if (!opts.tasks) throw new UsageError('give --tasks LIST or --board science|math|science,math');
  return opts.tasks;
}
