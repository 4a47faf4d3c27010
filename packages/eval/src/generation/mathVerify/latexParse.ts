/**
 * latex2sympy2_extended's top level: an answer is tried as `name = elements` / `name \in elements`, then as a list
 * of elements (comma/semicolon separated; each a ±-pair, a set atom or a relation), then as a set expression
 * (unions, intersections, differences of intervals, tuples and braces). The first reading that covers the whole
 * input wins, as the grammar's lowest alternative does. `1,234`-style input alone is a number.
 */
import { type Node, type RelOp, neg, num, parseDecimal } from './ast.ts';
import { Cursor, ExprParser } from './latexExpr.ts';
import { tokenize } from './latexTokens.ts';

export const MAX_LATEX_LENGTH = 4000;

const COMMA_NUMBER = /^\s*-?\d{1,3}(,\d{3})+(\.\d+)?\s*$/;

const REL_TOKENS: Record<string, RelOp | 'approx' | 'in'> = {
  '=': '=', '==': '=', equiv: '=', '<': '<', lt: '<', '<=': '<=', leq: '<=', le: '<=', leqslant: '<=',
  '>': '>', gt: '>', '>=': '>=', geq: '>=', ge: '>=', geqslant: '>=', '!=': '!=', ne: '!=', neq: '!=',
  approx: 'approx', in: 'in',
};

const OPEN_INTERVAL: Record<string, boolean> = { '[': false, '(': true, '\\(': true, lbrack: false, lgroup: true };
const CLOSE_INTERVAL: Record<string, boolean> = { ']': false, ')': true, '\\)': true, rbrack: false, rgroup: true };

function tokText(c: Cursor, offset = 0): string | undefined {
  const t = c.peek(offset);
  if (!t) return undefined;
  return t.k === 'p' || t.k === 'cmd' ? t.text : undefined;
}

function onlySymbols(x: Node): boolean {
  if (x.t === 'sym') return true;
  if (x.t === 'pow' && x.exp.t === 'num' && x.exp.n === -1n && x.exp.d === 1n) return onlySymbols(x.base);
  if (x.t === 'add' || x.t === 'mul') return x.args.length > 0 && x.args.every(onlySymbols);
  if (x.t === 'pow') return onlySymbols(x.base) && onlySymbols(x.exp);
  return false;
}

export { onlySymbols };

function setOrTuple(groups: Node[][]): Node {
  if (groups.length === 1) return groups[0]!.length === 1 ? groups[0]![0]! : { t: 'set', elems: groups[0]! };
  if (groups.every((g) => g.length === 1)) return { t: 'set', elems: groups.map((g) => g[0]!) };
  return { t: 'set', elems: groups.map((g) => ({ t: 'tuple', elems: g }) as Node) };
}

class LatexParser {
  readonly c: Cursor;
  readonly e: ExprParser;
  constructor(readonly src: string) {
    this.c = new Cursor(tokenize(src));
    this.e = new ExprParser(this.c, (raw) => parseLatexAnswer(raw));
  }

  private atEnd(terminators: string[]): boolean {
    const t = tokText(this.c);
    return this.c.peek() === undefined ? terminators.includes('EOF') : t !== undefined && terminators.includes(t);
  }

  whole(): Node {
    const c = this.c;
    const tries: Array<() => Node> = [() => this.elementsRelation(), () => this.elementsTop(), () => this.setRelation()];
    for (const f of tries) {
      c.pos = 0;
      c.depth = 0;
      const r = c.attempt(() => {
        const v = f();
        if (c.peek() !== undefined) throw new Error('trailing input');
        return v;
      });
      if (r) return r;
    }
    throw new Error('no reading covers the whole answer');
  }

  private elementsTop(): Node {
    const groups = this.semicolonElements(['EOF'], true);
    if (COMMA_NUMBER.test(this.src)) {
      let s = this.src;
      if (s.includes(',') && s.startsWith('0')) s = s.replace(/,/g, '.');
      s = s.replace(/[, ]/g, '').trim();
      const negative = s.startsWith('-');
      const v = parseDecimal(s.replace(/^-/, '').replace(/^0+(?=\d)/, ''));
      return negative ? neg(v) : v;
    }
    return setOrTuple(groups);
  }

