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
      if (b === null || x === null) return null;
      if (b.v.n === 0n && x.v.n <= 0n) return null;
      if (!x.float && x.v.d === 1n && Q.bitLength(x.v.n) <= 16) {
        const r = Q.powInt(b.v, x.v.n, 100_000);
        if (!r) return null;
        return b.float ? { v: round(r), float: true } : { v: r, float: false };
      }
      if (!b.float && !x.float) {
        // A perfect root stays exact (sqrt(4) is 2); any other root is irrational and never equals a Float.
        if (b.v.n < 0n || x.v.d > 64n) return null;
        const rn = Q.exactRoot(b.v.n, Number(x.v.d));
        const rd = Q.exactRoot(b.v.d, Number(x.v.d));
        const r = rn !== null && rd !== null ? Q.powInt(Q.rat(rn, rd), x.v.n, 100_000) : null;
        return r ? { v: r, float: false } : null;
      }
      // A Float base or exponent: a Float power, computed in double precision (53-bit Floats only).
      if (bits !== 53) return null;
      const v = Math.pow(Q.toNumber(b.v), Q.toNumber(x.v));
      return Number.isFinite(v) ? { v: Q.fromDouble(v), float: true } : null;
    }
    case 'fn': {
      if (e.name !== 'floor' && e.name !== 'ceiling' && e.name !== 'abs') return null;
      const v = mixedValue(e.args[0]!, bits);
      if (v === null) return null;
      if (e.name === 'abs') return { v: v.v.n < 0n ? Q.neg(v.v) : v.v, float: v.float };
      // floor and ceiling of a Float are Integers.
      const q = v.v.n / v.v.d;
      const exact = q * v.v.d === v.v.n;
      const r = e.name === 'floor' ? (v.v.n < 0n && !exact ? q - 1n : q) : v.v.n > 0n && !exact ? q + 1n : q;
      return { v: Q.rat(r), float: false };
    }
    default:
      return null;
  }
}

export const mixedIsZero = (v: Mixed): boolean => v.v.n === 0n;

/**
 * The value of `a - b` as sympy's Add flattening computes it when Floats are involved: the operands are visited
 * breadth-first (a nested sum's operands go to the end of the queue, so the subtracted side, already summed, comes
 * before a's own terms) and each number is added to a running coefficient. Order matters once a Float is in it:
 * `\\frac13+\\frac13+\\frac13 - 1.0` is -1.1e-16, not 0.
 */
export function mixedDifference(a: Expr, b: Expr, bits: number): Mixed | null {
  const bSum = sumInFlatteningOrder([b], bits);
  if (bSum === null) return null;
  const negB: Mixed = { v: Q.neg(bSum.v), float: bSum.float };
  return sumInFlatteningOrder([a, negB], bits);
}

function sumInFlatteningOrder(start: (Expr | Mixed)[], bits: number): Mixed | null {
  const queue = [...start];
  let acc: Mixed = { v: Q.ZERO, float: false };
  const add = (x: Mixed, y: Mixed): Mixed =>
    x.float || y.float
      ? { v: Q.roundToBits(Q.add(x.float ? x.v : Q.roundToBits(x.v, bits), y.float ? y.v : Q.roundToBits(y.v, bits)), bits), float: true }
      : { v: Q.add(x.v, y.v), float: false };
  for (let i = 0; i < queue.length; i++) {
    const item = queue[i]!;
    if ('k' in item && item.k === 'add') {
      queue.push(...item.args);
      continue;
    }
    const v = 'k' in item ? mixedValue(item, bits) : item;
    if (v === null) return null;
    acc = add(acc, v);
  }
  return acc;
}
