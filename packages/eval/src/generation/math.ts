/**
 * MATH as lm-eval's minerva_math_* and hendrycks_math_* tasks define it, over the seven subjects of the MATH test
 * set, plus minerva_math500 / hendrycks_math500 over MATH-500 (lm-eval reads HuggingFaceH4/MATH-500; the same
 * 500 problems are in math/math500_test.jsonl). Minerva: four fixed exemplars, "Problem:\n...\n\nSolution:",
 * answers from "Final Answer: The final answer is ...", normalised and compared by is_equiv. Hendrycks: zero-shot
 * "Problem: ...\nAnswer:", the answer between the first and the last `$` (or the whole output), compared by strip_string.
 */
import { DocFieldError, generatedText, stringField, type Doc, type GroupDefinition, type ItemScore, type RowScoring, type TaskDefinition } from '../task.ts';
import { DEFAULT_FEWSHOT_DELIMITER, DEFAULT_TARGET_DELIMITER, defineTemplateTask } from '../tasks/templateTask.ts';
import { docText } from '../tasks/docTemplate.ts';
import { DataFormatError } from '../data/errors.ts';
import { loadMath, mathFile, type MathDoc, type MathFile } from './data.ts';
import { DEFAULT_MAX_GEN_TOKS } from './gsm8k.ts';
import {
  getUnnormalizedAnswer,
  hendrycksDollarSpan,
  hendrycksExtractAnswer,
  type HendrycksExtractionMode,
  hendrycksGoldAnswer,
  hendrycksIsEquiv,
  MINERVA_INVALID_ANSWER,
  minervaGoldAnswer,
  normalizeFinalAnswer,
  PythonStyleError,
} from './mathAnswers.ts';
import type { MinervaEquivOptions } from './mathEquivalence.ts';
import { sharedGradingPool, type MathGrader } from './grading/pool.ts';
import { MINERVA_FEWSHOT_SAMPLES } from './minervaExemplars.ts';

/** lm-eval's subject names (EleutherAI/hendrycks_math configs) -> the MATH `type` / `subject` field. */
export const MATH_SUBJECTS: Record<string, string> = {
  algebra: 'Algebra',
  counting_and_prob: 'Counting & Probability',
  geometry: 'Geometry',
  intermediate_algebra: 'Intermediate Algebra',
  num_theory: 'Number Theory',
  prealgebra: 'Prealgebra',
  precalc: 'Precalculus',
};

const MATH_UNTIL = ['Problem:'];

/**
 * The prompt's config strings, from which it is rendered: hendrycks_math_*.yaml's `doc_to_text` and both families'
 * `doc_to_target`. minerva_math_*.yaml's `doc_to_text` is `utils.doc_to_text`, which returns
 * "Problem:\n" + problem + "\n\nSolution:"; the string here renders the same text.
 */
const DOC_TO_TEXT = { minerva: 'Problem:\n{{problem}}\n\nSolution:', hendrycks: 'Problem: {{problem}}\nAnswer:' };
const DOC_TO_TARGET = { minerva: '{{answer if few_shot is undefined else solution}}', hendrycks: '{{answer}}' };
const DOC_TEXT = { minerva: docText(DOC_TO_TEXT.minerva), hendrycks: docText(DOC_TO_TEXT.hendrycks) };
const DOC_TARGET = { minerva: docText(DOC_TO_TARGET.minerva), hendrycks: docText(DOC_TO_TARGET.hendrycks) };

export interface MinervaScoreOptions extends MinervaEquivOptions {
  /** Runs the checks under the time limit; the process-wide pool (lm-eval's 5 s) when absent. */
  grader?: MathGrader;
}

/**
 * minerva_math process_results for one completion: `exact_match` (is_equiv of the normalised final answer with the
 * normalised gold) and `math_verify` (Math-Verify on the full gold solution and the raw completion). Both checks
 * run in the grading pool; one stopped at the time limit scores 0 with the reason under `notes`.
 */
export async function scoreMinerva(completion: string, gold: { answer: string; solution: string }, options: MinervaScoreOptions = {}): Promise<ItemScore> {
  const unnormalized = getUnnormalizedAnswer(completion);
  const answer = normalizeFinalAnswer(unnormalized);
  const found = unnormalized !== MINERVA_INVALID_ANSWER;
  const grader = options.grader ?? sharedGradingPool();
  const equivOptions: MinervaEquivOptions = options.stringEqualityFirst ? { stringEqualityFirst: true } : {};
  const [em, mv] = await Promise.all([grader.minerva(answer, gold.answer, equivOptions), grader.mathVerify(gold.solution, completion)]);
  const notes: Record<string, string> = {};
  if (em.reason !== undefined && (em.timedOut || !em.equal)) notes['exact_match,none'] = em.reason;
  if (mv.reason !== undefined && (mv.timedOut || !mv.equal)) notes['math_verify,none'] = mv.reason;
  return {
    filtered: { none: answer },
    scores: { 'exact_match,none': em.equal ? 1 : 0, 'math_verify,none': mv.equal ? 1 : 0 },
    answerFound: { none: found },
    ...(Object.keys(notes).length ? { notes } : {}),
  };
}

