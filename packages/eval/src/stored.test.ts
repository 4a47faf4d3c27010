import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { evaluate, PromptChangedError } from './evaluator.ts';
import { JsonlSink } from './jsonlSink.ts';
import { scoreStored, MissingItemsError } from './stored.ts';
import { loadTaskSpec } from './spec.ts';
import type { ItemRecord, ResultSink } from './sink.ts';
import { HashModel, samplesDir, sharedDataDir, sharedDataMissing } from './testing/sharedData.ts';

const sampleTasks = () => [loadTaskSpec(join(samplesDir, 'science-mc.yaml')), loadTaskSpec(join(samplesDir, 'arithmetic.yaml'))];
const freshSink = () => new JsonlSink(join(mkdtempSync(join(tmpdir(), 'stored-')), 'items.jsonl'));

/** The sink's items without those of one document, as a run whose shard never landed would hold them. */
function without(sink: ResultSink, task: string, docIndex: number): Pick<ResultSink, 'completed'> {
  return {
    async completed(name) {
      const items = await sink.completed(name);
      if (name === task) items.delete(docIndex);
      return items;
    },
  };
}

describe('scoreStored', () => {
  it('gives the scores evaluate gave, from the stored items alone', async () => {
    const sink = freshSink();
    const evaluated = await evaluate({ model: new HashModel(), tasks: sampleTasks(), dataDir: '/unused', sink, now: () => 0 });
    const stored = await scoreStored({ tasks: sampleTasks(), dataDir: '/unused', sink });
    expect(stored.scores).toEqual(evaluated.scores);
    expect(stored.records).toEqual(evaluated.records);
    expect(stored.items).toBe(Object.values(evaluated.results['n-samples']).reduce((n, x) => n + x.effective, 0));
    // The rows carry what results.json says of each task: value, stderr, interval and item count.
    const mc = evaluated.results.results['sample_science_mc']!;
    expect(stored.scores.find((r) => r.subset === 'sample_science_mc' && r.metric === 'acc')).toEqual({
      subset: 'sample_science_mc',
      metric: 'acc',
      filter: 'none',
      value: mc['acc,none'],
      stderr: mc['acc_stderr,none'],
      ciLow: evaluated.results.intervals['sample_science_mc']!['acc,none']![0],
      ciHigh: evaluated.results.intervals['sample_science_mc']!['acc,none']![1],
      n: 8,
    });
  });

  it.skipIf(sharedDataMissing() !== null)('scores a group over its leaf tasks, with their items summed', async () => {
    const sink = freshSink();
    const evaluated = await evaluate({ model: new HashModel(), tasks: ['ceval-math'], dataDir: sharedDataDir, sink, limit: 2 });
    const stored = await scoreStored({ tasks: ['ceval-math'], dataDir: sharedDataDir, sink, limit: 2 });
    expect(stored.scores).toEqual(evaluated.scores);
    const group = evaluated.results.groups['ceval-math']!;
    expect(stored.scores.filter((r) => r.subset === 'ceval-math')).toEqual(
      ['acc', 'acc_norm'].map((metric) => ({
        subset: 'ceval-math',
        metric,
        filter: 'none',
        value: group[`${metric},none`],
        stderr: group[`${metric}_stderr,none`],
        ciLow: evaluated.results.intervals['ceval-math']![`${metric},none`]![0],
        ciHigh: evaluated.results.intervals['ceval-math']![`${metric},none`]![1],
        n: 10,
      })),
    );
  });

  it('refuses missing items instead of running the model', async () => {
    const sink = freshSink();
    await evaluate({ model: new HashModel(), tasks: sampleTasks(), dataDir: '/unused', sink });
    await expect(scoreStored({ tasks: sampleTasks(), dataDir: '/unused', sink: without(sink, 'sample_arithmetic', 2) })).rejects.toThrow(MissingItemsError);
    await expect(scoreStored({ tasks: sampleTasks(), dataDir: '/unused', sink: without(sink, 'sample_arithmetic', 2) })).rejects.toThrow(
      'sample_arithmetic: 1 of 6 items are missing from the stored results',
    );
  });

  it('refuses items stored with another prompt', async () => {
    const sink = freshSink();
    await evaluate({ model: new HashModel(), tasks: sampleTasks(), dataDir: '/unused', sink });
    await expect(scoreStored({ tasks: sampleTasks(), dataDir: '/unused', sink, settings: { systemInstruction: 'Be brief.' } })).rejects.toThrow(PromptChangedError);
  });

  it('reads only the first `limit` documents, as the run did', async () => {
    const sink = freshSink();
    const evaluated = await evaluate({ model: new HashModel(), tasks: sampleTasks(), dataDir: '/unused', sink, limit: 3 });
    const stored = await scoreStored({ tasks: sampleTasks(), dataDir: '/unused', sink, limit: 3 });
    expect(stored.scores).toEqual(evaluated.scores);
    expect(Object.values(stored.records).map((r: ItemRecord[]) => r.length)).toEqual([3, 3]);
  });
});
