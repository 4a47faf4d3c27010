import { describe, expect, it } from 'vitest';
import { sharedDataDir, sharedDataMissing } from '../testing/sharedData.ts';
import { extractMathematicsAnswer, mathematicsEquivalent } from './answer.ts';
import { listMathematicsModules, loadMathematicsModule } from './data.ts';
import { parseExpression } from './expression.ts';
import { Rational } from './rational.ts';
import { MATHEMATICS_MODULES, mathematicsContext, mathematicsTasks } from './tasks.ts';

// [prediction, gold, module, verdict], each checked by hand against the rule in answer.ts.
const CASES: Array<[string, string, string, boolean]> = [
  ['-49', '-49', 'algebra__linear_1d', true],
  ['-49.0', '-49', 'algebra__linear_1d', true],
  ['-48', '-49', 'algebra__linear_1d', false],
  ['0.5', '1/2', 'arithmetic__div', true],
  ['2/4', '1/2', 'arithmetic__div', true],
  ['\\frac{-16}{3}', '-16/3', 'arithmetic__mixed', true],
  ['-\\frac{16}{3}', '-16/3', 'arithmetic__mixed', true],
  ['-5.333', '-16/3', 'arithmetic__mixed', false],
  ['6.98064e-7', '0.000000698064', 'measurement__conversion', true],
  ['0.0000006981', '0.000000698064', 'measurement__conversion', false],
  ['1,389.84', '1389.84', 'arithmetic__mul', true],
  ['3, 1', '1, 3', 'algebra__polynomial_roots', true],
  ['1 and 3', '1, 3', 'algebra__polynomial_roots', true],
  ['1, 3, 5', '1, 3', 'algebra__polynomial_roots', false],
  ['32/9, -2, 1, 3/316', '-2, 3/316, 1, 32/9', 'algebra__polynomial_roots', true],
  ['43, 2, 3, 334721', '2, 3, 43, 334721', 'numbers__list_prime_factors', true],
  ['-4, 4, -7, -7469', '4, -4, -7, -7469', 'comparison__sort', false],
  ['4, -4, -7, -7469', '4, -4, -7, -7469', 'comparison__sort', true],
  ['f, -1, -2, -4', 'f, -1, -2, -4', 'comparison__sort_composed', true],
  ['-17*i**2 - 1061992*i - 124940', '-(i + 62470)*(17*i + 2)', 'algebra__polynomial_roots', true],
  ['-(i + 62470)(17i + 2)', '-(i + 62470)*(17*i + 2)', 'algebra__polynomial_roots', true],
  ['-(i + 62470)*(17*i - 2)', '-(i + 62470)*(17*i + 2)', 'algebra__polynomial_roots', false],
  ['2/11 d (d - 2) (6d + 1)', '2*d*(d - 2)*(6*d + 1)/11', 'algebra__polynomial_roots_composed', true],
  ['a^2 - 1414a + 223', 'a**2 - 1414*a + 223', 'algebra__sequence_nth_term', true],
  ['a^2 - 1414a + 224', 'a**2 - 1414*a + 223', 'algebra__sequence_nth_term', false],
  ['-12*c*p - 18*c + 6*p + 14008', '-12*c*p - 18*c + 6*p + 14008', 'calculus__differentiate', true],
  ['-12cp - 18c + 6p + 14008', '6*p - 18*c - 12*c*p + 14008', 'calculus__differentiate', true],
  ['-12*c*p - 18*c + 6*c + 14008', '-12*c*p - 18*c + 6*p + 14008', 'calculus__differentiate', false],
  ['5\\sqrt{5}', '5*sqrt(5)', 'arithmetic__simplify_surd', true],
  ['sqrt(125)', '5*sqrt(5)', 'arithmetic__simplify_surd', true],
  ['-6*sqrt(7)/5', '-6*sqrt(7)/5', 'arithmetic__simplify_surd', true],
  ['-6*sqrt(7)/4', '-6*sqrt(7)/5', 'arithmetic__simplify_surd', false],
  ['r^{40657/420}', 'r**(40657/420)', 'polynomials__simplify_power', true],
  ['r**(40657/421)', 'r**(40657/420)', 'polynomials__simplify_power', false],
  ['True', 'True', 'numbers__is_prime', true],
  ['yes', 'True', 'numbers__is_prime', true],
  ['False', 'True', 'numbers__is_prime', false],
  ['true', 'False', 'numbers__is_factor', false],
  ['(c)', 'c', 'comparison__closest', true],
  ['c', 'c', 'comparison__closest', true],
  ['d', 'c', 'comparison__closest', false],
  ['1/3', '1/3', 'comparison__pair', true],
  ['1:26 AM', '1:26 AM', 'measurement__time', true],
  ['01:26 am', '1:26 AM', 'measurement__time', true],
  ['1:26 PM', '1:26 AM', 'measurement__time', false],
  ['-1A3', '-1a3', 'numbers__base_conversion', true],
  ['-1a4', '-1a3', 'numbers__base_conversion', false],
  ['q - 7', 'q - 7', 'polynomials__add', true],
  ['-7 + q', 'q - 7', 'polynomials__add', true],
  ['q - 7', 'm - 7', 'polynomials__add', false],
  ['2428000', '2428000', 'numbers__round_number', true],
  ['2,428,000', '2428000', 'numbers__round_number', true],
  ['-0.00001', '-0.00001', 'numbers__round_number', true],
  ['-0.000010', '-0.00001', 'numbers__round_number', true],
  ['x', '', 'numbers__gcd', false],
];

