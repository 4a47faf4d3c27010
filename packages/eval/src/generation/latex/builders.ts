/** Tree pieces built the way sympy's LaTeX converter builds them. */
import * as E from '../symbolic/expr.ts';
import type { Expr } from '../symbolic/expr.ts';
import { fromDecimal, rat, roundToBits } from '../symbolic/rational.ts';

export const MINUS_ONE = E.ratExpr(rat(-1n));
export const negate = (e: Expr): Expr => {
  // -(-1*x) is x (sympy's negation of a product flips its leading number).
  if (e.k === 'mul' && e.args.length === 2 && e.args[0]!.k === 'rat' && e.args[0]!.v.n === -1n && e.args[0]!.v.d === 1n) return e.args[1]!;
  if (e.k === 'rat') return E.ratExpr(rat(-e.v.n, e.v.d));
  if (e.k === 'float') return { ...e, v: -e.v, exact: rat(-e.exact.n, e.exact.d) };
  return E.mul(MINUS_ONE, e);
};
export const inverse = (e: Expr): Expr => E.pow(e, MINUS_ONE);
export const isOne = (e: Expr): boolean => (e.k === 'rat' && e.v.n === 1n && e.v.d === 1n) || (e.k === 'float' && e.v === 1);

/** A decimal literal as sympy's Number(str): a Float of at least 53 bits, more for long digit strings. */
export function floatLiteral(text: string): Expr {
  const significant = text.replace('.', '').replace(/^0+/, '').length;
  const dps = Math.max(15, significant);
  const prec = Math.max(53, Math.round((dps + 1) * 3.3219280948873626));
  return { k: 'float', v: Number(text), exact: roundToBits(fromDecimal(text), prec), prec };
}

/** sympy's postfix-list product: a lone `x` between two symbol-free factors is a multiplication sign (`2x3`). */
export function productOf(items: Expr[], i: number): Expr {
  const res = items[i]!;
  if (i === items.length - 1) return res;
  if (i > 0 && res.k === 'sym' && res.name === 'x') {
    if (E.freeSymbols(items[i - 1]!).length === 0 && E.freeSymbols(items[i + 1]!).length === 0) return productOf(items, i + 1);
  }
  return E.mul(res, productOf(items, i + 1));
}

/**
 * sympy's `do_subs`: a bound `v=a` replaces v by a; a bare bound with symbols replaces its first symbol by the bound
 * itself (sympy takes one from a set; with one symbol that is a no-op or a rescaling); without symbols nothing changes.
 */
export function substituteAt(e: Expr, bound: Expr): Expr {
  if (bound.k === 'rel') return E.substitute(e, E.key(bound.lhs), bound.rhs);
  const symbols = E.freeSymbols(bound);
  return symbols.length === 0 ? e : E.substitute(e, symbols[0]!, bound);
}

