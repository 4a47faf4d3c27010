/**
 * SciBench prompts as text. The benchmark sends chat messages to an API; a completion model gets the same
 * messages in order: the system instruction, a blank line, then each turn. Zero-shot is eval_zero.py with its
 * `--sys` instruction (without it nothing asks for `\boxed{}`, which the answer extraction needs); few-shot is
 * eval_few.py (the first three `_sol` problems of the same book, answer only, or with the worked solution when
 * `withSolutions` is set, its `--Cot`).
 */
import type { ScibenchDoc } from './data.ts';
import { unitWithoutPower } from './scoring.ts';

/** `prompt_scai.sys_cal_box2`, the instruction both scripts send (Python's value of the literal). */
export const SCIBENCH_SYSTEM =
  '\nPlease provide a clear and step-by-step solution for a scientific problem in the categories of Chemistry, Physics, or Mathematics. ' +
  'The problem will specify the unit of measurement, which should not be included in the answer. ' +
  'Express the final answer as a decimal number with three digits after the decimal point. ' +
  'Conclude the answer by stating "The answer is therefore \\boxed{[ANSWER]}."\n';

/** eval_few.py's `get_eg`: at most three exemplars per book. */
export const SCIBENCH_MAX_SHOTS = 3;

/** The problem as the scripts state it: the unit (its power of ten removed when it has one) appended. */
export function problemStatement(doc: ScibenchDoc): string {
  const unit = unitWithoutPower(doc.unit) ?? doc.unit;
  return `${doc.problem_text} The unit of the answer is ${unit}.`;
}

function header(): string {
  return `${SCIBENCH_SYSTEM.trim()}\n\n`;
}

/** eval_zero.py's single user turn, after the instruction. */
export function zeroShotContext(doc: ScibenchDoc): string {
  return `${header()}Q: ${problemStatement(doc)}\nA: The answer is`;
}

/** eval_few.py's turns: exemplars keep their raw unit (get_eg does not remove the power of ten). */
export function fewShotContext(doc: ScibenchDoc, shots: ScibenchDoc[], withSolutions = false): string {
  const turns = shots.map((s, i) => {
    const question = `Problem ${i + 1}.   ${s.problem_text} The unit of the answer is ${s.unit}.\n`;
    const explanation = withSolutions ? `Explanation for Problem ${i + 1}:   ${s.solution ?? ''}\n` : '';
    return `${question}${explanation}The answer is \\boxed{${s.answer_number}} ${s.unit}\n\n`;
  });
  return `${header()}${turns.join('')}Problem ${shots.length + 1}.   ${problemStatement(doc)}\n`;
}
