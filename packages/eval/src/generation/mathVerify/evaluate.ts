/**
 * Values of expression trees: exact rationals where the tree is rational arithmetic (BigInt, with capped powers and
 * factorials), and complex floating-point values otherwise, with symbols bound to given sample points. Both return
 * null when a value cannot be had (unknown function, division by zero, a result too large to be meaningful).
 */
import type { Node } from './ast.ts';

export interface Rat {
  n: bigint;
  d: bigint;
}

const MAX_EXPONENT = 4096n;
const MAX_DIGITS = 5000;
const MAX_FACTORIAL = 500n;

function gcd(a: bigint, b: bigint): bigint {
  a = a < 0n ? -a : a;
  b = b < 0n ? -b : b;
  while (b) [a, b] = [b, a % b];
  return a;
}

function rat(n: bigint, d: bigint): Rat | null {
  if (d === 0n) return null;
  if (d < 0n) {
    n = -n;
    d = -d;
  }
  const g = gcd(n, d) || 1n;
  const r = { n: n / g, d: d / g };
  if (r.n.toString().length > MAX_DIGITS || r.d.toString().length > MAX_DIGITS) return null;
  return r;
}

function factorial(n: bigint): bigint {
  let f = 1n;
  for (let i = 2n; i <= n; i++) f *= i;
  return f;
}

/** The exact rational value, or null when the tree is not plain rational arithmetic. */
export function exactValue(x: Node): Rat | null {
  switch (x.t) {
    case 'num':
      return { n: x.n, d: x.d };
    case 'pct': {
      const v = exactValue(x.arg);
      return v && rat(v.n, v.d * 100n);
    }
    case 'add': {
      let acc: Rat | null = { n: 0n, d: 1n };
      for (const a of x.args) {
        const v = exactValue(a);
        if (!v || !acc) return null;
        acc = rat(acc.n * v.d + v.n * acc.d, acc.d * v.d);
      }
      return acc;
    }
    case 'mul': {
      // sympy's Mul with a literal 0 factor is 0 whatever the other factors are (`0x`, `\text{cm}0`).
      if (x.args.some((a) => a.t === 'num' && a.n === 0n && !a.float)) return { n: 0n, d: 1n };
      let acc: Rat | null = { n: 1n, d: 1n };
      for (const a of x.args) {
        const v = exactValue(a);
        if (!v || !acc) return null;
        acc = rat(acc.n * v.n, acc.d * v.d);
      }
      return acc;
    }
    case 'pow': {
      const b = exactValue(x.base);
      const e = exactValue(x.exp);
      if (!b || !e || e.d !== 1n) return null;
      const k = e.n < 0n ? -e.n : e.n;
      if (k > MAX_EXPONENT) return null;
      if ((b.n === 0n && e.n < 0n)) return null;
      const bits = Math.max(b.n.toString(2).length, b.d.toString(2).length);
      if (bits * Number(k) > MAX_DIGITS * 4) return null;
      return e.n < 0n ? rat(b.d ** k, b.n ** k) : rat(b.n ** k, b.d ** k);
    }
    case 'fn': {
      if (x.name === 'factorial') {
        const v = exactValue(x.args[0]!);
        if (!v || v.d !== 1n || v.n < 0n || v.n > MAX_FACTORIAL) return null;
        return { n: factorial(v.n), d: 1n };
      }
      if (x.name === 'binomial') {
        const a = exactValue(x.args[0]!);
        const b = exactValue(x.args[1]!);
        if (!a || !b || a.d !== 1n || b.d !== 1n || a.n < 0n || a.n > MAX_FACTORIAL) return null;
        if (b.n < 0n || b.n > a.n) return { n: 0n, d: 1n };
        return { n: factorial(a.n) / (factorial(b.n) * factorial(a.n - b.n)), d: 1n };
      }
      if (x.name === 'Abs') {
        const v = exactValue(x.args[0]!);
        return v && { n: v.n < 0n ? -v.n : v.n, d: v.d };
      }
      if (x.name === 'floor' || x.name === 'ceiling') {
        const v = exactValue(x.args[0]!);
        if (!v) return null;
        let q = v.n / v.d;
        if (x.name === 'floor' && v.n < 0n && q * v.d !== v.n) q -= 1n;
        if (x.name === 'ceiling' && v.n > 0n && q * v.d !== v.n) q += 1n;
        return { n: q, d: 1n };
      }
      return null;
    }
    default:
      return null;
  }
}

