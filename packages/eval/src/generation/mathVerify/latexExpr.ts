/**
 * Scalar expressions of latex2sympy2_extended's grammar: sums, products (explicit, implicit and `:` as division),
 * signs, powers, factorials, fractions, roots, functions, groups and atoms, each converted the way its converter
 * builds sympy objects (unevaluated, except integer fractions, which become rationals, and an integer followed by a
 * positive rational, which is a mixed number). Parse failures throw; the caller decides what a failure means.
 */
import { MINUS_ONE, type Node, neg, num, parseDecimal } from './ast.ts';
import type { Tok } from './latexTokens.ts';

export const MAX_DEPTH = 200;
/** Sub-parses tried per answer: backtracking over ambiguous input (`|x|x|x…`) gives up instead of going exponential. */
export const MAX_STEPS = 20000;

export class Cursor {
  pos = 0;
  depth = 0;
  steps = 0;
  constructor(readonly toks: Tok[]) {}
  peek(offset = 0): Tok | undefined {
    return this.toks[this.pos + offset];
  }
  isP(text: string, offset = 0): boolean {
    const t = this.peek(offset);
    return t !== undefined && t.k === 'p' && t.text === text;
  }
  isCmd(...names: string[]): boolean {
    const t = this.peek();
    return t !== undefined && t.k === 'cmd' && names.includes(t.text);
  }
  expectP(text: string): void {
    if (!this.isP(text)) throw new Error(`expected ${text}`);
    this.pos++;
  }
  enter(): void {
    if (++this.depth > MAX_DEPTH) throw new Error('expression nested too deeply');
  }
  leave(): void {
    this.depth--;
  }
  /** Tries a sub-parse; on failure rewinds and returns null. */
  attempt<T>(f: () => T): T | null {
    if (++this.steps > MAX_STEPS) throw new Error('answer too ambiguous to parse');
    const save = this.pos;
    const depth = this.depth;
    try {
      return f();
    } catch {
      this.pos = save;
      this.depth = depth;
      return null;
    }
  }
}

/** Parses a whole token list by another entry point (multi-argument functions re-parse each argument). */
export type ReParse = (raw: string) => Node;

const isInteger = (x: Node): boolean => x.t === 'num' && !x.float && x.d === 1n;
const isRationalNum = (x: Node): boolean => x.t === 'num' && !x.float;

const isMatrixTerm = (x: Node): boolean => x.t === 'matrix' || (x.t === 'mul' && x.args.some(isMatrixTerm));

function mulFlat(a: Node, b: Node): Node {
  const args = [...(a.t === 'mul' ? a.args : [a]), ...(b.t === 'mul' ? b.args : [b])];
  return { t: 'mul', args };
}

function divide(a: Node, b: Node): Node {
  if (isInteger(a) && isInteger(b) && a.t === 'num' && b.t === 'num') return num(a.n, b.n);
  return { t: 'mul', args: [a, { t: 'pow', base: b, exp: MINUS_ONE }] };
}

/** sympy's binomial evaluates for integer arguments (so `0\\binom{5}{2}` is a mixed number, 10); others stay symbolic. */
function binomial(top: Node, bottom: Node): Node {
  if (isInteger(top) && isInteger(bottom) && top.t === 'num' && bottom.t === 'num' && top.n >= -2000n && top.n <= 2000n && bottom.n <= 2000n) {
    const n = top.n;
    const k = bottom.n;
    if (k < 0n || (n >= 0n && k > n)) return num(0n);
    let r = 1n;
    for (let i = 0n; i < k; i++) r = (r * (n - i)) / (i + 1n);
    return num(r);
  }
  return { t: 'fn', name: 'binomial', args: [top, bottom] };
}

export class ExprParser {
  constructor(
    readonly c: Cursor,
    readonly reparse: ReParse,
  ) {}

  expr(): Node {
    const c = this.c;
    c.enter();
    let left = this.mp(true);
    for (;;) {
      if (c.isP('+')) {
        c.pos++;
        const right = this.mp(true);
        left = { t: 'add', args: [...(left.t === 'add' ? left.args : [left]), ...(right.t === 'add' ? right.args : [right])] };
      } else if (c.isP('-')) {
        c.pos++;
        const right = this.mp(true);
        const negated = right.t === 'num' ? neg(right) : mulFlat(MINUS_ONE, right);
        left = { t: 'add', args: [...(left.t === 'add' ? left.args : [left]), negated] };
      } else break;
    }
    c.leave();
    if (left.t === 'add' && left.args.some(isMatrixTerm) && !left.args.every(isMatrixTerm)) {
      throw new Error('a matrix plus a scalar');
    }
    return left;
  }

