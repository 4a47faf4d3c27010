/**
 * End to end against lm-evaluation-harness: the tiny-llm fixture holds lm-eval's own log-likelihoods for every
 * choice of some real MMLU and C-Eval documents. Running those documents through our suites, evaluator and the
 * ONNX engine must reproduce the log-likelihoods (within float32 tolerance) and hence lm-eval's per-item acc.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { evaluate, resolveTasks, type PreparedTask, type TaskDefinition } from '@sciboard/eval';
import { loadModel } from '@sciboard/onnx';
import { skipOrFail } from '../../../eval/src/testing/sharedData.ts';

const repo = resolve(import.meta.dirname, '../../../..');
const shared = resolve(repo, process.env.SCIBOARD_SHARED_DIR ?? '../shared');
const dataDir = join(shared, 'data');
const modelDir = join(shared, 'fixtures/tiny-llm');
const missing = !existsSync(dataDir) || !existsSync(join(modelDir, 'loglik.jsonl'));
if (missing) skipOrFail(`${dataDir} or ${modelDir} not found (set SCIBOARD_SHARED_DIR)`);

interface Case {
  context: string;
  continuation: string;
  logprob_sum: number;
}

/** A task that holds just the chosen documents of another, so the run stays small. */
function subsetTask(task: PreparedTask, def: TaskDefinition, indices: number[]): TaskDefinition {
  return {
    ...def,
    name: `${task.name}@${task.numFewshot}`,
    prepare: () => ({
      ...task,
      name: `${task.name}@${task.numFewshot}`,
      docs: indices.map((i) => task.docs[i]!),
      request: (j) => task.request(indices[j]!),
      target: (j) => task.target(indices[j]!),
    }),
  };
}

describe.skipIf(missing)('scores equal lm-eval item by item on the tiny-llm fixture', () => {
  it('reproduces lm-eval log-likelihoods and acc for fixture documents', async () => {
    const byContext = new Map<string, Map<string, number>>();
    for (const line of readFileSync(join(modelDir, 'loglik.jsonl'), 'utf8').trim().split('\n')) {
      const c = JSON.parse(line) as Case;
      if (!/^(The following are multiple choice|以下是中国关于)/.test(c.context)) continue;
      if (!byContext.has(c.context)) byContext.set(c.context, new Map());
      byContext.get(c.context)!.set(c.continuation, c.logprob_sum);
    }
    const complete = new Map([...byContext].filter(([, m]) => [' A', ' B', ' C', ' D'].every((k) => m.has(k))));
    expect(complete.size).toBeGreaterThan(3);

    const tasks: TaskDefinition[] = [];
    const expected = new Map<string, number[]>(); // task@shots -> lm-eval logprobs per selected doc, flattened
    for (const shots of [0, 5]) {
      for (const def of resolveTasks(['mmlu', 'ceval-valid'])) {
        const task = def.prepare({ dataDir, numFewshot: shots });
        const picked: number[] = [];
        for (let i = 0; i < task.docs.length; i++) {
          const ctx = task.request(i).context;
          if (complete.has(ctx)) picked.push(i);
        }
        if (picked.length === 0) continue;
        tasks.push(subsetTask(task, def, picked));
        expected.set(`${task.name}@${shots}`, picked.flatMap((i) => [' A', ' B', ' C', ' D'].map((k) => complete.get(task.request(i).context)!.get(k)!)));
      }
    }
    expect(tasks.length).toBeGreaterThan(1);

    const model = await loadModel(modelDir, { device: 'cpu', batchSize: 4 });
    try {
      const out = await evaluate({ model, tasks, dataDir, storeEvery: 4, modelBatchSize: model.batchSize });
      const covered = new Set<string>();
      for (const [name, lms] of expected) {
        for (const [j, s] of out.samples[name]!.entries()) {
          const ours = (s.filtered_resps as [number, boolean][]).map((x) => x[0]);
          const theirs = lms.slice(4 * j, 4 * j + 4);
          ours.forEach((lp, k) => expect(Math.abs(lp - theirs[k]!)).toBeLessThan(1e-4 + 2e-6 * Math.abs(theirs[k]!)));
          const sorted = [...theirs].sort((a, b) => b - a);
          if (sorted[0]! - sorted[1]! > 1e-3) {
            expect(s.acc).toBe(theirs.indexOf(sorted[0]!) === s.target ? 1 : 0);
          }
          covered.add(s.arguments.gen_args_0!.arg_0);
        }
      }
      // Every fixture document was found (some occur twice in the data, so samples may outnumber contexts).
      expect(covered.size).toBe(complete.size);
    } finally {
      await model.dispose();
    }
  });
});
