import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import ort from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { skipOrFail } from '../../eval/src/testing/sharedData.ts';
import { loadModel, loadModelInWorker, type GenerateRequest, type GenerateResult, type OnnxLanguageModel } from './index.ts';
import { selectCacheRowsAndPositions, type KvCache } from './kv-cache.ts';

const shared = process.env.SCIBOARD_SHARED_DIR ?? resolve(import.meta.dirname, '../../../../shared');
const fixture = join(shared, 'fixtures/tiny-llm');
const present = existsSync(join(fixture, 'model.onnx'));
if (!present) skipOrFail(`continuous batching tests: ${fixture} not found (set SCIBOARD_SHARED_DIR)`);

/**
 * A task's worth of generation requests of very different lengths: the fixture's greedy prompts (no shared
 * prefix) and few-shot prompts sharing their exemplars, with token limits and stop strings that make rows finish
 * at many different steps.
 */
function mixedRequests(): GenerateRequest[] {
  const lines = (f: string) =>
    readFileSync(join(fixture, f), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
  const greedy = lines('greedy.jsonl').map((c) => c.prompt as string);
  const mc = lines('loglik.jsonl').find((c) => (c.context as string).startsWith('The following are multiple choice questions'))!.context as string;
  const shots = mc.slice(0, mc.lastIndexOf('\n\n') + 2);
  const questions = ['Why?', 'What is 7 times 6?', '水的化学式是什么？', 'A train leaves at noon at 80 km/h and a second one an hour later at 120 km/h on the same track; when does the second catch up?', 'Name the closest star to Earth.', 'Which gas makes up most of the air we breathe, and how much of it?'];
  const fewShot = questions.map((q) => `${shots}${q}\nAnswer:`);
  const stops = [['\n\n'], ['Question:', '\n\n'], ['.'], [' the'], []];
  return [...greedy.slice(0, 14), ...fewShot].map((context, i) => ({ context, until: stops[i % stops.length]!, maxTokens: 1 + ((i * 7) % 23) }));
}

describe.skipIf(!present)('continuous batching across a whole task', () => {
  let model: OnnxLanguageModel;
  let single: OnnxLanguageModel;
  const requests = present ? mixedRequests() : [];
  let whole: GenerateResult[];
  beforeAll(async () => {
    model = await loadModel(fixture, { device: 'cpu', batchSize: 4 });
    single = await loadModel(fixture, { device: 'cpu', batchSize: 1 });
  });
  afterAll(async () => {
    await model?.dispose();
    await single?.dispose();
  });

  it('one call over every prompt gives the texts of calls of one batch each, and of each prompt alone', async () => {
    const streamed = new Map<number, GenerateResult>();
    whole = await model.generate(requests, { onResult: (i, r) => (expect(streamed.has(i)).toBe(false), streamed.set(i, r)) });
    // Every result was reported once, as its row finished, and equals what the call returned.
    expect([...streamed.keys()].sort((a, b) => a - b)).toEqual(requests.map((_, i) => i));
    expect(requests.map((_, i) => streamed.get(i))).toEqual(whole);
    // Rows finished at different steps: results came back in a different order from the requests.
    expect([...streamed.keys()]).not.toEqual(requests.map((_, i) => i));

    const chunked: GenerateResult[] = [];
    for (let i = 0; i < requests.length; i += 4) chunked.push(...(await model.generate(requests.slice(i, i + 4))));
    expect(whole).toEqual(chunked);
    const alone: GenerateResult[] = [];
    for (const r of requests) alone.push(...(await single.generate([r])));
    expect(whole).toEqual(alone);
    expect(new Set(whole.map((r) => r.finishReason)).size).toBeGreaterThan(1);
  });

  it('the worker-thread model streams the same results', async () => {
    const worker = await loadModelInWorker(fixture, { device: 'cpu', batchSize: 4 });
    try {
      const streamed: [number, GenerateResult][] = [];
      const results = await worker.generate(requests, { onResult: (i, r) => streamed.push([i, r]) });
      expect(results).toEqual(whole);
      expect(streamed).toHaveLength(requests.length);
      for (const [i, r] of streamed) expect(r).toEqual(whole[i]);
    } finally {
      await worker.dispose();
    }
  });
});

describe('dropping positions no kept row attends to', () => {
  it('keeps the chosen rows and position runs of every layer, in order', () => {
    // [batch 3, heads 2, length 5, dim 2], value = 1000·row + 100·head + 10·position + d
    const data = new Float32Array(3 * 2 * 5 * 2).map((_, i) => {
      const d = i % 2;
      const t = Math.floor(i / 2) % 5;
      const h = Math.floor(i / 10) % 2;
      const b = Math.floor(i / 20);
      return 1000 * b + 100 * h + 10 * t + d;
    });
    const tensor = new ort.Tensor('float32', data, [3, 2, 5, 2]);
    const cache: KvCache = { keys: [tensor], values: [tensor], length: 5, batch: 3 };
    const out = selectCacheRowsAndPositions(cache, [2, 0], [
      [1, 2],
      [3, 5],
    ]);
    expect(out.length).toBe(3);
    expect(out.batch).toBe(2);
    expect(out.keys[0]!.dims).toEqual([2, 2, 3, 2]);
    const expected = [2, 0].flatMap((b) => [0, 1].flatMap((h) => [1, 3, 4].flatMap((t) => [0, 1].map((d) => 1000 * b + 100 * h + 10 * t + d))));
    expect(Array.from(out.keys[0]!.data as Float32Array)).toEqual(expected);
    expect(Array.from(out.values[0]!.data as Float32Array)).toEqual(expected);
  });
});
