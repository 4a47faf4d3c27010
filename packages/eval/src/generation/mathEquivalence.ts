/**
 * minerva_math's `is_equiv`: lm-eval parses both normalised answers with sympy's `parse_latex` and counts them
 * equal when `simplify(a - b) == 0`; anything that fails to parse or subtract is unequal. Here the Compute Engine
 * (@cortex-js/compute-engine) parses and simplifies. Where its simplifier stops short of sympy's (trigonometric
 * identities, factorials, rationalising denominators) a numeric check decides, but only for exact inputs: with a
 * decimal on either side sympy compares floats exactly, so the symbolic verdict stands. See README.md.
 */
import { ComputeEngine, type BoxedExpression } from '@cortex-js/compute-engine';

export interface MinervaEquivOptions {
  /**
   * Count identical normalised strings as equal before parsing: a named deviation, off by default. lm-eval's code
   * does not, so an answer sympy cannot parse (an interval `[2,5)`, a tuple `(1,2)`, text) scores 0 there even
   * when it matches the gold character for character; turn this on to credit such answers.
   */
  stringEqualityFirst?: boolean;
}

let engine: ComputeEngine | undefined;
function ce(): ComputeEngine {
  engine ??= new ComputeEngine();
  return engine;
}

// Heads sympy's LaTeX grammar has no rule for: lm-eval's parse fails on them, so they never compare equal.
const NON_SCALAR = new Set(['List', 'Tuple', 'Set', 'Matrix', 'Interval', 'Sequence', 'Delimiter', 'String', 'Pair', 'Triple', 'Equal', 'Less', 'LessEqual', 'Greater', 'GreaterEqual', 'NotEqual', 'Element', 'Union', 'Intersection']);

function containsHead(expr: BoxedExpression, heads: Set<string>): boolean {
  if (heads.has(expr.operator)) return true;
  return (expr.ops ?? []).some((op) => containsHead(op, heads));
}

/** What sympy's parse_latex also accepts: one scalar expression, without parse errors. */
function parseScalar(latex: string): BoxedExpression | null {
  // sympy's grammar reads \dfrac and \tfrac as \frac, and a bare digit as a \frac argument (`\frac{\sqrt{6}}3`);
  // the Compute Engine reads neither.
  const source = latex
    .replaceAll('\\dfrac', '\\frac')
    .replaceAll('\\tfrac', '\\frac')
    .replace(/\\frac(\d)(\d)/g, '\\frac{$1}{$2}')
    .replace(/\\frac(\d)\{/g, '\\frac{$1}{')
    .replace(/(\\frac\{(?:[^{}]|\{[^{}]*\})*\})(\d)/g, '$1{$2}');
  if (source.trim() === '') return null;
  let expr: BoxedExpression;
  try {
    expr = ce().parse(source);
  } catch {
    return null;
  }
  if (!expr.isValid || containsHead(expr, NON_SCALAR)) return null;
  return expr;
}

// Fixed sample points, so verdicts are reproducible run to run.
const SAMPLE_POINTS = [0.5377, 1.8339, -2.2588, 0.8622];

function numericValue(expr: BoxedExpression): { re: number; im: number } | null {
  const n = expr.N();
  if (!n.isNumberLiteral) return null;
  const re = n.re;
  const im = n.im;
  if (!Number.isFinite(re) || !Number.isFinite(im)) return null;
  return { re, im };
}

function closeEnough(a: { re: number; im: number }, b: { re: number; im: number }): boolean {
  const scale = Math.max(1, Math.abs(a.re), Math.abs(b.re), Math.abs(a.im), Math.abs(b.im));
  return Math.abs(a.re - b.re) <= 1e-12 * scale && Math.abs(a.im - b.im) <= 1e-12 * scale;
}

/** Equal at every sample point of their unknowns (or as constants when there are none). */
function numericallyEqual(a: BoxedExpression, b: BoxedExpression): boolean {
  const unknowns = [...new Set([...a.unknowns, ...b.unknowns])];
  const points = unknowns.length === 0 ? [0] : SAMPLE_POINTS;
  for (let p = 0; p < points.length; p++) {
    const subs: Record<string, BoxedExpression> = {};
    unknowns.forEach((u, i) => (subs[u] = ce().number(SAMPLE_POINTS[(p + i) % SAMPLE_POINTS.length]!)));
    const va = numericValue(unknowns.length ? a.subs(subs) : a);
    const vb = numericValue(unknowns.length ? b.subs(subs) : b);
    if (!va || !vb || !closeEnough(va, vb)) return false;
  }
  return true;
}

const HAS_DECIMAL = /\d\.\d|(^|[^\d])\.\d|\d\.($|[^\d])/;

/** A minerva equivalence verdict; `reason` says why a pair was not compared (unparseable, error, time limit). */
export interface EquivalenceVerdict {
  equal: boolean;
  reason?: string;
}

export function minervaEquivalence(x1: string, x2: string, options: MinervaEquivOptions = {}): EquivalenceVerdict {
  return { equal: minervaIsEquiv(x1, x2, options) };
}

export function minervaIsEquiv(x1: string, x2: string, options: MinervaEquivOptions = {}): boolean {
  if ((options.stringEqualityFirst ?? false) && x1 === x2) return true;
  const a = parseScalar(x1);
  const b = parseScalar(x2);
  if (!a || !b) return false;
  // sympy makes every letter a Symbol, so `N - N` is 0; the Compute Engine types some letters as library
  // functions (N, D) and cannot subtract those, so identical parses of such letters count as equal. Numbers go
  // through the subtraction, where, as in sympy, oo - oo is no zero.
  if (a.isNumber !== true && a.isSame(b)) return true;
  if (a.isNumber === false || b.isNumber === false) return false;
  let diff: BoxedExpression;
  try {
    diff = ce().box(['Subtract', a, b]).simplify();
  } catch {
    return false;
  }
  if (diff.is(0)) return true;
  if (HAS_DECIMAL.test(x1) || HAS_DECIMAL.test(x2)) return false;
  try {
    return numericallyEqual(a, b);
  } catch {
    return false;
  }
}
