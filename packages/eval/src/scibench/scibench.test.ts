import { describe, expect, it } from 'vitest';
import { sharedDataDir, sharedDataMissing } from '../testing/sharedData.ts';
import { loadScibenchBook, SCIBENCH_BOOKS } from './data.ts';
import { fewShotContext, zeroShotContext } from './prompt.ts';
import { pythonFloat, pythonIsClose, resolveNotation, scibenchAnswer, scoreScibench, unitWithoutPower } from './scoring.ts';
import { scibenchTasks } from './tasks.ts';

// [completion, answer_number, unit, verdict]: verdicts from running the benchmark's eval/post_process.py and
// eval_zero.py's equiv and unit handling (mandyyyyii/scibench e14e0ca) on these inputs with CPython 3.
const REFERENCE_VERDICTS: Array<[string, string, string, boolean]> = [
  ["The answer is therefore \\boxed{50.7}.", "50.7", "$\\mathrm{atm}$ ", true],
  ["so \\boxed{53.2}", "50.7", "atm", true],
  ["so \\boxed{53.3}", "50.7", "atm", true],
  ["so \\boxed{48.2}", "50.7", "atm", true],
  ["so \\boxed{48.1}", "50.7", "atm", false],
  ["\\boxed{1} then \\boxed{2}", "2", "m", true],
  ["\\boxed{x = 2.00}", "2", "m", true],
  ["\\boxed{2 m}", "2", "m", true],
  ["\\boxed{1,000}", "1000", "m", true],
  ["\\boxed {2}", "2", "m", false],
  ["\\fbox{2}", "2", "m", false],
  ["no box 2", "2", "m", false],
  ["\\boxed{3.2 \\times 10^{-4}}", "3.2", " $10^{-4} \\mathrm{~m}$", true],
  ["\\boxed{3.2 * 10^-4}", "3.2", " $10^{-4} \\mathrm{~m}$", true],
  ["\\boxed{3.2}", "3.2", " $10^{-4} \\mathrm{~m}$", false],
  ["\\boxed{0.00032}", "3.2", " $10^{-4} \\mathrm{~m}$", true],
  ["\\boxed{3.2 \\times 10^{4}}", "3.2", " $10^{-4} \\mathrm{~m}$", false],
  ["\\boxed{3.2 \\times 10^{-4}}", "3.2", "m", true],
  ["\\boxed{5}", "5", " $10^6$", true],
  ["\\boxed{5 \\times 10^6}", "5", " $10^6$", true],
  ["\\boxed{-2}", "\u22122", "m", false],
  ["\\boxed{89034.79}", "89,034.79", "m", false],
  ["\\boxed{1e3}", "1000", "m", true],
  ["\\boxed{-0}", "0", "m", true],
  ["\\boxed{0.0}", "0", "m", true],
  ["\\boxed{inf}", "1", "m", false],
  ["\\boxed{1_000}", "1000", "m", true],
  ["\\boxed{3.2 \\times 10^{-4} \\times 2}", "3.2", " $10^{-4} \\mathrm{~m}$", false],
  ["\\boxed{\\frac{1}{2}}", "0.5", "m", false],
  ["\\boxed{2}", "2.1", "$10^{-3} \\%$", false],
];

