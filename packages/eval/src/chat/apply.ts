/**
 * Applies a run's prompt settings to a prepared task's requests, as lm-eval's `fewshot_context` and
 * `construct_requests` do with `--apply_chat_template`, `--system_instruction`, `--fewshot_as_multiturn` and
 * `--gen_kwargs`. Tasks that expose their prompt's parts (lm-eval's own suites) are rebuilt turn by turn; the
 * others (suites scored by their authors' scripts) send their whole prompt as the one user turn.
 */
import type { PreparedTask, TaskRequest } from '../task.ts';
import { chatMessages, plainPrompt, type PromptParts } from './prompt.ts';
import { checkEvalSettings, type EvalSettings } from './settings.ts';
import { renderChat, type ChatTemplate } from './template.ts';

export interface PromptFormat {
  settings: EvalSettings;
  /** Required when `settings.applyChatTemplate` is set (see `loadChatTemplate`). */
  chatTemplate?: ChatTemplate;
  /** Told once per task when the template refuses a system turn and it is left out (as lm-eval does). */
  onWarning?: (message: string) => void;
}

/** The parts of a task without them: its whole context as the question, with lm-eval's default delimiters. */
function partsOf(task: PreparedTask, i: number, request: TaskRequest): PromptParts {
  return task.promptParts?.(i) ?? { description: '', shots: [], question: request.context, targetDelimiter: ' ', fewshotDelimiter: '\n\n' };
}

/** The task with its requests as the settings make them; the task itself when they change nothing. */
export function applyPromptFormat(task: PreparedTask, format: PromptFormat): PreparedTask {
  const s = checkEvalSettings(format.settings);
  const chat = Boolean(s.applyChatTemplate);
  if (chat && !format.chatTemplate) throw new Error('a chat template is needed to apply one (load it with loadChatTemplate)');
  if (!chat && s.systemInstruction === undefined && !s.genKwargs) return task;
  let warned = false;
  const request = (i: number): TaskRequest => {
    const base = task.request(i);
    let context = base.context;
    let continuations = base.kind === 'loglikelihood' ? base.continuations : [];
    if (chat || s.systemInstruction !== undefined) {
      const parts = partsOf(task, i, base);
      if (chat) {
        const messages = chatMessages(parts, { systemInstruction: s.systemInstruction, fewshotAsMultiturn: s.fewshotAsMultiturn ?? true });
        context = renderChat(format.chatTemplate!, messages, {
          onSystemDropped: (reason) => {
            if (warned) return;
            warned = true;
            format.onWarning?.(`${task.name}: the chat template refused the system turn (${reason}); it is left out, as lm-eval does`);
          },
        });
        // construct_requests: with a chat template (and no generation prefix) the target delimiter is dropped.
        if (base.kind === 'loglikelihood') continuations = parts.choices ?? stripDelimiter(task.name, base.continuations, parts.targetDelimiter);
      } else {
        context = plainPrompt(parts, s.systemInstruction);
      }
    }
    if (base.kind === 'loglikelihood') return { kind: 'loglikelihood', context, continuations };
    // Task generation arguments updated by --gen_kwargs (set_config(..., update=True)): until replaced, not merged.
    return { kind: 'generate_until', context, until: s.genKwargs?.until ?? base.until, maxTokens: s.genKwargs?.max_gen_toks ?? base.maxTokens };
  };
  return { ...task, request };
}

function stripDelimiter(task: string, continuations: string[], delimiter: string): string[] {
  return continuations.map((c) => {
    if (!c.startsWith(delimiter)) throw new Error(`${task}: continuation ${JSON.stringify(c)} does not start with the target delimiter ${JSON.stringify(delimiter)}`);
    return c.slice(delimiter.length);
  });
}
