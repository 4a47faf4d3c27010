/**
 * hendrycks_math against lm-eval's own outputs: /work/shared/fixtures/lmeval-math/vectors.jsonl holds, per case, what
 * lm-eval's process_results compared (`hendrycks_extracted`), strip_string of both sides (null when it raised)
 * and the verdict. Every field must agree, in file order and shuffled (no state carried between items).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PythonRandom } from '../python/random.ts';
import { sharedDataMissing, sharedDir } from '../testing/sharedData.ts';
import { hendrycksDollarSpan, hendrycksGoldAnswer, stripString } from './mathAnswers.ts';
import { scoreHendrycks } from './math.ts';

interface Vector {
  id: string;
  pred_raw: string;
  gold_solution: string;
  hendrycks_extracted: string;
  gold_answer_hendrycks: string | null;
  hendrycks_strip_pred: string | null;
  hendrycks_strip_gold: string | null;
  equiv_hendrycks: boolean | string;
}

const missing = sharedDataMissing('fixtures/lmeval-math/vectors.jsonl');
const vectors = (): Vector[] =>
  readFileSync(join(sharedDir, 'fixtures/lmeval-math/vectors.jsonl'), 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as Vector);

const stripOrNull = (s: string): string | null => {
  try {
    return stripString(s);
  } catch {
    return null;
  }
};

function grade(v: Vector): Record<string, unknown> {
  const gold = hendrycksGoldAnswer(v.gold_solution);
  const score = scoreHendrycks(v.pred_raw, gold);
  return {
    id: v.id,
    hendrycks_extracted: hendrycksDollarSpan(v.pred_raw).answer,
    gold_answer_hendrycks: gold,
    hendrycks_strip_pred: stripOrNull(score.filtered.none!),
    hendrycks_strip_gold: stripOrNull(gold),
    equiv_hendrycks: score.scores['exact_match,none'] === 1,
    extracted_is_filtered: score.filtered.none === hendrycksDollarSpan(v.pred_raw).answer,
  };
}

const expected = (v: Vector): Record<string, unknown> => ({
  id: v.id,
  hendrycks_extracted: v.hendrycks_extracted,
  gold_answer_hendrycks: v.gold_answer_hendrycks,
  hendrycks_strip_pred: v.hendrycks_strip_pred,
  hendrycks_strip_gold: v.hendrycks_strip_gold,
  equiv_hendrycks: v.equiv_hendrycks,
  extracted_is_filtered: true,
});

describe.skipIf(missing)('hendrycks_math equals lm-eval on the shared vectors', () => {
  it('agrees on every field of every case, in file order', () => {
    const all = vectors();
    expect(all.length).toBe(889);
    const disagreements = all.map((v) => [grade(v), expected(v)] as const).filter(([a, b]) => JSON.stringify(a) !== JSON.stringify(b));
    expect(disagreements).toEqual([]);
  });

  it('agrees in a shuffled order too', () => {
    const all = vectors();
    const rng = new PythonRandom(20260);
    const order = rng.sample([...all.keys()], all.length);
    for (const i of order) expect(grade(all[i]!)).toEqual(expected(all[i]!));
  });
});
