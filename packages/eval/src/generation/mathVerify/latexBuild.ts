/**
 * How latex2sympy2_extended builds values: integer quotients become rationals, integer binomials numbers,
 * other quotients a product with a power of -1; products are flattened.
 */
import { MINUS_ONE, type Node, num } from './ast.ts';

export const isInteger = (x: Node): boolean => x.t === 'num' && !x.float && x.d === 1n;
export const isRationalNum = (x: Node): boolean => x.t === 'num' && !x.float;

export const isMatrixTerm = (x: Node): boolean => x.t === 'matrix' || (x.t === 'mul' && x.args.some(isMatrixTerm));

export function mulFlat(a: Node, b: Node): Node {
  const args = [...(a.t === 'mul' ? a.args : [a]), ...(b.t === 'mul' ? b.args : [b])];
  return { t: 'mul', args };
}

export function divide(a: Node, b: Node): Node {
  if (isInteger(a) && isInteger(b) && a.t === 'num' && b.t === 'num') return num(a.n, b.n);
  return { t: 'mul', args: [a, { t: 'pow', base: b, exp: MINUS_ONE }] };
}

/** sympy's binomial evaluates for integer arguments (so `0\\binom{5}{2}` is a mixed number, 10); others stay symbolic. */
export function binomial(top: Node, bottom: Node): Node {
  if (isInteger(top) && isInteger(bottom) && top.t === 'num' && bottom.t === 'num' && top.n >= -2000n && top.n <= 2000n && bottom.n <= 2000n) {
    const n = top.n;
    const k = bottom.n;
    if (k < 0n || (n >= 0n && k > n)) return num(0n);
    let r = 1n;
    for (let i = 0n; i < k; i++) r = (r * (n - i)) / (i + 1n);
    return num(r);
  }
  return { t: 'fn', name: 'binomial', args: [top, bottom] };
}
