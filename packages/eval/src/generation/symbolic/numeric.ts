/**
 * Complex double evaluation with principal branches (sympy's symbols are complex), used to decide identities at
 * fixed sample points. Undefined functions get a fixed pseudo-random value per name, so `f(x)` equals only `f(x)`.
 */
import type { Expr } from './expr.ts';
import { toNumber } from './rational.ts';

export type Complex = readonly [number, number];

const NAN: Complex = [NaN, NaN];
const c = (re: number, im = 0): Complex => [re, im];
const add = (a: Complex, b: Complex): Complex => [a[0] + b[0], a[1] + b[1]];
const mul = (a: Complex, b: Complex): Complex => [a[0] * b[0] - a[1] * b[1], a[0] * b[1] + a[1] * b[0]];
function div(a: Complex, b: Complex): Complex {
  const d = b[0] * b[0] + b[1] * b[1];
  if (d === 0) return NAN;
  return [(a[0] * b[0] + a[1] * b[1]) / d, (a[1] * b[0] - a[0] * b[1]) / d];
}
const abs = (a: Complex): number => Math.hypot(a[0], a[1]);
const log = (a: Complex): Complex => (a[0] === 0 && a[1] === 0 ? NAN : [Math.log(abs(a)), Math.atan2(a[1], a[0])]);
const exp = (a: Complex): Complex => {
  const m = Math.exp(a[0]);
  return [m * Math.cos(a[1]), m * Math.sin(a[1])];
};
const I: Complex = [0, 1];
const ONE: Complex = [1, 0];
const isReal = (a: Complex): boolean => Math.abs(a[1]) <= 1e-12 * Math.max(1, Math.abs(a[0]));

function pow(a: Complex, b: Complex): Complex {
  if (b[1] === 0 && Number.isInteger(b[0]) && Math.abs(b[0]) <= 64) {
    let r = ONE;
    let base = b[0] < 0 ? div(ONE, a) : a;
    let k = Math.abs(b[0]);
    while (k > 0) {
      if (k & 1) r = mul(r, base);
      base = mul(base, base);
      k >>= 1;
    }
    return r;
  }
  if (a[0] === 0 && a[1] === 0) return b[0] > 0 ? c(0) : NAN;
  if (a[1] === 0 && a[0] > 0 && b[1] === 0) return c(Math.pow(a[0], b[0]));
  return exp(mul(b, log(a)));
}

const sin = (a: Complex): Complex => [Math.sin(a[0]) * Math.cosh(a[1]), Math.cos(a[0]) * Math.sinh(a[1])];
const cos = (a: Complex): Complex => [Math.cos(a[0]) * Math.cosh(a[1]), -Math.sin(a[0]) * Math.sinh(a[1])];
const sinh = (a: Complex): Complex => mul(c(0, -1), sin(mul(I, a)));
const cosh = (a: Complex): Complex => cos(mul(I, a));
const sqrt = (a: Complex): Complex => pow(a, c(0.5));
// Inverse functions by their principal-branch logarithmic forms.
const asin = (z: Complex): Complex => mul(c(0, -1), log(add(mul(I, z), sqrt(add(ONE, mul(z, z).map((v) => -v) as unknown as Complex)))));
const acos = (z: Complex): Complex => add(c(Math.PI / 2), asin(z).map((v) => -v) as unknown as Complex);
const atan = (z: Complex): Complex => mul(c(0, 0.5), add(log(add(ONE, mul(c(0, -1), z))), log(add(ONE, mul(I, z))).map((v) => -v) as unknown as Complex));
const asinh = (z: Complex): Complex => log(add(z, sqrt(add(mul(z, z), ONE))));
const acosh = (z: Complex): Complex => log(add(z, mul(sqrt(add(z, ONE)), sqrt(add(z, c(-1))))));
const atanh = (z: Complex): Complex => mul(c(0.5), add(log(add(ONE, z)), log(add(ONE, z.map((v) => -v) as unknown as Complex)).map((v) => -v) as unknown as Complex));

// Lanczos approximation, for factorials of non-integers.
const LANCZOS = [0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
  12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7];