describe('Mathematics answers', () => {
  it.each(CASES)('%s vs %s (%s) -> %s', (prediction, gold, module, verdict) => {
    expect(mathematicsEquivalent(prediction, gold, module)).toBe(verdict);
  });

  it('extracts the boxed answer, else the text after "answer is", else the first line', () => {
    expect(extractMathematicsAnswer(' 12*x + 3\n\nProblem: next')).toBe('12*x + 3');
    expect(extractMathematicsAnswer(' We solve for p.\nSo the answer is $-49$.')).toBe('-49');
    expect(extractMathematicsAnswer(' p = -49 so \\boxed{p = -49}.')).toBe('-49');
    expect(extractMathematicsAnswer(' \\boxed{\\frac{1}{2}}')).toBe('\\frac{1}{2}');
    expect(extractMathematicsAnswer('   \n  ')).toBeNull();
  });

  it('is bounded on hostile input', () => {
    expect(mathematicsEquivalent('('.repeat(5000), '1', 'arithmetic__mul')).toBe(false);
    expect(mathematicsEquivalent('2^99999999', '1', 'arithmetic__mul')).toBe(false);
    expect(mathematicsEquivalent('x^(10^300)', 'x', 'polynomials__add')).toBe(false);
    expect(parseExpression('1 +')).toBeNull();
    expect(Rational.fromDecimal('1e-3')!.toString()).toBe('1/1000');
  });
});

describe('Mathematics data', () => {
  const missing = sharedDataMissing('data/mathematics');
  it.skipIf(missing !== null && !process.env.CI)('has 56 interpolate modules of 20 questions, each gold equal to itself and to no other gold of its module', () => {
    expect(listMathematicsModules(sharedDataDir)).toEqual([...MATHEMATICS_MODULES]);
    let total = 0;
    for (const module of MATHEMATICS_MODULES) {
      const docs = loadMathematicsModule(sharedDataDir, module);
      total += docs.length;
      for (const d of docs) {
        expect(mathematicsEquivalent(d.answer, d.answer, module), `${module}: ${d.answer}`).toBe(true);
        const other = docs.find((o) => o.answer !== d.answer);
        if (other) expect(mathematicsEquivalent(other.answer, d.answer, module), `${module}: ${other.answer} vs ${d.answer}`).toBe(false);
      }
    }
    expect(total).toBe(1120);
    const task = mathematicsTasks[0]!.prepare({ dataDir: sharedDataDir });
    expect(task.request(0)).toMatchObject({ context: mathematicsContext(task.docs[0]!.question as string), until: ['Problem:'] });
    expect(mathematicsContext('Solve 2*x = 4 for x.')).toBe('Problem: Solve 2*x = 4 for x.\nAnswer:');
  });
});
