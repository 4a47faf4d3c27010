import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadModel } from './index.ts';
import { quantizeColumns } from './quantize.ts';
import { skipOrFail } from '../../eval/src/testing/sharedData.ts';

const shared = process.env.SCIBOARD_SHARED_DIR ?? resolve(import.meta.dirname, '../../../../shared');
const fixture = join(shared, 'fixtures/tiny-llm');
const present = existsSync(join(fixture, 'model.onnx'));
if (!present) skipOrFail(`int8 accuracy test: ${fixture} not found`);

describe('int8 weights', () => {
  it('quantises each column symmetrically within half a step', () => {
    const k = 5;
    const n = 3;
    const w = Float32Array.from({ length: k * n }, (_, i) => Math.sin(i * 1.7) * (1 + (i % n)));
    const { q, scale } = quantizeColumns(w, k, n);
    for (let c = 0; c < n; c++) {
      const colMax = Math.max(...Array.from({ length: k }, (_, r) => Math.abs(w[r * n + c]!)));
      expect(scale[c]).toBeCloseTo(colMax / 127, 6);
      for (let r = 0; r < k; r++) expect(Math.abs(q[r * n + c]! * scale[c]! - w[r * n + c]!)).toBeLessThanOrEqual(scale[c]! / 2 + 1e-7);
    }
    expect(quantizeColumns(new Float32Array(4), 2, 2).scale).toEqual(Float32Array.from([1, 1]));
  });

  it.skipIf(!present)('is opt-in and stays close to float32 on the reference items', async () => {
    const cases = readFileSync(join(fixture, 'loglik.jsonl'), 'utf8').trim().split('\n').slice(0, 40).map((l) => JSON.parse(l) as { context: string; continuation: string });
    const fp32 = await loadModel(fixture, { device: 'cpu', batchSize: 4 });
    const int8 = await loadModel(fixture, { device: 'cpu', batchSize: 4, int8: true });
    expect(fp32.int8).toBe(false);
    expect(int8.int8).toBe(true);
    const a = await fp32.loglikelihood(cases);
    const b = await int8.loglikelihood(cases);
    const rel = a.map((r, i) => Math.abs(r.logprob - b[i]!.logprob) / Math.abs(r.logprob));
    expect(Math.max(...rel)).toBeLessThan(0.05);
    // Not a no-op: int8 rounding moves every sum a little.
    expect(rel.some((x) => x > 0)).toBe(true);
    await fp32.dispose();
    await int8.dispose();
  });
});
