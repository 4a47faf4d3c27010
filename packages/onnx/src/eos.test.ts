/**
 * Generation ends at every end token the checkpoint names: each id of a generation_config.json `eos_token_id`
 * list (chat models list their turn terminators there), and at the text of tokenizer_config.json's `eos_token`,
 * which lm-eval adds to every request's stop strings.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findCheckpointFiles } from './checkpoint.ts';
import { loadModel } from './model.ts';
import { writeTinyModel } from './tiny/index.ts';
import { TextTokenizer } from './tokenizer.ts';

const PROMPT = 'Question: what is 2 + 2?\nAnswer:';

/** The one token of the vocabulary whose text is `text`. */
function tokenOf(tok: TextTokenizer, text: string): number {
  const ids = Array.from({ length: tok.vocabSize }, (_, id) => id).filter((id) => tok.decode([id]) === text);
  expect(ids, `tokens spelling ${JSON.stringify(text)}`).toHaveLength(1);
  return ids[0]!;
}

describe('end tokens', () => {
  let dir: string;
  /** The seeded model's first two greedy tokens and their texts. */
  let first: { id: number; text: string };
  let second: { id: number; text: string };
  const patch = (file: string, change: Record<string, unknown>) => {
    const path = join(dir, file);
    writeFileSync(path, JSON.stringify({ ...JSON.parse(readFileSync(path, 'utf8')), ...change }));
  };
  const greedy = async (maxTokens: number) => {
    const model = await loadModel(dir, { device: 'cpu' });
    try {
      return (await model.generate([{ context: PROMPT, until: [], maxTokens }]))[0]!;
    } finally {
      await model.dispose();
    }
  };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'sciboard-eos-'));
    await writeTinyModel(dir, { seed: 2, layers: 1 });
    const tok = new TextTokenizer(findCheckpointFiles(dir));
    const one = (await greedy(1)).text;
    const two = (await greedy(2)).text;
    first = { id: tokenOf(tok, one), text: one };
    second = { id: tokenOf(tok, two.slice(one.length)), text: two.slice(one.length) };
    expect(second.id).not.toBe(first.id);
    expect(one).not.toContain(second.text);
    expect((await greedy(8)).finishReason).toBe('length');
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('stops at any id of an eos_token_id list, not only the first', async () => {
    patch('generation_config.json', { eos_token_id: [256, second.id] });
    expect([...new TextTokenizer(findCheckpointFiles(dir)).stopIds]).toEqual([256, second.id]);
    expect(await greedy(8)).toEqual({ text: first.text, finishReason: 'eos' });
  });

  it("stops at the tokenizer's eos_token text, as lm-eval's stop strings do", async () => {
    patch('generation_config.json', { eos_token_id: 256 });
    patch('tokenizer_config.json', { eos_token: second.text });
    expect(new TextTokenizer(findCheckpointFiles(dir)).stopTexts).toContain(second.text);
    expect(await greedy(8)).toEqual({ text: first.text, finishReason: 'stop' });
  });
});
