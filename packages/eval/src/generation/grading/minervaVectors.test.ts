/**
 * minerva_math scored through the task's path (extraction, normalisation, the grading pool's worker threads) on the
 * shared lm-eval vectors: exact_match must equal lm-eval's `equiv_minerva`, and math_verify must be exactly what
 * `mathVerify(gold solution, raw completion)` says in this thread (the pool adds a time limit, nothing else), so
 * math_verify's agreement with lm-eval is the one its own tests report. Shuffled, to show no state is carried.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { PythonRandom } from '../../python/random.ts';
import { sharedDataMissing, sharedDir } from '../../testing/sharedData.ts';
import { minervaGoldAnswer } from '../mathAnswers.ts';
import { mathVerify } from '../mathVerify/index.ts';
import { scoreMinerva } from '../math.ts';
import { GradingPool } from './pool.ts';

interface Vector {
  id: string;
  pred_raw: string;
  gold_solution: string;
  normalized: string;
  equiv_minerva: boolean;
  math_verify: boolean;
}

const missing = sharedDataMissing('fixtures/lmeval-math/vectors.jsonl');

describe.skipIf(missing)('minerva_math through the grading pool on the shared lm-eval vectors', () => {
  const pool = new GradingPool({ size: 2 });
  afterAll(() => pool.close());

  it('exact_match equals lm-eval and math_verify equals the in-thread verdict, in shuffled order', async () => {
    const vectors = readFileSync(join(sharedDir, 'fixtures/lmeval-math/vectors.jsonl'), 'utf8')
      .split('\n')
      .filter((l) => l.trim())
      .map((l) => JSON.parse(l) as Vector);
    const order = new PythonRandom(4242).sample([...vectors.keys()], vectors.length);
    const scored = await Promise.all(
      order.map((i) => scoreMinerva(vectors[i]!.pred_raw, { answer: minervaGoldAnswer(vectors[i]!.gold_solution), solution: vectors[i]!.gold_solution }, { grader: pool })),
    );
    const emDiffer: string[] = [];
    const mvDiffer: string[] = [];
    order.forEach((i, j) => {
      const v = vectors[i]!;
      const s = scored[j]!;
      expect(s.filtered.none).toBe(v.normalized);
      if ((s.scores['exact_match,none'] === 1) !== v.equiv_minerva) emDiffer.push(v.id);
      if ((s.scores['math_verify,none'] === 1) !== mathVerify(v.gold_solution, v.pred_raw).correct) mvDiffer.push(v.id);
    });
    expect(emDiffer).toEqual([]);
    expect(mvDiffer).toEqual([]);
    expect(pool.timeouts).toBe(0);
  });
});
