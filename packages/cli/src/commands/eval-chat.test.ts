/**
 * `sciboard eval` and `sciboard requests` with lm-eval's chat options, end to end on a seeded tiny model whose
 * tokenizer_config.json is given a chat template: the prompts sent are the rendered ones, `requests` prints the
 * same text, and the run records the settings as part of its identity.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { findCheckpointFiles, TextTokenizer } from '@sciboard/onnx';

const repo = resolve(import.meta.dirname, '../../../..');
const bin = join(repo, 'packages/cli/bin/sciboard.mjs');
const samples = join(repo, 'packages/eval/samples');
const dbFile = join(mkdtempSync(join(tmpdir(), 'sciboard-chat-db-')), 'runs.db');
const env = { ...process.env, SCIBOARD_DB: dbFile, DATABASE_URL: '' };
const run = (args: string[]) => spawnSync(process.execPath, [bin, ...args], { cwd: repo, env, encoding: 'utf8', timeout: 180_000 });

/** A small template in the usual shape: BOS, one header per turn, an end-of-turn marker, the assistant header. */
const TEMPLATE =
  "{{ bos_token }}{% for m in messages %}{{ '<|' + m.role + '|>\\n' + m.content + '<|end|>\\n' }}{% endfor %}{% if add_generation_prompt %}{{ '<|assistant|>\\n' }}{% endif %}";
const SYSTEM = 'Answer with one letter.';
const DESCRIPTION = 'The following are multiple choice questions (with answers) about basic science.\n\n';
const SHOT = 'Which planet is closest to the Sun?\nA. Venus\nB. Mercury\nC. Mars\nD. Earth\nAnswer:';

