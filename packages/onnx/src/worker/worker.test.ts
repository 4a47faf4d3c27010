import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadModel, loadModelInWorker } from '../index.ts';
import { skipOrFail } from '../../../eval/src/testing/sharedData.ts';

const shared = process.env.SCIBOARD_SHARED_DIR ?? resolve(import.meta.dirname, '../../../../../shared');
const fixture = join(shared, 'fixtures/tiny-llm');
const present = existsSync(join(fixture, 'model.onnx'));
if (!present) skipOrFail(`worker-thread tests: ${fixture} not found`);

describe.skipIf(!present)('inference in a worker thread', () => {
  it('gives the same results as in-process, keeps the event loop free, and reports progress', async () => {
    const cases = readFileSync(join(fixture, 'loglik.jsonl'), 'utf8').trim().split('\n').slice(0, 40).map((l) => JSON.parse(l));
    const requests = cases.map((c: { context: string; continuation: string }) => ({ context: c.context, continuation: c.continuation }));
    const remote = await loadModelInWorker(fixture, { device: 'auto', batchSize: 2 });
    expect(remote.provider).toBe('cpu');
    let ticks = 0;
    const timer = setInterval(() => ticks++, 5);
    const progress: number[] = [];
    const got = await remote.loglikelihood(requests, { onProgress: (p) => progress.push(p.done) });
    clearInterval(timer);
    // Inference took well over 5 ms: had it run on this thread, the timer could not have fired in between.
    expect(ticks).toBeGreaterThan(3);
    expect(progress.at(-1)).toBe(requests.length);
    const local = await loadModel(fixture, { device: 'cpu', batchSize: 2 });
    const want = await local.loglikelihood(requests);
    expect(got).toEqual(want);
    await local.dispose();
    await remote.dispose();
  });

  it('cancels a running request and carries load errors across', async () => {
    const remote = await loadModelInWorker(fixture, { device: 'cpu', batchSize: 1 });
    const controller = new AbortController();
    const reqs = Array.from({ length: 50 }, (_, i) => ({ context: `Count to ${i}:`, until: [], maxTokens: 40 }));
    const run = remote.generate(reqs, { signal: controller.signal, onProgress: () => controller.abort() });
    await expect(run).rejects.toThrow(/abort/i);
    await remote.dispose();
    await expect(loadModelInWorker(join(fixture, 'missing'), {})).rejects.toThrow(/not a checkpoint folder/);
  });
});
