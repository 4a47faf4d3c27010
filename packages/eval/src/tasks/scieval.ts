/**
 * SciEval (Sun et al., 2023) validation split, as the SciGLM paper scores it (THUDM/SciGLM
 * `evaluation/SciEval/evaluate_SciEval.py`): the item's instruction `prompt`, then `\ninput:` and the `question`;
 * greedy decoding of at most 512 new tokens with no stop sequence but the model's end of text; the output is
 * stripped, then a multiple-choice answer is right when its first character is the answer letter and a judge
 * (yes/no/maybe) or filling answer is right when the answer occurs in it, both case-insensitive. lm-eval has no
 * SciEval task. SciGLM evaluates zero-shot only; asking for k shots uses SciEval's own make_few_shot.py scheme
 * (first k dev items with the same task, ability, category and prompt).
 */
import { loadScieval, type ScievalDoc } from '../data/scieval.ts';
import { pythonStrip } from '../python/strip.ts';
import { docText } from './docTemplate.ts';
import { documentAt, generatedText, type ItemScore, type ModelResponse, type PreparedTask, type TaskDefinition } from '../task.ts';

/** No blank-line stop: SciGLM's `model.generate` runs to end of text or the token limit. */
export const SCIEVAL_UNTIL: string[] = [];
/** SciGLM's `max_new_tokens=512`. */
export const SCIEVAL_MAX_GEN_TOKS = 512;

function groupKey(d: ScievalDoc): string {
  return `${d.task_name}-${d.ability}-${d.category}-${d.prompt}`;
}

/** The zero-shot prompt and the target, rendered from the config strings the task reports (docTemplate.ts). */
const DOC_TO_TEXT = '{{prompt}}\ninput:{{question}}';
const DOC_TO_TARGET = '{{answer[0]}}';
const docToText = docText(DOC_TO_TEXT);
const docToTarget = docText(DOC_TO_TARGET);

/** evaluate_SciEval.py's prompt with no shots; with shots, make_few_shot.py's, which no config string describes. */
export function scievalContext(doc: ScievalDoc, shots: ScievalDoc[]): string {
  if (shots.length === 0) return docToText(doc);
  const examples = shots.map((s) => `${s.question} ${s.answer[0]}\n`).join('');
  return `${doc.prompt}\nHere are some examples:\n${examples}\nThen, the question is:\n${doc.question} The answer is`;
}

/**
 * evaluate_SciEval.py's per-type rule on the stripped output: multiple choice compares the first character with
 * the answer letter; judge and filling look for the answer inside the output.
 */
export function scievalCorrect(doc: ScievalDoc, prediction: string): boolean {
  const answer = doc.answer[0]!.toLowerCase();
  const pred = pythonStrip(prediction).toLowerCase();
  if (doc.type === 'multiple-choice') return pred.length > 0 && pred[0] === answer;
  return pred.includes(answer);
}

/**
 * What guessing scores on one item: one of the four letters for multiple choice, one of yes/no/maybe for judge,
 * and for filling (SciEval's reagent-selection items) one of the candidates the question lists after
 * "... list for selection:". The board's random-guess baseline for the column is the mean over the split.
 */
export function scievalChance(doc: ScievalDoc): number {
  if (doc.type === 'multiple-choice') return 1 / 4;
  if (doc.type === 'judge') return 1 / 3;
  const list = /list for selection:\n([^\n]*)/.exec(doc.question);
  return list ? 1 / list[1]!.split(',').length : 0;
}

export const scievalValid: TaskDefinition = {
  name: 'scieval_valid',
  version: '2.0',
  outputType: 'generate_until',
  defaultNumFewshot: 0,
  config: {
    task: 'scieval_valid',
    dataset_path: 'OpenDFM/SciEval',
    test_split: 'valid',
    fewshot_split: 'dev',
    output_type: 'generate_until',
    doc_to_text: DOC_TO_TEXT,
    doc_to_target: DOC_TO_TARGET,
    generation_kwargs: { until: SCIEVAL_UNTIL, max_gen_toks: SCIEVAL_MAX_GEN_TOKS, do_sample: false },
    metric_list: [{ metric: 'acc', aggregation: 'mean', higher_is_better: true }],
    scoring: 'THUDM/SciGLM evaluate_SciEval.py (first character for multiple-choice, substring for judge and filling)',
    data_files: 'scieval/scieval-valid.json (few-shot: scieval/scieval-dev.json)',
  },
  prepare({ dataDir, numFewshot }): PreparedTask {
    const k = numFewshot ?? 0;
    const docs = loadScieval(dataDir, 'valid');
    const pool = new Map<string, ScievalDoc[]>();
    if (k > 0) for (const d of loadScieval(dataDir, 'dev')) pool.set(groupKey(d), [...(pool.get(groupKey(d)) ?? []), d]);
    const doc = (i: number): ScievalDoc => documentAt('scieval_valid', docs, i);
    return {
      name: 'scieval_valid',
      numFewshot: k,
      docs,
      metricKeys: ['acc,none'],
      request(i) {
        const d = doc(i);
        let shots: ScievalDoc[] = [];
        if (k > 0) {
          const candidates = pool.get(groupKey(d)) ?? [];
          if (candidates.length < k) {
            throw new Error(`scieval_valid document ${i} (${d.task_name}, ${d.ability}, ${d.category}): only ${candidates.length} matching dev examples for ${k} shots`);
          }
          shots = candidates.slice(0, k);
        }
        return { kind: 'generate_until', context: scievalContext(d, shots), until: SCIEVAL_UNTIL, maxTokens: SCIEVAL_MAX_GEN_TOKS };
      },
      target: (i) => docToTarget(doc(i)),
      score(d, response: ModelResponse): ItemScore {
        const prediction = pythonStrip(generatedText('scieval_valid', response));
        return {
          filtered: { none: prediction },
          scores: { 'acc,none': scievalCorrect(d as ScievalDoc, prediction) ? 1 : 0 },
          answerFound: { none: prediction.length > 0 },
        };
      },
    };
  },
};
