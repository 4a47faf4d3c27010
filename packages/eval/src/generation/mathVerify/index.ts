/**
 * lm-eval's `math_verify` metric for minerva_math: Math-Verify's `verify(parse(gold_solution), parse(completion))`.
 * See README.md in this folder for what is reproduced and where it is known to differ.
 */
import { show } from './ast.ts';
import { valuesEqual } from './compare.ts';
import { type Extracted, extractAnswers } from './extract.ts';

export interface MathVerifyVerdict {
  correct: boolean;
  /** Why it is not correct, when that is known (no answer found, parse failure, ...). */
  reason?: string;
}

const brief = (s: string): string => (s.length > 60 ? `${s.slice(0, 57)}...` : s);
const describe = (x: Extracted | undefined): string => (x === undefined ? 'nothing' : typeof x === 'string' ? `text "${brief(x)}"` : brief(show(x)));

function matches(gold: Extracted, pred: Extracted): boolean {
  if (typeof gold === 'string' || typeof pred === 'string') {
    if (typeof gold !== 'string' || typeof pred !== 'string') return false;
    const g = gold.trim();
    const p = pred.trim();
    return g.length > 0 && p.length > 0 && g === p;
  }
  try {
    return valuesEqual(gold, pred);
  } catch {
    // sympy raising during a comparison counts as a mismatch there too.
    return false;
  }
}

/** math_verify for one completion against the full gold solution (lm-eval passes `doc["solution"]`). */
export function mathVerify(goldSolution: string, completion: string): MathVerifyVerdict {
  const gold = extractAnswers(goldSolution);
  const pred = extractAnswers(completion);
  if (gold.length === 0) return { correct: false, reason: 'no answer found in the gold solution' };
  if (pred.length === 0) return { correct: false, reason: 'no answer found in the completion' };
  for (const g of gold) for (const p of pred) if (matches(g, p)) return { correct: true };
  return { correct: false, reason: `${describe(pred[0])} differs from gold ${describe(gold[0])}` };
}