  private atomList(): Node {
    const c = this.c;
    if (c.isP('(')) {
      c.pos++;
      const items = [this.e.atom()];
      while (c.isP(',')) {
        c.pos++;
        items.push(this.e.atom());
      }
      c.expectP(')');
      return items.length === 1 ? items[0]! : { t: 'tuple', elems: items };
    }
    return this.e.atom();
  }

  private elementsRelation(): Node {
    const c = this.c;
    const lhs = this.atomList();
    const op = tokText(c);
    if (op !== '=' && op !== 'in') throw new Error('not an assignment');
    c.pos++;
    const groups = this.semicolonElements(['EOF'], false);
    return { t: 'rel', op: '=', lhs, rhs: setOrTuple(groups) };
  }

  private semicolonElements(terminators: string[], relations: boolean): Node[][] {
    const c = this.c;
    const stops = [...terminators, ',', ';'];
    const groups: Node[][] = [this.commaElements(stops, relations)];
    while (c.isP(';')) {
      c.pos++;
      groups.push(this.commaElements(stops, relations));
    }
    return groups;
  }

  private commaElements(stops: string[], relations: boolean): Node[] {
    const c = this.c;
    const out = this.element(stops, relations);
    while (c.isP(',')) {
      c.pos++;
      out.push(...this.element(stops, relations));
    }
    return out;
  }

  /** One list element: the first alternative that ends where the element must end. */
  private element(stops: string[], relations: boolean): Node[] {
    const c = this.c;
    const ends = (): void => {
      if (!this.atEnd(stops)) throw new Error('element continues');
    };
    const pm = c.attempt(() => {
      const r = this.plusMinus();
      ends();
      return r;
    });
    if (pm) return pm;
    const atom = c.attempt(() => {
      const r = this.setAtom();
      ends();
      return r;
    });
    if (atom) return [atom];
    const r = relations ? this.relation() : this.e.expr();
    ends();
    return [r];
  }

  private plusMinus(): Node[] {
    const c = this.c;
    const isPm = (): boolean => c.isCmd('pm', 'mp');
    if (isPm()) {
      c.pos++;
      const x = this.e.expr();
      return [x.t === 'num' ? neg(x) : { t: 'mul', args: [num(-1n), x] }, x];
    }
    const a = this.e.expr();
    if (!isPm()) throw new Error('no ±');
    c.pos++;
    const b = this.e.expr();
    const nb: Node = b.t === 'num' ? neg(b) : { t: 'mul', args: [num(-1n), b] };
    return [{ t: 'add', args: [a, b] }, { t: 'add', args: [a, nb] }];
  }

  relation(): Node {
    const c = this.c;
    let left = this.e.expr();
    for (;;) {
      const t = tokText(c);
      const op = t === undefined ? undefined : REL_TOKENS[t];
      if (!op) break;
      c.pos++;
      const right = this.e.expr();
      if (op === 'in') throw new Error('membership inside a relation');
      if (op === 'approx') {
        if (left.t !== 'rel' && left.t !== 'and' && onlySymbols(left)) left = right;
        continue;
      }
      if (left.t === 'and') {
        const last = left.args[left.args.length - 1] as Extract<Node, { t: 'rel' }>;
        left = { t: 'and', args: [...left.args, { t: 'rel', op, lhs: last.rhs, rhs: right }] };
      } else if (left.t === 'rel') {
        left = { t: 'and', args: [left, { t: 'rel', op, lhs: left.rhs, rhs: right }] };
      } else left = { t: 'rel', op, lhs: left, rhs: right };
    }
    return left;
  }

  setRelation(): Node {
    const c = this.c;
    const assigned = c.attempt(() => {
      const lhs = this.atomList();
      const op = tokText(c);
      if (op !== '=' && op !== 'in' && op !== 'notin') throw new Error('no');
      c.pos++;
      const rhs = this.setRelation();
      if (op === 'notin') return { t: 'fn', name: 'NotEq', args: [lhs, rhs] } as Node;
      return { t: 'rel', op: '=', lhs, rhs } as Node;
    });
    if (assigned) return assigned;
    const left = this.setDifference();
    if (c.isCmd('subseteq', 'supseteq')) throw new Error('subset relations are not compared');
    return left;
  }

