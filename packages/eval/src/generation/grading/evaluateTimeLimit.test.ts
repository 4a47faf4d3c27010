/**
 * The time limit through `evaluate`: a scripted model answers minerva_math_algebra with adversarial final answers;
 * the run finishes, those items score 0 with their reasons stored (sink, samples), the rest of the run is scored
 * as usual, and the pool the run made is closed (nothing keeps running after it).
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { evaluate } from '../../evaluator.ts';
import { JsonlSink } from '../../jsonlSink.ts';
import type { GenerateRequest, GenerateResult, LanguageModel } from '../../model.ts';
import { sharedDataDir, sharedDataMissing } from '../../testing/sharedData.ts';
import { GradingPool } from './pool.ts';
import { ADVERSARIAL_ANSWERS as ADVERSARIAL, BUSY_MARKER as BUSY, minervaCompletion } from '../../testing/adversarialMath.ts';

const missing = sharedDataMissing('data/math/test.jsonl');

/** Answers the n-th generation request of a run with the n-th scripted final answer. */
class ScriptedModel implements LanguageModel {
  private next = 0;
  constructor(private readonly answers: string[]) {}
  async loglikelihood(): Promise<never> {
    throw new Error('not a multiple-choice run');
  }
  async generate(requests: GenerateRequest[]): Promise<GenerateResult[]> {
    return requests.map(() => ({
      text: ` ${minervaCompletion(this.answers[this.next++ % this.answers.length]!)}`,
      finishReason: 'stop',
    }));
  }
}

describe.skipIf(missing)('evaluate with adversarial MATH answers', () => {
  // minerva_math_algebra document 0 has the gold answer 2.
  const answers = ['2', ...ADVERSARIAL.map(([, a]) => a), BUSY];

  it('finishes, scores them 0 with the reason stored, and scores the rest as usual', async () => {
    const sinkFile = join(mkdtempSync(join(tmpdir(), 'eval-limit-')), 'items.jsonl');
    const grader = new GradingPool({ size: 2, timeLimitMs: 1000, busyMarker: BUSY });
    try {
      const out = await evaluate({
        model: new ScriptedModel(answers),
        tasks: ['minerva_math_algebra'],
        dataDir: sharedDataDir,
        limit: answers.length,
        storeEvery: answers.length,
        sink: new JsonlSink(sinkFile),
        scoring: { grader },
      });
      const records = out.records.minerva_math_algebra!;
      expect(records.map((r) => r.scores['exact_match,none'])).toEqual([1, 0, 0, 0, 0, 0]);
      expect(records[5]!.notes?.['exact_match,none']).toBe('time limit: no verdict within 1 s');
      const r = out.results.results.minerva_math_algebra!;
      expect(r['exact_match,none']).toBeCloseTo(1 / 6, 12);
      expect(Object.keys(r)).toEqual(['alias', 'exact_match,none', 'exact_match_stderr,none', 'math_verify,none', 'math_verify_stderr,none']);
      // The reason is in the stored item and in the logged sample.
      const stored = readFileSync(sinkFile, 'utf8').trim().split('\n').flatMap((l) => JSON.parse(l).items);
      expect(stored[5].notes['exact_match,none']).toBe('time limit: no verdict within 1 s');
      expect(out.samples.minerva_math_algebra![5]!.notes).toMatchObject({ 'exact_match,none': 'time limit: no verdict within 1 s' });
      expect(grader.timeouts).toBeGreaterThanOrEqual(1);
    } finally {
      await grader.close();
    }
  });

  it('uses a pool of its own with the configured limit, records it, and closes it', async () => {
    const out = await evaluate({
      model: new ScriptedModel(answers.slice(0, -1)),
      tasks: ['minerva_math_algebra'],
      dataDir: sharedDataDir,
      limit: answers.length - 1,
      storeEvery: 8,
      scoring: { timeLimitMs: 1000, graderThreads: 2 },
      bootstrapIters: 0,
    });
    expect(out.records.minerva_math_algebra!.map((r) => r.scores['exact_match,none'])).toEqual([1, 0, 0, 0, 0]);
    expect(out.results.config).toMatchObject({
      bootstrap_iters: 0,
      random_seed: 0,
      numpy_seed: 1234,
      torch_seed: 1234,
      fewshot_seed: 1234,
      scoring: { hendrycks_extraction: 'lm-eval', string_equality_first: false, equivalence_time_limit_s: 1 },
    });
    // bootstrap_iters 0: lm-eval computes no standard error at all.
    expect(out.results.results.minerva_math_algebra!['exact_match_stderr,none']).toBe('N/A');
    expect(out.results.versions.minerva_math_algebra).toBe(3);
  });
});
