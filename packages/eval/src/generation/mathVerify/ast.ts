/**
 * The values Math-Verify compares, as a small tree: numbers are exact rationals (a decimal keeps its `float` mark,
 * since sympy treats Floats apart), symbols are names, and sets, tuples, intervals, relations and matrices are
 * their own nodes. Nodes are plain immutable objects, built fresh per call.
 */
export type Node =
  | { t: 'num'; n: bigint; d: bigint; float: boolean }
  | { t: 'sym'; name: string }
  | { t: 'const'; name: 'pi' | 'E' | 'I' | 'oo' }
  | { t: 'add'; args: Node[] }
  | { t: 'mul'; args: Node[] }
  | { t: 'pow'; base: Node; exp: Node }
  | { t: 'fn'; name: string; args: Node[] }
  /** sympy's unevaluated Mul(x, 1/100) for a percentage. */
  | { t: 'pct'; arg: Node }
  | { t: 'rel'; op: RelOp; lhs: Node; rhs: Node }
  | { t: 'and'; args: Node[] }
  | { t: 'set'; elems: Node[] }
  | { t: 'tuple'; elems: Node[] }
  | { t: 'interval'; lo: Node; hi: Node; lopen: boolean; ropen: boolean }
  | { t: 'union'; args: Node[] }
  | { t: 'setop'; op: 'intersection' | 'complement'; args: Node[] }
  | { t: 'named'; name: 'Reals' | 'Integers' | 'Naturals' | 'Rationals' | 'Complexes' | 'EmptySet' }
  | { t: 'matrix'; rows: Node[][] };

export type RelOp = '=' | '<' | '<=' | '>' | '>=' | '!=';

export const isSetLike = (x: Node): boolean =>
  x.t === 'set' || x.t === 'interval' || x.t === 'union' || x.t === 'setop' || x.t === 'named';

function gcd(a: bigint, b: bigint): bigint {
  a = a < 0n ? -a : a;
  b = b < 0n ? -b : b;
  while (b) [a, b] = [b, a % b];
  return a;
}

export function num(n: bigint, d = 1n, float = false): Node {
  if (d === 0n) throw new Error('division by zero');
  if (d < 0n) {
    n = -n;
    d = -d;
  }
  const g = gcd(n, d) || 1n;
  return { t: 'num', n: n / g, d: d / g, float };
}

/** A decimal literal (`12`, `0.25`, `1.5E3`) as an exact rational; `float` says whether sympy would make a Float. */
export function parseDecimal(text: string): Node {
  const m = /^(\d*)(?:\.(\d+))?(?:[eE]([+-]?\d+))?$/.exec(text);
  if (!m) throw new Error('bad number');
  const whole = m[1] ?? '';
  const frac = m[2] ?? '';
  const expo = Number(m[3] ?? '0');
  if (Math.abs(expo) > 400 || whole.length + frac.length > 400) throw new Error('number too large');
  let n = BigInt((whole + frac) || '0');
  let d = 10n ** BigInt(frac.length);
  if (expo > 0) n *= 10n ** BigInt(expo);
  if (expo < 0) d *= 10n ** BigInt(-expo);
  return num(n, d, m[2] !== undefined || m[3] !== undefined);
}

export const ONE = num(1n);
export const MINUS_ONE = num(-1n);

export function neg(x: Node): Node {
  if (x.t === 'num') return { ...x, n: -x.n };
  return { t: 'mul', args: [MINUS_ONE, x] };
}

