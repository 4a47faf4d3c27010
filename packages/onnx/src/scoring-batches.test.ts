import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { SharedPrefix } from './batch.ts';
import { SCORING_LENGTH_STEP } from './scoring-cost.ts';
import { Decoder, type ForwardBatch } from './decoder.ts';
import { loadModel, writeTinyModel, type LoglikelihoodRequest, type OnnxLanguageModel } from './index.ts';

// A 3-shot prompt whose questions differ in length, four single-letter choices each (with the byte-level tokenizer
// " A" is one token and " B" two, so each question is one row scored at several positions), and a longer answer.
function requests(): LoglikelihoodRequest[] {
  const shots = ['What is 2 plus 2?', 'Which planet is largest?', 'What is the boiling point of water at sea level?']
    .map((q) => `${q}\nA. one\nB. two\nC. three\nD. four\nAnswer: B\n\n`)
    .join('');
  const questions = [
    'Why?',
    'What is 7 times 6?',
    'Which particle carries a negative charge?',
    'Name the closest star to Earth.',
    'A ball is thrown straight up at 12 m/s from a balcony 20 m above the ground; how long until it lands?',
    'Which gas makes up most of the air we breathe, by volume, at sea level?',
    'What is 7 times 8?',
    'Name the largest ocean.',
    '水的化学式是什么？',
  ];
  return questions.flatMap((q) =>
    [' A', ' B', ' C', ' D', ' D. four, because the question says so'].map((continuation) => ({
      context: `The following are multiple choice questions.\n\n${shots}${q}\nA. one\nB. two\nC. three\nD. four\nAnswer:`,
      continuation,
    })),
  );
}

