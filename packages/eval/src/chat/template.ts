/**
 * A checkpoint's chat template, found and chosen as Hugging Face transformers and lm-eval do, and rendered with
 * @huggingface/jinja (trim_blocks and lstrip_blocks on, `raise_exception` defined, as transformers compiles it).
 *
 * Where the template comes from: `chat_template.jinja` in the folder replaces any `chat_template` of
 * tokenizer_config.json (transformers' loader), and `additional_chat_templates/<name>.jinja` files add named ones;
 * otherwise tokenizer_config.json's `chat_template`, a string or a list of `{name, template}`. Choosing among
 * named templates follows lm-eval's `LM.chat_template`: a given NAME must exist; without one, "default" must.
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { Template } from '@huggingface/jinja';
import type { ChatMessage } from './prompt.ts';

export class ChatTemplateError extends Error {}

export interface ChatTemplate {
  /** The chosen template's name, or null for a checkpoint's single template. */
  name: string | null;
  text: string;
  /** sha256 of the template text (lm-eval's `chat_template_sha` uses the same digest). */
  sha256: string;
  /** Where it was read: a file and, for tokenizer_config.json, the field. */
  source: string;
  /** bos_token, eos_token, ... as strings: the template's variables besides `messages`. */
  specialTokens: Record<string, string | string[]>;
}

/** The special-token attributes transformers passes to the template (`special_tokens_map`). */
const SPECIAL_TOKEN_KEYS = ['bos_token', 'eos_token', 'unk_token', 'sep_token', 'pad_token', 'cls_token', 'mask_token'] as const;

function readJsonObject(path: string): Record<string, unknown> | undefined {
  if (!existsSync(path)) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new ChatTemplateError(`${path}: not valid JSON (${(err as Error).message})`);
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new ChatTemplateError(`${path}: expected a JSON object`);
  return parsed as Record<string, unknown>;
}

/** A token given as a string or as a serialised AddedToken (`{"content": ...}`). */
function tokenText(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (value && typeof value === 'object' && typeof (value as { content?: unknown }).content === 'string') return (value as { content: string }).content;
  return undefined;
}

function specialTokensOf(dir: string, config: Record<string, unknown>): Record<string, string | string[]> {
  const map = readJsonObject(join(dir, 'special_tokens_map.json')) ?? {};
  const out: Record<string, string | string[]> = {};
  for (const key of SPECIAL_TOKEN_KEYS) {
    const text = tokenText(config[key]) ?? tokenText(map[key]);
    if (text !== undefined) out[key] = text;
  }
  const extra = config['additional_special_tokens'] ?? map['additional_special_tokens'];
  if (Array.isArray(extra)) out['additional_special_tokens'] = extra.map(tokenText).filter((t): t is string => t !== undefined);
  return out;
}

/** Every template the folder offers: one unnamed template, or templates by name. */
function availableTemplates(dir: string, config: Record<string, unknown>): { single: { text: string; source: string } } | { named: Map<string, { text: string; source: string }> } | undefined {
  const configPath = join(dir, 'tokenizer_config.json');
  const jinjaPath = join(dir, 'chat_template.jinja');
  const extraDir = join(dir, 'additional_chat_templates');
  const extras = existsSync(extraDir) ? readdirSync(extraDir).filter((f) => f.endsWith('.jinja')).sort() : [];
  let base: { text: string; source: string } | Map<string, { text: string; source: string }> | undefined;
  if (existsSync(jinjaPath)) {
    base = { text: readFileSync(jinjaPath, 'utf8'), source: jinjaPath };
  } else {
    const field = config['chat_template'];
    if (typeof field === 'string') base = { text: field, source: `${configPath} (chat_template)` };
    else if (Array.isArray(field)) {
      base = new Map();
      field.forEach((entry, i) => {
        const name = (entry as { name?: unknown })?.name;
        const template = (entry as { template?: unknown })?.template;
        if (typeof name !== 'string' || typeof template !== 'string') {
          throw new ChatTemplateError(`${configPath}: field "chat_template[${i}]" must be an object with string "name" and "template"`);
        }
        (base as Map<string, { text: string; source: string }>).set(name, { text: template, source: `${configPath} (chat_template "${name}")` });
      });
    } else if (field !== undefined && field !== null) {
      throw new ChatTemplateError(`${configPath}: field "chat_template" must be a string or a list of {name, template}, got ${JSON.stringify(field).slice(0, 80)}`);
    }
  }
  if (extras.length === 0) return base === undefined ? undefined : base instanceof Map ? { named: base } : { single: base };
  const named = base instanceof Map ? base : new Map<string, { text: string; source: string }>(base ? [['default', base]] : []);
  for (const file of extras) named.set(basename(file, '.jinja'), { text: readFileSync(join(extraDir, file), 'utf8'), source: join(extraDir, file) });
  return { named };
}

