import { describe, expect, it } from 'vitest';
import { key } from '../symbolic/index.ts';
import { LatexConversionError, LatexLexError, LatexParseError, parseLatex } from './index.ts';

// Shapes sympy 1.14's parse_latex builds (taken from its srepr), written as our canonical key: operands of sums
// and products sorted as text, `a**b` for powers, Floats as `f<exact value>@<bits>`.
const read = (latex: string): string => key(parseLatex(latex));

describe('parseLatex reads what sympy reads', () => {
  it.each([
    ['6,-2', '6'],
    ['3:1', '(1**-1*3)'],
    ['1,000', '1000'],
    ['12,345,678', '12345678'],
    ['1,23', '1'],
    ['1,234,5', '1234'],
    ['1,2345', '(1234*5)'],
    ['1 000', '1000'],
    ['10^-2', '10'],
    ['x^{}', 'x'],
    ['x^{2', 'x'],
    ['2\\frac{1}{2', '2'],
    ['x(3]', 'x'],
    ['2x3', '(2*3)'],
    ['3 x 4', '(3*4)'],
    ['3x^24', '(3*x**24)'],
    ['x(x+1)', 'x((1 + x))'],
    ['\\pi(3)', 'pi(3)'],
    ['\\cfrac{1}{2}', '(1*2*cfrac)'],
    ['\\fracab', 'fracab'],
    ['\\frac123', '(2**-1*3)'],
    ['[invalidanswer]', '(a*da*e*i*i*l*n*n*r*s*v*w)'],
    ['\\text{abc}', '(a*b*c*text)'],
    ['\\sinx', 'sinx'],
    ['\\sin^{-1}x', 'asin(x)'],
    ['\\sin x\\cos x', '(cos(x)*sin(x))'],
    ['\\log_2 8', 'log(8, 2)'],
    ['\\lg 100', 'log(100, 10)'],
    ['\\sqrt[3]{8}', '8**1/3'],
    ['x_{n+1}', 'x_{1 + n}'],
    ["x'_1", "x_{1}'"],
    ['a_b_c', 'a_{b_{c}}'],
    ['2|x|', '(2*abs(x))'],
    ['|x|y2|2', '(2*abs(x)*y)'],
    ['1.5', 'f3/2@53'],
    ['123.', '(1*2)'],
    ['23.x', '2'],
    ['1+23.', '(1 + 2)'],
    ['\\left(1\\right)', '1'],
    ['\\{1\\}', '1'],
    ['-x', '(-1*x)'],
    ['--x', 'x'],
    ['\\infty', 'oo'],
    ['5&=3', '5 = 3'],
    ['1\\le 2', '1 <= 2'],
    ['30^\\circ', '30**circ'],
    ['32x_(3.14', '32'],
    ['10|^{2}3', '(10*3)'],
  ])('%s', (latex, shape) => {
    expect(read(latex)).toBe(shape);
  });

  it.each([
    ['5\\%', LatexLexError],
    ['\\$5', LatexLexError],
    ['a\\\\b', LatexLexError],
    ['5&', LatexLexError],
    ['.5', LatexParseError],
    ['3.', LatexParseError],
    ['1+2.', LatexParseError],
    ['3:1.', LatexParseError],
    ['x^2.', LatexParseError],
    ['(1.)', LatexParseError],
    ['x=', LatexParseError],
    ['(3,4]', LatexParseError],
    ['\\frac{1}{2', LatexParseError],
    ['\\sqrt2', LatexParseError],
    ['\\cdot 5', LatexParseError],
    ['\\sin', LatexParseError],
    ['\\int', LatexParseError],
    ['e_', LatexParseError],
    ['|x|_1\\lfloorx', LatexParseError],
    ['\\begin{pmatrix6/5\\-17/5\\end{pmatrix}}', LatexParseError],
    ['', LatexParseError],
    ['05', LatexConversionError],
    ['0,500', LatexConversionError],
    ['x_{05}', LatexConversionError],
  ])('%s fails', (latex, error) => {
    expect(() => parseLatex(latex)).toThrow(error);
  });

  it('reads a fraction digit before a second "." as the start of the next number', () => {
    expect(read('1.25.')).toBe(read('1.2'));
    expect(read('12.34.')).toBe(read('12.3'));
    expect(read('0.430.43')).toBe(read('0.43\\cdot0.43'));
  });

  it('drops what follows a junk token without lexing beyond it, as sympy fetches tokens lazily', () => {
    expect(read('\\alpha0\\infty)\\$')).toBe('(0*alpha*oo)');
    expect(read('2 3.')).toBe('2');
    expect(read('x^{2.}')).toBe('x');
  });
});