  /** Products and quotients; `withFuncs` false is the grammar's `mp_nofunc` (a function's argument without parentheses). */
  mp(withFuncs: boolean): Node {
    const c = this.c;
    let left = this.unary(withFuncs);
    for (;;) {
      if (c.isP('*') || c.isCmd('times', 'cdot')) {
        c.pos++;
        left = mulFlat(left, this.unary(withFuncs));
      } else if (c.isP('/') || c.isP(':') || c.isCmd('div', 'over')) {
        c.pos++;
        left = divide(left, this.unary(withFuncs));
      } else if (c.isCmd('mod')) {
        c.pos++;
        left = { t: 'fn', name: 'Mod', args: [left, this.unary(withFuncs)] };
      } else break;
    }
    return left;
  }

  unary(withFuncs: boolean): Node {
    const c = this.c;
    if (c.isP('+')) {
      c.pos++;
      return this.unary(withFuncs);
    }
    if (c.isP('-')) {
      c.pos++;
      const inner = this.unary(withFuncs);
      return inner.t === 'num' ? neg(inner) : mulFlat(MINUS_ONE, inner);
    }
    // The first factor may be a function even in a function's bare argument (`\\sin \\sin x`); later ones may not.
    const factors: Node[] = [this.postfix(true)];
    for (;;) {
      const next = c.attempt(() => this.postfix(withFuncs));
      if (next === null) break;
      factors.push(next);
    }
    // Right to left, as the converter folds the list: an integer before a positive rational is a mixed number.
    let acc = factors[factors.length - 1]!;
    const product: Node[] = [];
    for (let i = factors.length - 2; i >= 0; i--) {
      const f = factors[i]!;
      if (product.length === 0 && isInteger(f) && isRationalNum(acc) && f.t === 'num' && acc.t === 'num' && acc.n > 0n) {
        acc = f.n < 0n ? num(f.n * acc.d - acc.n, acc.d) : num(f.n * acc.d + acc.n, acc.d);
      } else {
        if (product.length === 0) product.push(...(acc.t === 'mul' ? acc.args.slice().reverse() : [acc]));
        product.push(...(f.t === 'mul' ? f.args.slice().reverse() : [f]));
      }
    }
    return product.length === 0 ? acc : { t: 'mul', args: product.reverse() };
  }

  postfix(withFuncs: boolean): Node {
    const c = this.c;
    let x = this.power(withFuncs);
    for (;;) {
      if (c.isP('!')) {
        c.pos++;
        x = { t: 'fn', name: 'factorial', args: [x] };
      } else if (c.isP("'")) {
        c.pos++;
      } else if (this.degreeMark()) {
        // Degrees are kept as plain numbers (Math-Verify parses with convert_degrees off).
      } else break;
    }
    return x;
  }

  private degreeMark(): boolean {
    const c = this.c;
    if (!c.isP('^')) return false;
    const t = c.peek(1);
    if (t && ((t.k === 'cmd' && ['circ', 'degree', 'circle'].includes(t.text)) || (t.k === 'p' && t.text === '°'))) {
      c.pos += 2;
      return true;
    }
    if (t && t.k === 'p' && t.text === '{') {
      const u = c.peek(2);
      if (u && ((u.k === 'cmd' && ['circ', 'degree', 'circle'].includes(u.text)) || (u.k === 'p' && u.text === '°')) && c.isP('}', 3)) {
        c.pos += 4;
        return true;
      }
    }
    return false;
  }

  power(withFuncs: boolean): Node {
    const c = this.c;
    let base = this.comp(withFuncs);
    while (c.isP('^') && !this.isDegreeAhead()) {
      c.pos++;
      const exp = this.supArgument();
      if (c.isP('_')) this.subscriptText();
      base = { t: 'pow', base, exp };
    }
    return base;
  }

  private isDegreeAhead(): boolean {
    const save = this.c.pos;
    const yes = this.degreeMark();
    this.c.pos = save;
    return yes;
  }

  /** `^atom` or `^{expr}`. */
  supArgument(): Node {
    const c = this.c;
    if (c.isP('{')) {
      c.pos++;
      const e = this.expr();
      c.expectP('}');
      return e;
    }
    return this.atom();
  }

