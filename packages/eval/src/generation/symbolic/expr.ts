/**
 * Expression trees with the shapes sympy's LaTeX converter builds. Nodes are plain immutable objects; nothing is
 * simplified on construction, so a tree says what the input said (which is what decides auto-cancellation).
 */
import type { Rational } from './rational.ts';

/** Functions with known semantics; anything else is an undefined function applied to arguments (`f(x)`). */
export type KnownFunction =
  | 'sin' | 'cos' | 'tan' | 'csc' | 'sec' | 'cot'
  | 'asin' | 'acos' | 'atan' | 'acsc' | 'asec' | 'acot'
  | 'sinh' | 'cosh' | 'tanh' | 'asinh' | 'acosh' | 'atanh'
  | 'exp' | 'log' | 'abs' | 'floor' | 'ceiling' | 'factorial' | 'binomial' | 'conjugate';

export type RelationOp = '=' | '<' | '<=' | '>' | '>=' | '!=';

export type Expr =
  /** An exact rational (sympy Integer / Rational). */
  | { readonly k: 'rat'; readonly v: Rational }
  /** A binary float (sympy Float); `prec` is its precision in bits (53 for up to 15 significant digits). */
  | { readonly k: 'float'; readonly v: number; readonly exact: Rational; readonly prec: number }
  | { readonly k: 'sym'; readonly name: string }
  /** sympy's oo (`\infty`); negation is a product with -1. */
  | { readonly k: 'inf' }
  | { readonly k: 'add'; readonly args: readonly Expr[] }
  | { readonly k: 'mul'; readonly args: readonly Expr[] }
  | { readonly k: 'pow'; readonly base: Expr; readonly exp: Expr }
  | { readonly k: 'fn'; readonly name: KnownFunction; readonly args: readonly Expr[] }
  /** An undefined function (`f(x)`, or `x(x+1)` which sympy reads as a call). */
  | { readonly k: 'apply'; readonly name: string; readonly args: readonly Expr[] }
  | { readonly k: 'rel'; readonly op: RelationOp; readonly lhs: Expr; readonly rhs: Expr }
  /** Integrals, sums, limits, derivatives, bras and kets: kept whole, compared only structurally. */
  | { readonly k: 'opaque'; readonly kind: string; readonly args: readonly Expr[] };

export const ratExpr = (v: Rational): Expr => ({ k: 'rat', v });
export const symbol = (name: string): Expr => ({ k: 'sym', name });
export const INFINITY: Expr = { k: 'inf' };
export const add = (...args: Expr[]): Expr => ({ k: 'add', args });
export const mul = (...args: Expr[]): Expr => ({ k: 'mul', args });
export const pow = (base: Expr, exp: Expr): Expr => ({ k: 'pow', base, exp });
export const fn = (name: KnownFunction, ...args: Expr[]): Expr => ({ k: 'fn', name, args });
export const apply = (name: string, args: Expr[]): Expr => ({ k: 'apply', name, args });
export const relation = (op: RelationOp, lhs: Expr, rhs: Expr): Expr => ({ k: 'rel', op, lhs, rhs });
export const opaque = (kind: string, args: Expr[]): Expr => ({ k: 'opaque', kind, args });

const ratText = (v: Rational): string => (v.d === 1n ? v.n.toString() : `${v.n}/${v.d}`);

/**
 * A canonical text: sums and products are order-free (their operands are sorted), so two trees with the same key
 * are the same expression to sympy's auto-evaluation. Also used to name subscripted symbols (`x_{n+1}`).
 */
export function key(e: Expr): string {
  let k = keyCache.get(e);
  if (k === undefined) keyCache.set(e, (k = computeKey(e)));
  return k;
}

// Trees are immutable, so their texts can be remembered (deep products would otherwise cost quadratic time).
const keyCache = new WeakMap<Expr, string>();
const rawKeyCache = new WeakMap<Expr, string>();

function computeKey(e: Expr): string {
  switch (e.k) {
    case 'rat':
      return ratText(e.v);
    case 'float':
      return `f${ratText(e.exact)}@${e.prec}`;
    case 'sym':
      return e.name;
    case 'inf':
      return 'oo';
    case 'add':
      return `(${flatten(e, 'add').map(key).sort().join(' + ')})`;
    case 'mul':
      return `(${flatten(e, 'mul').map(key).sort().join('*')})`;
    case 'pow':
      return `${key(e.base)}**${key(e.exp)}`;
    case 'fn':
    case 'apply':
      return `${e.name}(${e.args.map(key).join(', ')})`;
    case 'rel':
      return `${key(e.lhs)} ${e.op} ${key(e.rhs)}`;
    case 'opaque':
      return `${e.kind}[${e.args.map(key).join(', ')}]`;
  }
}

/** A structural text that keeps operand order and nesting, as sympy's equality of unevaluated trees does. */
export function rawKey(e: Expr): string {
  let k = rawKeyCache.get(e);
  if (k === undefined) rawKeyCache.set(e, (k = computeRawKey(e)));
  return k;
}

function computeRawKey(e: Expr): string {
  switch (e.k) {
    case 'add':
      return `Add(${e.args.map(rawKey).join(', ')})`;
    case 'mul':
      return `Mul(${e.args.map(rawKey).join(', ')})`;
    case 'pow':
      return `Pow(${rawKey(e.base)}, ${rawKey(e.exp)})`;
    case 'fn':
    case 'apply':
      return `${e.name}(${e.args.map(rawKey).join(', ')})`;
    case 'opaque':
      return `${e.kind}[${e.args.map(rawKey).join(', ')}]`;
    default:
      return key(e);
  }
}

/** Operands of nested sums (or products), as sympy's flattening sees them. */
export function flatten(e: Expr, kind: 'add' | 'mul'): Expr[] {
  const out: Expr[] = [];
  // Iterative, operands in order: long products nest as deep as the input is long.
  const stack: Expr[] = [e];
  while (stack.length) {
    const n = stack.pop()!;
    if (n.k === kind) for (let i = n.args.length - 1; i >= 0; i--) stack.push(n.args[i]!);
    else out.push(n);
  }
  return out;
}

/** Whether any node satisfies the predicate. */
export function some(e: Expr, p: (e: Expr) => boolean): boolean {
  if (p(e)) return true;
  switch (e.k) {
    case 'add':
    case 'mul':
    case 'fn':
    case 'apply':
    case 'opaque':
      return e.args.some((a) => some(a, p));
    case 'pow':
      return some(e.base, p) || some(e.exp, p);
    case 'rel':
      return some(e.lhs, p) || some(e.rhs, p);
    default:
      return false;
  }
}

/** Symbol names in the tree (sorted, so callers iterate deterministically). */
export function freeSymbols(e: Expr): string[] {
  const names = new Set<string>();
  some(e, (n) => {
    if (n.k === 'sym') names.add(n.name);
    return false;
  });
  return [...names].sort();
}

/** Replaces every subtree whose key is `target` (a symbol name, or any canonical text) by `value`. */
export function substitute(e: Expr, target: string, value: Expr): Expr {
  if (key(e) === target) return value;
  switch (e.k) {
    case 'add':
    case 'mul':
    case 'fn':
    case 'apply':
    case 'opaque':
      return { ...e, args: e.args.map((a) => substitute(a, target, value)) } as Expr;
    case 'pow':
      return { k: 'pow', base: substitute(e.base, target, value), exp: substitute(e.exp, target, value) };
    case 'rel':
      return { ...e, lhs: substitute(e.lhs, target, value), rhs: substitute(e.rhs, target, value) };
    default:
      return e;
  }
}
