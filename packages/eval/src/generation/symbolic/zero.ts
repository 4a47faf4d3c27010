/**
 * The decision sympy's `simplify(a - b) == 0` makes, for the trees the LaTeX reader builds: identical terms cancel
 * on subtraction (so huge values compare equal to themselves without being computed), symbol-free values are
 * compared exactly where sympy is exact and in double precision where it has Floats, and everything else is
 * decided at fixed sample points with complex values (sympy's symbols are complex).
 */
import { type Expr, flatten, freeSymbols, key, some } from './expr.ts';
import { exactValue, TooLargeError } from './exact.ts';
import { mixedEqual, mixedValue } from './floats.ts';
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
const TOLERANCE = 1e-9;

function sampleEnv(symbols: string[], trial: number): Map<string, Complex> {
  const env = new Map<string, Complex>();
  symbols.forEach((s, j) => env.set(s, SAMPLES[(trial * 3 + j * 5) % SAMPLES.length]!));
  return env;
}

function close(a: Complex, b: Complex): boolean {
  const scale = Math.max(1, complexAbs(a), complexAbs(b));
  return Math.abs(a[0] - b[0]) <= TOLERANCE * scale && Math.abs(a[1] - b[1]) <= TOLERANCE * scale;
}
const finite = (v: Complex): boolean => Number.isFinite(v[0]) && Number.isFinite(v[1]);

/** Additive terms left after cancelling identical terms of `a` against terms of `b`. */
function cancelTerms(a: Expr, b: Expr): [Expr[], Expr[]] {
  const left = flatten(a, 'add');
  const right = flatten(b, 'add');
  const rightKeys = right.map(key);
  const keptLeft: Expr[] = [];
  for (const t of left) {
    const j = rightKeys.indexOf(key(t));
    if (j >= 0) {
      rightKeys[j] = '\u0000';
    } else keptLeft.push(t);
  }
  return [keptLeft, right.filter((_, j) => rightKeys[j] !== '\u0000')];
}

const sum = (terms: Expr[]): Expr => (terms.length === 1 ? terms[0]! : { k: 'add', args: terms });
const ZERO: Expr = { k: 'rat', v: Q.ZERO };

/** Whether sympy would find `simplify(a - b) == 0`. */
export function isZeroDifference(a: Expr, b: Expr): ZeroVerdict {
  if (a.k === 'rel' || b.k === 'rel') return { equal: false, reason: 'relation: cannot subtract' };
  if (some(a, (n) => n.k === 'inf') || some(b, (n) => n.k === 'inf')) return { equal: false, reason: 'infinite: oo - oo is nan' };
  const [ta, tb] = cancelTerms(a, b);
  if (ta.length === 0 && tb.length === 0) return { equal: true };
  const left = ta.length ? sum(ta) : ZERO;
  const right = tb.length ? sum(tb) : ZERO;
  const opaque = [left, right].map((e) => (some(e, (n) => n.k === 'opaque') ? e : null)).find((e) => e);
  if (opaque) return { equal: false, reason: 'unsupported construct' };
  // sympy keeps a Float exponent apart from a rational one (x**0.5 is not sqrt(x)); only identical terms cancel.
  const floatExponent = (e: Expr): boolean => some(e, (n) => n.k === 'pow' && some(n.exp, (m) => m.k === 'float'));
  if (floatExponent(left) || floatExponent(right)) return { equal: false };
  const symbols = [...new Set([...freeSymbols(left), ...freeSymbols(right)])].sort();
  try {
    if (symbols.length === 0) return constantsEqual(left, right);
  } catch (e) {
    if (e instanceof TooLargeError) return { equal: false, reason: `too large: ${e.message}` };
    throw e;
  }
  let finiteTrials = 0;
  for (let t = 0; t < TRIALS; t++) {
    const env = sampleEnv(symbols, t);
    const va = evaluateComplex(left, env);
    const vb = evaluateComplex(right, env);
    if (!finite(va) || !finite(vb)) continue;
    finiteTrials++;
    if (!close(va, vb)) return { equal: false };
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
    const ma = mixedValue(left, bits);
    const mb = mixedValue(right, bits);
    if (ma !== null && mb !== null) return { equal: mixedEqual(ma, mb, bits) };
    // An irrational value and a Float never cancel in simplify (sqrt(2) - 1.414... stays as it is).
    return { equal: false };
  }
  const va = evaluateComplex(left, new Map());
  const vb = evaluateComplex(right, new Map());
  if (!finite(va) || !finite(vb)) return { equal: false, reason: 'not a finite number' };
  return { equal: close(va, vb) };
}
