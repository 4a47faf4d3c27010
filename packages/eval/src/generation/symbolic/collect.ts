/**
 * Sums of monomials with Float-aware coefficients, for trees mixing Floats and symbols: sympy adds the
 * coefficients of like terms at the Floats' precision, so `1.3333333333333333\pi` (a 60-bit Float) differs from
 * `\frac43\pi` although the two agree in double precision, while `0.5x` equals `\frac{x}{2}`.
 */
import { type Expr, key, rawKey, some } from './expr.ts';
import { mixedDifference, mixedIsZero, mixedValue, type Mixed } from './floats.ts';
import * as Q from './rational.ts';

type Poly = Map<string, Mixed>;

const MAX_TERMS = 200;
/** Marks a symbol-free factor that is not a number sympy can evaluate exactly (sqrt(3), log(2)). */
const IRRATIONAL = '#';
const FACTOR_SEPARATOR = '\u0001';
const isIrrationalConstant = (mono: string): boolean => mono !== '' && mono.split(FACTOR_SEPARATOR).every((f) => f.startsWith(IRRATIONAL));

const asExpr = (m: Mixed, bits: number): Expr =>
  m.float ? { k: 'float', v: Q.toNumber(m.v), exact: m.v, prec: bits } : { k: 'rat', v: m.v };

function addInto(p: Poly, mono: string, c: Mixed, bits: number): void {
  const prev = p.get(mono);
  if (!prev) return void p.set(mono, c);
  const negated: Expr = { k: 'mul', args: [{ k: 'rat', v: Q.rat(-1n) }, asExpr(c, bits)] };
  const total = mixedDifference(asExpr(prev, bits), negated, bits);
  if (total) p.set(mono, total);
}

function multiply(a: Poly, b: Poly, bits: number): Poly | null {
  if (a.size * b.size > MAX_TERMS) return null;
  const out: Poly = new Map();
  for (const [ma, ca] of a) {
    for (const [mb, cb] of b) {
      const mono = [...(ma ? ma.split(FACTOR_SEPARATOR) : []), ...(mb ? mb.split(FACTOR_SEPARATOR) : [])].sort().join(FACTOR_SEPARATOR);
      const c = mixedValue({ k: 'mul', args: [asExpr(ca, bits), asExpr(cb, bits)] }, bits);
      if (!c) return null;
      addInto(out, mono, c, bits);
    }
  }
  return out;
}

/** The tree as monomials (sorted factor texts, '' for the constant) with coefficients, or null when not a sum of products. */
function collect(e: Expr, bits: number): Poly | null {
  if (!some(e, (n) => n.k === 'sym')) {
    const v = mixedValue(e, bits);
    if (v) return new Map([['', v]]);
    if (some(e, (n) => n.k === 'float')) return null;
    return new Map([[IRRATIONAL + key(e), { v: Q.ONE, float: false }]]);
  }
  switch (e.k) {
    case 'add': {
      const out: Poly = new Map();
      for (const a of e.args) {
        const p = collect(a, bits);
        if (!p) return null;
        for (const [m, c] of p) addInto(out, m, c, bits);
        if (out.size > MAX_TERMS) return null;
      }
      return out;
    }
    case 'mul': {
      let acc: Poly | null = new Map([['', { v: Q.ONE, float: false }]]);
      for (const a of e.args) {
        const p = collect(a, bits);
        if (!p || !acc) return null;
        acc = multiply(acc, p, bits);
      }
      return acc;
    }
    case 'pow':
      if (e.exp.k === 'rat' && e.exp.v.d === 1n && e.exp.v.n > 1n && e.exp.v.n <= 8n) {
        let acc: Poly | null = new Map([['', { v: Q.ONE, float: false }]]);
        const base = collect(e.base, bits);
        if (!base) return null;
        for (let i = 0n; i < e.exp.v.n && acc; i++) acc = multiply(acc, base, bits);
        return acc;
      }
      break;
    default:
      break;
  }
  if (some(e, (n) => n.k === 'float')) return null;
  return new Map([[rawKey(e), { v: Q.ONE, float: false }]]);
}

/**
 * For trees with symbols and Floats: true or false when both sides are sums of the same monomials (compared
 * coefficient by coefficient at the Floats' precision), null when the shapes differ or do not fit.
 */
export function collectedEqual(left: Expr, right: Expr, bits: number): boolean | null {
  const l = collect(left, bits);
  const r = collect(right, bits);
  if (!l || !r) return null;
  const nonzero = (p: Poly) => [...p].filter(([, c]) => !mixedIsZero(c));
  const ln = nonzero(l);
  const rn = new Map(nonzero(r));
  if (ln.length !== rn.size || ln.some(([m]) => !rn.has(m))) {
    // An irrational constant on one side only never cancels against Floats (4.0 pi - 3.4641 is not 4 pi - 2 sqrt(3)).
    const lm = new Set(ln.map(([m]) => m));
    const unmatched = [...ln.map(([m]) => m).filter((m) => !rn.has(m)), ...[...rn.keys()].filter((m) => !lm.has(m))];
    return unmatched.some(isIrrationalConstant) ? false : null;
  }
  for (const [m, c] of ln) {
    const d = mixedDifference(asExpr(c, bits), asExpr(rn.get(m)!, bits), bits);
    if (!d || !mixedIsZero(d)) return false;
  }
  return true;
}