/** Structural equality of two trees (sympy's `==` on the unevaluated objects, up to argument order of + and ×). */
export function same(a: Node, b: Node): boolean {
  if (a.t !== b.t) return false;
  switch (a.t) {
    case 'num': {
      const o = b as typeof a;
      return a.n === o.n && a.d === o.d && a.float === o.float;
    }
    case 'sym':
    case 'const':
    case 'named':
      return a.name === (b as typeof a).name;
    case 'add':
    case 'mul':
    case 'union':
      return sameUnordered(a.args, (b as typeof a).args);
    case 'set':
      return sameUnordered(a.elems, (b as typeof a).elems);
    case 'tuple':
      return sameList(a.elems, (b as typeof a).elems);
    case 'pow':
      return same(a.base, (b as typeof a).base) && same(a.exp, (b as typeof a).exp);
    case 'fn':
      return a.name === (b as typeof a).name && sameList(a.args, (b as typeof a).args);
    case 'pct':
      return same(a.arg, (b as typeof a).arg);
    case 'rel': {
      const o = b as typeof a;
      return a.op === o.op && same(a.lhs, o.lhs) && same(a.rhs, o.rhs);
    }
    case 'and':
      return sameList(a.args, (b as typeof a).args);
    case 'setop':
      return a.op === (b as typeof a).op && sameList(a.args, (b as typeof a).args);
    case 'interval': {
      const o = b as typeof a;
      return a.lopen === o.lopen && a.ropen === o.ropen && same(a.lo, o.lo) && same(a.hi, o.hi);
    }
    case 'matrix': {
      const o = b as typeof a;
      return a.rows.length === o.rows.length && a.rows.every((r, i) => sameList(r, o.rows[i]!));
    }
  }
}

function sameList(a: Node[], b: Node[]): boolean {
  return a.length === b.length && a.every((x, i) => same(x, b[i]!));
}

function sameUnordered(a: Node[], b: Node[]): boolean {
  if (a.length !== b.length) return false;
  const used = new Array<boolean>(b.length).fill(false);
  return a.every((x) => {
    const j = b.findIndex((y, k) => !used[k] && same(x, y));
    if (j < 0) return false;
    used[j] = true;
    return true;
  });
}

export function freeSymbols(x: Node, out = new Set<string>()): Set<string> {
  switch (x.t) {
    case 'sym':
      out.add(x.name);
      break;
    case 'num':
    case 'const':
    case 'named':
      break;
    case 'pow':
      freeSymbols(x.base, out);
      freeSymbols(x.exp, out);
      break;
    case 'pct':
      freeSymbols(x.arg, out);
      break;
    case 'rel':
      freeSymbols(x.lhs, out);
      freeSymbols(x.rhs, out);
      break;
    case 'interval':
      freeSymbols(x.lo, out);
      freeSymbols(x.hi, out);
      break;
    case 'set':
    case 'tuple':
      x.elems.forEach((e) => freeSymbols(e, out));
      break;
    case 'matrix':
      x.rows.forEach((r) => r.forEach((e) => freeSymbols(e, out)));
      break;
    default:
      x.args.forEach((e) => freeSymbols(e, out));
  }
  return out;
}

/** A short printable form for reasons and string comparisons of symbols. */
export function show(x: Node): string {
  switch (x.t) {
    case 'num':
      return x.d === 1n ? `${x.n}` : `${x.n}/${x.d}`;
    case 'sym':
    case 'const':
    case 'named':
      return x.name;
    case 'add':
      return `(${x.args.map(show).join(' + ')})`;
    case 'mul':
      return `(${x.args.map(show).join('*')})`;
    case 'pow':
      return `${show(x.base)}**${show(x.exp)}`;
    case 'fn':
      return `${x.name}(${x.args.map(show).join(', ')})`;
    case 'pct':
      return `${show(x.arg)}%`;
    case 'rel':
      return `${show(x.lhs)} ${x.op} ${show(x.rhs)}`;
    case 'and':
      return x.args.map(show).join(' & ');
    case 'set':
      return `{${x.elems.map(show).join(', ')}}`;
    case 'tuple':
      return `(${x.elems.map(show).join(', ')})`;
    case 'interval':
      return `${x.lopen ? '(' : '['}${show(x.lo)}, ${show(x.hi)}${x.ropen ? ')' : ']'}`;
    case 'union':
      return x.args.map(show).join(' U ');
    case 'setop':
      return `${x.op}(${x.args.map(show).join(', ')})`;
    case 'matrix':
      return `Matrix(${x.rows.map((r) => `[${r.map(show).join(', ')}]`).join(', ')})`;
  }
}
