import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { getTaskDefinition, listTasks } from '@sciboard/eval';
import { GSM8K_COT_EXEMPLARS, MINERVA_MATH_PROMPT } from './fewshot.ts';

/** One multiple-choice question: a log-likelihood per continuation, all after the same context. */
export interface ChoiceItem {
  context: string;
  continuations: string[];
  /** The task the item belongs to, where a workload mixes tasks (each has its own few-shot prefix). */
  task?: string;
}

export interface GenerationItem {
  context: string;
  until: string[];
  maxTokens: number;
}

export type Workload =
  | { name: string; kind: 'choice'; suite: string; items: ChoiceItem[] }
  | {
      name: string;
      kind: 'generation';
      suite: string;
      items: GenerationItem[];
      batchSize: number;
      /**
       * Timed in two calls, as decode workloads are: the full generation, then the same prompts for one token. Their
       * difference is the slice's own decoding, the one-token call its prompt work (what projections scale).
       */
      splitDecode?: boolean;
    }
  | { name: string; kind: 'prefill'; context: string; tokens: number }
  | { name: string; kind: 'decode'; contexts: string[]; tokens: number; batchSize: number };

export interface WorkloadSizes {
  choiceItems: number;
  generationItems: number;
  generationTokens: number;
  generationBatch: number;
  prefillTokens: number;
  decodeTokens: number;
  decodeBatches: number[];
  /**
   * Decoding after real GSM8K 8-shot CoT prompts (~770 tokens each) rather than short openings: the cache length a
   * GSM8K run decodes at, where reading and carrying the KV cache costs as much as the weights. Its decode rate is
   * the one the GSM8K projection uses.
   */
  gsm8kDecode?: { tokens: number; batch: number };
  /**
   * Several MMLU subjects' first `items` questions, 5-shot, asked in one call as `sciboard score` asks a requests
   * file (`sciboard requests --tasks A,B --num-fewshot 5 --limit N`, one line per choice): each subject shares its
   * own exemplars, and all of them only the instruction's first words.
   */
  mixedMmlu?: { name: string; tasks: string[]; items: number };
  /** Time the GSM8K slice in two calls (prompt work, then decoding), the basis of the GSM8K projections. */
  splitGeneration?: boolean;
  /**
   * The fully timed units each projection is checked against: a whole MMLU subject (every question, 5-shot) and
   * the first `gsm8k.items` GSM8K questions with exactly `gsm8k.tokens` generated each, at each of `gsm8k.batches`.
   */
  units?: { mmluTask: string; gsm8k: { items: number; tokens: number; batches: number[] } };
}

/** Names of the fully timed units' workloads. */
export const unitNames = {
  mmlu: (task: string) => `unit_${task}_5shot`,
  gsm8k: (items: number, tokens: number, batch: number) => `unit_gsm8k_${items}x${tokens}_b${batch}`,
};
export const isUnit = (name: string) => name.startsWith('unit_');

/** lm-eval's `gsm8k_cot` (8 fixed exemplars, "Q: … A: …", stop at the next question). */
export function gsm8kCotPrompt(question: string): string {
  const shots = GSM8K_COT_EXEMPLARS.map((s) => `Q: ${s.question}\nA: ${s.target}`).join('\n\n');
  return `${shots}\n\nQ: ${question}\nA:`;
}

/** lm-eval's `minerva_math` 4-shot prompt (Lewkowycz et al. 2022). */
export function minervaMathPrompt(problem: string): string {
  return `${MINERVA_MATH_PROMPT}\n\nProblem:\n${problem}\n\nSolution:`;
}

export const GSM8K_COT_UNTIL = ['Q:', '</s>', '<|im_end|>'];
export const MINERVA_UNTIL = ['Problem:'];

function readJsonlField(path: string, field: string, limit: number): string[] {
  const lines = readFileSync(path, 'utf8').split('\n').filter((l) => l.trim() !== '');
  return lines.slice(0, limit).map((line, i) => {
    let row: Record<string, unknown>;
    try {
      row = JSON.parse(line) as Record<string, unknown>;
    } catch (err) {
      throw new Error(`${path}:${i + 1}: not valid JSON (${(err as Error).message})`);
    }
    const value = row[field];
    if (typeof value !== 'string') throw new Error(`${path}:${i + 1}: field "${field}" must be a string, got ${JSON.stringify(value)}`);
    return value;
  });
}

/** The first `n` questions of a registry task, as the evaluator would send them. */
function choiceItems(task: string, dataDir: string, n: number): ChoiceItem[] {
  const prepared = getTaskDefinition(task).prepare({ dataDir, numFewshot: 5 });
  const items: ChoiceItem[] = [];
  for (let i = 0; i < Math.min(n, prepared.docs.length); i++) {
    const req = prepared.request(i);
    if (req.kind !== 'loglikelihood') throw new Error(`${task}: expected multiple-choice requests, got ${req.kind}`);
    items.push({ context: req.context, continuations: req.continuations });
  }
  return items;
}

/**
 * Generation prompts come from the suites registry once it has them; until then they are built here in
 * lm-eval's layout from the same data files.
 */
function generationItems(suite: 'gsm8k_cot' | 'minerva_math', dataDir: string, n: number, maxTokens: number): GenerationItem[] {
  if (listTasks().includes(suite)) {
    const prepared = getTaskDefinition(suite).prepare({ dataDir });
    return Array.from({ length: Math.min(n, prepared.docs.length) }, (_, i) => {
      const req = prepared.request(i);
      if (req.kind !== 'generate_until') throw new Error(`${suite}: expected generation requests, got ${req.kind}`);
      return { context: req.context, until: req.until, maxTokens };
    });
  }
  if (suite === 'gsm8k_cot') {
    return readJsonlField(join(dataDir, 'gsm8k', 'test.jsonl'), 'question', n).map((q) => ({ context: gsm8kCotPrompt(q), until: GSM8K_COT_UNTIL, maxTokens }));
  }
  return readJsonlField(join(dataDir, 'math', 'test.jsonl'), 'problem', n).map((p) => ({ context: minervaMathPrompt(p), until: MINERVA_UNTIL, maxTokens }));
}

