/**
 * Board definitions are data: a board is a list of columns, each naming the measured subset (an eval task or
 * group), the metric key that scores it and how many answer choices it has. Adding a board means adding an
 * entry here (or passing a `BoardDefinition` to `buildBoard`), never new code.
 */

export interface BoardColumn {
  /** Column header as the SciGLM paper prints it. */
  name: string;
  /** Task or group name the evaluator stores scores under (packages/eval's board groups). */
  subset: string;
  /** lm-evaluation-harness metric name, e.g. `acc`, `exact_match`. */
  metric: string;
  /** lm-evaluation-harness filter name, e.g. `none`, `flexible-extract`. */
  filter: string;
  /**
   * Answer choices per question, for the random-guess baseline `1/choices` of the normalised score.
   * `null` for free-form generation tasks, whose baseline is 0.
   */
  choices: number | null;
  /**
   * For columns that mix item types: each type's share and guessing chance. The random-guess baseline is then
   * their item-weighted mean instead of `1/choices`.
   */
  chance?: ChanceShare[];
  /** What the column measures and where the paper's numbers come from. */
  description: string;
  /**
   * The suite a measured cell was scored with: the upstream definition it follows (`url`) and, in one sentence,
   * how it is scored. The site's /suites page lists them; subset lists are in packages/eval/README.md.
   */
  suite: { url: string; scoring: string };
}

/** One item type of a mixed column: how many items it has and what guessing scores on it (0–1). */
export interface ChanceShare {
  type: string;
  items: number;
  chance: number;
}

const LM_EVAL_TASKS = 'https://github.com/EleutherAI/lm-evaluation-harness/tree/main/lm_eval/tasks';

export interface BoardDefinition {
  id: string;
  title: string;
  columns: BoardColumn[];
  /** Header of the recomputed plain mean over the shown columns (`Avg. Sci`). */
  averageName: string;
  /**
   * Columns a source reports for this board that cannot be recomputed here (the paper's `Avg. Sci+Math` uses
   * weights it does not publish); shown as reported extras only.
   */
  reportedOnlyColumns: string[];
}

const MULTIPLE_CHOICE = { metric: 'acc', filter: 'none' } as const;

