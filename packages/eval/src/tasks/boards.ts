/**
 * Subsets behind the SciGLM leaderboard columns, as named groups. Member lists and the reasoning for them are
 * in packages/eval/README.md ("Board subsets").
 */
import type { GroupDefinition } from '../task.ts';
import { cevalTaskName } from './ceval.ts';
import { mmluTaskName } from './mmlu.ts';

export const CEVAL_HARD_SUBJECTS = [
  'advanced_mathematics',
  'discrete_mathematics',
  'probability_and_statistics',
  'college_chemistry',
  'college_physics',
  'high_school_mathematics',
  'high_school_chemistry',
  'high_school_physics',
];

export const CEVAL_MATH_SUBJECTS = [
  'advanced_mathematics',
  'discrete_mathematics',
  'probability_and_statistics',
  'high_school_mathematics',
  'middle_school_mathematics',
];

export const CEVAL_SCI_SUBJECTS = [
  'college_physics',
  'college_chemistry',
  'high_school_physics',
  'high_school_chemistry',
  'high_school_biology',
  'middle_school_physics',
  'middle_school_chemistry',
  'middle_school_biology',
];

/**
 * MAmmoTH's MMLU-Math (the source of SciGLM's math-board numbers): its `mmlu_mathematics` set is these five
 * subjects' test questions, 974 in all (100 + 100 + 378 + 270 + 126), the count MAmmoTH's paper reports.
 */
export const MMLU_MATH_SUBJECTS = [
  'abstract_algebra',
  'college_mathematics',
  'elementary_mathematics',
  'high_school_mathematics',
  'formal_logic',
];

export const MMLU_SCI_SUBJECTS = [
  'astronomy',
  'college_biology',
  'college_chemistry',
  'college_physics',
  'conceptual_physics',
  'high_school_biology',
  'high_school_chemistry',
  'high_school_physics',
];

export const boardGroups: GroupDefinition[] = [
  {
    name: 'ceval-hard',
    members: CEVAL_HARD_SUBJECTS.map(cevalTaskName),
    aggregation: 'micro',
    note: 'The eight C-Eval Hard subjects named by the C-Eval paper.',
  },
  {
    name: 'ceval-math',
    members: CEVAL_MATH_SUBJECTS.map(cevalTaskName),
    aggregation: 'micro',
    note: 'Every C-Eval subject whose content is mathematics, from middle school to university.',
  },
  {
    name: 'ceval-sci',
    members: CEVAL_SCI_SUBJECTS.map(cevalTaskName),
    aggregation: 'micro',
    note: 'C-Eval physics, chemistry and biology at every level (the natural sciences SciGLM trains on).',
  },
  {
    name: 'mmlu-math',
    members: MMLU_MATH_SUBJECTS.map(mmluTaskName),
    aggregation: 'micro',
    note: "MAmmoTH's MMLU-Math: abstract algebra, college, elementary and high-school mathematics, formal logic (974 questions).",
  },
  {
    name: 'mmlu-sci',
    members: MMLU_SCI_SUBJECTS.map(mmluTaskName),
    aggregation: 'micro',
    note: 'MMLU physics, chemistry, biology and astronomy subjects.',
  },
  { name: 'sat-math', members: ['agieval_sat_math'], aggregation: 'micro', note: 'AGIEval SAT-Math, scored as lm-eval does.' },
  {
    name: 'scieval',
    members: ['scieval_valid'],
    aggregation: 'micro',
    note: "SciEval validation split (the test labels are not public), scored as SciGLM's evaluate_SciEval.py does.",
  },
];
