/**
 * gsm8k, gsm8k_cot and gsm8k_cot_zeroshot as lm_eval/tasks/gsm8k/*.yaml define them (metadata version 3.0),
 * as configurations of the template task: prompts, few-shot sampling (seeded random draws from train, or
 * gsm8k_cot's eight fixed exemplars), stop sequences, the strict-match / flexible-extract filters and
 * exact_match with the YAMLs' options.
 */
import { DocFieldError, scoreNow, stringField, type Doc, type ItemScore, type TaskDefinition } from '../task.ts';
import { filterListConfig, type FilterPipeline } from '../tasks/filters.ts';
import { DEFAULT_FEWSHOT_DELIMITER, DEFAULT_FEWSHOT_SEED, DEFAULT_TARGET_DELIMITER, defineTemplateTask, randomShotIndices } from '../tasks/templateTask.ts';
import { loadGsm8k, type Gsm8kDoc } from './data.ts';
import { GSM8K_COT_EXEMPLARS } from './gsm8kExemplars.ts';
import { GSM8K_EXACT_MATCH, gsm8kFilters } from './scoring.ts';
import { docText } from '../tasks/docTemplate.ts';

/** lm-eval's default few-shot seed (`--fewshot_random_seed`, evaluator.simple_evaluate). */
export const FEWSHOT_SEED = DEFAULT_FEWSHOT_SEED;
/** HFLM's `max_gen_toks` when the YAML sets none, as none of these do. */
export const DEFAULT_MAX_GEN_TOKS = 256;
const TARGET_DELIMITER = DEFAULT_TARGET_DELIMITER;
const FEWSHOT_DELIMITER = DEFAULT_FEWSHOT_DELIMITER;

type Gsm8kTaskName = 'gsm8k' | 'gsm8k_cot' | 'gsm8k_cot_zeroshot';

/** A test or train row, or one of gsm8k-cot.yaml's exemplars (a question and its `target`, no `answer`). */
type Gsm8kPromptDoc = Doc & { question: string; answer?: string; target?: string };

interface Gsm8kVariant {
  name: Gsm8kTaskName;
  defaultNumFewshot: number;
  /** The YAML's `doc_to_text`, from which the prompt is rendered. */
  docToText: string;
  /** The YAML's `doc_to_target`: what lm-eval logs as `target` and compares against (after regexes_to_ignore). */
  docToTarget: string;
  until: string[];
  filters: FilterPipeline[];
  /** gsm8k_cot: fewshot_config first_n over fixed exemplars; the others draw from train with the seeded sampler. */
  fixedShots?: Gsm8kPromptDoc[];
  config: Record<string, unknown>;
}

function metricConfig(): Record<string, unknown>[] {
  return [
    {
      metric: 'exact_match',
      aggregation: 'mean',
      higher_is_better: true,
      ignore_case: GSM8K_EXACT_MATCH.ignoreCase,
      ignore_punctuation: GSM8K_EXACT_MATCH.ignorePunctuation,
      regexes_to_ignore: GSM8K_EXACT_MATCH.regexesToIgnore,
    },
  ];
}

const VARIANTS: Gsm8kVariant[] = [
  {
    name: 'gsm8k',
    defaultNumFewshot: 5,
    docToText: 'Question: {{question}}\nAnswer:',
    docToTarget: '{{answer}}',
    until: ['Question:', '</s>', '<|im_end|>'],
    filters: gsm8kFilters.gsm8k,
    config: { fewshot_split: 'train' },
  },
  {
    name: 'gsm8k_cot',
    defaultNumFewshot: 8,
    docToText: 'Q: {{question}}\nA:',
    // The fixed exemplars have no answer: they are followed by their target.
    docToTarget: "{{answer.split('####')[-1].strip() if answer is defined else target}}",
    until: ['Q:', '</s>', '<|im_end|>'],
    filters: gsm8kFilters.gsm8k_cot,
    fixedShots: GSM8K_COT_EXEMPLARS,
    config: {
      fewshot_config: { sampler: 'first_n', samples: GSM8K_COT_EXEMPLARS },
      tag: ['chain_of_thought'],
    },
  },
  {
    name: 'gsm8k_cot_zeroshot',
    defaultNumFewshot: 0,
    docToText: "Q: {{question}}\nA: Let's think step by step.",
    docToTarget: '{{answer}}',
    until: ['Q:', '</s>', '<|im_end|>'],
    filters: gsm8kFilters.gsm8k_cot_zeroshot,
    config: { fewshot_split: 'train' },
  },
];

/**
 * The few-shot training rows lm-eval puts before each test document: one `Random(1234)` stream shared by the
 * task, advanced once per document in dataset order (fewshot split train differs from test, so no extra draw).
 */
export const gsm8kShotIndices = randomShotIndices;

/** A GSM8K row as the task's document: its `answer` must carry the `#### n` final answer. */
function gsm8kDocumentFromRow(row: Doc): Gsm8kDoc {
  const answer = stringField(row, 'answer');
  if (!answer.includes('####')) throw new DocFieldError('answer', 'must end with "#### <number>" as GSM8K answers do');
  return { question: typeof row['question'] === 'string' ? row['question'] : '', answer };
}

function defineGsm8k(variant: Gsm8kVariant): TaskDefinition {
  return defineTemplateTask<Gsm8kPromptDoc>({
    outputType: 'generate_until',
    name: variant.name,
    version: '3.0',
    defaultNumFewshot: variant.defaultNumFewshot,
    targetDelimiter: TARGET_DELIMITER,
    fewshotDelimiter: FEWSHOT_DELIMITER,
    loadDocs: (dataDir) => loadGsm8k(dataDir, 'test'),
    ...(variant.fixedShots ? { fixedExemplars: variant.fixedShots } : { loadFewshotDocs: (dataDir: string) => loadGsm8k(dataDir, 'train'), sampler: 'random' as const }),
    docToText: docText(variant.docToText),
    docToTarget: docText(variant.docToTarget),
    until: variant.until,
    maxGenToks: DEFAULT_MAX_GEN_TOKS,
    filters: variant.filters,
    exactMatch: GSM8K_EXACT_MATCH,
    documentFromRow: gsm8kDocumentFromRow,
    config: {
      task: variant.name,
      dataset_path: 'openai/gsm8k',
      dataset_name: 'main',
      output_type: 'generate_until',
      training_split: 'train',
      test_split: 'test',
      target_delimiter: TARGET_DELIMITER,
      fewshot_delimiter: FEWSHOT_DELIMITER,
      num_fewshot: variant.defaultNumFewshot,
      doc_to_text: variant.docToText,
      doc_to_target: variant.docToTarget,
      ...variant.config,
      metric_list: metricConfig(),
      generation_kwargs: { until: variant.until, do_sample: false, max_gen_toks: DEFAULT_MAX_GEN_TOKS },
      filter_list: filterListConfig(variant.filters),
      metadata: { version: 3.0 },
      data_files: 'gsm8k/test.jsonl (few-shot: gsm8k/train.jsonl)',
    },
  });
}

export const gsm8kTasks: TaskDefinition[] = VARIANTS.map(defineGsm8k);

/** Scores one completion as the named variant does: `exact_match,<filter>` for each filter, against the gold answer text. */
export function scoreGsm8k(task: Gsm8kTaskName, completion: string, doc: Gsm8kDoc): ItemScore {
  const definition = gsm8kTasks.find((t) => t.name === task)!;
  return scoreNow(definition.rowScoring!.score(doc, { kind: 'generate_until', text: completion, finishReason: 'stop' }));
}