describe('SciBench scoring', () => {
  it.each(REFERENCE_VERDICTS)('%s vs %s (%s) -> %s', (completion, answer, unit, verdict) => {
    expect(scoreScibench(completion, answer, unit).correct).toBe(verdict);
  });

  it('takes the last boxed answer and the text after its last "="', () => {
    expect(scibenchAnswer('first \\boxed{1}, then \\boxed{\\frac{a}{b} = 2.5}')).toBe('2.5');
    expect(scibenchAnswer('\\boxed{\\text{{nested}} 4}')).toBe('\\text{{nested}} 4');
    expect(scibenchAnswer('\\boxed{unclosed')).toBeNull();
    expect(scibenchAnswer('\\fbox{3}')).toBeNull();
  });

  it('resolves scientific notation only in the shapes post_process.py splits', () => {
    expect(Number(resolveNotation('3.2 \\times 10^{-4}'))).toBeCloseTo(3.2e-4, 15);
    expect(Number(resolveNotation('6.02 * 10^23'))).toBeCloseTo(6.02e23, -10);
    expect(resolveNotation('4.1')).toBe('4.1');
    expect(resolveNotation('2 \\times 3 \\times 10^4')).toBeNull();
    expect(resolveNotation('2 \\times 3')).toBeNull();
    expect(resolveNotation('')).toBeNull();
    expect(unitWithoutPower(' $10^{-4} \\mathrm{~m}$')).toBe('\\mathrm{~m}$');
    expect(unitWithoutPower(' $10^6$')).toBeNull();
    expect(unitWithoutPower('\\mathrm{atm}')).toBeNull();
  });

  it('parses numbers as Python float() and compares as math.isclose', () => {
    expect(pythonFloat(' 1_000.5 ')).toBe(1000.5);
    expect(pythonFloat('1__0')).toBeNull();
    expect(pythonFloat('.5e-1')).toBe(0.05);
    expect(pythonFloat('-Infinity')).toBe(-Infinity);
    expect(pythonFloat('\u22122')).toBeNull();
    // float() reads any Unicode decimal digit: fullwidth, Arabic-Indic, mathematical bold.
    expect(pythonFloat('\uff11\uff12.5')).toBe(12.5);
    expect(pythonFloat('\u0663')).toBe(3);
    expect(pythonFloat('\u{1d7d7}')).toBe(9);
    expect(pythonFloat('\u00b2')).toBeNull();
    expect(pythonIsClose(105, 100)).toBe(true);
    expect(pythonIsClose(100, 105.2)).toBe(true);
    expect(pythonIsClose(100, 105.3)).toBe(false);
    expect(pythonIsClose(100, 105.3, 0.1)).toBe(true);
    expect(pythonIsClose(Number.NaN, Number.NaN)).toBe(false);
  });
});

describe('SciBench prompts and data', () => {
  const missing = sharedDataMissing('data/scibench');
  it.skipIf(missing !== null && !process.env.CI)('reads ten books, 580 problems, and builds eval_zero / eval_few prompts', async () => {
    let total = 0;
    for (const book of SCIBENCH_BOOKS) total += loadScibenchBook(sharedDataDir, book).length;
    expect(total).toBe(580);
    const atkins = loadScibenchBook(sharedDataDir, 'atkins');
    const zero = zeroShotContext(atkins[0]!);
    expect(zero.startsWith('Please provide a clear and step-by-step solution')).toBe(true);
    expect(zero).toContain('\n\nQ: Suppose that $10.0 \\mathrm{~mol}');
    expect(zero.endsWith(' The unit of the answer is $\\mathrm{atm}$ .\nA: The answer is')).toBe(true);
    const shots = loadScibenchBook(sharedDataDir, 'atkins', true).slice(0, 3);
    const few = fewShotContext(atkins[0]!, shots);
    expect(few).toContain('Problem 1.   The change in molar internal energy');
    expect(few).toContain('The answer is \\boxed{-0.28}  $\\mathrm{~Pa}');
    expect(few.endsWith('Problem 4.   ' + atkins[0]!.problem_text + ' The unit of the answer is $\\mathrm{atm}$ .\n')).toBe(true);
    const task = scibenchTasks[0]!.prepare({ dataDir: sharedDataDir });
    const gold = task.docs.length;
    expect(gold).toBe(105);
    expect((await task.score(task.docs[0]!, { kind: 'generate_until', text: ' 50.7 atm. The answer is therefore \\boxed{50.700}.', finishReason: 'stop' })).scores['acc,none']).toBe(1);
    expect(() => scibenchTasks[0]!.prepare({ dataDir: sharedDataDir, numFewshot: 4 })).toThrow(/0 to 3/);
  });
});
