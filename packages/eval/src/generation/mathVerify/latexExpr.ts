/**
 * Scalar expressions of latex2sympy2_extended's grammar: sums, products (explicit, implicit and `:` as division),
 * signs, powers, factorials, fractions, roots, functions, groups and atoms, each converted the way its converter
 * builds sympy objects (unevaluated, except integer fractions, which become rationals, and an integer followed by a
 * positive rational, which is a mixed number). Parse failures throw; the caller decides what a failure means.
 */
import { MINUS_ONE, type Node, neg, num, parseDecimal } from './ast.ts';
import { binomial, divide, isInteger, isMatrixTerm, isRationalNum, mulFlat } from './latexBuild.ts';
import { Cursor, MAX_STEPS, type ReParse } from './latexCursor.ts';
import { parseFunction, parseMatrix } from './latexFunctions.ts';

export { Cursor };

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
    return parseMatrix(this);
  }

  func(withFuncs: boolean): Node {
    return parseFunction(this, withFuncs);
  }
}
