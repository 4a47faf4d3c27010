/**
 * Math-Verify's `verify` on parsed values (strict mode, 6-decimal float rounding): assignments and equations are
 * reduced to their right-hand sides when only one side is an equation, structurally equal values match, relations
 * are compared as relations, sets/tuples/intervals element-wise, symbols by name, and everything else numerically
 * or symbolically. Anything that would raise in sympy counts as "not equal".
 */
import { type Node, isSetLike, same } from './ast.ts';
import { exactValue, numericValue } from './evaluate.ts';
import { onlySymbols } from './latexParse.ts';
import { sameFunction, scalarEqual } from './numericEq.ts';

type Rel = Extract<Node, { t: 'rel' }>;

const isRelation = (x: Node): boolean => x.t === 'rel' || (x.t === 'and' && x.args.length > 0 && x.args.every((a) => a.t === 'rel'));
const isEquation = (x: Node): boolean =>
  (x.t === 'rel' && x.op === '=') || (x.t === 'and' && x.args.length > 0 && x.args.every((a) => a.t === 'rel' && a.op === '='));
const firstRel = (x: Node): Rel => (x.t === 'and' ? (x.args[0] as Rel) : (x as Rel));
const lastRel = (x: Node): Rel => (x.t === 'and' ? lastRel(x.args[x.args.length - 1]!) : (x as Rel));

function symbolsOnly(x: Node): boolean {
  if (x.t === 'tuple') return x.elems.length > 0 && x.elems.every(symbolsOnly);
  return onlySymbols(x);
}

function isAssignment(x: Node): boolean {
  if (x.t === 'rel') return x.op === '=' && symbolsOnly(x.lhs);
  return isEquation(x) && x.t === 'and' && symbolsOnly(firstRel(x).lhs);
}

function realValue(x: Node): number | null {
  if (x.t === 'const' && x.name === 'oo') return Infinity;
  if (x.t === 'mul' && x.args.length === 2 && x.args[0]!.t === 'num' && x.args[0]!.n === -1n && x.args[1]!.t === 'const' && x.args[1]!.name === 'oo') return -Infinity;
  const e = exactValue(x);
  if (e) return Number(e.n) / Number(e.d);
  const v = numericValue(x, new Map());
  return v && Math.abs(v[1]) < 1e-12 ? v[0] : null;
}

/** What sympy's Interval constructor turns a parsed interval into: a tuple when reversed, a point, or empty. */
function settleInterval(x: Node): Node {
  if (x.t !== 'interval') return x;
  const lo = realValue(x.lo);
  const hi = realValue(x.hi);
  if (lo === null || hi === null) return x;
  if ((x.lopen && x.ropen && hi <= lo) || (!x.lopen && !x.ropen && hi < lo)) return { t: 'tuple', elems: [x.lo, x.hi] };
  if (hi < lo || (hi === lo && (x.lopen || x.ropen))) return { t: 'named', name: 'EmptySet' };
  if (hi === lo) return { t: 'set', elems: [x.lo] };
  return x;
}

/** A one-symbol inequality (or chain) with numeric bounds as the interval it describes, else null. */
function relationAsSet(x: Node): Node | null {
  const rels = x.t === 'and' ? x.args : [x];
  let lo: Node = { t: 'mul', args: [{ t: 'num', n: -1n, d: 1n, float: false }, { t: 'const', name: 'oo' }] };
  let hi: Node = { t: 'const', name: 'oo' };
  let lopen = true;
  let ropen = true;
  let symbol: string | null = null;
  for (const r of rels) {
    if (r.t !== 'rel' || r.op === '=' || r.op === '!=') return null;
    let op = r.op;
    let bound = r.rhs;
    let s = r.lhs;
    if (s.t !== 'sym') {
      [s, bound] = [r.rhs, r.lhs];
      op = op === '<' ? '>' : op === '<=' ? '>=' : op === '>' ? '<' : '<=';
    }
    if (s.t !== 'sym' || (symbol !== null && s.name !== symbol) || realValue(bound) === null) return null;
    symbol = s.name;
    if (op === '<' || op === '<=') {
      hi = bound;
      ropen = op === '<';
    } else {
      lo = bound;
      lopen = op === '>';
    }
  }
  return settleInterval({ t: 'interval', lo, hi, lopen, ropen });
}

