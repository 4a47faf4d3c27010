/**
 * SciEval (Sun et al., 2023) validation split, scored as the official `eval.py` does: a multiple-choice answer
 * is right when the prediction's first character is the answer letter; judge and filling answers are right
 * when the answer occurs in the prediction (case-insensitive). lm-eval has no SciEval task, so the prompt is
 * ours: the item's instruction `prompt`, a newline, then `question`; k shots follow the official
 * make_few_shot.py (first k dev items with the same task, ability, category and prompt).
 */
import { loadScieval, type ScievalDoc } from '../data/scieval.ts';
import { documentAt, type ItemScore, type ModelResponse, type PreparedTask, type TaskDefinition } from '../task.ts';

export const SCIEVAL_UNTIL = ['\n\n'];
export const SCIEVAL_MAX_GEN_TOKS = 128;

function groupKey(d: ScievalDoc): string {
  return `${d.task_name}-${d.ability}-${d.category}-${d.prompt}`;
}

export function scievalContext(doc: ScievalDoc, shots: ScievalDoc[]): string {
  if (shots.length === 0) return `${doc.prompt}\n${doc.question}`;
  const examples = shots.map((s) => `${s.question} ${s.answer[0]}\n`).join('');
  return `${doc.prompt}\nHere are some examples:\n${examples}\nThen, the question is:\n${doc.question} The answer is`;
}

/** SciEval's eval.py rule, applied to the stripped prediction (a leading space would otherwise be its first character). */
export function scievalCorrect(doc: ScievalDoc, prediction: string): boolean {
  const answer = doc.answer[0]!.toLowerCase();
  const pred = prediction.trim().toLowerCase();
  if (doc.type === 'multiple-choice') return pred.length > 0 && pred[0] === answer;
  return pred.includes(answer);
}

export const scievalValid: TaskDefinition = {
  name: 'scieval_valid',
  version: '1.0',
  outputType: 'generate_until',
  defaultNumFewshot: 0,
  config: {
    task: 'scieval_valid',
    dataset_path: 'OpenDFM/SciEval',
    test_split: 'valid',
    fewshot_split: 'dev',
    output_type: 'generate_until',
    doc_to_text: '{{prompt}}\n{{question}}',
    doc_to_target: '{{answer[0]}}',
    generation_kwargs: { until: SCIEVAL_UNTIL, max_gen_toks: SCIEVAL_MAX_GEN_TOKS, do_sample: false },
    metric_list: [{ metric: 'acc', aggregation: 'mean', higher_is_better: true }],
    scoring: 'OpenDFM/SciEval eval.py (first character for multiple-choice, substring for judge and filling)',
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
      target: (i) => doc(i).answer[0]!,
      score(i, response: ModelResponse): ItemScore {
        if (response.kind !== 'generate_until') throw new Error(`scieval_valid: expected a generation for document ${i}`);
        const prediction = response.text.trim();
        return {
          filtered: { none: prediction },
          scores: { 'acc,none': scievalCorrect(doc(i), prediction) ? 1 : 0 },
          answerFound: { none: prediction.length > 0 },
        };
      },
    };
  },
};
