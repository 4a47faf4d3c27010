/**
 * The decision sympy's `simplify(a - b) == 0` makes, for the trees the LaTeX reader builds: identical terms cancel
 * on subtraction (so huge values compare equal to themselves without being computed), symbol-free values are
 * compared exactly where sympy is exact and in double precision where it has Floats, and everything else is
 * decided at fixed sample points with complex values (sympy's symbols are complex).
 */
import { type Expr, flatten, freeSymbols, key, rawKey, some } from './expr.ts';
import { exactValue, TooLargeError } from './exact.ts';
import { collectedEqual } from './collect.ts';
import { mixedDifference, mixedIsZero } from './floats.ts';
import { type Complex, complexAbs, evaluateComplex } from './numeric.ts';
import * as Q from './rational.ts';

export interface ZeroVerdict {
  equal: boolean;
  /** Why the pair could not be compared (relations, infinities, unsupported constructs, size). */
  reason?: string;
}

// Sample values for symbols: reals of both signs away from integers, and complex points.
const SAMPLES: readonly Complex[] = [
  [0.6180339887, 0], [-1.3247179572, 0], [2.2360679775, 0], [-0.4142135624, 0.7071067812],
  [1.4655712319, -0.3819660113], [0.3090169944, 1.2207440846], [-2.7182818285, 0], [1.7320508076, 0.5772156649],
];
const TRIALS = 6;
const TOLERANCE = 1e-12;

function sampleEnv(symbols: string[], trial: number): Map<string, Complex> {
  const env = new Map<string, Complex>();
  symbols.forEach((s, j) => env.set(s, SAMPLES[(trial * 3 + j * 5) % SAMPLES.length]!));
  return env;
}

/**
 * Equal up to rounding: relative to the size of the terms that were summed (an expanded (x+1)^30 cancels terms of
 * 1e10 down to 1e-15), and to the values themselves down to 1e-6 (so small constants 3e-13 apart still differ).
 */
function close(a: Complex, b: Complex, magnitude: number): boolean {
  const scale = Math.max(1e-6, complexAbs(a), complexAbs(b), magnitude);
  return Math.abs(a[0] - b[0]) <= TOLERANCE * scale && Math.abs(a[1] - b[1]) <= TOLERANCE * scale;
}

/** Sum of the absolute values of the top-level terms of both sides. */
function termMagnitude(left: Expr, right: Expr, env: ReadonlyMap<string, Complex>): number {
  let m = 0;
  for (const t of [...flatten(left, 'add'), ...flatten(right, 'add')]) m += complexAbs(evaluateComplex(t, env));
  return m;
}
const finite = (v: Complex): boolean => Number.isFinite(v[0]) && Number.isFinite(v[1]);

interface Term {
  /** The term as written. */
  expr: Expr;
  /** sympy's numeric coefficient (`as_coeff_Mul`), null for 1. */
  coeff: Expr | null;
  /** Structural text of the rest, which must match exactly for two terms to combine. */
  rest: string;
}

const isNumber = (e: Expr): boolean => e.k === 'rat' || e.k === 'float' || e.k === 'inf';

function splitTerm(t: Expr): Term {
  if (isNumber(t)) return { expr: t, coeff: t, rest: '1' };
  if (t.k === 'mul' && isNumber(t.args[0]!)) {
    const rest = t.args.slice(1);
    return { expr: t, coeff: t.args[0]!, rest: rest.length === 1 ? rawKey(rest[0]!) : rawKey({ k: 'mul', args: rest }) };
  }
  return { expr: t, coeff: null, rest: rawKey(t) };
}

/**
 * What `-t` is for a term of the subtracted side (sympy's `__neg__` keeps the tree unevaluated): the coefficient is
 * negated; a leading -1 disappears, which leaves a one-operand product that matches nothing structurally.
 */
function negatedTerm(t: Expr): Term {
  const term = splitTerm(t);
  if (term.coeff && term.coeff.k === 'rat' && term.coeff.v.n === -1n && term.coeff.v.d === 1n && term.rest !== '1') {
    return { expr: t, coeff: null, rest: `Mul(${term.rest})` };
  }
  return { ...term, coeff: term.coeff ? negateNumber(term.coeff) : { k: 'rat', v: Q.rat(-1n) } };
}

function negateNumber(e: Expr): Expr {
  if (e.k === 'rat') return { k: 'rat', v: Q.neg(e.v) };
  if (e.k === 'float') return { ...e, v: -e.v, exact: Q.neg(e.exact) };
  return { k: 'mul', args: [{ k: 'rat', v: Q.rat(-1n) }, e] };
}

function zeroReciprocalInfinity(e: Expr): Expr {
  if (e.k === 'pow' && e.base.k === 'inf' && e.exp.k === 'rat' && e.exp.v.n < 0n) return ZERO;
  switch (e.k) {
    case 'add':
    case 'mul':
    case 'fn':
    case 'apply':
    case 'opaque':
      return { ...e, args: e.args.map(zeroReciprocalInfinity) } as Expr;
    case 'pow':
      return { k: 'pow', base: zeroReciprocalInfinity(e.base), exp: zeroReciprocalInfinity(e.exp) };
    default:
      return e;
  }
}

function bareZoo(t: Expr): boolean {
  return t.k === 'pow' && t.base.k === 'rat' && t.base.v.n === 0n && t.exp.k === 'rat' && t.exp.v.n < 0n;
}