/**
 * The chat template of the checkpoint folder `dir`: `name` picks one of several named templates (lm-eval's
 * `--apply_chat_template NAME`). A name given for a single-template checkpoint is reported in `warnings` and the
 * single template is used, as lm-eval does.
 */
export function loadChatTemplate(dir: string, name?: string | null): { template: ChatTemplate; warnings: string[] } {
  const configPath = join(dir, 'tokenizer_config.json');
  const config = readJsonObject(configPath) ?? {};
  const found = availableTemplates(dir, config);
  if (!found) {
    throw new ChatTemplateError(
      `${configPath}: no chat template (expected a "chat_template" field or a chat_template.jinja file in ${dir}); run without --apply-chat-template for a base model`,
    );
  }
  const warnings: string[] = [];
  let chosen: { text: string; source: string };
  let chosenName: string | null = null;
  if ('single' in found) {
    if (name) warnings.push(`chat template "${name}" asked for, but ${dir} has a single chat template; using it`);
    chosen = found.single;
  } else {
    const names = [...found.named.keys()].sort();
    const wanted = name || 'default';
    const hit = found.named.get(wanted);
    if (!hit) {
      throw new ChatTemplateError(
        name
          ? `${configPath}: chat template "${name}" is not available; the templates are ${names.join(', ')}`
          : `${configPath}: several chat templates and none named "default"; choose one with --apply-chat-template NAME (${names.join(', ')})`,
      );
    }
    chosen = hit;
    chosenName = wanted;
  }
  return {
    template: {
      name: chosenName,
      text: chosen.text,
      sha256: createHash('sha256').update(chosen.text, 'utf8').digest('hex'),
      source: chosen.source,
      specialTokens: specialTokensOf(dir, config),
    },
    warnings,
  };
}

const compiled = new Map<string, Template>();

function compile(t: ChatTemplate): Template {
  let template = compiled.get(t.text);
  if (!template) {
    try {
      template = new Template(t.text);
    } catch (err) {
      throw new ChatTemplateError(`${t.source}: the chat template does not parse (${(err as Error).message})`);
    }
    compiled.set(t.text, template);
  }
  return template;
}

/**
 * `tokenizer.apply_chat_template(messages, tokenize=False, add_generation_prompt=True)`, with lm-eval's retry
 * (HFLM.apply_chat_template): when the template raises on a conversation with a system turn, the system turn is
 * left out and the rest rendered; `onSystemDropped` is told so.
 */
export function renderChat(t: ChatTemplate, messages: ChatMessage[], options: { onSystemDropped?: (reason: string) => void } = {}): string {
  const template = compile(t);
  const render = (msgs: ChatMessage[]) => template.render({ ...t.specialTokens, messages: msgs, add_generation_prompt: true });
  try {
    return render(messages);
  } catch (err) {
    if (!messages.some((m) => m.role === 'system')) throw new ChatTemplateError(`${t.source}: the chat template failed (${(err as Error).message})`);
    const rest = messages.filter((m) => m.role !== 'system');
    let text: string;
    try {
      text = render(rest);
    } catch (again) {
      throw new ChatTemplateError(`${t.source}: the chat template failed (${(again as Error).message})`);
    }
    options.onSystemDropped?.((err as Error).message);
    return text;
  }
}
