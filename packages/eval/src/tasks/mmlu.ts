/** MMLU tasks as lm-eval defines them (lm_eval/tasks/mmlu/default/). */
import { loadMmluSubject, type MmluDoc } from '../data/mmlu.ts';
import type { GroupDefinition, TaskDefinition } from '../task.ts';
import { docChoiceIndex, docText } from './docTemplate.ts';
import { DEFAULT_FEWSHOT_DELIMITER, DEFAULT_TARGET_DELIMITER, defineTemplateTask } from './templateTask.ts';

export type MmluCategory = 'stem' | 'other' | 'social_sciences' | 'humanities';

/** lm-eval's subject -> category map (from the original MMLU `categories.py`), in alphabetical subject order. */
export const MMLU_SUBJECTS: Readonly<Record<string, MmluCategory>> = {
  abstract_algebra: 'stem',
  anatomy: 'stem',
  astronomy: 'stem',
  business_ethics: 'other',
  clinical_knowledge: 'other',
  college_biology: 'stem',
  college_chemistry: 'stem',
  college_computer_science: 'stem',
  college_mathematics: 'stem',
  college_medicine: 'other',
  college_physics: 'stem',
  computer_security: 'stem',
  conceptual_physics: 'stem',
  econometrics: 'social_sciences',
  electrical_engineering: 'stem',
  elementary_mathematics: 'stem',
  formal_logic: 'humanities',
  global_facts: 'other',
  high_school_biology: 'stem',
  high_school_chemistry: 'stem',
  high_school_computer_science: 'stem',
  high_school_european_history: 'humanities',
  high_school_geography: 'social_sciences',
  high_school_government_and_politics: 'social_sciences',
  high_school_macroeconomics: 'social_sciences',
  high_school_mathematics: 'stem',
  high_school_microeconomics: 'social_sciences',
  high_school_physics: 'stem',
  high_school_psychology: 'social_sciences',
  high_school_statistics: 'stem',
  high_school_us_history: 'humanities',
  high_school_world_history: 'humanities',
  human_aging: 'other',
  human_sexuality: 'social_sciences',
  international_law: 'humanities',
  jurisprudence: 'humanities',
  logical_fallacies: 'humanities',
  machine_learning: 'stem',
  management: 'other',
  marketing: 'other',
  medical_genetics: 'other',
  miscellaneous: 'other',
  moral_disputes: 'humanities',
  moral_scenarios: 'humanities',
  nutrition: 'other',
  philosophy: 'humanities',
  prehistory: 'humanities',
  professional_accounting: 'other',
  professional_law: 'humanities',
  professional_medicine: 'other',
  professional_psychology: 'social_sciences',
  public_relations: 'social_sciences',
  security_studies: 'social_sciences',
  sociology: 'social_sciences',
  us_foreign_policy: 'social_sciences',
  virology: 'other',
  world_religions: 'humanities',
};

const CHOICES = ['A', 'B', 'C', 'D'];
// lm_eval/tasks/mmlu/default/_default_template_yaml: the prompt is rendered from these strings (docTemplate.ts).
const DOC_TO_TEXT = '{{question.strip()}}\nA. {{choices[0]}}\nB. {{choices[1]}}\nC. {{choices[2]}}\nD. {{choices[3]}}\nAnswer:';
const DOC_TO_TARGET = 'answer';

export function mmluDescription(subject: string): string {
  return `The following are multiple choice questions (with answers) about ${subject.split('_').join(' ')}.\n\n`;
}

export function mmluTaskName(subject: string): string {
  return `mmlu_${subject}`;
}

function mmluTask(subject: string, category: MmluCategory): TaskDefinition {
  const description = mmluDescription(subject);
  return defineTemplateTask<MmluDoc>({
    outputType: 'multiple_choice',
    name: mmluTaskName(subject),
    alias: subject,
    version: '1.0',
    defaultNumFewshot: 0,
    description,
    loadDocs: (dataDir) => loadMmluSubject(dataDir, subject, 'test'),
    loadFewshotDocs: (dataDir) => loadMmluSubject(dataDir, subject, 'dev'),
    docToText: docText(DOC_TO_TEXT),
    docToChoice: () => CHOICES,
    docToTarget: docChoiceIndex(DOC_TO_TARGET),
    metrics: ['acc'],
    config: {
      task: mmluTaskName(subject),
      task_alias: subject,
      tag: `mmlu_${category}_tasks`,
      dataset_path: 'cais/mmlu',
      dataset_name: subject,
      test_split: 'test',
      fewshot_split: 'dev',
      fewshot_config: { sampler: 'first_n' },
      output_type: 'multiple_choice',
      doc_to_text: DOC_TO_TEXT,
      doc_to_choice: CHOICES,
      doc_to_target: DOC_TO_TARGET,
      description,
      target_delimiter: DEFAULT_TARGET_DELIMITER,
      fewshot_delimiter: DEFAULT_FEWSHOT_DELIMITER,
      metric_list: [{ metric: 'acc', aggregation: 'mean', higher_is_better: true }],
      metadata: { version: 1.0 },
      data_files: `mmlu/test/${subject}_test.csv (few-shot: mmlu/dev/${subject}_dev.csv)`,
    },
  });
}

export const mmluTasks: TaskDefinition[] = Object.entries(MMLU_SUBJECTS).map(([s, c]) => mmluTask(s, c));

const CATEGORY_ORDER: MmluCategory[] = ['stem', 'other', 'social_sciences', 'humanities'];

function subjectsIn(category: MmluCategory): string[] {
  return Object.entries(MMLU_SUBJECTS)
    .filter(([, c]) => c === category)
    .map(([s]) => mmluTaskName(s));
}

export const mmluGroups: GroupDefinition[] = [
  { name: 'mmlu', members: CATEGORY_ORDER.map((c) => `mmlu_${c}`), aggregation: 'micro', version: '2' },
  ...CATEGORY_ORDER.map(
    (c): GroupDefinition => ({ name: `mmlu_${c}`, alias: c.replace('_', ' '), members: subjectsIn(c), aggregation: 'micro', version: '2' }),
  ),
];