  private setDifference(): Node {
    const c = this.c;
    let left = this.setUnion();
    while (c.isCmd('setminus')) {
      c.pos++;
      left = { t: 'setop', op: 'complement', args: [left, this.setUnion()] };
    }
    return left;
  }

  private setUnion(): Node {
    const c = this.c;
    const asSet = (x: Node): Node => (x.t === 'tuple' ? { t: 'set', elems: x.elems } : x);
    let left = this.setIntersection();
    while (c.isCmd('cup')) {
      c.pos++;
      const right = this.setIntersection();
      left = { t: 'union', args: [...(left.t === 'union' ? left.args : [asSet(left)]), asSet(right)] };
    }
    return left;
  }

  private setIntersection(): Node {
    const c = this.c;
    let left = this.setGroup();
    while (c.isCmd('cap')) {
      c.pos++;
      left = { t: 'setop', op: 'intersection', args: [left, this.setGroup()] };
    }
    return left;
  }

  private setGroup(): Node {
    const c = this.c;
    const atom = c.attempt(() => this.setAtom());
    if (atom) return atom;
    c.expectP('(');
    const inner = this.setDifference();
    c.expectP(')');
    return inner;
  }

  setAtom(): Node {
    const c = this.c;
    const t = tokText(c);
    const named: Record<string, Extract<Node, { t: 'named' }>['name']> = {
      Naturals: 'Naturals', Integers: 'Integers', Rationals: 'Rationals', Reals: 'Reals', Complexes: 'Complexes', emptyset: 'EmptySet',
    };
    if (t && named[t]) {
      c.pos++;
      return { t: 'named', name: named[t]! };
    }
    if (t === '\\{' && tokText(c, 1) === '\\}') {
      c.pos += 2;
      return { t: 'named', name: 'EmptySet' };
    }
    if (t === '{' && tokText(c, 1) === '}') {
      c.pos += 2;
      return { t: 'named', name: 'EmptySet' };
    }
    const interval = c.attempt(() => this.interval());
    if (interval) return interval;
    if (t === '(' || t === '\\(' || t === '[') {
      const close = t === '(' ? ')' : t === '[' ? ']' : '\\)';
      c.pos++;
      const groups = this.semicolonElements([close], true);
      c.expectP(close);
      if (groups.length === 1 && groups[0]!.length === 1) return groups[0]![0]!;
      return { t: 'tuple', elems: groups.flat() };
    }
    if (t === '{' || t === '\\{' || t === 'boxed') {
      if (t === 'boxed') {
        c.pos++;
        c.expectP('{');
      } else c.pos++;
      const close = t === '\\{' ? '\\}' : '}';
      const groups = this.semicolonElements([close], true);
      c.expectP(close);
      return t === 'boxed' ? setOrTuple(groups) : { t: 'set', elems: groups.flat() };
    }
    throw new Error('not a set');
  }

  private interval(): Node {
    const c = this.c;
    const open = tokText(c);
    if (open === undefined || !(open in OPEN_INTERVAL)) throw new Error('not an interval');
    c.pos++;
    const lo = this.e.expr();
    c.expectP(',');
    const hi = this.e.expr();
    const close = tokText(c);
    if (close === undefined || !(close in CLOSE_INTERVAL)) throw new Error('not an interval');
    c.pos++;
    const lopen = OPEN_INTERVAL[open]!;
    const ropen = CLOSE_INTERVAL[close]!;
    return { t: 'interval', lo, hi, lopen, ropen };
  }
}

/** Parses one normalised LaTeX answer; throws when latex2sympy2_extended would raise. */
export function parseLatexAnswer(latex: string): Node {
  if (latex.length > MAX_LATEX_LENGTH) throw new Error('answer too long');
  return new LatexParser(latex).whole();
}