  /** The text of a subscript (`_1`, `_{10}`), as the symbol name gets it. */
  subscriptText(): string {
    const c = this.c;
    c.expectP('_');
    if (c.isP('{')) {
      const start = c.pos;
      c.pos++;
      let depth = 1;
      while (c.pos < c.toks.length && depth > 0) {
        if (c.isP('{')) depth++;
        else if (c.isP('}')) depth--;
        c.pos++;
      }
      if (depth !== 0) throw new Error('unclosed subscript');
      const inner = c.toks.slice(start + 1, c.pos - 1).map((t) => t.raw.trim()).join('');
      if (inner === '') throw new Error('empty subscript');
      return inner;
    }
    const start = c.pos;
    this.atom();
    return c.toks.slice(start, c.pos).map((t) => t.raw.trim()).join('');
  }

  comp(withFuncs: boolean): Node {
    const c = this.c;
    if (++c.steps > MAX_STEPS) throw new Error('answer too ambiguous to parse');
    const t = c.peek();
    if (!t) throw new Error('unexpected end');
    if (t.k === 'p') {
      const closers: Record<string, string> = { '(': ')', '{': '}', '[': ']', '\\{': '\\}' };
      const close = closers[t.text];
      if (close) {
        if (t.text === '{') {
          const binom = c.attempt(() => this.chooseGroup());
          if (binom) return binom;
        }
        c.pos++;
        const e = this.expr();
        c.expectP(close);
        return e;
      }
      if (t.text === '|') {
        c.pos++;
        const e = this.expr();
        c.expectP('|');
        return { t: 'fn', name: 'Abs', args: [e] };
      }
      throw new Error(`unexpected ${t.text}`);
    }
    if (t.k === 'cmd') {
      const pairs: Record<string, [string, string]> = {
        lvert: ['rvert', 'Abs'], vert: ['vert', 'Abs'], lfloor: ['rfloor', 'floor'], lceil: ['rceil', 'ceiling'],
        lgroup: ['rgroup', ''], lbrace: ['rbrace', ''], lbrack: ['rbrack', ''],
      };
      const pair = pairs[t.text];
      if (pair) {
        c.pos++;
        const e = this.expr();
        if (!c.isCmd(pair[0])) throw new Error(`expected \\${pair[0]}`);
        c.pos++;
        return pair[1] ? { t: 'fn', name: pair[1], args: [e] } : e;
      }
      if (t.text === 'boxed' || t.text === 'phantom') {
        c.pos++;
        c.expectP('{');
        const e = this.expr();
        c.expectP('}');
        return e;
      }
      if (t.text === 'frac' || t.text === 'dfrac' || t.text === 'tfrac' || t.text === 'cfrac') {
        c.pos++;
        c.expectP('{');
        const top = this.expr();
        c.expectP('}');
        c.expectP('{');
        const bottom = this.expr();
        c.expectP('}');
        return divide(top, bottom);
      }
      if (t.text === 'binom' || t.text === 'tbinom' || t.text === 'dbinom') {
        c.pos++;
        c.expectP('{');
        const top = this.expr();
        c.expectP('}');
        c.expectP('{');
        const bottom = this.expr();
        c.expectP('}');
        return binomial(top, bottom);
      }
      if (t.text === 'begin:matrix' || t.text === 'begin:vmatrix') return this.matrix();
      if (t.text === 'infty') {
        c.pos++;
        return { t: 'const', name: 'oo' };
      }
      return this.func(withFuncs);
    }
    if (withFuncs && (t.k === 'letter' || t.k === 'greek' || t.k === 'other' || t.k === 'accent') && !(t.k === 'letter' && (t.text === 'e' || t.text === 'E'))) {
      const applied = c.attempt(() => this.appliedFunction());
      if (applied) return applied;
    }
    if (t.k === 'letter' && t.text === 'e') {
      c.pos++;
      if (c.isP('^') && !this.isDegreeAhead()) {
        c.pos++;
        return { t: 'fn', name: 'exp', args: [this.supArgument()] };
      }
      return { t: 'const', name: 'E' };
    }
    return this.atom();
  }

  private chooseGroup(): Node {
    const c = this.c;
    c.expectP('{');
    const top = this.expr();
    if (!c.isCmd('choose')) throw new Error('not a binomial');
    c.pos++;
    const bottom = this.expr();
    c.expectP('}');
    return binomial(top, bottom);
  }