export const boards = {
  science: {
    id: 'science',
    title: 'Scientific reasoning',
    averageName: 'Avg. Sci',
    reportedOnlyColumns: ['Avg. Sci+Math'],
    columns: [
      {
        name: 'CEval-Hard',
        subset: 'ceval-hard',
        ...MULTIPLE_CHOICE,
        choices: 4,
        description: 'C-Eval hard subjects (advanced maths, discrete maths, probability, college/high-school physics and chemistry, …), validation split.',
        suite: { url: `${LM_EVAL_TASKS}/ceval`, scoring: 'lm-eval ceval-valid prompts; acc = argmax of the choices\' log-likelihoods, micro-averaged over subjects.' },
      },
      {
        name: 'CEval-Sci',
        subset: 'ceval-sci',
        ...MULTIPLE_CHOICE,
        choices: 4,
        description: 'C-Eval science subjects (STEM physics, chemistry, biology), validation split.',
        suite: { url: `${LM_EVAL_TASKS}/ceval`, scoring: 'lm-eval ceval-valid prompts; acc = argmax of the choices\' log-likelihoods, micro-averaged over subjects.' },
      },
      {
        name: 'MMLU-Sci',
        subset: 'mmlu-sci',
        ...MULTIPLE_CHOICE,
        choices: 4,
        description: 'MMLU science subjects (physics, chemistry, biology, astronomy), test split.',
        suite: { url: `${LM_EVAL_TASKS}/mmlu`, scoring: 'lm-eval mmlu prompts; acc = argmax of the choices\' log-likelihoods, micro-averaged over subjects.' },
      },
      {
        name: 'SciEval',
        subset: 'scieval',
        metric: 'acc',
        filter: 'none',
        choices: null,
        // Guessing: one of four letters, one of yes/no/maybe, one of the candidates a filling item lists
        // (2, 3 or 10; 0.3114 on average). Counts and chances are checked against the data in packages/eval.
        chance: [
          { type: 'multiple-choice', items: 1187, chance: 1 / 4 },
          { type: 'judge (yes/no/maybe)', items: 99, chance: 1 / 3 },
          { type: 'filling (pick from a listed set)', items: 155, chance: 0.31139784946236604 },
        ],
        description: 'SciEval validation split (1,441 multiple-choice, judge and filling items; the test labels are not public).',
        suite: {
          url: 'https://github.com/THUDM/SciGLM/blob/main/evaluation/SciEval/evaluate_SciEval.py',
          scoring: "SciGLM's evaluate_SciEval.py: prompt + \"\\ninput:\" + question, greedy, 512 tokens; first character for multiple choice, answer contained for judge and filling.",
        },
      },
      {
        name: 'SciBench',
        subset: 'scibench',
        metric: 'acc',
        filter: 'none',
        choices: null,
        description: 'SciBench textbook set, ten books, 580 free-response college science problems; answers are numbers, so the baseline is 0.',
        suite: {
          url: 'https://github.com/mandyyyyii/scibench/tree/main/eval',
          scoring: "SciBench's eval_zero.py: its system instruction, zero-shot; last \\boxed{} answer, 10^k units resolved, within 5% (math.isclose); accuracy over all books.",
        },
      },
    ],
  },
  math: {
    id: 'math',
    title: 'Mathematical reasoning',
    averageName: 'Avg. Math',
    reportedOnlyColumns: [],
    columns: [
      {
        name: 'GSM8K',
        subset: 'gsm8k',
        // flexible-extract (last number in the completion) rather than strict `#### n`: the paper's numbers
        // come from answer extraction of chain-of-thought output, which strict-match under-counts.
        metric: 'exact_match',
        filter: 'flexible-extract',
        choices: null,
        description: 'GSM8K test, lm-eval `gsm8k`, exact match after extracting the last number (flexible-extract).',
        suite: { url: `${LM_EVAL_TASKS}/gsm8k`, scoring: 'lm-eval gsm8k, 5-shot; exact_match after flexible-extract (last number).' },
      },
      {
        name: 'MATH',
        subset: 'minerva_math',
        metric: 'exact_match',
        filter: 'none',
        choices: null,
        description: 'MATH test, lm-eval `minerva_math` group (4-shot Minerva prompt, equivalence-checked answers).',
        // lm-eval's minerva_math also reports math_verify; the column reads exact_match, the metric published MATH
        // numbers use. math_verify is stored beside it and shown on the run page.
        suite: { url: `${LM_EVAL_TASKS}/minerva_math`, scoring: 'lm-eval minerva_math, 4-shot; exact_match of the normalised final answer, checked for equivalence (math_verify is reported beside it, not used here).' },
      },
      {
        name: 'Mathematics',
        subset: 'mathematics',
        metric: 'acc',
        filter: 'none',
        choices: null,
        description:
          "DeepMind Mathematics, as in MAmmoTH and the paper: the 56 interpolate test modules (1,120 questions made with the official generator).",
        suite: {
          url: 'https://github.com/google-deepmind/mathematics_dataset',
          scoring: 'Zero-shot "Problem: …\\nAnswer:"; the answer equals the gold after normalisation (exact rationals, root and factor lists as sets, polynomials by exact evaluation).',
        },
      },
      {
        name: 'SAT-Math',
        subset: 'agieval_sat_math',
        ...MULTIPLE_CHOICE,
        choices: 4,
        description: 'AGIEval SAT-Math, 220 four-option questions.',
        suite: { url: `${LM_EVAL_TASKS}/agieval`, scoring: 'lm-eval agieval_sat_math, zero-shot; acc = argmax of the options\' log-likelihoods.' },
      },
      {
        name: 'MMLU-Math',
        subset: 'mmlu-math',
        ...MULTIPLE_CHOICE,
        choices: 4,
        description: "MAmmoTH's MMLU-Math: abstract algebra, college, elementary and high-school mathematics, formal logic (974 test questions).",
        suite: { url: `${LM_EVAL_TASKS}/mmlu`, scoring: 'lm-eval mmlu prompts; acc = argmax of the choices\' log-likelihoods, micro-averaged over subjects.' },
      },
      {
        name: 'CEval-Math',
        subset: 'ceval-math',
        ...MULTIPLE_CHOICE,
        choices: 4,
        description: 'C-Eval mathematics subjects (advanced, discrete, probability, high-school and middle-school maths), validation split.',
        suite: { url: `${LM_EVAL_TASKS}/ceval`, scoring: 'lm-eval ceval-valid prompts; acc = argmax of the choices\' log-likelihoods, micro-averaged over subjects.' },
      },
    ],
  },
} satisfies Record<string, BoardDefinition>;

export type BoardId = keyof typeof boards;

/** The board of that id, or undefined (the caller names the id and the expected ones in its own error). */
export function findBoard(id: string): BoardDefinition | undefined {
  return Object.hasOwn(boards, id) ? (boards as Record<string, BoardDefinition>)[id] : undefined;
}

export function getBoard(id: string): BoardDefinition {
  const board = findBoard(id);
  if (!board) {
    throw new Error(`unknown board "${id}": expected one of ${Object.keys(boards).join(', ')}`);
  }
  return board;
}

/**
 * Accuracy rescaled so that random guessing scores 0 and a perfect score 100, as the Open LLM Leaderboard v2
 * does; below-chance scores clamp to 0 there too, so a board never shows negative accuracy.
 */
export function normaliseScore(percent: number, choices: number | null, baselinePercent?: number): number {
  const baseline = baselinePercent ?? (choices === null || choices <= 1 ? 0 : 100 / choices);
  if (baseline <= 0) return percent;
  return Math.max(0, ((percent - baseline) / (100 - baseline)) * 100);
}

/** A column's random-guess score in percent: the item-weighted chance of a mixed column, else 1/choices, else 0. */
export function columnBaseline(column: Pick<BoardColumn, 'choices' | 'chance'>): number {
  if (column.chance?.length) {
    const items = column.chance.reduce((n, c) => n + c.items, 0);
    return items === 0 ? 0 : (100 * column.chance.reduce((s, c) => s + c.items * c.chance, 0)) / items;
  }
  return column.choices === null || column.choices <= 1 ? 0 : 100 / column.choices;
}