describe('chat templates through the command line', () => {
  let model = '';
  beforeAll(() => {
    const root = mkdtempSync(join(tmpdir(), 'sciboard-chat-'));
    model = join(root, 'chat-model');
    const made = run(['tiny-model', '--out', model, '--layers', '1', '--add-bos']);
    expect(made.status, made.stderr).toBe(0);
    const configPath = join(model, 'tokenizer_config.json');
    writeFileSync(configPath, JSON.stringify({ ...JSON.parse(readFileSync(configPath, 'utf8')), chat_template: TEMPLATE }));
  });

  it('eval sends the rendered prompts, requests prints the same text, and the run records the settings', async () => {
    const out = join(model, '..', 'out');
    const chatArgs = ['--apply-chat-template', '--system-instruction', SYSTEM, '--gen-kwargs', 'max_gen_toks=4,until=Question:', '--seed', '7'];
    const tasks = `${samples}/science-mc.yaml,${samples}/arithmetic.yaml`;
    const evaluated = run(['eval', '--model', model, '--tasks', tasks, '--num-fewshot', '1', '--limit', '3', '--device', 'cpu', '--output', out, ...chatArgs]);
    // arithmetic has no few-shot split: one shot is refused for it, so that suite runs zero-shot below.
    expect(evaluated.status).toBe(1);
    expect(evaluated.stderr).toMatch(/sample_arithmetic has no few-shot split/);

    const mc = run(['eval', '--model', model, '--tasks', `${samples}/science-mc.yaml`, '--num-fewshot', '1', '--limit', '3', '--device', 'cpu', '--output', out, ...chatArgs]);
    expect(mc.status, mc.stderr).toBe(0);
    expect(mc.stderr).toMatch(/chat template: .*tokenizer_config\.json \(chat_template\)/);
    const results = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8'));
    expect(results).toMatchObject({ chat_template: TEMPLATE, system_instruction: SYSTEM, fewshot_as_multiturn: true, config: { random_seed: 7, fewshot_seed: 7, gen_kwargs: { max_gen_toks: 4, until: ['Question:'] } } });
    expect(results.chat_template_sha).toMatch(/^[0-9a-f]{64}$/);

    const sample = JSON.parse(readFileSync(join(out, 'samples_sample_science_mc.jsonl'), 'utf8').split('\n')[1]!);
    const expected =
      `<|begin_of_text|><|system|>\n${SYSTEM}\n\n${DESCRIPTION}<|end|>\n<|user|>\n${SHOT}<|end|>\n<|assistant|>\nB<|end|>\n` +
      '<|user|>\nWhich gas makes up the largest share of the air we breathe?\nA. Oxygen\nB. Carbon dioxide\nC. Nitrogen\nD. Argon\nAnswer:<|end|>\n<|assistant|>\n';
    expect(sample.arguments.gen_args_0).toEqual({ arg_0: expected, arg_1: 'A' });

    // The tokenizer adds BOS by itself; the template's own BOS is not doubled.
    const tok = new TextTokenizer(findCheckpointFiles(model));
    const ids = tok.encode(expected);
    expect(ids.slice(0, 2)).toEqual([tok.bosId, tok.encode('<', { addBos: false })[0]]);

    const requests = run(['requests', '--model', model, '--tasks', `${samples}/science-mc.yaml,${samples}/arithmetic.yaml`, '--num-fewshot', '0', '--limit', '2', ...chatArgs]);
    expect(requests.status, requests.stderr).toBe(0);
    const lines = requests.stdout.trim().split('\n').map((l) => JSON.parse(l));
    expect(lines[1]).toMatchObject({ task: 'sample_science_mc', continuations: ['A', 'B', 'C', 'D'] });
    expect(lines[1].context).toBe(`<|begin_of_text|><|system|>\n${SYSTEM}\n\n${DESCRIPTION}<|end|>\n<|user|>\n${expected.split('<|user|>\n')[2]}`);
    expect(lines[2]).toMatchObject({ task: 'sample_arithmetic', request_type: 'generate_until', until: ['Question:'], max_gen_toks: 4 });
    expect(lines[2].context).toMatch(/^<\|begin_of_text\|><\|system\|>\nAnswer with one letter\.<\|end\|>\n<\|user\|>\nQuestion: A baker .*\nAnswer:<\|end\|>\n<\|assistant\|>\n$/s);

    const { openDb } = await import('@sciboard/db');
    const store = await openDb({ file: dbFile });
    const [chatRun] = await store.listRuns({ modelName: 'chat-model' });
    expect(chatRun?.config).toMatchObject({
      applyChatTemplate: true,
      fewshotAsMultiturn: true,
      systemInstruction: SYSTEM,
      genKwargs: { max_gen_toks: 4, until: ['Question:'] },
      seed: { random_seed: 7, numpy_seed: 7, torch_seed: 7, fewshot_seed: 7 },
      chatTemplateSha: results.chat_template_sha,
    });
    await store.close();

    // The same task without a chat template is another run: the settings are part of the identity.
    const plain = run(['eval', '--model', model, '--tasks', `${samples}/science-mc.yaml`, '--num-fewshot', '1', '--limit', '3', '--device', 'cpu', '--output', join(out, '..', 'plain')]);
    expect(plain.status, plain.stderr).toBe(0);
    const again = await openDb({ file: dbFile });
    const runs = await again.listRuns({ modelName: 'chat-model' });
    expect(runs).toHaveLength(2);
    expect(runs.filter((r) => r.config['applyChatTemplate'] === true)).toHaveLength(1);
    await again.close();
  });

  it('refuses settings lm-eval refuses, naming the option', () => {
    const tasks = `${samples}/arithmetic.yaml`;
    const sampling = run(['requests', '--tasks', tasks, '--gen-kwargs', 'temperature=0.7']);
    expect(sampling.status).toBe(2);
    expect(sampling.stderr).toMatch(/gen_kwargs: temperature=0.7 is not supported/);
    const multiturn = run(['requests', '--tasks', tasks, '--fewshot-as-multiturn']);
    expect(multiturn.status).toBe(2);
    expect(multiturn.stderr).toMatch(/fewshot_as_multiturn: needs a chat template/);
    const noModel = run(['requests', '--tasks', tasks, '--apply-chat-template']);
    expect(noModel.status).toBe(2);
    expect(noModel.stderr).toMatch(/--apply-chat-template needs --model DIR/);
    const named = run(['requests', '--tasks', tasks, '--model', model, '--apply-chat-template', 'tool_use', '--limit', '1']);
    expect(named.status, named.stderr).toBe(0);
    expect(named.stderr).toMatch(/warning: chat template "tool_use" asked for, but .* has a single chat template; using it/);
  });
});