function sortKey(x: Node): [number, number, string] {
  // sympy sorts an assignment (`x = 2`, `x = y = 2`) by its last right-hand side.
  const v = realValue(isAssignment(x) ? lastRel(x).rhs : x);
  return v === null ? [1, 0, JSON.stringify(x, (_, y: unknown) => (typeof y === 'bigint' ? y.toString() : y))] : [0, v, ''];
}

function sorted(xs: Node[]): Node[] {
  return [...xs].sort((a, b) => {
    const ka = sortKey(a);
    const kb = sortKey(b);
    return ka[0] - kb[0] || ka[1] - kb[1] || (ka[2] < kb[2] ? -1 : ka[2] > kb[2] ? 1 : 0);
  });
}

function dedupe(xs: Node[]): Node[] {
  return xs.filter((x, i) => xs.findIndex((y) => same(x, y)) === i);
}

function compareElementwise(gold: Node, pred: Node): boolean {
  const gEl = gold.t === 'set' ? dedupe(gold.elems) : (gold as { elems: Node[] }).elems;
  const pEl = pred.t === 'set' ? dedupe(pred.elems) : (pred as { elems: Node[] }).elems;
  if (gEl.length !== pEl.length) return false;
  let g = gEl;
  let p = pEl;
  if (gold.t === 'set') {
    g = sorted(gEl);
    p = sorted(pEl);
  }
  return g.every((x, i) => valuesEqual(x, p[i]!));
}

/** Real-line sets made of intervals and points, compared as sets (sympy's symmetric difference is empty). */
function sameRealSet(a: Node, b: Node): boolean {
  const pieces = (x: Node): Node[] | null => {
    if (x.t === 'union') {
      const parts = x.args.map(pieces);
      return parts.some((p) => p === null) ? null : (parts.flat() as Node[]);
    }
    if (x.t === 'interval') return [x];
    if (x.t === 'set') return x.elems.every((e) => realValue(e) !== null) ? x.elems.map((e) => ({ t: 'interval', lo: e, hi: e, lopen: false, ropen: false }) as Node) : null;
    if (x.t === 'named' && x.name === 'Reals') return [{ t: 'interval', lo: { t: 'const', name: 'oo' }, hi: { t: 'const', name: 'oo' }, lopen: true, ropen: true }];
    if (x.t === 'named' && x.name === 'EmptySet') return [];
    return null;
  };
  const pa = pieces(a);
  const pb = pieces(b);
  if (!pa || !pb) return false;
  const bounds = (xs: Node[]): Array<[number, number, boolean, boolean]> | null => {
    const out: Array<[number, number, boolean, boolean]> = [];
    for (const x of xs) {
      const i = x as Extract<Node, { t: 'interval' }>;
      let lo = realValue(i.lo);
      const hi = realValue(i.hi);
      if (lo === Infinity && hi === Infinity) lo = -Infinity;
      if (lo === null || hi === null) return null;
      out.push([lo, hi, i.lopen, i.ropen]);
    }
    return out;
  };
  const ba = bounds(pa);
  const bb = bounds(pb);
  if (!ba || !bb) return false;
  const points = new Set<number>();
  for (const [lo, hi] of [...ba, ...bb]) {
    points.add(lo);
    points.add(hi);
  }
  const sortedPts = [...points].filter(Number.isFinite).sort((x, y) => x - y);
  const probes: number[] = [];
  if (sortedPts.length === 0) probes.push(0);
  else {
    probes.push(sortedPts[0]! - 1, sortedPts[sortedPts.length - 1]! + 1);
    sortedPts.forEach((p, i) => {
      probes.push(p);
      if (i + 1 < sortedPts.length) probes.push((p + sortedPts[i + 1]!) / 2);
    });
  }
  const inside = (set: Array<[number, number, boolean, boolean]>, v: number): boolean =>
    set.some(([lo, hi, lopen, ropen]) => (lopen ? v > lo : v >= lo) && (ropen ? v < hi : v <= hi));
  return probes.every((v) => inside(ba, v) === inside(bb, v));
}