function gamma(x: number): number {
  if (x < 0.5) return Math.PI / (Math.sin(Math.PI * x) * gamma(1 - x));
  x -= 1;
  let a = LANCZOS[0]!;
  const t = x + 7.5;
  for (let i = 1; i < 9; i++) a += LANCZOS[i]! / (x + i);
  return Math.sqrt(2 * Math.PI) * Math.pow(t, x + 0.5) * Math.exp(-t) * a;
}
function factorial(a: Complex): Complex {
  if (!isReal(a)) return NAN;
  const x = a[0];
  if (Number.isInteger(x)) {
    if (x < 0) return NAN;
    if (x > 170) return c(Infinity);
    let r = 1;
    for (let i = 2; i <= x; i++) r *= i;
    return c(r);
  }
  return c(gamma(x + 1));
}

function hash(text: string): number {
  let h = 2166136261;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 16777619);
  return ((h >>> 0) % 1000) / 1000;
}

function knownFunction(name: string, args: Complex[]): Complex {
  const x = args[0]!;
  switch (name) {
    case 'sin': return sin(x);
    case 'cos': return cos(x);
    case 'tan': return div(sin(x), cos(x));
    case 'csc': return div(ONE, sin(x));
    case 'sec': return div(ONE, cos(x));
    case 'cot': return div(cos(x), sin(x));
    case 'asin': return asin(x);
    case 'acos': return acos(x);
    case 'atan': return atan(x);
    case 'acsc': return asin(div(ONE, x));
    case 'asec': return acos(div(ONE, x));
    case 'acot': return atan(div(ONE, x));
    case 'sinh': return sinh(x);
    case 'cosh': return cosh(x);
    case 'tanh': return div(sinh(x), cosh(x));
    case 'asinh': return asinh(x);
    case 'acosh': return acosh(x);
    case 'atanh': return atanh(x);
    case 'exp': return exp(x);
    case 'log': return div(log(x), log(args[1]!));
    case 'abs': return c(abs(x));
    case 'floor': return isReal(x) ? c(Math.floor(x[0])) : NAN;
    case 'ceiling': return isReal(x) ? c(Math.ceil(x[0])) : NAN;
    case 'conjugate': return [x[0], -x[1]];
    case 'factorial': return factorial(x);
    case 'binomial': return div(factorial(x), mul(factorial(args[1]!), factorial(add(x, args[1]!.map((v) => -v) as unknown as Complex))));
    default: return NAN;
  }
}

/** The value at the given symbol values; NaN parts when undefined there or not evaluable. */
export function evaluateComplex(e: Expr, env: ReadonlyMap<string, Complex>): Complex {
  switch (e.k) {
    case 'rat':
      return c(toNumber(e.v));
    case 'float':
      return c(e.v);
    case 'sym':
      return env.get(e.name) ?? NAN;
    case 'inf':
      return NAN;
    case 'add':
      return e.args.reduce<Complex>((acc, a) => add(acc, evaluateComplex(a, env)), c(0));
    case 'mul':
      return e.args.reduce<Complex>((acc, a) => mul(acc, evaluateComplex(a, env)), ONE);
    case 'pow':
      return pow(evaluateComplex(e.base, env), evaluateComplex(e.exp, env));
    case 'fn':
      return knownFunction(e.name, e.args.map((a) => evaluateComplex(a, env)));
    case 'apply':
    case 'opaque': {
      // A fixed smooth function per name and arity: equal calls agree, different ones almost surely do not.
      // Integrals, sums and limits are not computed; they compare like undefined functions of their parts.
      const name = e.k === 'apply' ? e.name : `\u0000${e.kind}`;
      let acc: Complex = c(hash(name) + 0.5);
      e.args.forEach((a, i) => {
        const v = evaluateComplex(a, env);
        acc = add(acc, mul(c(hash(`${name}#${i}`) + 0.25), sin(add(v, c(i + 0.3)))));
      });
      return acc;
    }
    default:
      return NAN;
  }
}

export const complexAbs = abs;
