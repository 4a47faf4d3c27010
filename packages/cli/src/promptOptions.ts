/**
 * lm-eval's prompt and generation options, shared by `eval`, `requests` and `submit`: parsed and checked by
 * @sciboard/eval's settings module, so the command line, the queue and the site accept the same values.
 */
import { InvalidArgumentError, type Command } from 'commander';
import {
  type ChatTemplate,
  checkEvalSettings,
  type EvalSettings,
  type GenKwargs,
  loadChatTemplate,
  parseGenKwargs,
  parseSeed,
  type Seeds,
  SettingsError,
} from '@sciboard/runs';
import { UsageError } from './main.ts';

export interface PromptOptions {
  applyChatTemplate?: boolean | string;
  systemInstruction?: string;
  fewshotAsMultiturn?: boolean;
  genKwargs?: GenKwargs;
  seed?: Seeds;
}

function parsed<T>(parse: (text: string) => T): (value: string) => T {
  return (value) => {
    try {
      return parse(value);
    } catch (err) {
      if (err instanceof SettingsError) throw new InvalidArgumentError(err.message);
      throw err;
    }
  };
}

function booleanValue(flag: string): (value: string) => boolean {
  return (value) => {
    const v = value.trim().toLowerCase();
    if (['true', '1', 'yes'].includes(v)) return true;
    if (['false', '0', 'no'].includes(v)) return false;
    throw new InvalidArgumentError(`${flag} takes true or false, got "${value}"`);
  };
}

/** Adds the five options to a command. */
export function addPromptOptions(command: Command): Command {
  return command
    .option('--apply-chat-template [name]', "format prompts with the checkpoint's chat template (tokenizer_config.json or chat_template.jinja; NAME picks one of several), as lm-eval")
    .option('--system-instruction <text>', 'system instruction: a system turn with a chat template, else text before the prompt')
    .option('--fewshot-as-multiturn [bool]', 'few-shot exemplars as user/assistant turns (default true with a chat template, as lm-eval); false: one user turn', booleanValue('--fewshot-as-multiturn'))
    .option('--gen-kwargs <args>', 'generation arguments, key=value,... or JSON: until, max_gen_toks, do_sample=false, temperature=0 (greedy only)', parsed(parseGenKwargs))
    .option('--seed <seeds>', "lm-eval's seeds: N for all, or python,numpy,torch,fewshot (default 0,1234,1234,1234; the few-shot seed draws gsm8k's exemplars)", parsed(parseSeed));
}

/** The options as checked settings; a bad combination is a usage error (exit 2). */
export function promptSettings(o: PromptOptions): EvalSettings {
  try {
    return checkEvalSettings({
      ...(o.applyChatTemplate !== undefined ? { applyChatTemplate: o.applyChatTemplate } : {}),
      ...(o.systemInstruction !== undefined ? { systemInstruction: o.systemInstruction } : {}),
      ...(o.fewshotAsMultiturn !== undefined ? { fewshotAsMultiturn: o.fewshotAsMultiturn } : {}),
      ...(o.genKwargs ? { genKwargs: o.genKwargs } : {}),
      ...(o.seed ? { seed: o.seed } : {}),
    });
  } catch (err) {
    if (err instanceof SettingsError) throw new UsageError(err.message);
    throw err;
  }
}

/** The checkpoint's chat template when the settings apply one (warnings go to `warn`). */
export function chatTemplateFor(modelDir: string | undefined, settings: EvalSettings, warn: (line: string) => void): ChatTemplate | undefined {
  if (!settings.applyChatTemplate) return undefined;
  if (!modelDir) throw new UsageError('--apply-chat-template needs --model DIR: the chat template is the checkpoint\'s');
  const { template, warnings } = loadChatTemplate(modelDir, typeof settings.applyChatTemplate === 'string' ? settings.applyChatTemplate : undefined);
  for (const w of warnings) warn(`warning: ${w}`);
  return template;
}