/**
 * hendrycks_math process_results for one completion against remove_boxed(last boxed of the solution). With lm-eval's
 * extraction (default) the compared span is the text between the first and the last `$`, or the whole completion;
 * `answerFound` is true when a `$` span was found, or when the completion is a single non-blank line (the prompt
 * ends in "Answer:", so a one-line reply is the answer); a multi-line reply without `$` pair is still compared,
 * as lm-eval does, but counted as no answer. With `boxed-first` a boxed answer remove_boxed rejects (`\fbox{...}`)
 * scores 0 with no answer found.
 */
export function scoreHendrycks(completion: string, goldAnswer: string, extraction: HendrycksExtractionMode = 'lm-eval'): ItemScore {
  if (extraction === 'lm-eval') {
    const span = hendrycksDollarSpan(completion);
    const oneLine = completion.trim() !== '' && !completion.trim().includes('\n');
    return {
      filtered: { none: span.answer },
      scores: { 'exact_match,none': hendrycksIsEquiv(span.answer, goldAnswer) ? 1 : 0 },
      answerFound: { none: span.via === 'dollars' || oneLine },
    };
  }
  let extracted: ReturnType<typeof hendrycksExtractAnswer>;
  try {
    extracted = hendrycksExtractAnswer(completion);
  } catch (err) {
    if (!(err instanceof PythonStyleError)) throw err;
    return { filtered: { none: '' }, scores: { 'exact_match,none': 0 }, answerFound: { none: false } };
  }
  return {
    filtered: { none: extracted.answer },
    scores: { 'exact_match,none': hendrycksIsEquiv(extracted.answer, goldAnswer) ? 1 : 0 },
    answerFound: { none: extracted.via !== 'whole-output' },
  };
}

interface MathTaskSpec {
  name: string;
  family: 'minerva' | 'hendrycks';
  file: MathFile;
  /** MATH `type` to keep; all rows when absent (MATH-500). */
  subject?: string;
  datasetPath: string;
  datasetName: string;
}

function loadDocs(dataDir: string, spec: MathTaskSpec): MathTaskDoc[] {
  const file = mathFile(dataDir, spec.file);
  const all = loadMath(dataDir, spec.file);
  const out: MathTaskDoc[] = [];
  all.forEach((d, i) => {
    if (spec.subject !== undefined && d.subject !== spec.subject) return;
    try {
      out.push(ROW_SCORING[spec.family].document(d) as MathTaskDoc);
    } catch (err) {
      if (!(err instanceof DocFieldError)) throw err;
      throw new DataFormatError(file, i + 1, err.field, err.problem);
    }
  });
  if (out.length === 0) throw new DataFormatError(file, undefined, spec.file === 'test' ? 'type' : 'subject', `no problems with subject "${spec.subject}"`);
  return out;
}

/**
 * A MATH row after its family's process_docs: `answer` is the gold answer taken from the solution (on MATH-500 it
 * replaces the file's own `answer`, as `dataset.map` does in lm-eval), so `doc_to_target: "{{answer}}"` reads it.
 */
type MathTaskDoc = MathDoc & { answer: string };

/**
 * A family's scoring, shared by its tasks: a MATH row becomes a document with the gold answer its family takes from
 * the solution (process_docs), scored by minerva's or hendrycks' process_results.
 */
function mathRowScoring(family: 'minerva' | 'hendrycks'): RowScoring {
  const name = `${family}_math`;
  return {
    document(row) {
      const solution = stringField(row, 'solution');
      let answer: string;
      try {
        answer = mathGoldAnswer(family, solution);
      } catch (err) {
        // lm-eval's process_docs raises here (remove_boxed asserts), which stops its run; the row is refused instead.
        throw new DocFieldError('solution', `must contain the final answer in \\boxed{...} (${(err as Error).message})`);
      }
      return { ...row, answer };
    },
    score(d, response, scoring): ItemScore | Promise<ItemScore> {
      const text = generatedText(name, response);
      const doc = d as MathTaskDoc & { gold?: unknown };
      // Items stored before documents carried the gold in `answer` hold it in `gold` (and, from MATH-500, the file's
      // own `answer` beside it): scoring them from the store keeps their gold.
      const answer = typeof doc.gold === 'string' ? doc.gold : doc.answer;
      if (family === 'hendrycks') return scoreHendrycks(text, answer, scoring?.hendrycksExtraction ?? 'lm-eval');
      return scoreMinerva(text, { answer, solution: doc.solution }, {
        ...(scoring?.grader ? { grader: scoring.grader } : {}),
        ...(scoring?.stringEqualityFirst ? { stringEqualityFirst: true } : {}),
      });
    },
  };
}

