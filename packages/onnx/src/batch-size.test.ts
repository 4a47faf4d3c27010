import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { chooseBatchSize, DEFAULT_BATCH_SIZE, weightBytes, type BatchSizeInput } from './batch-size.ts';
import { loadModel, loadModelInWorker } from './index.ts';

const GiB = 2 ** 30;
// The Qwen2.5-0.5B shape in float32 (the `qwen2_5_0_5b` preset's graph and weights file).
const qwen05: BatchSizeInput = {
  weightBytes: 1_976_241_664 + 291_103,
  layers: 24,
  heads: 14,
  kvHeads: 2,
  headDim: 64,
  hidden: 896,
  cacheElementBytes: 4,
  contextTokens: 32_768,
  provider: 'cpu',
  freeBytes: 20 * GiB,
  totalBytes: 23 * GiB,
};

describe('chooseBatchSize', () => {
  it('0.5B on a CPU with 20 GB free: the CPU cap, 16', () => {
    // cache 2·24·2·64·4 = 24,576 B/token × 4,096 = 100,663,296; prefill 4·(14·1024² + 8·1024·896) = 88,080,384;
    // 188,743,680 B per row; half of 20 GiB holds 56 rows; cap 16 (weights over 512 MB).
    const c = chooseBatchSize(qwen05);
    expect(c.batchSize).toBe(16);
    expect(c.reason).toBe('1885 MB of weights, 24 layers, hidden 896, KV cache 24 KB/token; 180 MB per row (4096-token cache + prefill); CPU cap 16');
  });

  it('0.5B with 2 GB free: memory decides, 5 rows fit, so 4', () => {
    // 1 GiB / 188,743,680 = 5.69 → 5 → the power of two below, 4.
    const c = chooseBatchSize({ ...qwen05, freeBytes: 2 * GiB });
    expect(c.batchSize).toBe(4);
    expect(c.reason).toMatch(/memory: 5 rows fit in half of 2\.0 GB free$/);
  });

  it('a short context budgets only its own tokens', () => {
    // 2,048 tokens: 50,331,648 + 88,080,384 = 138,412,032 per row; 1 GiB holds 7 rows → 4.
    expect(chooseBatchSize({ ...qwen05, contextTokens: 2048, freeBytes: 2 * GiB }).batchSize).toBe(4);
    // 1.5 GiB free → 0.75 GiB / 138,412,032 = 5.8 → 4; 2.5 GiB → 1.25 GiB / 138,412,032 = 9.7 → 8.
    expect(chooseBatchSize({ ...qwen05, contextTokens: 2048, freeBytes: 2.5 * GiB }).batchSize).toBe(8);
  });

  it('a small model gets the larger CPU cap, 32', () => {
    // tiny-llm's shape: 256 B/token × 4,096 + 4·(4·1024² + 8·1024·32) = 18,874,368 per row; 227 rows fit in 4 GiB.
    const c = chooseBatchSize({ ...qwen05, weightBytes: 19_700_000, layers: 2, heads: 4, kvHeads: 2, headDim: 8, hidden: 32, contextTokens: 4096, freeBytes: 8 * GiB });
    expect(c.batchSize).toBe(32);
    expect(c.reason).toMatch(/KV cache <1 KB\/token; 18 MB per row .* CPU cap 32$/);
  });

  it('a 7B shape on a GPU with a float16 cache and 16 GB free: 8', () => {
    // 2·32·8·128·2 = 131,072 B/token × 4,096 = 536,870,912; 4·(32·1024² + 8·1024·4096) = 268,435,456;
    // 805,306,368 per row; 8 GiB holds 10 rows → 8 (the GPU cap is 64).
    const c = chooseBatchSize({ weightBytes: 14e9, layers: 32, heads: 32, kvHeads: 8, headDim: 128, hidden: 4096, cacheElementBytes: 2, contextTokens: 4096, provider: 'cuda', freeBytes: 16 * GiB, totalBytes: 64 * GiB });
    expect(c.batchSize).toBe(8);
  });

  it('never below 1, even when one row does not fit', () => {
    expect(chooseBatchSize({ ...qwen05, freeBytes: 100 * 2 ** 20 }).batchSize).toBe(1);
  });
});

describe('weightBytes', () => {
  it('adds the external weight files named after the graph, and nothing else', () => {
    const dir = mkdtempSync(join(tmpdir(), 'weights-'));
    writeFileSync(join(dir, 'model.onnx'), Buffer.alloc(100));
    writeFileSync(join(dir, 'model.onnx_data'), Buffer.alloc(1000));
    writeFileSync(join(dir, 'model.onnx_data_1'), Buffer.alloc(10));
    writeFileSync(join(dir, 'model_q4.onnx'), Buffer.alloc(7));
    writeFileSync(join(dir, 'tokenizer.json'), Buffer.alloc(5));
    expect(weightBytes(join(dir, 'model.onnx'))).toBe(1110);
  });
});

const fixture = join(process.env.SCIBOARD_SHARED_DIR ?? resolve(import.meta.dirname, '../../../../shared'), 'fixtures/tiny-llm');

describe.skipIf(!existsSync(join(fixture, 'model.onnx')))('loadModel with batchSize auto', () => {
  it('picks a power of two from the checkpoint and says why', async () => {
    const model = await loadModel(fixture, { device: 'cpu', batchSize: 'auto' });
    try {
      expect([1, 2, 4, 8, 16, 32]).toContain(model.batchSize);
      expect(model.batchSizeReason).toMatch(/^\d+ MB of weights, 2 layers, hidden 32, KV cache <1 KB\/token; /);
    } finally {
      await model.dispose();
    }
    const fixed = await loadModel(fixture, { device: 'cpu', batchSize: 3 });
    expect(fixed.batchSize).toBe(3);
    expect(fixed.batchSizeReason).toBeUndefined();
    await fixed.dispose();
  });

  it('is what a load without a batch size gets, in this thread and in a worker thread', async () => {
    expect(DEFAULT_BATCH_SIZE).toBe('auto');
    const local = await loadModel(fixture, { device: 'cpu' });
    const remote = await loadModelInWorker(fixture, { device: 'cpu' });
    try {
      expect(local.batchSizeReason).toMatch(/^\d+ MB of weights, 2 layers/);
      expect(remote.batchSize).toBe(local.batchSize);
      expect(remote.batchSizeReason).toMatch(/^\d+ MB of weights, 2 layers/);
    } finally {
      await local.dispose();
      await remote.dispose();
    }
    const given = await loadModelInWorker(fixture, { device: 'cpu', batchSize: 2 });
    expect(given.batchSize).toBe(2);
    expect(given.batchSizeReason).toBeUndefined();
    await given.dispose();
  });
});
