/**
 * gsm8k, gsm8k_cot and gsm8k_cot_zeroshot as lm_eval/tasks/gsm8k/*.yaml define them (metadata version 3.0):
 * prompts, few-shot sampling (seeded random draws from train, or gsm8k_cot's eight fixed exemplars), stop
 * sequences, the strict-match / flexible-extract filters and exact_match with the YAMLs' options.
 */
import { DocFieldError, documentAt, generatedText, stringField, type ItemScore, type ModelResponse, type PreparedTask, type RowScoring, type TaskDefinition } from '../task.ts';
import { loadGsm8k, type Gsm8kDoc } from './data.ts';
import { GSM8K_COT_EXEMPLARS } from './gsm8kExemplars.ts';
import { PythonRandom } from '../python/random.ts';
import { plainPrompt, type PromptParts, type PromptShot } from '../chat/prompt.ts';
import { exactMatch, GSM8K_EXACT_MATCH, gsm8kFilters, regexFilter, type NamedFilter } from './scoring.ts';

/** lm-eval's default few-shot seed (`--fewshot_random_seed`, evaluator.simple_evaluate). */
export const FEWSHOT_SEED = 1234;
/** HFLM's `max_gen_toks` when the YAML sets none, as none of these do. */
export const DEFAULT_MAX_GEN_TOKS = 256;
const TARGET_DELIMITER = ' ';
const FEWSHOT_DELIMITER = '\n\n';

type Gsm8kTaskName = 'gsm8k' | 'gsm8k_cot' | 'gsm8k_cot_zeroshot';

interface Gsm8kVariant {
  name: Gsm8kTaskName;
  defaultNumFewshot: number;
  docToText(question: string): string;
  /** What lm-eval logs as `target` and compares against (after regexes_to_ignore). */
  docToTarget(doc: Gsm8kDoc): string;
  until: string[];
  filters: NamedFilter[];
  /** gsm8k_cot: fewshot_config first_n over fixed exemplars; the others draw from train with the seeded sampler. */
  fixedShots?: Array<{ question: string; target: string }>;
  config: Record<string, unknown>;
}

const finalAnswer = (doc: Gsm8kDoc): string => doc.answer.split('####').at(-1)!.trim();

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

function filterConfig(filters: NamedFilter[]): Record<string, unknown>[] {
  return filters.map((f) => ({
    name: f.name,
    filter: [
      { function: 'regex', regex_pattern: f.options.pattern, ...(f.options.groupSelect !== undefined ? { group_select: f.options.groupSelect } : {}) },
      { function: 'take_first' },
    ],
  }));
}

const VARIANTS: Gsm8kVariant[] = [
  {
    name: 'gsm8k',
    defaultNumFewshot: 5,
    docToText: (q) => `Question: ${q}\nAnswer:`,
    docToTarget: (d) => d.answer,
    until: ['Question:', '</s>', '<|im_end|>'],
    filters: gsm8kFilters.gsm8k,
    config: { doc_to_text: 'Question: {{question}}\nAnswer:', doc_to_target: '{{answer}}', fewshot_split: 'train' },
  },
  {
    name: 'gsm8k_cot',
    defaultNumFewshot: 8,
    docToText: (q) => `Q: ${q}\nA:`,
    docToTarget: finalAnswer,
    until: ['Q:', '</s>', '<|im_end|>'],
    filters: gsm8kFilters.gsm8k_cot,
    fixedShots: GSM8K_COT_EXEMPLARS,
    config: {
      doc_to_text: 'Q: {{question}}\nA:',
      doc_to_target: "{{answer.split('####')[-1].strip() if answer is defined else target}}",
      fewshot_config: { sampler: 'first_n', samples: GSM8K_COT_EXEMPLARS },
      tag: ['chain_of_thought'],
    },
  },
  {
    name: 'gsm8k_cot_zeroshot',
    defaultNumFewshot: 0,
    docToText: (q) => `Q: ${q}\nA: Let's think step by step.`,
    docToTarget: (d) => d.answer,
    until: ['Q:', '</s>', '<|im_end|>'],
    filters: gsm8kFilters.gsm8k_cot_zeroshot,
    config: { doc_to_text: "Q: {{question}}\nA: Let's think step by step.", doc_to_target: '{{answer}}', fewshot_split: 'train' },
  },
];

/**
 * The few-shot training rows lm-eval puts before each test document: one `Random(1234)` stream shared by the
 * task, advanced once per document in dataset order (fewshot split train differs from test, so no extra draw).
 */
