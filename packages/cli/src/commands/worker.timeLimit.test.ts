/**
 * The equivalence time limit on the worker path: a shard of minerva_math_algebra answered by a scripted model
 * with adversarial final answers finishes, those items are stored with score 0 and their reason, the runner's
 * grading pool is shared by its shards and closed with it.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openDb, type ClaimedShard } from '@sciboard/db';
import { GradingPool, type GenerateRequest, type GenerateResult } from '@sciboard/eval';
import { ADVERSARIAL_ANSWERS, BUSY_MARKER, minervaCompletion } from '../../../eval/src/testing/adversarialMath.ts';
import { sharedDataDir, sharedDataMissing } from '../../../eval/src/testing/sharedData.ts';
import { onnxShardRunner } from './worker.ts';

const missing = sharedDataMissing('data/math/test.jsonl');
const TASK = 'minerva_math_algebra';

function scriptedModel(answers: string[]) {
  let next = 0;
  return {
    provider: 'cpu',
    dispose: async () => undefined,
    loglikelihood: async (): Promise<never> => {
      throw new Error('not a multiple-choice shard');
    },
    generate: async (requests: GenerateRequest[]): Promise<GenerateResult[]> =>
      requests.map(() => ({ text: ` ${minervaCompletion(answers[next++ % answers.length]!)}`, finishReason: 'stop' as const })),
  };
}

describe.skipIf(missing)('worker shards with adversarial MATH answers', () => {
  it('stores them as not equivalent with the reason, and the rest as usual', async () => {
    // minerva_math_algebra document 0 has the gold answer 2.
    const answers = ['2', ...ADVERSARIAL_ANSWERS.map(([, a]) => a), BUSY_MARKER];
    const store = await openDb({ file: join(mkdtempSync(join(tmpdir(), 'sciboard-worker-limit-')), 'db.sqlite') });
    const grader = new GradingPool({ size: 2, timeLimitMs: 1000, busyMarker: BUSY_MARKER });
    try {
      const model = await store.upsertModel({ name: 'scripted', checkpointPath: '/scripted' });
      const run = await store.createRun({ modelId: model.id, task: TASK, config: { limit: answers.length }, status: 'pending', source: 'measured' });
      const runner = onnxShardRunner(store, {
        device: 'cpu',
        dataDir: sharedDataDir,
        storeEvery: answers.length,
        log: () => undefined,
        scoring: { grader },
        loadModel: async () => scriptedModel(answers),
      });
      const shard = {
        runId: run.id,
        subset: TASK,
        task: TASK,
        payload: { model: { id: model.id, name: 'scripted', checkpointPath: '/scripted' }, subsets: [{ subset: TASK, runId: run.id }], limit: answers.length },
      } as unknown as ClaimedShard;
      await runner.run(shard, { signal: new AbortController().signal, progress: () => undefined });
      await runner.close();
      const stored = [...(await store.resultSink(run.id).completed(TASK)).values()].sort((a, b) => a.docIndex - b.docIndex);
      expect(stored.map((r) => r.scores['exact_match,none'])).toEqual([1, 0, 0, 0, 0, 0]);
      expect(stored.every((r) => 'math_verify,none' in r.scores)).toBe(true);
      expect(stored[5]!.notes?.['exact_match,none']).toBe('time limit: no verdict within 1 s');
      expect(grader.timeouts).toBeGreaterThanOrEqual(1);
    } finally {
      await grader.close();
      await store.close();
    }
  });
});
