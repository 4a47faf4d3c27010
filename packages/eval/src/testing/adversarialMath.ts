/** Test inputs: MATH final answers that make a symbolic engine work without bound. Not part of the public API. */

/** Marker the grading pool's test hook turns into an endless busy loop (GradingPoolOptions.busyMarker). */
export const BUSY_MARKER = '\\busy{loop}';

export function nestedFractions(depth: number): string {
  let s = '1';
  for (let i = 0; i < depth; i++) s = `\\frac{1}{1+${s}}`;
  return s;
}

/** [label, answer, gold]: lm-eval's minerva verdict is "not equivalent" for each (sympy times out or differs). */
export const ADVERSARIAL_ANSWERS: ReadonlyArray<readonly [label: string, answer: string, gold: string]> = [
  ['huge factorial', '99999999!', '5'],
  ['tower of powers', '2^{2^{2^{2^{2^{2}}}}}', '3'],
  ['deeply nested fractions', nestedFractions(400), '5'],
  ['100 KB answer', '1'.repeat(100_000), '5'],
];

/** A minerva-style completion whose final answer is `answer`. */
export function minervaCompletion(answer: string): string {
  return `Working.\nFinal Answer: The final answer is $${answer}$. I hope it is correct.`;
}
