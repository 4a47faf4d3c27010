import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_STORE_EVERY, evaluate, PromptChangedError, type TaskProgress } from './evaluator.ts';
import { JsonlSink } from './jsonlSink.ts';
import type { GenerateRequest, GenerateResult, LoglikelihoodRequest, RequestOptions } from './model.ts';
import { formatResultsTable } from './results.ts';
import { loadTaskSpec } from './spec.ts';
import { HashModel, samplesDir, sharedDataDir, sharedDataMissing } from './testing/sharedData.ts';

const clock = () => 1_750_000_000_000;
const sampleTasks = () => [loadTaskSpec(join(samplesDir, 'science-mc.yaml')), loadTaskSpec(join(samplesDir, 'arithmetic.yaml'))];
const freshSink = () => new JsonlSink(join(mkdtempSync(join(tmpdir(), 'eval-')), 'items.jsonl'));

/** Fails on its n-th call, as a crash part-way through a run would. */
class CrashingModel extends HashModel {
  constructor(private readonly failOnCall: number) {
    super();
  }
  override async loglikelihood(requests: LoglikelihoodRequest[]) {
    if (this.calls + 1 === this.failOnCall) throw new Error('simulated crash');
    return super.loglikelihood(requests);
  }
  override async generate(requests: GenerateRequest[]) {
    if (this.calls + 1 === this.failOnCall) throw new Error('simulated crash');
    return super.generate(requests);
  }
}

/**
 * Reports each generation through `onResult` as an engine with continuous batching does: one at a time, in an
 * order unrelated to the request order (last request first), yielding to the event loop between them, and
 * failing after `crashAfter` results when asked to.
 */
class StreamingModel extends HashModel {
  readonly streamsGenerations = true;
  generateCalls: number[] = [];
  constructor(private readonly crashAfter = Infinity) {
    super();
  }
  override async generate(requests: GenerateRequest[], options: RequestOptions = {}): Promise<GenerateResult[]> {
    const results = await super.generate(requests);
    this.generateCalls.push(requests.length);
    for (let n = 0, j = requests.length - 1; j >= 0; j--, n++) {
      await new Promise((r) => setImmediate(r));
      options.signal?.throwIfAborted();
      if (n === this.crashAfter) throw new Error('simulated crash');
      options.onResult?.(j, results[j]!);
    }
    return results;
  }
}

