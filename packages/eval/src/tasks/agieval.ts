/** AGIEval SAT-Math as lm-eval's `agieval_sat_math` (lm_eval/tasks/agieval/aqua-rat.yaml, sat-math.yaml, utils.py). */
import { loadAgievalMultipleChoice, type AgievalDoc } from '../data/agieval.ts';
import type { TaskDefinition } from '../task.ts';
import { docChoiceIndices, docChoices, docText } from './docTemplate.ts';
import { DEFAULT_FEWSHOT_DELIMITER, DEFAULT_TARGET_DELIMITER, defineTemplateTask } from './templateTask.ts';

// lm_eval/tasks/agieval/aqua-rat.yaml (which sat-math.yaml includes): the prompt is rendered from these strings.
const DOC_TO_TEXT = '{{query}}';
const DOC_TO_TARGET = '{{gold}}';
const DOC_TO_CHOICE = '{{choices}}';
const goldIndices = docChoiceIndices(DOC_TO_TARGET);

export const agievalSatMath: TaskDefinition = defineTemplateTask<AgievalDoc>({
  outputType: 'multiple_choice',
  name: 'agieval_sat_math',
  version: '1.0',
  defaultNumFewshot: 0,
  loadDocs: (dataDir) => loadAgievalMultipleChoice(dataDir, 'sat-math.jsonl'),
  docToText: docText(DOC_TO_TEXT),
  docToChoice: docChoices(DOC_TO_CHOICE),
  // lm-eval's target is the list `gold` renders to; the first index is logged (README, "Deviations").
  docToTarget: (doc) => goldIndices(doc)[0]!,
  // process_results_mcqa: a prediction is right when it is any of the gold indices.
  goldIndices,
  metrics: ['acc', 'acc_norm'],
  config: {
    task: 'agieval_sat_math',
    tag: ['agieval', 'agieval_nous', 'agieval_en'],
    dataset_path: 'hails/agieval-sat-math',
    test_split: 'test',
    output_type: 'multiple_choice',
    doc_to_text: DOC_TO_TEXT,
    doc_to_target: DOC_TO_TARGET,
    doc_to_choice: DOC_TO_CHOICE,
    process_results: 'utils.process_results_mcqa',
    target_delimiter: DEFAULT_TARGET_DELIMITER,
    fewshot_delimiter: DEFAULT_FEWSHOT_DELIMITER,
    metric_list: [
      { metric: 'acc', aggregation: 'mean', higher_is_better: true },
      { metric: 'acc_norm', aggregation: 'mean', higher_is_better: true },
    ],
    metadata: { version: 1.0 },
    data_files: 'agieval/sat-math.jsonl (query rebuilt with AGIEval zero-shot English QA template)',
  },
});