  /** `f(x)`, `g(1,2)`: a name applied to one atom or to comma-separated arguments is an undefined function. */
  private appliedFunction(): Node {
    const c = this.c;
    const start = c.pos;
    this.atomName();
    if (c.isP('_')) this.subscriptText();
    const name = c.toks.slice(start, c.pos).map((t) => t.raw).join('');
    if (c.isP('^')) {
      c.pos++;
      this.supArgument();
    }
    const open = c.peek();
    if (!open || open.k !== 'p' || (open.text !== '(' && open.text !== '[')) throw new Error('not applied');
    const close = open.text === '(' ? ')' : ']';
    c.pos++;
    const argStart = c.pos;
    let args: Node[];
    const single = c.attempt(() => {
      const a = this.atom();
      c.expectP(close);
      return a;
    });
    if (single) args = [single];
    else {
      c.pos = argStart;
      args = [this.expr()];
      if (!c.isP(',')) throw new Error('not applied');
      while (c.isP(',')) {
        c.pos++;
        if (c.isP(close)) break;
        args.push(this.expr());
      }
      c.expectP(close);
    }
    return { t: 'fn', name: `apply:${name}`, args };
  }

  private atomName(): string {
    const t = this.c.peek();
    if (!t) throw new Error('unexpected end');
    this.c.pos++;
    switch (t.k) {
      case 'letter':
        if (t.text === 'e' || t.text === 'E') throw new Error('not a name');
        return t.text;
      case 'greek':
      case 'other':
        return t.text;
      case 'accent': {
        const body = t.body.replace(/ /g, '');
        if (t.cmd === 'bar' || t.cmd === 'overline') return `bar{${body}}`;
        if (t.cmd === 'vec' || t.cmd === 'overrightarrow') return `vec{${body}}`;
        if (t.cmd === 'tilde' || t.cmd === 'widetilde') return `tilde{${body}}`;
        if (t.cmd.includes('text') || t.cmd.includes('mbox')) return body.replace(/[()]/g, '');
        if (t.cmd.includes('math')) return `math{${body}}`;
        return `${t.cmd}{${body}}`;
      }
      default:
        throw new Error('not a name');
    }
  }

  atom(): Node {
    const c = this.c;
    const t = c.peek();
    if (!t) throw new Error('unexpected end');
    if (t.k === 'num') {
      c.pos++;
      if (c.isP('_')) this.subscriptText();
      return parseDecimal(t.text.replace(/^0+(?=\d)/, ''));
    }
    if (t.k === 'pctnum') {
      c.pos++;
      return { t: 'pct', arg: parseDecimal(t.text) };
    }
    if (t.k === 'letter' && t.text === 'E') {
      c.pos++;
      return { t: 'sym', name: 'e' };
    }
    if (t.k === 'diff') {
      c.pos++;
      return { t: 'sym', name: `d${t.text.slice(1).trim().replace(/^\\/, '')}` };
    }
    if (t.k === 'cmd' && t.text === 'infty') {
      c.pos++;
      return { t: 'const', name: 'oo' };
    }
    const isLetterI = t.k === 'letter' && t.text === 'I';
    const base = this.atomName();
    let name = base;
    let sup: Node | null = null;
    if (c.isP('^') && !this.isDegreeAhead()) {
      c.pos++;
      sup = this.supArgument();
    }
    if (c.isP('_')) {
      const sub = this.subscriptText();
      name += sub.length > 1 ? `_{${sub}}` : `_${sub}`;
    }
    if (!sup && c.isP('^') && !this.isDegreeAhead()) {
      c.pos++;
      sup = this.supArgument();
    }
    const lower = name.trim().toLowerCase();
    const symbol: Node = isLetterI && name === 'I' ? { t: 'const', name: 'I' } : lower === 'pi' ? { t: 'const', name: 'pi' } : { t: 'sym', name: lower };
    return sup ? { t: 'pow', base: symbol, exp: sup } : symbol;
  }