const ROW_SCORING = { minerva: mathRowScoring('minerva'), hendrycks: mathRowScoring('hendrycks') };

/** A MATH problem with its family's gold `answer`, or one of minerva's exemplars (`few_shot` set, no answer). */
type MathPromptDoc = Doc & { problem: string; solution: string; answer?: string; few_shot?: string };

function defineMathTask(spec: MathTaskSpec): TaskDefinition {
  const minerva = spec.family === 'minerva';
  const defaultNumFewshot = minerva ? 4 : 0;
  return defineTemplateTask<MathPromptDoc>({
    outputType: 'generate_until',
    name: spec.name,
    // minerva_math_*.yaml say metadata version 3.0, hendrycks_math_*.yaml 1.0 (lm-eval @ 4e7e0d47f).
    version: minerva ? '3.0' : '1.0',
    defaultNumFewshot,
    loadDocs: (dataDir) => loadDocs(dataDir, spec),
    ...(minerva
      ? { fixedExemplars: MINERVA_FEWSHOT_SAMPLES }
      : { noFewshotReason: 'few-shot examples come from the MATH train split, which is not in the data folder (see math/README.md); use 0 shots' }),
    docToText: DOC_TEXT[spec.family],
    // minerva: an exemplar (few_shot set) is followed by its whole solution, a test problem's target is its answer.
    docToTarget: DOC_TARGET[spec.family],
    until: MATH_UNTIL,
    maxGenToks: DEFAULT_MAX_GEN_TOKS,
    rowScoring: ROW_SCORING[spec.family],
    metricKeys: minerva ? ['exact_match,none', 'math_verify,none'] : ['exact_match,none'],
    config: {
      task: spec.name,
      tag: ['math_word_problems'],
      dataset_path: spec.datasetPath,
      dataset_name: spec.datasetName,
      output_type: 'generate_until',
      test_split: 'test',
      doc_to_text: DOC_TO_TEXT[spec.family],
      doc_to_target: DOC_TO_TARGET[spec.family],
      target_delimiter: DEFAULT_TARGET_DELIMITER,
      fewshot_delimiter: DEFAULT_FEWSHOT_DELIMITER,
      num_fewshot: defaultNumFewshot,
      ...(minerva ? { fewshot_config: { sampler: 'first_n', samples: MINERVA_FEWSHOT_SAMPLES } } : {}),
      generation_kwargs: { until: MATH_UNTIL, do_sample: false, temperature: 0, max_gen_toks: DEFAULT_MAX_GEN_TOKS },
      metric_list: minerva
        ? [
            { metric: 'exact_match', aggregation: 'mean', higher_is_better: true },
            { metric: 'math_verify', aggregation: 'mean', higher_is_better: true },
          ]
        : [{ metric: 'exact_match', aggregation: 'mean', higher_is_better: true }],
      scoring: minerva
        ? 'minerva_math utils.process_results: exact_match (is_equiv) and math_verify, each check time-limited in a worker thread (see generation/README.md)'
        : 'hendrycks_math utils.process_results (answer span, strip_string is_equiv)',
      metadata: { version: minerva ? 3.0 : 1.0 },
      data_files: `math/${spec.file}.jsonl${spec.subject ? ` (type = ${spec.subject})` : ''}`,
    },
  });
}

function familyTasks(family: 'minerva' | 'hendrycks'): TaskDefinition[] {
  const subjects = Object.entries(MATH_SUBJECTS).map(([key, subject]) =>
    defineMathTask({ name: `${family}_math_${key}`, family, file: 'test', subject, datasetPath: 'EleutherAI/hendrycks_math', datasetName: key === 'counting_and_prob' ? 'counting_and_probability' : key === 'num_theory' ? 'number_theory' : key === 'precalc' ? 'precalculus' : key }),
  );
  const math500 = defineMathTask({ name: `${family}_math500`, family, file: 'math500_test', datasetPath: 'HuggingFaceH4/MATH-500', datasetName: 'default' });
  return [...subjects, math500];
}

export const mathTasks: TaskDefinition[] = [...familyTasks('minerva'), ...familyTasks('hendrycks')];

export const mathGroups: GroupDefinition[] = (['minerva', 'hendrycks'] as const).map((family) => ({
  name: `${family}_math`,
  members: Object.keys(MATH_SUBJECTS).map((key) => `${family}_math_${key}`),
  aggregation: 'micro',
  version: '1.0',
  note:
    family === 'minerva'
      ? 'MATH test, seven subjects, 4-shot Minerva prompt; exact_match by normalised final answer and equivalence, and math_verify'
      : 'MATH test, seven subjects, zero-shot; exact_match by strip_string equality of the $-delimited answer',
}));

/** Gold answer for a raw MATH row, as each family's process_docs stores it. */
export function mathGoldAnswer(family: 'minerva' | 'hendrycks', solution: string): string {
  return family === 'minerva' ? minervaGoldAnswer(solution) : hendrycksGoldAnswer(solution);
}