function compareSets(gold: Node, pred: Node): boolean {
  const wrap = (x: Node): Node => (isSetLike(x) || x.t === 'tuple' ? x : { t: 'set', elems: [x] });
  const a = wrap(gold);
  const b = wrap(pred);
  if (a.t === 'interval' && b.t === 'interval') {
    return a.lopen === b.lopen && a.ropen === b.ropen && valuesEqual(a.lo, b.lo) && valuesEqual(a.hi, b.hi);
  }
  if (same(a, b)) return true;
  if (isSetLike(a) && isSetLike(b) && sameRealSet(a, b)) return true;
  const listy = (x: Node): boolean => x.t === 'set' || x.t === 'tuple';
  if (listy(a) && listy(b)) return compareElementwise(a, b);
  if (a.t === 'interval' && listy(b) && a.lopen && a.ropen && (b as { elems: Node[] }).elems.length === 2) {
    return compareElementwise({ t: 'tuple', elems: [a.lo, a.hi] }, b);
  }
  if (b.t === 'interval' && listy(a) && b.lopen && b.ropen && (a as { elems: Node[] }).elems.length === 2) {
    return compareElementwise(a, { t: 'tuple', elems: [b.lo, b.hi] });
  }
  return false;
}

function diff(r: Rel): Node {
  return { t: 'add', args: [r.lhs, { t: 'mul', args: [{ t: 'num', n: -1n, d: 1n, float: false }, r.rhs] }] };
}

const INVERSE: Record<string, string> = { '<': '>', '>': '<', '<=': '>=', '>=': '<=', '=': '=' };

function compareRelations(gold: Node, pred: Node): boolean {
  if (gold.t === 'and' && pred.t === 'and') {
    return gold.args.length === pred.args.length && gold.args.every((g, i) => compareRelations(g, pred.args[i]!));
  }
  if (gold.t !== 'rel' || pred.t !== 'rel') return false;
  if (gold.op === pred.op && valuesEqual(diff(gold), diff(pred))) return true;
  const inverse = INVERSE[gold.op];
  if (inverse === undefined) return false;
  if (inverse === pred.op && valuesEqual(diff(gold), { t: 'add', args: [pred.rhs, { t: 'mul', args: [{ t: 'num', n: -1n, d: 1n, float: false }, pred.lhs] }] })) return true;
  // Equations with the same solutions: for the linear and polynomial answers MATH has, proportional sides.
  if (gold.op === '=' && pred.op === '=') {
    const ratio: Node = { t: 'mul', args: [diff(gold), { t: 'pow', base: diff(pred), exp: { t: 'num', n: -1n, d: 1n, float: false } }] };
    const probe = numericValue(ratio, new Map([...freeNames(gold)].map((s, i) => [s, 0.61 + 0.29 * i])));
    if (probe && Math.abs(probe[0]) > 1e-9 && Math.abs(probe[1]) < 1e-9) {
      const constant: Node = { t: 'num', n: BigInt(Math.round(probe[0] * 1e6)), d: 1000000n, float: false };
      if (Math.abs(probe[0] * 1e6 - Math.round(probe[0] * 1e6)) < 1e-3 && sameFunction(ratio, constant)) return true;
    }
  }
  return false;
}

function freeNames(x: Node): Set<string> {
  const out = new Set<string>();
  const walk = (y: Node): void => {
    if (y.t === 'sym') out.add(y.name);
    else for (const v of Object.values(y)) if (v && typeof v === 'object') (Array.isArray(v) ? v.flat() : [v]).forEach((z) => typeof z === 'object' && z && 't' in z && walk(z as Node));
  };
  walk(x);
  return out;
}

function compareSymbols(gold: Node, pred: Node): boolean {
  const isE = (x: Node): boolean => x.t === 'const' && x.name === 'E';
  if ((gold.t === 'sym' && gold.name.toLowerCase() === 'e' && isE(pred)) || (pred.t === 'sym' && pred.name.toLowerCase() === 'e' && isE(gold))) return true;
  const concat = (m: Node): string | null =>
    m.t === 'mul' && m.args.every((a) => a.t === 'sym' || isE(a)) ? m.args.map((a) => (a.t === 'sym' ? a.name : 'e')).join('') : null;
  if (gold.t === 'sym' && pred.t === 'mul') {
    const c = concat(pred);
    if (c !== null) return gold.name.toLowerCase() === c.toLowerCase();
  }
  if (pred.t === 'sym' && gold.t === 'mul') {
    const c = concat(gold);
    if (c !== null) return pred.name.toLowerCase() === c.toLowerCase();
  }
  if (gold.t === 'sym' && pred.t === 'sym') {
    const g = gold.name.length > 1 ? gold.name.toLowerCase() : gold.name;
    const p = pred.name.length > 1 ? pred.name.toLowerCase() : pred.name;
    return g === p;
  }
  // sympy ends with str(gold) == str(pred); a symbol named like a number (`\\text{-4}`) prints as that number.
  const g = printed(gold);
  return g !== null && g === printed(pred);
}

