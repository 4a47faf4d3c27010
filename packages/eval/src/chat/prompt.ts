/**
 * A prompt as lm-eval's `fewshot_context` assembles it (lm_eval/api/task.py, lm_eval/api/utils.py @ 4e7e0d47f):
 * a system turn (system instruction and task description), one user/assistant pair per few-shot exemplar and the
 * document's question as the last user turn. Joined as plain text it is the base-model prompt; handed to a chat
 * template it becomes the chat prompt, either turn by turn (fewshot_as_multiturn) or collapsed into one user turn.
 */

import { isPythonSpace } from '../python/strip.ts';

export interface PromptShot {
  /** The exemplar's doc_to_text. */
  question: string;
  /** The exemplar's answer text (for multiple choice, the text of its correct choice). */
  answer: string;
}

/** What a task's prompt for one document is made of; tasks that follow lm-eval's template expose this. */
export interface PromptParts {
  /** The task's description ('' when it has none); with a chat template it becomes the system turn. */
  description: string;
  shots: PromptShot[];
  /** The document's doc_to_text. */
  question: string;
  targetDelimiter: string;
  fewshotDelimiter: string;
  /** Multiple choice: the answer options, appended after the target delimiter as continuations. */
  choices?: string[];
}

export type ChatRole = 'system' | 'user' | 'assistant';

export interface ChatMessage {
  role: ChatRole;
  content: string;
}

/** lm-eval's `Message`: `delimiter` follows the content only when the turns are joined as text. */
interface Turn extends ChatMessage {
  delimiter: string;
}


/** lm-eval's `maybe_delimit`: prefix and suffix joined by the delimiter unless whitespace already meets at the join. */
export function maybeDelimit(prefix: string | null | undefined, suffix: string | null | undefined, delimiter = ' '): string {
  if (!prefix) return suffix ?? '';
  if (!suffix) return prefix;
  return isPythonSpace(prefix.at(-1)!) || isPythonSpace(suffix[0]!) ? prefix + suffix : prefix + delimiter + suffix;
}

/** `fewshot_context` up to rendering: the system turn, `build_qa_turn` for each exemplar, then the question. */
function promptTurns(parts: PromptParts, systemInstruction: string | null | undefined): Turn[] {
  const turns: Turn[] = [];
  const system = maybeDelimit(systemInstruction, parts.description, parts.fewshotDelimiter);
  if (system) turns.push({ role: 'system', content: system, delimiter: '' });
  for (const shot of parts.shots) {
    // build_qa_turn: an empty answer counts as none, so the exemplar is a bare question without its delimiter.
    const hasAnswer = shot.answer !== '';
    turns.push({ role: 'user', content: shot.question, delimiter: hasAnswer ? parts.targetDelimiter : '' });
    if (hasAnswer) turns.push({ role: 'assistant', content: shot.answer, delimiter: parts.fewshotDelimiter });
  }
  turns.push({ role: 'user', content: parts.question, delimiter: '' });
  return turns;
}

/** The prompt as plain text: what a base model is sent (every turn followed by its delimiter). */
export function plainPrompt(parts: PromptParts, systemInstruction?: string | null): string {
  return promptTurns(parts, systemInstruction)
    .map((t) => t.content + t.delimiter)
    .join('');
}

/**
 * The turns handed to a chat template. Multi-turn: each exemplar as a user and an assistant turn. Otherwise
 * lm-eval's `multiturn_to_singleturn`: the system turn stays, everything else becomes one user turn joined as text.
 */
export function chatMessages(parts: PromptParts, options: { systemInstruction?: string | null; fewshotAsMultiturn: boolean }): ChatMessage[] {
  const turns = promptTurns(parts, options.systemInstruction);
  const system = turns[0]!.role === 'system' ? turns.shift()! : undefined;
  const out: ChatMessage[] = system ? [{ role: 'system', content: system.content }] : [];
  if (options.fewshotAsMultiturn) {
    out.push(...turns.map((t) => ({ role: t.role, content: t.content })));
  } else {
    // The last turn is the question (no generation prefix here), whose delimiter is dropped anyway.
    out.push({ role: 'user', content: turns.map((t, i) => t.content + (i === turns.length - 1 ? '' : t.delimiter)).join('') });
  }
  return out;
}