export type Complex = [number, number];

const cmul = (a: Complex, b: Complex): Complex => [a[0] * b[0] - a[1] * b[1], a[0] * b[1] + a[1] * b[0]];
const cdiv = (a: Complex, b: Complex): Complex | null => {
  const den = b[0] * b[0] + b[1] * b[1];
  if (den === 0) return null;
  return [(a[0] * b[0] + a[1] * b[1]) / den, (a[1] * b[0] - a[0] * b[1]) / den];
};
const clog = (a: Complex): Complex => [Math.log(Math.hypot(a[0], a[1])), Math.atan2(a[1], a[0])];
const cexp = (a: Complex): Complex => [Math.exp(a[0]) * Math.cos(a[1]), Math.exp(a[0]) * Math.sin(a[1])];

function cpow(b: Complex, e: Complex): Complex | null {
  if (b[0] === 0 && b[1] === 0) return e[0] > 0 ? [0, 0] : null;
  if (b[1] === 0 && e[1] === 0 && (b[0] > 0 || Number.isInteger(e[0]))) return [Math.pow(b[0], e[0]), 0];
  return cexp(cmul(e, clog(b)));
}

function gamma(x: number): number {
  if (x < 0.5) return Math.PI / (Math.sin(Math.PI * x) * gamma(1 - x));
  const g = 7;
  const coef = [0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059, 12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7];
  x -= 1;
  let a = coef[0]!;
  const t = x + g + 0.5;
  for (let i = 1; i < g + 2; i++) a += coef[i]! / (x + i);
  return Math.sqrt(2 * Math.PI) * Math.pow(t, x + 0.5) * Math.exp(-t) * a;
}

const REAL_FUNCS: Record<string, (v: number) => number> = {
  sin: Math.sin, cos: Math.cos, tan: Math.tan, csc: (v) => 1 / Math.sin(v), sec: (v) => 1 / Math.cos(v), cot: (v) => 1 / Math.tan(v),
  asin: Math.asin, acos: Math.acos, atan: Math.atan, acsc: (v) => Math.asin(1 / v), asec: (v) => Math.acos(1 / v), acot: (v) => Math.atan(1 / v),
  sinh: Math.sinh, cosh: Math.cosh, tanh: Math.tanh, asinh: Math.asinh, acosh: Math.acosh, atanh: Math.atanh,
  floor: Math.floor, ceiling: Math.ceil,
};

/** A complex value with symbols bound by `env` (a missing symbol makes the value unknown). */
export function numericValue(x: Node, env: Map<string, number>): Complex | null {
  const ok = (v: Complex | null): Complex | null => (v && Number.isFinite(v[0]) && Number.isFinite(v[1]) ? v : null);
  switch (x.t) {
    case 'num':
      return [Number(x.n) / Number(x.d), 0].every(Number.isFinite) ? [Number(x.n) / Number(x.d), 0] : ok([Number((x.n * 10n ** 20n) / x.d) / 1e20, 0]);
    case 'const':
      return x.name === 'pi' ? [Math.PI, 0] : x.name === 'E' ? [Math.E, 0] : x.name === 'I' ? [0, 1] : null;
    case 'sym': {
      const v = env.get(x.name);
      return v === undefined ? null : [v, 0];
    }
    case 'pct': {
      const v = numericValue(x.arg, env);
      return v && [v[0] / 100, v[1] / 100];
    }
    case 'add': {
      let acc: Complex = [0, 0];
      for (const a of x.args) {
        const v = numericValue(a, env);
        if (!v) return null;
        acc = [acc[0] + v[0], acc[1] + v[1]];
      }
      return ok(acc);
    }
    case 'mul': {
      let acc: Complex = [1, 0];
      for (const a of x.args) {
        const v = numericValue(a, env);
        if (!v) return null;
        acc = cmul(acc, v);
      }
      return ok(acc);
    }
    case 'pow': {
      const b = numericValue(x.base, env);
      const e = numericValue(x.exp, env);
      if (!b || !e) return null;
      if (b[1] === 0 && e[1] === 0 && b[0] < 0 && x.exp.t === 'num' && x.exp.d === 3n && x.exp.n === 1n) {
        // sympy's principal cube root of a negative number is complex.
        return ok(cpow(b, e));
      }
      return ok(cpow(b, e));
    }
    case 'fn':
      return ok(numericFunction(x.name, x.args, env));
    default:
      return null;
  }
}

