import { SUITES, suiteById, type SuiteSource } from './suites.ts';

/** Which suite's data a task (lm-eval's names and the board subsets) reads. */
const TASK_PATTERNS: Array<[RegExp, string]> = [
  [/^ceval/, 'ceval'],
  [/^mmlu/, 'mmlu'],
  [/^gsm8k/, 'gsm8k'],
  [/math500$/, 'math500'],
  [/^(minerva_math|hendrycks_math)/, 'math'],
  [/^(agieval_sat_math|sat-math)$/, 'agieval'],
  [/^scieval/, 'scieval'],
  [/^scibench/, 'scibench'],
  [/^mathematics/, 'mathematics'],
];

export class UnknownSuiteError extends Error {}

/** Suites for a list of task names, group names or suite folder names, each once, in SUITES order. */
export function suitesForTasks(names: readonly string[]): SuiteSource[] {
  const ids = new Set<string>();
  for (const name of names) {
    const direct = suiteById(name);
    const match = direct?.id ?? TASK_PATTERNS.find(([re]) => re.test(name))?.[1];
    if (!match) {
      throw new UnknownSuiteError(`no Hub dataset is known for task "${name}" (known suites: ${SUITES.map((s) => s.id).join(', ')})`);
    }
    ids.add(match);
  }
  return SUITES.filter((s) => ids.has(s.id));
}

/** The command that fetches a task's data, for messages where it is missing. */
export function pullCommandFor(tasks: readonly string[]): string {
  return `sciboard data pull --tasks ${tasks.join(',')}`;
}