describe('scoring batches of rows of different lengths', () => {
  let dir: string;
  const models: OnnxLanguageModel[] = [];
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'sciboard-scoring-batches-'));
    await writeTinyModel(dir, { layers: 2, hidden: 64, heads: 4, kvHeads: 2, vocab: 512, seed: 3 });
    for (const batchSize of [1, 8, 32]) models.push(await loadModel(dir, { device: 'cpu', batchSize }));
  });
  afterAll(async () => {
    for (const m of models) await m.dispose();
    rmSync(dir, { recursive: true, force: true });
    vi.restoreAllMocks();
  });

  it('give batch size 1 results at batch sizes 8 and 32, with right-padded rows of different lengths sharing calls', async () => {
    const calls: { model: number; batch: number; seq: number; pastLength: number; lengths: number[] }[] = [];
    let current = 0;
    const forward = Decoder.prototype.forward;
    const spy = vi.spyOn(Decoder.prototype, 'forward').mockImplementation(function (this: Decoder, input: ForwardBatch, past, keep, wantCache) {
      const total = input.attentionMask.length / input.batch;
      // Each row's own tokens: its mask's ones after the prefix.
      const lengths = Array.from({ length: input.batch }, (_, b) => input.attentionMask.subarray(b * total, (b + 1) * total).filter((x) => x === 1n).length - (past?.length ?? 0));
      calls.push({ model: current, batch: input.batch, seq: input.seq, pastLength: past?.length ?? 0, lengths });
      return forward.call(this, input, past, keep, wantCache);
    });
    const reqs = requests();
    const results = [];
    try {
      for (const [i, m] of models.entries()) {
        current = i;
        results.push(await m.loglikelihood(reqs));
      }
    } finally {
      spy.mockRestore();
    }
    const [one, eight, thirtyTwo] = results as [typeof results[0], typeof results[0], typeof results[0]];
    for (const other of [eight, thirtyTwo]) {
      other.forEach((r, i) => {
        expect(Math.abs(r.logprob - one[i]!.logprob)).toBeLessThan(1e-6);
        expect(r.isGreedy).toBe(one[i]!.isGreedy);
      });
    }
    // Batch 1 runs the prefix and one call per question; batch 8 and 32 run fewer, each of several rows at a
    // length bucketed to the step, after the same prefix.
    const scoring = (model: number) => calls.filter((c) => c.model === model && c.pastLength > 0);
    expect(scoring(0).every((c) => c.batch === 1)).toBe(true);
    expect(scoring(0)).toHaveLength(9);
    for (const model of [1, 2]) {
      const batched = scoring(model).filter((c) => c.batch > 1);
      expect(batched.length).toBeGreaterThan(0);
      expect(scoring(model).length).toBeLessThan(9);
      for (const c of batched) expect(c.seq % SCORING_LENGTH_STEP).toBe(0);
      expect(batched.some((c) => new Set(c.lengths).size > 1)).toBe(true);
    }
  });

  it('after a long few-shot prefix, batch sizes 8 and 32 make exactly the calls of batch size 1 (a batch would cost more there)', async () => {
    // The same questions after 16 more exemplars (over 640 cached positions): on CPU the cost model finds no batch
    // of these rows cheaper than its rows alone, as measured on the small models' scoring passes.
    const long = requests().map((r) => ({ ...r, context: r.context.replace('The following are multiple choice questions.\n\n', `The following are multiple choice questions.\n\n${'What is 3 plus 4?\nA. one\nB. two\nC. seven\nD. four\nAnswer: C\n\n'.repeat(16)}`) }));
    const seen: string[][] = [];
    const forward = Decoder.prototype.forward;
    let current: string[] = [];
    const spy = vi.spyOn(Decoder.prototype, 'forward').mockImplementation(function (this: Decoder, input: ForwardBatch, past, keep, wantCache) {
      current.push(`${input.batch}x${input.seq}@${past?.length ?? 0}`);
      return forward.call(this, input, past, keep, wantCache);
    });
    const results = [];
    try {
      for (const m of models) {
        m.clearPrefixCache();
        current = [];
        results.push(await m.loglikelihood(long));
        seen.push(current);
      }
    } finally {
      spy.mockRestore();
    }
    expect(Math.min(...seen[0]!.slice(1).map((c) => Number(c.split('@')[1])))).toBeGreaterThan(640);
    expect(seen[1]).toEqual(seen[0]);
    expect(seen[2]).toEqual(seen[0]);
    expect(results[1]).toEqual(results[0]);
    expect(results[2]).toEqual(results[0]);
  });

  it('lends one prefix after another the same memory for their repeated rows, and a concurrent pass its own copy', async () => {
    const model = models[1]!;
    const decoder = (model as unknown as { decoder: Decoder }).decoder;
    model.clearPrefixCache();
    const seqs = (text: string) => [0, 1].map((i) => model.tokenizer.encode(`${text} ${'and so on, '.repeat(4)}${i}`));
    const a = (await SharedPrefix.compute(decoder, seqs('First prefix,'), 1000))!;
    const b = (await SharedPrefix.compute(decoder, seqs('Second prefix,'), 1000))!;
    expect(b.length).toBeGreaterThan(a.length);
    const first = a.lease(decoder, 4);
    const memory = (first.cache.keys[0]!.data as Float32Array).buffer;
    // Every row repeats the prefix's one row.
    const row = a.cacheFor(1).keys[0]!.data as Float32Array;
    const tiled = first.cache.keys[0]!.data as Float32Array;
    expect(tiled.length).toBe(4 * row.length);
    expect(tiled.subarray(3 * row.length)).toEqual(row);
    // While the first lease is held, another prefix gets a copy of its own.
    const concurrent = b.lease(decoder, 4);
    expect((concurrent.cache.keys[0]!.data as Float32Array).buffer).not.toBe(memory);
    concurrent.release();
    first.release();
    // Released, the same memory takes the next prefix's rows (it was allocated with room to spare).
    const second = b.lease(decoder, 4);
    expect((second.cache.keys[0]!.data as Float32Array).buffer).toBe(memory);
    expect((second.cache.keys[0]!.data as Float32Array).subarray(0, b.cacheFor(1).keys[0]!.data.length)).toEqual(b.cacheFor(1).keys[0]!.data);
    expect(second.cache.keys[0]!.dims).toEqual([4, ...b.cacheFor(1).keys[0]!.dims.slice(1)]);
    second.release();
  });
});