/**
 * An undefined function `f(x)` has no value, but sympy still simplifies `0·f(x)` to 0 and `f(x) - f(x)` to 0:
 * give it a fixed, argument-dependent stand-in value so such identities hold and different calls differ.
 */
function undefinedFunction(name: string, args: Complex[]): Complex {
  let h = 0;
  for (const ch of name) h = (h * 31 + ch.charCodeAt(0)) % 1000003;
  let re = 0.5 + h / 1000003;
  let im = 0;
  args.forEach((a, i) => {
    re += Math.sin(a[0] * (i + 1.618) + h) * 0.7;
    im += Math.cos(a[1] * (i + 2.718) + h) * 0.3;
  });
  return [re, im];
}

function numericFunction(name: string, args: Node[], env: Map<string, number>): Complex | null {
  const vals = args.map((a) => numericValue(a, env));
  if (vals.some((v) => v === null)) return null;
  const v = vals as Complex[];
  const real = v.every((c) => c[1] === 0);
  switch (name) {
    case 'exp':
      return cexp(v[0]!);
    case 'log': {
      if (v[0]![0] === 0 && v[0]![1] === 0) return null;
      const top = clog(v[0]!);
      const base = clog(v[1]!);
      return cdiv(top, base);
    }
    case 'Abs':
      return [Math.hypot(v[0]![0], v[0]![1]), 0];
    case 'factorial':
      if (!real || v[0]![0] < 0 || v[0]![0] > 170) return null;
      return [gamma(v[0]![0] + 1), 0];
    case 'binomial': {
      if (!real) return null;
      const [n, k] = [v[0]![0], v[1]![0]];
      if (n > 170 || n < 0 || k < 0) return null;
      if (Number.isInteger(n) && Number.isInteger(k) && k > n) return [0, 0];
      return [gamma(n + 1) / (gamma(k + 1) * gamma(n - k + 1)), 0];
    }
    case 'Max':
    case 'Min':
      if (!real) return null;
      return [name === 'Max' ? Math.max(...v.map((c) => c[0])) : Math.min(...v.map((c) => c[0])), 0];
    case 'Mod': {
      if (!real || v[1]![0] === 0) return null;
      const m = v[1]![0];
      return [v[0]![0] - m * Math.floor(v[0]![0] / m), 0];
    }
    case 'gcd':
    case 'lcm': {
      if (!real || !v.every((c) => Number.isInteger(c[0]))) return null;
      const g = (a: number, b: number): number => (b === 0 ? Math.abs(a) : g(b, a % b));
      let acc = v[0]![0];
      for (const c of v.slice(1)) acc = name === 'gcd' ? g(acc, c[0]) : Math.abs(acc * c[0]) / (g(acc, c[0]) || 1);
      return [acc, 0];
    }
    default: {
      if (name.startsWith('apply:')) return undefinedFunction(name, v);
      const f = REAL_FUNCS[name];
      if (!f || !real || v.length !== 1) return null;
      const r = f(v[0]![0]);
      return Number.isNaN(r) ? null : [r, 0];
    }
  }
}
