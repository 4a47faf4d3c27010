/** C-Eval validation tasks as lm-eval defines them (lm_eval/tasks/ceval/_default_ceval_yaml, _generate_configs.py). */
import { loadCevalSubject, type CevalDoc } from '../data/ceval.ts';
import type { GroupDefinition, TaskDefinition } from '../task.ts';
import { docChoiceIndex, docText } from './docTemplate.ts';
import { DEFAULT_FEWSHOT_DELIMITER, DEFAULT_TARGET_DELIMITER, defineTemplateTask } from './templateTask.ts';

/** Subject -> Chinese name used in the description, in lm-eval's group order. */
export const CEVAL_SUBJECTS: Readonly<Record<string, string>> = {
  computer_network: '计算机网络',
  operating_system: '操作系统',
  computer_architecture: '计算机组成',
  college_programming: '大学编程',
  college_physics: '大学物理',
  college_chemistry: '大学化学',
  advanced_mathematics: '高等数学',
  probability_and_statistics: '概率统计',
  discrete_mathematics: '离散数学',
  electrical_engineer: '注册电气工程师',
  metrology_engineer: '注册计量师',
  high_school_mathematics: '高中数学',
  high_school_physics: '高中物理',
  high_school_chemistry: '高中化学',
  high_school_biology: '高中生物',
  middle_school_mathematics: '初中数学',
  middle_school_biology: '初中生物',
  middle_school_physics: '初中物理',
  middle_school_chemistry: '初中化学',
  veterinary_medicine: '兽医学',
  college_economics: '大学经济学',
  business_administration: '工商管理',
  marxism: '马克思主义基本原理',
  mao_zedong_thought: '毛泽东思想和中国特色社会主义理论体系概论',
  education_science: '教育学',
  teacher_qualification: '教师资格',
  high_school_politics: '高中政治',
  high_school_geography: '高中地理',
  middle_school_politics: '初中政治',
  middle_school_geography: '初中地理',
  modern_chinese_history: '近代史纲要',
  ideological_and_moral_cultivation: '思想道德修养与法律基础',
  logic: '逻辑学',
  law: '法学',
  chinese_language_and_literature: '中国语言文学',
  art_studies: '艺术学',
  professional_tour_guide: '导游资格',
  legal_professional: '法律职业资格',
  high_school_chinese: '高中语文',
  high_school_history: '高中历史',
  middle_school_history: '初中历史',
  civil_servant: '公务员',
  sports_science: '体育学',
  plant_protection: '植物保护',
  basic_medicine: '基础医学',
  clinical_medicine: '临床医学',
  urban_and_rural_planner: '注册城乡规划师',
  accountant: '注册会计师',
  fire_engineer: '注册消防工程师',
  environmental_impact_assessment_engineer: '环境影响评价工程师',
  tax_accountant: '税务师',
  physician: '医师资格',
};

const CHOICES = ['A', 'B', 'C', 'D'];
// lm_eval/tasks/ceval/_default_ceval_yaml: the prompt is rendered from these strings (docTemplate.ts).
const DOC_TO_TEXT = '{{question.strip()}}\nA. {{A}}\nB. {{B}}\nC. {{C}}\nD. {{D}}\n答案：';
const DOC_TO_TARGET = "{{['A', 'B', 'C', 'D'].index(answer)}}";

export function cevalTaskName(subject: string): string {
  return `ceval-valid_${subject}`;
}

function cevalTask(subject: string, chinese: string): TaskDefinition {
  const description = `以下是中国关于${chinese}的单项选择题，请选出其中的正确答案。\n\n`;
  return defineTemplateTask<CevalDoc>({
    outputType: 'multiple_choice',
    name: cevalTaskName(subject),
    // _default_ceval_yaml: metadata version 2.0 (lm-eval @ 4e7e0d47f), as is the ceval-valid group's.
    version: '2.0',
    defaultNumFewshot: 0,
    description,
    loadDocs: (dataDir) => loadCevalSubject(dataDir, subject, 'val'),
    loadFewshotDocs: (dataDir) => loadCevalSubject(dataDir, subject, 'dev'),
    docToText: docText(DOC_TO_TEXT),
    docToChoice: () => CHOICES,
    docToTarget: docChoiceIndex(DOC_TO_TARGET),
    metrics: ['acc', 'acc_norm'],
    config: {
      task: cevalTaskName(subject),
      tag: ['ceval-valid'],
      dataset_path: 'ceval/ceval-exam',
      dataset_name: subject,
      validation_split: 'val',
      fewshot_split: 'dev',
      fewshot_config: { sampler: 'first_n' },
      output_type: 'multiple_choice',
      doc_to_text: DOC_TO_TEXT,
      doc_to_choice: CHOICES,
      doc_to_target: DOC_TO_TARGET,
      description,
      target_delimiter: DEFAULT_TARGET_DELIMITER,
      fewshot_delimiter: DEFAULT_FEWSHOT_DELIMITER,
      metric_list: [
        { metric: 'acc', aggregation: 'mean', higher_is_better: true },
        { metric: 'acc_norm', aggregation: 'mean', higher_is_better: true },
      ],
      metadata: { version: 2.0 },
      data_files: `ceval/val/${subject}_val.csv (few-shot: ceval/dev/${subject}_dev.csv)`,
    },
  });
}

export const cevalTasks: TaskDefinition[] = Object.entries(CEVAL_SUBJECTS).map(([s, zh]) => cevalTask(s, zh));

export const cevalGroups: GroupDefinition[] = [
  { name: 'ceval-valid', members: Object.keys(CEVAL_SUBJECTS).map(cevalTaskName), aggregation: 'micro', version: '2.0' },
];