  matrix(): Node {
    const c = this.c;
    const kind = (c.peek() as { text: string }).text;
    c.pos++;
    const rows: Node[][] = [[this.expr()]];
    for (;;) {
      if (c.isP('&')) {
        c.pos++;
        rows[rows.length - 1]!.push(this.expr());
      } else if (c.isP('\\\\')) {
        c.pos++;
        if (c.isCmd('end:matrix', 'end:vmatrix')) break;
        rows.push([this.expr()]);
      } else break;
    }
    if (!c.isCmd(kind === 'begin:vmatrix' ? 'end:vmatrix' : 'end:matrix')) throw new Error('unclosed matrix');
    c.pos++;
    const width = rows[0]!.length;
    if (rows.some((r) => r.length !== width)) throw new Error('ragged matrix');
    const m: Node = { t: 'matrix', rows };
    return kind === 'begin:vmatrix' ? { t: 'fn', name: 'det', args: [m] } : m;
  }

  func(withFuncs: boolean): Node {
    const c = this.c;
    const t = c.peek() as { k: 'cmd'; text: string };
    const name = t.text;
    if (!withFuncs) throw new Error('function not allowed here');
    c.pos++;
    if (name === 'sqrt') {
      let index: Node | null = null;
      if (c.isP('[')) {
        c.pos++;
        index = this.expr();
        c.expectP(']');
      }
      c.expectP('{');
      const radicand = this.expr();
      c.expectP('}');
      return { t: 'pow', base: radicand, exp: index ? divide(num(1n), index) : num(1n, 2n) };
    }
    const single = ['log', 'ln', 'exp', 'sin', 'cos', 'tan', 'csc', 'sec', 'cot', 'arcsin', 'arccos', 'arctan', 'arccsc', 'arcsec', 'arccot', 'sinh', 'cosh', 'tanh', 'arsinh', 'arcosh', 'artanh', 'arcsinh', 'arccosh', 'arctanh', 'floor', 'ceil'];
    const multi = ['gcd', 'lcm', 'max', 'min'];
    if (!single.includes(name) && !multi.includes(name)) throw new Error(`unsupported \\${name}`);
    let sub: Node | null = null;
    let sup: Node | null = null;
    for (let k = 0; k < 2; k++) {
      if (c.isP('_') && !sub) {
        c.pos++;
        sub = this.supArgument();
      } else if (c.isP('^') && !sup) {
        c.pos++;
        sup = this.supArgument();
      }
    }
    if (multi.includes(name)) {
      let raw: string[];
      if (c.isP('(')) {
        const start = ++c.pos;
        let depth = 1;
        while (c.pos < c.toks.length && depth > 0) {
          if (c.isP('(')) depth++;
          else if (c.isP(')')) depth--;
          c.pos++;
        }
        if (depth) throw new Error('unclosed arguments');
        raw = [c.toks.slice(start, c.pos - 1).map((x) => x.raw).join('')];
      } else {
        const start = c.pos;
        this.mp(false);
        raw = [c.toks.slice(start, c.pos).map((x) => x.raw).join('')];
      }
      const args = raw[0]!.split(',').map((a) => this.reparse(a));
      const f: Node = { t: 'fn', name: name === 'max' ? 'Max' : name === 'min' ? 'Min' : name, args };
      return sup ? { t: 'pow', base: f, exp: sup } : f;
    }
    let arg: Node;
    const paren = c.isP('(') ? c.attempt(() => {
      c.pos++;
      const e = this.expr();
      c.expectP(')');
      return e;
    }) : null;
    arg = paren ?? this.mp(false);
    let fname = name;
    if (name.startsWith('arc') && name.length > 6) fname = `a${name.slice(3)}`;
    else if (name.startsWith('ar') && !name.startsWith('arc')) fname = `a${name.slice(2)}`;
    else if (name.startsWith('arc')) fname = `a${name.slice(3)}`;
    if (name === 'log' || name === 'ln') {
      const base = sub ?? (name === 'log' ? num(10n) : ({ t: 'const', name: 'E' } as Node));
      const f: Node = { t: 'fn', name: 'log', args: [arg, base] };
      return sup ? { t: 'pow', base: f, exp: sup } : f;
    }
    if (name === 'ceil') fname = 'ceiling';
    const isMinusOne = sup !== null && sup.t === 'num' && sup.n === -1n && sup.d === 1n;
    if (isMinusOne && ['sin', 'cos', 'tan', 'csc', 'sec', 'cot', 'sinh', 'cosh', 'tanh'].includes(name)) {
      return { t: 'fn', name: `a${name}`, args: [arg] };
    }
    const f: Node = { t: 'fn', name: fname, args: [arg] };
    return sup ? { t: 'pow', base: f, exp: sup } : f;
  }
}
