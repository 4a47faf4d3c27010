/**
 * Reads one stored per-question result for display. Results follow packages/eval's ItemRecord (request,
 * response, target, filtered, scores); a store may also flatten them (`prompt`, `completion`, `correct`), so both
 * shapes are read, and anything else shows as missing rather than guessed.
 */
import type { ResultRow } from '@sciboard/runs';

export interface ItemView {
  task: string;
  docIndex: number;
  /** The question itself where the document names it, else the prompt's last block. */
  question: string;
  prompt: string;
  completion: string;
  extracted: string;
  gold: string;
  correct: boolean | null;
  /** Every metric's verdict for this item (minerva_math: exact_match and math_verify), with its note if any. */
  verdicts: Array<{ key: string; value: number; note: string | null }>;
  choices: Array<{ text: string; logprob: number | null }>;
}

const obj = (v: unknown): Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : typeof v === 'number' ? String(v) : undefined);
const parsed = (v: unknown): unknown => {
  if (typeof v !== 'string') return v;
  try {
    return JSON.parse(v);
  } catch {
    return v;
  }
};

/** `primaryMetric` ("<metric>,<filter>") decides `correct`; the item's first score when absent. */
export function itemView(row: ResultRow, primaryMetric?: string): ItemView {
  const item = row as ResultRow & Record<string, unknown>;
  const request = obj(parsed(item.request));
  const response = obj(parsed(item.response));
  const filtered = obj(parsed(item.filtered));
  const scores = obj(parsed(item.scores));
  const continuations = Array.isArray(request.continuations) ? request.continuations.map((c) => String(c)) : [];
  const results = Array.isArray(response.results) ? response.results.map(obj) : [];
  const choices = continuations.map((text, i) => {
    const logprob = results[i]?.logprob ?? results[i]?.logLikelihood ?? results[i]?.sum;
    return { text, logprob: typeof logprob === 'number' ? logprob : null };
  });
  const bestChoice = choices.reduce<number | null>(
    (best, c, i) => (c.logprob !== null && (best === null || c.logprob > choices[best]!.logprob!) ? i : best),
    null,
  );
  const primary = primaryMetric !== undefined && typeof scores[primaryMetric] === 'number' ? (scores[primaryMetric] as number) : undefined;
  const firstScore = primary ?? (Object.values(scores).find((v) => typeof v === 'number') as number | undefined);
  const notes = obj(parsed(item.notes));
  const verdicts = Object.entries(scores)
    .filter((e): e is [string, number] => typeof e[1] === 'number')
    .map(([key, value]) => ({ key, value, note: str(notes[key]) ?? null }));
  const correct = typeof item.correct === 'boolean' ? item.correct : typeof item.correct === 'number' ? item.correct === 1 : firstScore === undefined ? null : firstScore >= 1;
  const doc = obj(parsed(item.doc));
  const prompt = str(item.prompt) ?? str(request.context) ?? '';
  const lastBlock = prompt.split(/\n\s*\n/).filter((b) => b.trim()).at(-1) ?? prompt;
  return {
    task: item.task,
    docIndex: item.docIndex,
    question: str(doc.question) ?? str(doc.problem) ?? str(doc.query) ?? str(doc.Question) ?? lastBlock,
    prompt,
    completion: str(item.completion) ?? str(item.prediction) ?? str(response.text) ?? (bestChoice !== null ? choices[bestChoice]!.text : ''),
    extracted: str(item.extracted) ?? str(item.extractedAnswer) ?? str(Object.values(filtered)[0]) ?? '',
    gold: str(item.gold) ?? str(item.target) ?? '',
    correct,
    verdicts,
    choices,
  };
}