const coeffKey = (c: Expr | null): string => (c ? key(c) : '1');
// A number times oo folds into an infinite coefficient when negated (2*oo becomes -oo).
// An Integer times oo folds into an infinite coefficient when negated (2*oo becomes -oo); a Float times oo stays.
const infiniteCoefficient = (t: Term): boolean =>
  t.coeff !== null && (some(t.coeff, (n) => n.k === 'inf') || (t.rest === 'oo' && t.coeff.k === 'rat'));

/**
 * sympy's Add flattening of `a - b`: terms of a and negated terms of b with the same structural rest and
 * opposite coefficients cancel. Returns the terms of each side left over.
 */
function cancelTerms(a: Expr, b: Expr): [Expr[], Expr[]] | 'nan' {
  const left = flatten(a, 'add').map(splitTerm);
  const right = flatten(b, 'add').map(negatedTerm);
  // oo and -oo meet in the numeric coefficient (nan), and an infinite coefficient never leaves zero behind.
  if ([...left, ...right].some(infiniteCoefficient)) return 'nan';
  // A bare 1/0 term becomes zoo when the sum is flattened, and zoo - zoo is nan.
  if ([...flatten(a, 'add'), ...flatten(b, 'add')].some(bareZoo)) return 'nan';
  const used = new Set<number>();
  const keptLeft: Expr[] = [];
  for (const t of left) {
    const want = t.coeff ? key(negateNumber(t.coeff)) : '-1';
    const j = right.findIndex((r, idx) => !used.has(idx) && r.rest === t.rest && coeffKey(r.coeff) === want);
    if (j >= 0) used.add(j);
    else keptLeft.push(t.expr);
  }
  return [keptLeft, right.filter((_, j) => !used.has(j)).map((r) => r.expr)];
}

const sum = (terms: Expr[]): Expr => (terms.length === 1 ? terms[0]! : { k: 'add', args: terms });
const ZERO: Expr = { k: 'rat', v: Q.ZERO };

/** Whether sympy would find `simplify(a - b) == 0`. */
export function isZeroDifference(a: Expr, b: Expr): ZeroVerdict {
  if (a.k === 'rel' || b.k === 'rel') return { equal: false, reason: 'relation: cannot subtract' };
  // A term like x*oo cancels against an identical one; oo itself, or oo leading a product, is a coefficient.
  const cancelled = cancelTerms(a, b);
  if (cancelled === 'nan') return { equal: false, reason: 'infinite: oo - oo is nan' };
  const [ta, tb] = cancelled;
  if (ta.length === 0 && tb.length === 0) return { equal: true };
  const left = ta.length ? sum(ta) : ZERO;
  const right = tb.length ? sum(tb) : ZERO;
  if (some(left, (n) => n.k === 'inf' ) || some(right, (n) => n.k === 'inf')) {
    // 1/oo is 0 once evaluated; any other infinity left over makes the difference infinite or nan.
    const l = zeroReciprocalInfinity(left);
    const r = zeroReciprocalInfinity(right);
    if (some(l, (n) => n.k === 'inf') || some(r, (n) => n.k === 'inf')) return { equal: false, reason: 'infinite value' };
    return isZeroDifference(l, r);
  }
  const symbols = [...new Set([...freeSymbols(left), ...freeSymbols(right)])].sort();
  try {
    if (symbols.length === 0) return constantsEqual(left, right);
  } catch (e) {
    if (e instanceof TooLargeError) return { equal: false, reason: `too large: ${e.message}` };
    throw e;
  }
  // sympy keeps a Float exponent apart from a rational one (x**0.5 is not sqrt(x)); only identical terms cancel.
  const floatExponent = (e: Expr): boolean => some(e, (n) => n.k === 'pow' && some(n.exp, (m) => m.k === 'float'));
  if (floatExponent(left) || floatExponent(right)) return { equal: false };
  let bits = 0;
  for (const side of [left, right]) some(side, (n) => (n.k === 'float' && (bits = Math.max(bits, n.prec)), false));
  if (bits > 0) {
    const collected = collectedEqual(left, right, bits);
    if (collected !== null) return { equal: collected };
  }
  let finiteTrials = 0;
  for (let t = 0; t < TRIALS; t++) {
    const env = sampleEnv(symbols, t);
    const va = evaluateComplex(left, env);
    const vb = evaluateComplex(right, env);
    if (!finite(va) || !finite(vb)) continue;
    finiteTrials++;
    if (!close(va, vb, termMagnitude(left, right, env))) return { equal: false };
  }
  return finiteTrials >= 2 ? { equal: true } : { equal: false, reason: 'not a number expression' };
}

function constantsEqual(left: Expr, right: Expr): ZeroVerdict {
  let bits = 0;
  for (const side of [left, right]) some(side, (n) => (n.k === 'float' && (bits = Math.max(bits, n.prec)), false));
  if (bits === 0) {
    const ea = exactValue(left);
    const eb = exactValue(right);
    if (ea && eb) return { equal: Q.eq(ea, eb) };
  } else {
    const d = mixedDifference(left, right, bits);
    if (d !== null) return { equal: mixedIsZero(d) };
    // An irrational value and a Float never cancel in simplify (sqrt(2) - 1.414... stays as it is).
    return { equal: false };
  }
  const va = evaluateComplex(left, new Map());
  const vb = evaluateComplex(right, new Map());
  if (!finite(va) || !finite(vb)) return { equal: false, reason: 'not a finite number' };
  return { equal: close(va, vb, termMagnitude(left, right, new Map())) };
}
