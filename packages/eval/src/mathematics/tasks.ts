/**
 * `mathematics_<module>` (the 56 interpolate modules of DeepMind Mathematics) and the group `mathematics`.
 * Zero-shot, in the style of the math board's other generation tasks (hendrycks_math's `Problem: …\nAnswer:`,
 * stop at the next `Problem:`, at most 256 new tokens), scored by the normalised comparison of answer.ts.
 */
import { documentAt, generatedText, type GroupDefinition, type ItemScore, type ModelResponse, type PreparedTask, type TaskDefinition } from '../task.ts';
import { extractMathematicsAnswer, mathematicsEquivalent } from './answer.ts';
import { loadMathematicsModule, type MathematicsDoc } from './data.ts';
import { docText } from '../tasks/docTemplate.ts';

/** The interpolate test modules the generator writes (`mathematics_dataset` @ 427f450), sorted. */
export const MATHEMATICS_MODULES = [
  'algebra__linear_1d',
  'algebra__linear_1d_composed',
  'algebra__linear_2d',
  'algebra__linear_2d_composed',
  'algebra__polynomial_roots',
  'algebra__polynomial_roots_composed',
  'algebra__sequence_next_term',
  'algebra__sequence_nth_term',
  'arithmetic__add_or_sub',
  'arithmetic__add_or_sub_in_base',
  'arithmetic__add_sub_multiple',
  'arithmetic__div',
  'arithmetic__mixed',
  'arithmetic__mul',
  'arithmetic__mul_div_multiple',
  'arithmetic__nearest_integer_root',
  'arithmetic__simplify_surd',
  'calculus__differentiate',
  'calculus__differentiate_composed',
  'comparison__closest',
  'comparison__closest_composed',
  'comparison__kth_biggest',
  'comparison__kth_biggest_composed',
  'comparison__pair',
  'comparison__pair_composed',
  'comparison__sort',
  'comparison__sort_composed',
  'measurement__conversion',
  'measurement__time',
  'numbers__base_conversion',
  'numbers__div_remainder',
  'numbers__div_remainder_composed',
  'numbers__gcd',
  'numbers__gcd_composed',
  'numbers__is_factor',
  'numbers__is_factor_composed',
  'numbers__is_prime',
  'numbers__is_prime_composed',
  'numbers__lcm',
  'numbers__lcm_composed',
  'numbers__list_prime_factors',
  'numbers__list_prime_factors_composed',
  'numbers__place_value',
  'numbers__place_value_composed',
  'numbers__round_number',
  'numbers__round_number_composed',
  'polynomials__add',
  'polynomials__coefficient_named',
  'polynomials__collect',
  'polynomials__compose',
  'polynomials__evaluate',
  'polynomials__evaluate_composed',
  'polynomials__expand',
  'polynomials__simplify_power',
  'probability__swr_p_level_set',
  'probability__swr_p_sequence',
] as const;

export const MATHEMATICS_UNTIL = ['Problem:'];
export const MATHEMATICS_MAX_GEN_TOKS = 256;

export const mathematicsTaskName = (module: string): string => `mathematics_${module}`;
/** The prompt and target are rendered from the config strings the task reports (tasks/docTemplate.ts). */
const DOC_TO_TEXT = 'Problem: {{question}}\nAnswer:';
const DOC_TO_TARGET = '{{answer}}';
const docToText = docText(DOC_TO_TEXT);
const docToTarget = docText(DOC_TO_TARGET);
export const mathematicsContext = (question: string): string => docToText({ question });

export function scoreMathematics(doc: MathematicsDoc, completion: string): ItemScore {
  const answer = extractMathematicsAnswer(completion);
  return {
    filtered: { none: answer ?? '' },
    scores: { 'acc,none': mathematicsEquivalent(answer, doc.answer, doc.module) ? 1 : 0 },
    answerFound: { none: answer !== null },
  };
}

function defineModule(module: string): TaskDefinition {
  const name = mathematicsTaskName(module);
  return {
    name,
    version: '1.0',
    outputType: 'generate_until',
    defaultNumFewshot: 0,
    config: {
      task: name,
      dataset_path: 'google-deepmind/mathematics_dataset',
      test_split: 'interpolate',
      output_type: 'generate_until',
      doc_to_text: DOC_TO_TEXT,
      doc_to_target: DOC_TO_TARGET,
      generation_kwargs: { until: MATHEMATICS_UNTIL, max_gen_toks: MATHEMATICS_MAX_GEN_TOKS, do_sample: false },
      metric_list: [{ metric: 'acc', aggregation: 'mean', higher_is_better: true }],
      scoring: 'sciboard mathematics/answer.ts: exact rationals, sets for roots and prime factors, symbolic polynomials by evaluation',
      data_files: `mathematics/interpolate/${module}.txt`,
    },
    prepare({ dataDir, numFewshot }): PreparedTask {
      if (numFewshot) throw new Error(`${name}: zero-shot only (the generated set has no training split)`);
      const docs = loadMathematicsModule(dataDir, module);
      const doc = (i: number): MathematicsDoc => documentAt(name, docs, i);
      return {
        name,
        numFewshot: 0,
        docs,
        metricKeys: ['acc,none'],
        request: (i) => ({ kind: 'generate_until', context: docToText(doc(i)), until: MATHEMATICS_UNTIL, maxTokens: MATHEMATICS_MAX_GEN_TOKS }),
        target: (i) => docToTarget(doc(i)),
        score: (d, response: ModelResponse): ItemScore => scoreMathematics(d as MathematicsDoc, generatedText(name, response)),
      };
    },
  };
}

export const mathematicsTasks: TaskDefinition[] = MATHEMATICS_MODULES.map(defineModule);

export const mathematicsGroups: GroupDefinition[] = [
  {
    name: 'mathematics',
    members: MATHEMATICS_MODULES.map(mathematicsTaskName),
    aggregation: 'micro',
    note: 'DeepMind Mathematics, the 56 interpolate test modules (1,120 generated questions), micro-averaged.',
  },
];