/** Text of exactly `tokens` tokens, cut from real MMLU prompts so the prefill sees ordinary text. */
export function textOfTokens(source: string, tokens: number, encode: (s: string) => number[], decode: (ids: number[]) => string): string {
  let text = source;
  while (encode(text).length < tokens) text += `\n\n${source}`;
  // Decoding a token prefix and re-encoding can merge differently at the cut: try nearby cut points.
  const ids = encode(text);
  for (const delta of [0, -1, 1, -2, 2, -3, 3]) {
    const cut = decode(ids.slice(0, tokens + delta));
    if (encode(cut).length === tokens) return cut;
  }
  throw new Error(`could not cut a text of exactly ${tokens} tokens`);
}

export function buildWorkloads(
  dataDir: string,
  sizes: WorkloadSizes,
  tokenizer: { encode: (s: string) => number[]; decode: (ids: number[]) => string },
): Workload[] {
  const mmlu = choiceItems('mmlu_college_physics', dataDir, sizes.choiceItems);
  const ceval = choiceItems('ceval-valid_college_physics', dataDir, sizes.choiceItems);
  // Timed in two calls, the slice must decode its full token count in every row: no stop strings then.
  const gsm8k = generationItems('gsm8k_cot', dataDir, sizes.generationItems, sizes.generationTokens).map((i) => (sizes.splitGeneration ? { ...i, until: [] } : i));
  const math = generationItems('minerva_math', dataDir, sizes.generationItems, sizes.generationTokens);
  const prefillText = textOfTokens(mmlu[0]!.context, sizes.prefillTokens, tokenizer.encode, tokenizer.decode);
  const decodeContexts = gsm8k.length > 0 ? readJsonlField(join(dataDir, 'gsm8k', 'test.jsonl'), 'question', 16) : [];
  const workloads: Workload[] = [
    { name: 'mmlu_5shot', kind: 'choice', suite: 'mmlu_college_physics', items: mmlu },
    { name: 'ceval_5shot', kind: 'choice', suite: 'ceval-valid_college_physics', items: ceval },
    { name: 'gsm8k_cot_8shot', kind: 'generation', suite: 'gsm8k_cot', items: gsm8k, batchSize: sizes.generationBatch, ...(sizes.splitGeneration ? { splitDecode: true } : {}) },
    { name: 'minerva_math_4shot', kind: 'generation', suite: 'minerva_math', items: math, batchSize: sizes.generationBatch },
    { name: `prefill_${sizes.prefillTokens}`, kind: 'prefill', context: prefillText, tokens: sizes.prefillTokens },
  ];
  for (const b of sizes.decodeBatches) {
    // Distinct real questions per row (so rows share no cache by accident), cut to their first words: the
    // prompt is not what this measures, and it is computed twice (once for the time to first token).
    const opening = (q: string) => q.split(/\s+/).slice(0, 12).join(' ');
    workloads.push({ name: `decode_${sizes.decodeTokens}_b${b}`, kind: 'decode', contexts: decodeContexts.slice(0, b).map((q) => `Q: ${opening(q)}`), tokens: sizes.decodeTokens, batchSize: b });
  }
  if (sizes.mixedMmlu) {
    const { name, tasks, items } = sizes.mixedMmlu;
    const mmluDir = join(dataDir, 'mmlu');
    if (!existsSync(mmluDir)) console.log(`skipping ${name}: ${mmluDir} not found (MMLU data from the shared data folder)`);
    else workloads.push({ name, kind: 'choice', suite: tasks.join('+'), items: tasks.flatMap((task) => choiceItems(task, dataDir, items).map((i) => ({ ...i, task }))) });
  }
  if (sizes.units) {
    const { mmluTask, gsm8k: g } = sizes.units;
    if (!existsSync(join(dataDir, 'mmlu'))) throw new Error(`${join(dataDir, 'mmlu')}: MMLU data not found (the fully timed MMLU unit needs it; --skip-units runs without)`);
    const all = choiceItems(mmluTask, dataDir, Number.MAX_SAFE_INTEGER).map((i) => ({ ...i, task: mmluTask }));
    workloads.push({ name: unitNames.mmlu(mmluTask), kind: 'choice', suite: mmluTask, items: all });
    // No stop strings: every row generates exactly `tokens` tokens in every peer (transformers.js cuts its text at
    // stop strings only afterwards, the engine stops at them), so both compute the same number of tokens.
    const prompts = generationItems('gsm8k_cot', dataDir, g.items, g.tokens).map((i) => ({ ...i, until: [] }));
    if (prompts.length < g.items) throw new Error(`gsm8k: ${g.items} questions wanted for the timed unit, the test set has ${prompts.length}`);
    for (const batch of [...new Set(g.batches)]) {
      workloads.push({ name: unitNames.gsm8k(g.items, g.tokens, batch), kind: 'generation', suite: 'gsm8k_cot', items: prompts, batchSize: batch });
    }
  }
  if (sizes.gsm8kDecode) {
    const { tokens, batch } = sizes.gsm8kDecode;
    const contexts = generationItems('gsm8k_cot', dataDir, batch, tokens).map((i) => i.context);
    workloads.push({ name: `decode_${tokens}_b${batch}_gsm8k`, kind: 'decode', contexts, tokens, batchSize: batch });
  }
  return workloads;
}
