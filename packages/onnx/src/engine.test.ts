import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import onnxProto from 'onnx-proto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { skipOrFail } from '../../eval/src/testing/sharedData.ts';
import {
  CheckpointError,
  DeviceError,
  encodePair,
  loadModel,
  type GenerateResult,
  type LoglikelihoodResult,
  type OnnxLanguageModel,
} from './index.ts';

const { onnx } = onnxProto;
const shared = process.env.SCIBOARD_SHARED_DIR ?? resolve(import.meta.dirname, '../../../../shared');
const fixture = join(shared, 'fixtures/tiny-llm');
const present = existsSync(join(fixture, 'model.onnx'));
if (!present) skipOrFail(`engine tests on tiny-llm: ${fixture} not found (set SCIBOARD_SHARED_DIR)`);

/** A checkpoint folder whose files link to the fixture's, so one file can be replaced per test. */
function fixtureCopy(omit: string[] = []): string {
  const dir = mkdtempSync(join(tmpdir(), 'sciboard-ckpt-'));
  for (const f of ['config.json', 'generation_config.json', 'tokenizer.json', 'tokenizer_config.json', 'model.onnx']) {
    if (!omit.includes(f)) symlinkSync(join(fixture, f), join(dir, f));
  }
  return dir;
}

describe.skipIf(!present)('batching on tiny-llm', () => {
  let single: OnnxLanguageModel;
  let batched: OnnxLanguageModel;
  beforeAll(async () => {
    single = await loadModel(fixture, { device: 'cpu', batchSize: 1 });
    batched = await loadModel(fixture, { device: 'cpu', batchSize: 4 });
  });
  afterAll(async () => {
    await single?.dispose();
    await batched?.dispose();
  });

  const requests = [
    { context: 'The capital of France is', continuation: ' Paris' },
    { context: 'Question: what is 2+2?\nAnswer:', continuation: ' 4' },
    { context: 'A much longer context that forces the other rows in its batch to be padded on the left. '.repeat(4), continuation: ' yes' },
    { context: '以下是中国关于物理的单项选择题', continuation: '答案：A' },
    { context: 'Question: what is 2+2?\nAnswer:', continuation: ' 5' },
    { context: 'Tabs\tand\nnewlines  ', continuation: 'end' },
  ];

  it('left padding in a batch does not change any result, and results come back in input order', async () => {
    const alone: LoglikelihoodResult[] = [];
    for (const r of requests) alone.push(...(await single.loglikelihood([r])));
    const together = await batched.loglikelihood(requests);
    together.forEach((r, i) => {
      expect(r.logprob).toBeCloseTo(alone[i]!.logprob, 4);
      expect(r.isGreedy).toBe(alone[i]!.isGreedy);
    });
    const order = [3, 0, 5, 1, 4, 2];
    const shuffled = await batched.loglikelihood(order.map((i) => requests[i]!));
    shuffled.forEach((r, k) => expect(r.logprob).toBeCloseTo(together[order[k]!]!.logprob, 4));
  });

  it('generation is the same alone and in a padded batch', async () => {
    const gens = requests.map((r) => ({ context: r.context, until: ['\n\n', 'Question:'], maxTokens: 12 }));
    const alone: GenerateResult[] = [];
    for (const g of gens) alone.push(...(await single.generate([g])));
    const together = await batched.generate(gens);
    expect(together).toEqual(alone);
    expect(together.every((r) => ['stop', 'eos', 'length'].includes(r.finishReason))).toBe(true);
  });

  it('tokenises pairs as lm-eval: trailing context whitespace moves to the continuation', () => {
    const tok = single.tokenizer;
    const a = encodePair(tok, { context: 'Answer: ', continuation: 'yes' }, 4096);
    const b = encodePair(tok, { context: 'Answer:', continuation: ' yes' }, 4096);
    expect(a).toEqual(b);
    expect(tok.decode(a.continuation)).toBe(' yes');
    const empty = encodePair(tok, { context: '', continuation: 'Hello' }, 4096);
    expect(empty.input).toEqual([tok.prefixId]);
  });

  it('stops at max tokens and reports truncation', async () => {
    const [r] = await single.generate([{ context: 'Once upon a time', until: [], maxTokens: 3 }]);
    expect(r!.finishReason === 'length' || r!.finishReason === 'eos').toBe(true);
    const [zero] = await single.generate([{ context: 'Once upon a time', until: [], maxTokens: 0 }]);
    expect(zero).toEqual({ text: '', finishReason: 'length' });
  });
});