export function gsm8kShotIndices(numDocs: number, poolSize: number, k: number, seed = FEWSHOT_SEED): number[][] {
  const rnd = new PythonRandom(seed);
  return Array.from({ length: numDocs }, () => (k > 0 ? rnd.sampleIndices(poolSize, k) : []));
}


/** Scores one completion with a variant's filters: `exact_match,<filter>` for each, against the gold answer text. */
export function scoreGsm8k(task: Gsm8kTaskName, completion: string, doc: Gsm8kDoc): ItemScore {
  const variant = VARIANTS.find((v) => v.name === task)!;
  const gold = variant.docToTarget(doc);
  const filtered: Record<string, string> = {};
  const scores: Record<string, number> = {};
  const answerFound: Record<string, boolean> = {};
  for (const f of variant.filters) {
    const { answer, found } = regexFilter(completion, f.options);
    filtered[f.name] = answer;
    answerFound[f.name] = found;
    scores[`exact_match,${f.name}`] = exactMatch(answer, gold, GSM8K_EXACT_MATCH) ? 1 : 0;
  }
  return { filtered, scores, answerFound };
}

/** A GSM8K row as the task's document (its `answer` must carry the `#### n` final answer), and its scoring. */
function gsm8kRowScoring(variant: Gsm8kVariant): RowScoring {
  return {
    document(row) {
      const answer = stringField(row, 'answer');
      if (!answer.includes('####')) throw new DocFieldError('answer', 'must end with "#### <number>" as GSM8K answers do');
      return { question: typeof row['question'] === 'string' ? row['question'] : '', answer };
    },
    score: (doc, response) => scoreGsm8k(variant.name, generatedText(variant.name, response), doc as Gsm8kDoc),
  };
}

function defineGsm8k(variant: Gsm8kVariant): TaskDefinition {
  const rowScoring = gsm8kRowScoring(variant);
  return {
    rowScoring,
    name: variant.name,
    version: '3.0',
    outputType: 'generate_until',
    defaultNumFewshot: variant.defaultNumFewshot,
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
      ...variant.config,
      metric_list: metricConfig(),
      generation_kwargs: { until: variant.until, do_sample: false, max_gen_toks: DEFAULT_MAX_GEN_TOKS },
      filter_list: filterConfig(variant.filters),
      metadata: { version: 3.0 },
      data_files: 'gsm8k/test.jsonl (few-shot: gsm8k/train.jsonl)',
    },
    prepare({ dataDir, numFewshot, fewshotSeed }): PreparedTask {
      const k = numFewshot ?? variant.defaultNumFewshot;
      if (!Number.isInteger(k) || k < 0) throw new Error(`${variant.name}: num_fewshot must be a non-negative integer, got ${k}`);
      const docs = loadGsm8k(dataDir, 'test');
      let shotsFor: (i: number) => PromptShot[];
      if (variant.fixedShots) {
        if (k > variant.fixedShots.length) throw new Error(`${variant.name}: only ${variant.fixedShots.length} fixed exemplars exist, ${k} shots asked for`);
        const shots = variant.fixedShots.slice(0, k).map((s) => ({ question: variant.docToText(s.question), answer: s.target }));
        shotsFor = () => shots;
      } else {
        const train = k > 0 ? loadGsm8k(dataDir, 'train') : [];
        const indices = gsm8kShotIndices(docs.length, train.length, k, fewshotSeed ?? FEWSHOT_SEED);
        shotsFor = (i) => indices[i]!.map((j) => ({ question: variant.docToText(train[j]!.question), answer: train[j]!.answer }));
      }
      const doc = (i: number): Gsm8kDoc => documentAt(variant.name, docs, i);
      const promptParts = (i: number): PromptParts => ({
        description: '',
        shots: shotsFor(i),
        question: variant.docToText(doc(i).question),
        targetDelimiter: TARGET_DELIMITER,
        fewshotDelimiter: FEWSHOT_DELIMITER,
      });
      return {
        name: variant.name,
        numFewshot: k,
        docs: docs as unknown as PreparedTask['docs'],
        metricKeys: variant.filters.map((f) => `exact_match,${f.name}`),
        promptParts,
        request: (i) => ({
          kind: 'generate_until',
          context: plainPrompt(promptParts(i)),
          until: variant.until,
          maxTokens: DEFAULT_MAX_GEN_TOKS,
        }),
        target: (i) => variant.docToTarget(doc(i)),
        score: (d, response: ModelResponse) => rowScoring.score(d, response),
      };
    },
  };
}

export const gsm8kTasks: TaskDefinition[] = VARIANTS.map(defineGsm8k);
