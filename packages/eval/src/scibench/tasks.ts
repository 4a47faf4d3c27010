/**
 * `scibench_<book>` (ten textbooks) and the group `scibench`: zero-shot by default as eval_zero.py with its
 * system instruction, few-shot (k ≤ 3) as eval_few.py, scored by the benchmark's own extraction and 5% rule.
 * The group's accuracy is the micro average over every problem of every book, as the paper's overall number.
 */
import { documentAt, generatedText, type GroupDefinition, type ItemScore, type ModelResponse, type PreparedTask, type TaskDefinition } from '../task.ts';
import { loadScibenchBook, SCIBENCH_BOOKS, type ScibenchDoc } from './data.ts';
import { fewShotContext, SCIBENCH_MAX_SHOTS, SCIBENCH_SYSTEM, zeroShotContext } from './prompt.ts';
import { scoreScibench } from './scoring.ts';

/**
 * The API calls have no token cap; a local model needs one. 512 new tokens holds a step-by-step solution of
 * the textbook problems' usual length.
 */
export const SCIBENCH_MAX_GEN_TOKS = 512;
/** Where a completion model would start the next turn. */
export const SCIBENCH_UNTIL_ZERO = ['\nQ:'];
export const SCIBENCH_UNTIL_FEW = ['\nProblem '];

export const scibenchTaskName = (book: string): string => `scibench_${book}`;

export function scoreScibenchCompletion(doc: ScibenchDoc, completion: string): ItemScore {
  const verdict = scoreScibench(completion, doc.answer_number, doc.unit);
  return {
    filtered: { none: verdict.compared ?? '' },
    scores: { 'acc,none': verdict.correct ? 1 : 0 },
    answerFound: { none: verdict.extracted !== null },
  };
}

function defineBook(book: string): TaskDefinition {
  const name = scibenchTaskName(book);
  return {
    name,
    version: '1.0',
    outputType: 'generate_until',
    defaultNumFewshot: 0,
    config: {
      task: name,
      dataset_path: 'mandyyyyii/scibench',
      test_split: book,
      fewshot_split: `${book}_sol`,
      output_type: 'generate_until',
      description: SCIBENCH_SYSTEM,
      doc_to_text: 'Q: {{problem_text}} The unit of the answer is {{unit}}.\nA: The answer is',
      doc_to_target: '{{answer_number}}',
      generation_kwargs: { until: SCIBENCH_UNTIL_ZERO, max_gen_toks: SCIBENCH_MAX_GEN_TOKS, do_sample: false },
      metric_list: [{ metric: 'acc', aggregation: 'mean', higher_is_better: true }],
      scoring: 'SciBench eval/post_process.py + equiv: last \\boxed{} answer, 10^k units resolved, math.isclose rel_tol=0.05',
      data_files: `scibench/original/${book}.json (few-shot: ${book}_sol.json)`,
    },
    prepare({ dataDir, numFewshot }): PreparedTask {
      const k = numFewshot ?? 0;
      if (!Number.isInteger(k) || k < 0 || k > SCIBENCH_MAX_SHOTS) {
        throw new Error(`${name}: num_fewshot must be 0 to ${SCIBENCH_MAX_SHOTS} (eval_few.py uses the first three _sol problems), got ${k}`);
      }
      const docs = loadScibenchBook(dataDir, book);
      const shots = k > 0 ? loadScibenchBook(dataDir, book, true).slice(0, k) : [];
      if (shots.length < k) throw new Error(`${name}: only ${shots.length} worked solutions in ${book}_sol.json for ${k} shots`);
      const doc = (i: number): ScibenchDoc => documentAt(name, docs, i);
      return {
        name,
        numFewshot: k,
        docs,
        metricKeys: ['acc,none'],
        request: (i) => ({
          kind: 'generate_until',
          context: k > 0 ? fewShotContext(doc(i), shots) : zeroShotContext(doc(i)),
          until: k > 0 ? SCIBENCH_UNTIL_FEW : SCIBENCH_UNTIL_ZERO,
          maxTokens: SCIBENCH_MAX_GEN_TOKS,
        }),
        target: (i) => doc(i).answer_number,
        score: (d, response: ModelResponse): ItemScore => scoreScibenchCompletion(d as ScibenchDoc, generatedText(name, response)),
      };
    },
  };
}

export const scibenchTasks: TaskDefinition[] = SCIBENCH_BOOKS.map(defineBook);

export const scibenchGroups: GroupDefinition[] = [
  {
    name: 'scibench',
    members: SCIBENCH_BOOKS.map(scibenchTaskName),
    aggregation: 'micro',
    note: 'SciBench textbook set, all ten books (580 problems), scored by the benchmark\'s eval scripts.',
  },
];