describe.skipIf(!present)('devices', () => {
  it('auto falls back from CUDA to CPU and says why', async () => {
    const model = await loadModel(fixture, { device: 'auto' });
    // No GPU on the machines that run these tests: CUDA cannot start here.
    expect(model.provider).toBe('cpu');
    expect(model.fallbackReason).toMatch(/cuda/i);
    await model.dispose();
  });

  it('cuda that cannot start is an error, not a silent fallback', async () => {
    await expect(loadModel(fixture, { device: 'cuda' })).rejects.toThrow(DeviceError);
  });
});

describe.skipIf(!present)('broken checkpoints', () => {
  const dirs: string[] = [];
  afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));
  const track = (d: string) => (dirs.push(d), d);

  it('a truncated .onnx names the file', async () => {
    const dir = track(fixtureCopy(['model.onnx']));
    writeFileSync(join(dir, 'model.onnx'), readFileSync(join(fixture, 'model.onnx')).subarray(0, 4096));
    await expect(loadModel(dir, { device: 'cpu' })).rejects.toThrow(/model\.onnx/);
  });

  it('a folder without a tokenizer says which file is missing', async () => {
    const dir = track(fixtureCopy(['tokenizer.json']));
    await expect(loadModel(dir)).rejects.toThrow(/tokenizer\.json: file not found/);
  });

  it('a folder without a graph lists where it looked', async () => {
    const dir = track(fixtureCopy(['model.onnx']));
    await expect(loadModel(dir)).rejects.toThrow(/no ONNX graph found.*model\.onnx/);
  });

  it('a graph with unexpected input names is refused with the names', async () => {
    const dir = track(fixtureCopy(['model.onnx']));
    const model = onnx.ModelProto.create({
      irVersion: 8,
      opsetImport: [{ version: 15 }],
      graph: {
        name: 'wrong-inputs',
        node: [{ opType: 'Identity', input: ['tokens'], output: ['logits'] }],
        input: [{ name: 'tokens', type: { tensorType: { elemType: 1, shape: { dim: [{ dimParam: 'b' }] } } } }],
        output: [{ name: 'logits', type: { tensorType: { elemType: 1, shape: { dim: [{ dimParam: 'b' }] } } } }],
      },
    });
    writeFileSync(join(dir, 'model.onnx'), onnx.ModelProto.encode(model).finish());
    await expect(loadModel(dir, { device: 'cpu' })).rejects.toThrow(/graph input "input_ids" missing \(inputs are tokens/);
  });

  it('a tokenizer larger than the model vocabulary is refused', async () => {
    const dir = track(fixtureCopy(['config.json']));
    const config = JSON.parse(readFileSync(join(fixture, 'config.json'), 'utf8'));
    writeFileSync(join(dir, 'config.json'), JSON.stringify({ ...config, vocab_size: 1000 }));
    await expect(loadModel(dir)).rejects.toThrow(CheckpointError);
    await expect(loadModel(dir)).rejects.toThrow(/vocab_size = 1000/);
  });

  it('absurd config values are named', async () => {
    const dir = track(fixtureCopy(['config.json']));
    cpSync(join(fixture, 'config.json'), join(dir, 'config.json'));
    const config = JSON.parse(readFileSync(join(fixture, 'config.json'), 'utf8'));
    writeFileSync(join(dir, 'config.json'), JSON.stringify({ ...config, num_hidden_layers: -3 }));
    await expect(loadModel(dir)).rejects.toThrow(/num_hidden_layers/);
  });
});
