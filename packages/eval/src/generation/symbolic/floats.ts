/**
 * sympy's mixed arithmetic for symbol-free trees holding Floats: rationals stay exact until they meet a Float; then
 * the rational is rounded to the Float's precision and every result is rounded again (mpmath rounds each
 * operation correctly). So `0.1` equals `\frac{1}{10}` and `0.5` equals `\frac12`, `0.333` differs from
 * `\frac13`, and a 21-digit decimal differs from the 53-bit Float of its first 15 digits.
 */
import type { Expr } from './expr.ts';
import * as Q from './rational.ts';
import type { Rational } from './rational.ts';

export interface Mixed {
  v: Rational;
  /** Whether the value is a Float (rounded to the working precision) rather than an exact rational. */
  float: boolean;
}

/** Value of a symbol-free tree under sympy's Float rules at `bits` of precision, or null beyond + - * / and powers. */
export function mixedValue(e: Expr, bits: number): Mixed | null {
  const round = (v: Rational): Rational => Q.roundToBits(v, bits);
  const combine = (a: Mixed, b: Mixed, op: (x: Rational, y: Rational) => Rational): Mixed =>
    a.float || b.float ? { v: round(op(a.float ? a.v : round(a.v), b.float ? b.v : round(b.v))), float: true } : { v: op(a.v, b.v), float: false };
  switch (e.k) {
    case 'rat':
      return { v: e.v, float: false };
    case 'float':
      return { v: e.exact, float: true };
    case 'add':
    case 'mul': {
      let acc: Mixed = { v: e.k === 'add' ? Q.ZERO : Q.ONE, float: false };
      for (const a of e.args) {
        const v = mixedValue(a, bits);
        if (v === null) return null;
        acc = combine(acc, v, e.k === 'add' ? Q.add : Q.mul);
        if (Q.bitLength(acc.v.n) + Q.bitLength(acc.v.d) > 100_000) return null;
      }
      return acc;
    }
    case 'pow': {
      const b = mixedValue(e.base, bits);
      const x = mixedValue(e.exp, bits);
      if (b === null || x === null || x.float || x.v.d !== 1n || Q.bitLength(x.v.n) > 16) return null;
      if (b.v.n === 0n && x.v.n < 0n) return null;
      const r = Q.powInt(b.float ? b.v : b.v, x.v.n, 100_000);
      if (!r) return null;
      return b.float ? { v: round(r), float: true } : { v: r, float: false };
    }
    default:
      return null;
  }
}

/** Whether a - b is zero under the same rules. */
export function mixedEqual(a: Mixed, b: Mixed, bits: number): boolean {
  if (!a.float && !b.float) return Q.eq(a.v, b.v);
  const ra = a.float ? a.v : Q.roundToBits(a.v, bits);
  const rb = b.float ? b.v : Q.roundToBits(b.v, bits);
  return Q.eq(ra, rb);
}
