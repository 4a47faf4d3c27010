import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadModel, type OnnxLanguageModel } from './index.ts';
import { skipOrFail } from '../../eval/src/testing/sharedData.ts';

const shared = process.env.SCIBOARD_SHARED_DIR ?? resolve(import.meta.dirname, '../../../../shared');
const fixture = join(shared, 'fixtures/tiny-llm');
const present = existsSync(join(fixture, 'model.onnx'));
if (!present) skipOrFail(`tiny-llm parity tests: ${fixture} not found (set SCIBOARD_SHARED_DIR)`);

interface LoglikCase {
  context: string;
  continuation: string;
  logprob_sum: number;
  is_greedy: boolean;
}
interface GreedyCase {
  prompt: string;
  stop: string[];
  max_new_tokens: number;
  output_text: string;
}
const readJsonl = <T>(f: string): T[] =>
  readFileSync(join(fixture, f), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as T);

// Tolerance from the fixture's README: float32 engines land within 1e-4 + 2e-6·|reference| of the float64 reference.
const tolerance = (ref: number) => 1e-4 + 2e-6 * Math.abs(ref);

describe.skipIf(!present).each([1, 8])('tiny-llm reference parity at batch size %i', (batchSize) => {
  let model: OnnxLanguageModel;
  beforeAll(async () => {
    model = await loadModel(fixture, { device: 'cpu', batchSize });
  });
  afterAll(() => model?.dispose());

  it('every log-likelihood and greedy flag matches lm-evaluation-harness', async () => {
    const cases = readJsonl<LoglikCase>('loglik.jsonl');
    const results = await model.loglikelihood(cases.map(({ context, continuation }) => ({ context, continuation })));
    const misses = cases.flatMap((c, i) => {
      const r = results[i]!;
      const ok = Math.abs(r.logprob - c.logprob_sum) <= tolerance(c.logprob_sum) && r.isGreedy === c.is_greedy;
      return ok ? [] : [{ i, got: r, want: [c.logprob_sum, c.is_greedy] }];
    });
    expect(misses).toEqual([]);
    expect(results).toHaveLength(cases.length);
  });

  it('every greedy continuation is identical', async () => {
    const cases = readJsonl<GreedyCase>('greedy.jsonl');
    const results = await model.generate(cases.map((c) => ({ context: c.prompt, until: c.stop, maxTokens: c.max_new_tokens })));
    expect(results.map((r) => r.text)).toEqual(cases.map((c) => c.output_text));
  });
});

describe.skipIf(!present)('tiny-llm loading', () => {
  it('projects only the scored positions to the vocabulary', async () => {
    const model = await loadModel(fixture, { device: 'cpu' });
    expect(model.slicedLogits).toBe(true);
    expect(model.provider).toBe('cpu');
    await model.dispose();
  });
});
