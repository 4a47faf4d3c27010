/**
 * Equality of two scalar expressions the way Math-Verify decides it: when either side is a bare Float (or a
 * percentage of one) both are rounded to 6 decimals; otherwise exact rational values are compared exactly, and
 * anything else is compared as functions, at fixed sample points for its symbols, where sympy would subtract,
 * evaluate to 15 digits and simplify.
 */
import { type Node, freeSymbols } from './ast.ts';
import { type Complex, type Rat, exactValue, numericValue } from './evaluate.ts';

const FLOAT_DECIMALS = 6n;
// Real sample points (symbols are real in Math-Verify's parses), of both signs and irrational-looking.
const SAMPLES = [0.7236, -1.4142, 2.3719, 0.3183, -0.5772];

const isNumberAtom = (x: Node): boolean => x.t === 'num' || (x.t === 'pct' && x.arg.t === 'num');
const isFloatAtom = (x: Node): boolean => (x.t === 'num' && x.float) || (x.t === 'pct' && x.arg.t === 'num' && x.arg.float);

/** The exact rational value of a double. */
function doubleToRat(v: number): Rat {
  if (!Number.isFinite(v)) throw new Error('not finite');
  if (Number.isInteger(v)) return { n: BigInt(v), d: 1n };
  let d = 1n;
  let x = v;
  while (!Number.isInteger(x)) {
    x *= 2;
    d *= 2n;
  }
  return { n: BigInt(x), d };
}

/** round(value, 6) as an integer count of millionths, ties to even. */
function millionths(r: Rat): bigint {
  const scale = 10n ** FLOAT_DECIMALS;
  const num = r.n * scale;
  let q = num / r.d;
  let rem = num % r.d;
  if (rem < 0n) {
    q -= 1n;
    rem += r.d;
  }
  const twice = rem * 2n;
  if (twice > r.d || (twice === r.d && q % 2n !== 0n)) q += 1n;
  return q;
}

/** The value sympy rounds: a Float's binary value, a rational's exact value, else the evaluated double. */
function roundingValue(x: Node): Rat | null {
  const base = x.t === 'pct' ? x.arg : x;
  if (base.t === 'num' && base.float) {
    const v = doubleToRat(Number(base.n) / Number(base.d));
    return x.t === 'pct' ? { n: v.n, d: v.d * 100n } : v;
  }
  const exact = exactValue(x);
  if (exact) return exact;
  const v = numericValue(x, new Map());
  if (!v || Math.abs(v[1]) > 1e-12) return null;
  return doubleToRat(v[0]);
}

function close(a: Complex, b: Complex, rel: number): boolean {
  const scale = Math.max(1, Math.hypot(a[0], a[1]), Math.hypot(b[0], b[1]));
  return Math.hypot(a[0] - b[0], a[1] - b[1]) <= rel * scale;
}

function hasFloat(x: Node): boolean {
  if (x.t === 'num') return x.float;
  return Object.values(x).some((v) =>
    Array.isArray(v) ? v.some((e) => (Array.isArray(e) ? e.some(hasFloat) : typeof e === 'object' && hasFloat(e as Node))) : typeof v === 'object' && v !== null && hasFloat(v as Node),
  );
}

/** True when the two expressions agree as functions of their symbols (the subtract-and-simplify test). */
export function sameFunction(a: Node, b: Node): boolean {
  const withFloats = hasFloat(a) || hasFloat(b);
  const exactA = withFloats ? null : exactValue(a);
  const exactB = withFloats ? null : exactValue(b);
  if (exactA && exactB) return exactA.n * exactB.d === exactB.n * exactA.d;
  const symbols = [...freeSymbols(a), ...freeSymbols(b)].filter((s, i, all) => all.indexOf(s) === i).sort();
  const rounds = symbols.length === 0 ? 1 : 3;
  let compared = 0;
  for (let k = 0; k < rounds; k++) {
    const env = new Map(symbols.map((s, i) => [s, SAMPLES[(i + k * 2) % SAMPLES.length]! * (1 + 0.137 * k)]));
    const va = numericValue(a, env);
    const vb = numericValue(b, env);
    if (!va || !vb) {
      if (va || vb) return false;
      continue;
    }
    // With a decimal inside, sympy works in 53-bit floats and needs the difference to vanish exactly
    // (`3/5.` is not 3/5 there); exact-only expressions are compared to 15 digits.
    if (withFloats ? va[0] !== vb[0] || va[1] !== vb[1] : !close(va, vb, 1e-11)) return false;
    compared++;
  }
  return compared > 0;
}

// sympy's `(a - b).evalf(15, chop=True) == 0` chops a difference below 2^-54 in absolute value to zero.
const CHOP = 2 ** -54;

export function scalarEqual(a: Node, b: Node): boolean {
  if (isNumberAtom(a) || isNumberAtom(b)) {
    if (isFloatAtom(a) || isFloatAtom(b)) {
      const ra = roundingValue(a);
      const rb = roundingValue(b);
      if (ra && rb && millionths(ra) === millionths(rb)) return true;
    }
  } else if (freeSymbols(a).size === 0 && freeSymbols(b).size === 0) {
    const va = numericValue(a, new Map());
    const vb = numericValue(b, new Map());
    if (va && vb && Math.hypot(va[0] - vb[0], va[1] - vb[1]) < CHOP) return true;
  }
  return sameFunction(a, b);
}
