/**
 * Exact evaluation of symbol-free trees to a rational, where sympy's own arithmetic is exact: integers,
 * fractions, integer powers, perfect roots, factorials, binomials, floor/ceiling/abs of rationals.
 */
import type { Expr } from './expr.ts';
import * as Q from './rational.ts';
import type { Rational } from './rational.ts';

/** The value is exact but too large to compute in time (sympy times out on such inputs too). */
export class TooLargeError extends Error {}

export interface ExactOptions {
  /** Floats as their exact decimal value (for comparisons at more than double precision). */
  floatsAsDecimals?: boolean;
}

const MAX_BITS = 200_000;
const MAX_FACTORIAL = 3000;

/** The exact value, or null when it is irrational, undefined, or not a number at all. */
export function exactValue(e: Expr, options: ExactOptions = {}): Rational | null {
  switch (e.k) {
    case 'rat':
      return e.v;
    case 'float':
      return options.floatsAsDecimals ? e.exact : null;
    case 'add': {
      let acc = Q.ZERO;
      for (const a of e.args) {
        const v = exactValue(a, options);
        if (!v) return null;
        acc = Q.add(acc, v);
      }
      return acc;
    }
    case 'mul': {
      // simplify reads 0 times anything symbol-free as 0 (`\\frac{0}{0}` equals 0 there).
      if (e.args.some((a) => a.k === 'rat' && a.v.n === 0n)) return Q.ZERO;
      let acc = Q.ONE;
      for (const a of e.args) {
        const v = exactValue(a, options);
        if (!v) return null;
        acc = Q.mul(acc, v);
        if (Q.bitLength(acc.n) + Q.bitLength(acc.d) > MAX_BITS) throw new TooLargeError('product too large');
      }
      return acc;
    }
    case 'pow':
      return exactPower(e.base, e.exp, options);
    case 'fn':
      return exactFunction(e.name, e.args, options);
    default:
      return null;
  }
}

function exactPower(baseExpr: Expr, expExpr: Expr, options: ExactOptions): Rational | null {
  const base = exactValue(baseExpr, options);
  const exp = exactValue(expExpr, options);
  if (!base || !exp) return null;
  if (base.n === 0n && exp.n <= 0n) return null; // 0**0 is 1 in sympy, 0**-1 is zoo: left to the numeric path
  if (exp.d === 1n) {
    const r = Q.powInt(base, exp.n, MAX_BITS);
    if (!r) throw new TooLargeError('power too large');
    return r;
  }
  if (base.n < 0n || exp.d > 64n) return null;
  const k = Number(exp.d);
  const rn = Q.exactRoot(base.n, k);
  const rd = Q.exactRoot(base.d, k);
  if (rn === null || rd === null) return null;
  const r = Q.powInt(Q.rat(rn, rd), exp.n, MAX_BITS);
  if (!r) throw new TooLargeError('power too large');
  return r;
}

function factorial(n: bigint): bigint {
  if (n > BigInt(MAX_FACTORIAL)) throw new TooLargeError('factorial too large');
  let r = 1n;
  for (let i = 2n; i <= n; i++) r *= i;
  return r;
}

function exactFunction(name: string, args: readonly Expr[], options: ExactOptions): Rational | null {
  const vals = args.map((a) => exactValue(a, options));
  const x = vals[0];
  if (!x) return null;
  switch (name) {
    case 'abs':
      return x.n < 0n ? Q.neg(x) : x;
    case 'floor': {
      const q = x.n / x.d;
      return Q.rat(x.n < 0n && q * x.d !== x.n ? q - 1n : q);
    }
    case 'ceiling': {
      const q = x.n / x.d;
      return Q.rat(x.n > 0n && q * x.d !== x.n ? q + 1n : q);
    }
    case 'conjugate':
      return x;
    case 'factorial':
      return x.d === 1n && x.n >= 0n ? Q.rat(factorial(x.n)) : null;
    case 'binomial': {
      const k = vals[1];
      if (!k || x.d !== 1n || k.d !== 1n) return null;
      if (k.n < 0n) return Q.ZERO;
      if (x.n >= 0n && k.n > x.n) return Q.ZERO;
      if (k.n > BigInt(MAX_FACTORIAL)) throw new TooLargeError('binomial too large');
      let r = Q.ONE;
      for (let i = 0n; i < k.n; i++) r = Q.div(Q.mul(r, Q.rat(x.n - i)), Q.rat(i + 1n));
      return r;
    }
    default:
      return null;
  }
}