/** sympy's str() for the atoms where it can matter here (integers, rationals, symbols); null otherwise. */
function printed(x: Node): string | null {
  if (x.t === 'sym') return x.name;
  if (x.t === 'num' && !x.float) return x.d === 1n ? `${x.n}` : `${x.n}/${x.d}`;
  return null;
}

type MatrixNode = Extract<Node, { t: 'matrix' }>;

/** A matrix expression evaluated as sympy's doit() would: scalar multiples and sums of same-shape matrices. */
function asMatrix(x: Node): MatrixNode | null {
  if (x.t === 'matrix') return x;
  if (x.t === 'mul') {
    const mats = x.args.filter((a) => asMatrix(a) !== null);
    if (mats.length !== 1) return null;
    const m = asMatrix(mats[0]!)!;
    const scalars = x.args.filter((a) => a !== mats[0]);
    return { t: 'matrix', rows: m.rows.map((r) => r.map((e) => ({ t: 'mul', args: [...scalars, e] }) as Node)) };
  }
  if (x.t === 'add') {
    const ms = x.args.map(asMatrix);
    if (ms.some((m) => m === null)) return null;
    const first = ms[0]!;
    if (ms.some((m) => m!.rows.length !== first.rows.length || m!.rows[0]!.length !== first.rows[0]!.length)) return null;
    return { t: 'matrix', rows: first.rows.map((r, i) => r.map((_, j) => ({ t: 'add', args: ms.map((m) => m!.rows[i]![j]!) }) as Node)) };
  }
  return null;
}

const containsMatrix = (x: Node): boolean =>
  x.t === 'matrix' || ((x.t === 'mul' || x.t === 'add') && x.args.some(containsMatrix)) || (x.t === 'pow' && containsMatrix(x.base));

function compareMatrices(goldIn: Node, predIn: Node): boolean {
  const gold = asMatrix(goldIn);
  const pred = asMatrix(predIn);
  if (!gold || !pred) return false;
  if (gold.rows.length !== pred.rows.length || gold.rows[0]!.length !== pred.rows[0]!.length) return false;
  return gold.rows.every((r, i) => r.every((x, j) => valuesEqual(x, pred.rows[i]![j]!)));
}

const isUndefinedValue = (x: Node): boolean => x.t === 'fn' && x.name === 'zoo';

/** sympy_expr_eq: one gold value against one predicted value. */
export function valuesEqual(goldIn: Node, predIn: Node): boolean {
  let gold = settleInterval(goldIn);
  let pred = settleInterval(predIn);
  const goldAssign = isAssignment(gold);
  const predAssign = isAssignment(pred);
  const goldEq = isEquation(gold);
  const predEq = isEquation(pred);
  if (goldAssign) gold = { t: 'rel', op: '=', lhs: firstRel(gold).lhs, rhs: lastRel(gold).rhs };
  if (predAssign) pred = { t: 'rel', op: '=', lhs: firstRel(pred).lhs, rhs: lastRel(pred).rhs };
  if (predEq && !goldEq) pred = lastRel(pred).rhs;
  else if (goldAssign && !predEq) gold = lastRel(gold).rhs;
  gold = settleInterval(gold);
  pred = settleInterval(pred);
  if (isRelation(gold) && isSetLike(pred)) gold = relationAsSet(gold) ?? gold;
  if (isUndefinedValue(gold)) return false;
  if (same(gold, pred)) return true;
  if (isRelation(gold) && isRelation(pred)) return compareRelations(gold, pred);
  if (isSetLike(gold) || isSetLike(pred) || gold.t === 'tuple' || pred.t === 'tuple') return compareSets(gold, pred);
  if (gold.t === 'sym' || pred.t === 'sym') return compareSymbols(gold, pred);
  if (containsMatrix(gold) || containsMatrix(pred)) return compareMatrices(gold, pred);
  if (isRelation(gold) || isRelation(pred) || gold.t === 'and' || pred.t === 'and') return false;
  return scalarEqual(gold, pred);
}
