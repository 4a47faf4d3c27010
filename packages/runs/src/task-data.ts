/**
 * Whether the data a submission's shards will read is there: checked when the submission arrives, so a task
 * whose dataset the server lacks is refused at once instead of failing later in every worker attempt.
 */
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { getTaskDefinition, loadTaskSpec, type TaskDefinition } from '@sciboard/eval';
import { dataCacheDir } from '@sciboard/datasets';
import { SubmissionError } from './checkpoint.ts';
import type { SubsetPlan } from './plan.ts';

/** The nearest `shared/data` folder at or above `start`: the datasets beside the checkout. */
function sharedDataAbove(start: string | undefined): string | undefined {
  for (let dir = start ? resolve(start) : undefined; dir; ) {
    const candidate = join(dir, 'shared', 'data');
    if (existsSync(candidate)) return candidate;
    const up = dirname(dir);
    dir = up === dir ? undefined : up;
  }
  return undefined;
}

/**
 * The environment as an app read it: SCIBOARD_DATA_DIR, SCIBOARD_SHARED_DIR, and where `sciboard data pull` keeps
 * its cache (SCIBOARD_CACHE, else under XDG_CACHE_HOME or ~/.cache).
 */
export type DataDirEnv = Readonly<Record<string, string | undefined>>;

/**
 * The datasets folder workers use by default: $SCIBOARD_DATA_DIR, then $SCIBOARD_SHARED_DIR/data, then
 * ../shared/data beside the checkout (looked for from this file and from the working directory, since the
 * site runs this code from its build output), then the `sciboard data pull` cache, from the variables the
 * caller read.
 */
export function defaultDataDir(env: DataDirEnv): string {
  const here = typeof import.meta.dirname === 'string' ? import.meta.dirname : undefined;
  const candidates = [
    env.SCIBOARD_DATA_DIR,
    env.SCIBOARD_SHARED_DIR ? join(env.SCIBOARD_SHARED_DIR, 'data') : undefined,
    sharedDataAbove(here),
    sharedDataAbove(process.cwd()),
    // What `sciboard data pull` fetched ($SCIBOARD_CACHE/data), as every command finds it.
    dataCacheDir(env),
  ];
  return candidates.find((d): d is string => Boolean(d) && existsSync(d!)) ?? env.SCIBOARD_DATA_DIR ?? '';
}

// Tasks whose data loaded once stay known-good for the process: the datasets do not change under a server.
const loaded = new Set<string>();

/** Loads every leaf task's documents (and few-shot documents) once; the first that cannot be loaded is refused. */
export function checkTaskData(plans: SubsetPlan[], dataDir: string): void {
  for (const plan of plans) {
    for (const task of plan.tasks) {
      const key = `${dataDir}\u0000${plan.spec ?? ''}\u0000${task}`;
      if (loaded.has(key)) continue;
      try {
        const definition: TaskDefinition = plan.spec ? loadTaskSpec(plan.spec) : getTaskDefinition(task);
        definition.prepare({ dataDir });
      } catch (err) {
        const reason = (err as Error).message.split('\n')[0];
        throw new SubmissionError(`tasks: the data of task "${task}" cannot be loaded on this server (${reason})`, 'tasks');
      }
      loaded.add(key);
    }
  }
}