describe('evaluate', () => {
  it('scores, aggregates and reports in lm-eval\'s shape', async () => {
    const progress: TaskProgress[] = [];
    const out = await evaluate({ model: new HashModel(), tasks: sampleTasks(), dataDir: '/unused', storeEvery: 3, now: clock, onProgress: (p) => progress.push(p) });
    const mc = out.samples.sample_science_mc!;
    expect(mc).toHaveLength(8);
    const acc = mc.reduce((a, s) => a + (s.acc as number), 0) / 8;
    expect(out.results.results.sample_science_mc!['acc,none']).toBeCloseTo(acc, 15);
    expect(out.results.results.sample_science_mc!.alias).toBe('sample_science_mc');
    expect(typeof out.results.results.sample_science_mc!['acc_stderr,none']).toBe('number');
    expect(out.results['n-samples'].sample_arithmetic).toEqual({ original: 6, effective: 6 });
    expect(out.results['n-shot'].sample_science_mc).toBe(0);
    expect(out.results.higher_is_better.sample_arithmetic).toEqual({ exact_match: true });
    // Each sample is scored from the log-likelihoods it logs.
    for (const s of mc) {
      const lls = (s.filtered_resps as [number, boolean][]).map((x) => x[0]);
      expect(s.acc).toBe(lls.indexOf(Math.max(...lls)) === s.target ? 1 : 0);
      expect(Object.keys(s.arguments)).toHaveLength(4);
    }
    // Two filters -> two sample entries per document, as lm-eval logs them.
    expect(out.samples.sample_arithmetic).toHaveLength(12);
    const stats = out.results.generation_stats.sample_arithmetic!;
    const lengthHits = out.records.sample_arithmetic!.filter((r) => r.response.kind === 'generate_until' && r.response.finishReason === 'length').length;
    expect(stats.hit_max_tokens).toBeCloseTo(lengthHits / 6, 15);
    expect(stats['no_answer,strict-match']).toBeCloseTo(lengthHits / 6, 15); // the hash model answers unless cut off
    const last = progress.filter((p) => p.task === 'sample_science_mc').at(-1)!;
    expect(last).toMatchObject({ done: 8, total: 8, etaSeconds: 0 });
    const table = formatResultsTable(out.results);
    expect(table).toMatch(/\|sample_science_mc\s*\|\s*1\|none\s*\|\s*0\|acc\s*\|↑\|\s*0\.\d{4}\|±\|\s*0\.\d{4}\|/);
  });

  it('stores items in batches of storeEvery and records the model\'s own batch size without batching by it', async () => {
    const run = async (o: { storeEvery?: number; modelBatchSize?: number; modelBatchSizeReason?: string }) => {
      const model = new HashModel();
      const sink = freshSink();
      const writes: number[] = [];
      const write = sink.write.bind(sink);
      sink.write = async (items) => {
        writes.push(items.length);
        await write(items);
      };
      const out = await evaluate({ model, tasks: sampleTasks(), dataDir: '/unused', sink, now: clock, ...o });
      return { out, writes, calls: model.calls };
    };
    const small = await run({ storeEvery: 3, modelBatchSize: 2 });
    const large = await run({ storeEvery: 3, modelBatchSize: 64, modelBatchSizeReason: 'picked from memory' });
    // 8 science documents and 6 arithmetic ones, three per write whatever the model's rows per forward pass.
    expect(small.writes).toEqual([3, 3, 2, 3, 3]);
    expect(large.writes).toEqual(small.writes);
    expect(large.calls).toBe(small.calls);
    expect(JSON.stringify(large.out.samples)).toBe(JSON.stringify(small.out.samples));
    expect(small.out.results.config).toMatchObject({ batch_size: 2, store_every: 3 });
    expect(small.out.results.config).not.toHaveProperty('batch_size_picked_from');
    expect(large.out.results.config).toMatchObject({ batch_size: 64, batch_size_picked_from: 'picked from memory', store_every: 3 });
    // One default each: 16 items per stored batch, and no batch size when the model names none.
    const plain = await run({});
    expect(plain.writes).toEqual([8, 6]);
    expect(plain.out.results.config).toMatchObject({ batch_size: null, store_every: DEFAULT_STORE_EVERY });
    expect(DEFAULT_STORE_EVERY).toBe(16);
    await expect(run({ storeEvery: 0 })).rejects.toThrow(/storeEvery must be a positive integer/);
  });

  it('a run interrupted after some chunks resumes to byte-identical results and samples', async () => {
    const reference = await evaluate({ model: new HashModel(), tasks: sampleTasks(), dataDir: '/unused', storeEvery: 2, sink: freshSink(), now: clock });

    const sink = freshSink();
    await expect(evaluate({ model: new CrashingModel(3), tasks: sampleTasks(), dataDir: '/unused', storeEvery: 2, sink, now: clock })).rejects.toThrow(
      'simulated crash',
    );
    expect(sink.readAll()).toHaveLength(4); // two chunks of two were stored before the crash
    const model = new HashModel();
    const resumed = await evaluate({ model, tasks: sampleTasks(), dataDir: '/unused', storeEvery: 2, sink, now: clock });
    expect(model.calls).toBe(2 + 3); // the remaining 4 science docs and the 6 arithmetic docs
    expect(JSON.stringify(resumed.results)).toBe(JSON.stringify(reference.results));
    expect(JSON.stringify(resumed.samples)).toBe(JSON.stringify(reference.samples));

    // A second rerun finds everything stored and asks the model nothing.
    const idle = new HashModel();
    const again = await evaluate({ model: idle, tasks: sampleTasks(), dataDir: '/unused', storeEvery: 2, sink, now: clock });
    expect(idle.calls).toBe(0);
    expect(JSON.stringify(again.samples)).toBe(JSON.stringify(reference.samples));
    expect(readFileSync(sink.file, 'utf8').trim().split('\n').length).toBeGreaterThan(0);
  });

  it('a model that streams generations gets a task in one call, and each item is stored as it finishes', async () => {
    const reference = await evaluate({ model: new HashModel(), tasks: sampleTasks(), dataDir: '/unused', storeEvery: 2, sink: freshSink(), now: clock });
    const model = new StreamingModel();
    const sink = freshSink();
    const writes: number[][] = [];
    const write = sink.write.bind(sink);
    sink.write = async (items) => {
      writes.push(items.map((i) => i.docIndex));
      await write(items);
    };
    const streamed = await evaluate({ model, tasks: sampleTasks(), dataDir: '/unused', storeEvery: 2, sink, now: clock });
    expect(model.generateCalls).toEqual([6]); // the arithmetic task's six documents in one call
    // The science task (multiple choice) still goes in chunks of two; the generations are stored as they come.
    expect(writes.slice(0, 4)).toEqual([[0, 1], [2, 3], [4, 5], [6, 7]]);
    expect(writes.slice(4).flat()).toEqual([5, 4, 3, 2, 1, 0]);
    expect(writes.every((w) => w.length <= 2)).toBe(true); // at most a batch per write, as chunked runs write
    expect(JSON.stringify(streamed.results)).toBe(JSON.stringify(reference.results));
    expect(JSON.stringify(streamed.samples)).toBe(JSON.stringify(reference.samples));
  });

  it('a crash in the middle of a streamed task loses only the items in flight', async () => {
    const reference = await evaluate({ model: new HashModel(), tasks: sampleTasks(), dataDir: '/unused', sink: freshSink(), now: clock });
    const sink = freshSink();
    const arithmetic = () => sink.readAll().filter((r) => r.task === 'sample_arithmetic');
    await expect(evaluate({ model: new StreamingModel(4), tasks: sampleTasks(), dataDir: '/unused', sink, now: clock })).rejects.toThrow('simulated crash');
    expect(arithmetic().map((r) => r.docIndex).sort()).toEqual([2, 3, 4, 5]);
    const model = new StreamingModel();
    const resumed = await evaluate({ model, tasks: sampleTasks(), dataDir: '/unused', sink, now: clock });
    expect(model.generateCalls).toEqual([2]); // documents 0 and 1 only
    expect(JSON.stringify(resumed.results)).toBe(JSON.stringify(reference.results));
    expect(JSON.stringify(resumed.samples)).toBe(JSON.stringify(reference.samples));
  });

  it('a failed write stops a streamed task at once with the write\'s error', async () => {
    const sink = freshSink();
    let aborted = false;
    const model = new StreamingModel();
    const generate = model.generate.bind(model);
    model.generate = (requests, options) => {
      options?.signal?.addEventListener('abort', () => (aborted = true));
      return generate(requests, options);
    };
    const write = sink.write.bind(sink);
    sink.write = async (items) => {
      if (items.some((i) => i.task === 'sample_arithmetic')) throw new Error('disk full');
      await write(items);
    };
    await expect(evaluate({ model, tasks: sampleTasks(), dataDir: '/unused', sink, now: clock })).rejects.toThrow('disk full');
    expect(aborted).toBe(true);
  });

  it('refuses to mix stored results made with a different prompt', async () => {
    const sink = freshSink();
    const science = () => [loadTaskSpec(join(samplesDir, 'science-mc.yaml'))];
    await evaluate({ model: new HashModel(), tasks: science(), dataDir: '/unused', limit: 2, sink, now: clock });
    await expect(
      evaluate({ model: new HashModel(), tasks: science(), dataDir: '/unused', numFewshot: 1, limit: 2, sink, now: clock }),
    ).rejects.toThrow(PromptChangedError);
  });

  it('stops between chunks when aborted', async () => {
    const controller = new AbortController();
    const sink = freshSink();
    await expect(
      evaluate({
        model: new HashModel(),
        tasks: sampleTasks(),
        dataDir: '/unused',
        storeEvery: 2,
        sink,
        signal: controller.signal,
        onProgress: (p) => p.done >= 4 && controller.abort(new Error('stopped by user')),
      }),
    ).rejects.toThrow('stopped by user');
    expect(sink.readAll()).toHaveLength(4);
  });

  it.skipIf(sharedDataMissing() !== null)('groups are micro averages over their leaf items with pooled stderr', async () => {
    const out = await evaluate({ model: new HashModel(), tasks: ['ceval-hard', 'mmlu_stem'], dataDir: sharedDataDir, limit: 3, now: clock });
    const leaves = Object.values(out.records).flat().filter((r) => r.task.startsWith('ceval-valid_'));
    expect(leaves).toHaveLength(24);
    const micro = leaves.reduce((a, r) => a + r.scores['acc,none']!, 0) / leaves.length;
    expect(out.results.groups['ceval-hard']!['acc,none']).toBeCloseTo(micro, 12);
    expect(out.results.results['ceval-hard']!['acc_norm,none']).toBeDefined();
    expect(out.results.group_subtasks['ceval-hard']).toHaveLength(8);
    expect(out.results.results['mmlu_college_physics']!.alias).toBe(' - college_physics');
    expect(out.results.results['mmlu_stem']!.alias).toBe('stem');
    expect(Object.keys(out.results.results).indexOf('mmlu_stem')).toBeLessThan(Object.keys(out.results.results).indexOf('mmlu_anatomy'));
    const [lo, hi] = out.results.intervals['ceval-hard']!['acc,none']!;
    expect(lo).toBeLessThanOrEqual(micro);
    expect(hi).toBeGreaterThanOrEqual(micro);
  });
});
