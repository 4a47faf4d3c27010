/**
 * lm-eval's `math_verify` metric for minerva_math: Math-Verify's `verify(parse(gold_solution), parse(completion))`.
 */
export interface MathVerifyVerdict {
  correct: boolean;
  /** Why it is not correct, when that is known (no answer found, parse failure, ...). */
  reason?: string;
}

/** math_verify for one completion against the full gold solution (lm-eval passes `doc["solution"]`). */
export function mathVerify(goldSolution: string, completion: string): MathVerifyVerdict {
  void goldSolution;
  void completion;
  throw new Error('math_verify: not implemented yet');
}
