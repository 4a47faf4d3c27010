/**
 * A recursive-descent reading of the language sympy 1.14's `parse_latex` accepts, building the trees its converter
 * builds. Like sympy's parser it reads the longest valid prefix and drops the rest (`6,-2` is 6), because its top
 * rule does not require the end of input. Where ANTLR's prediction would give up on an optional part or a loop
 * iteration, this parser backtracks and stops the loop; where only one continuation is possible (a `.` after
 * digits, an operand after `=`), a failure is an error, as in sympy.
 */
import * as E from '../symbolic/expr.ts';
import type { Expr, KnownFunction, RelationOp } from '../symbolic/expr.ts';
import { fromDecimal, rat, roundToBits } from '../symbolic/rational.ts';
import { Lexer, type Token, type TokenType } from './lexer.ts';
import { matrixDelimiterError } from './matrixDelimiters.ts';
import { pythonStrip } from '../../python/strip.ts';

/** The input is not in sympy's language (sympy: LaTeXParsingError). */
export class LatexParseError extends Error {}
/**
 * A `.` after digits without digits after it. ANTLR's prediction commits to the path that reached it when the
 * alternatives cannot be told apart there (an operand of `+`, `\cdot`, `:` or an unbraced exponent), so sympy
 * raises instead of dropping the rest (`1+2.` fails, `2 3.` reads 2, `x^{2.}` reads x). Observed behaviour.
 */
class DotError extends LatexParseError {}
/**
 * A `_` after a symbol or an exponent, or `|_` (an evaluation bar), that does not go on as the grammar requires:
 * no other reading of these tokens exists, so sympy fails rather than dropping the rest (`e_`, `x^2_`, `|x|_1`),
 * except where the part is a later factor of a product, which is dropped (`32x_(` reads 32). Observed behaviour.
 */
class CommittedError extends DotError {}
/** Parsed, but sympy's conversion to an expression fails (an integer with leading zeros: `05`). */
export class LatexConversionError extends Error {}
/** Input too long or too deeply nested to read within our bounds. */
export class LatexLimitError extends Error {}

const MAX_LENGTH = 2000;
const MAX_STEPS = 200_000;
const MAX_DEPTH = 200;

const RELATIONS: Partial<Record<TokenType, RelationOp>> = { EQUAL: '=', LT: '<', LTE: '<=', GT: '>', GTE: '>=', NEQ: '!=' };
const MP_OPS = new Set<TokenType>(['MUL', 'CMD_TIMES', 'CMD_CDOT', 'DIV', 'CMD_DIV', 'COLON']);
const UNARY_START = new Set<TokenType>(['ADD', 'SUB', 'L_PAREN', 'L_BRACKET', 'L_BRACE', 'L_BRACE_LITERAL', 'BAR', 'L_BAR',
  'L_ANGLE', 'LETTER', 'SYMBOL', 'DIGIT', 'DIFFERENTIAL', 'CMD_FRAC', 'CMD_BINOM', 'CMD_MATHIT', 'FUNC_NORMAL', 'FUNC_SQRT',
  'FUNC_OVERLINE', 'FUNC_INT', 'FUNC_SUM', 'FUNC_PROD', 'FUNC_LIM', 'L_FLOOR', 'L_CEIL']);
const TRIG = new Set(['sin', 'cos', 'tan', 'csc', 'sec', 'cot', 'sinh', 'cosh', 'tanh']);

/** Parses like sympy's `parse_latex` (after its `strip()`); throws LatexParseError / LatexLexError / LatexLimitError. */
export function parseLatex(source: string): Expr {
  if (source.length > MAX_LENGTH) throw new LatexLimitError(`input longer than ${MAX_LENGTH} characters`);
  const delimiters = matrixDelimiterError(source);
  if (delimiters) throw new LatexParseError(delimiters);
  const text = pythonStrip(source); // sympy strips with Python's str.strip (which keeps U+FEFF, unlike trim)
  return new Parser(text).math();
}

const MINUS_ONE = E.ratExpr(rat(-1n));
const negate = (e: Expr): Expr => {
  // -(-1*x) is x (sympy's negation of a product flips its leading number).
  if (e.k === 'mul' && e.args.length === 2 && e.args[0]!.k === 'rat' && e.args[0]!.v.n === -1n && e.args[0]!.v.d === 1n) return e.args[1]!;
  if (e.k === 'rat') return E.ratExpr(rat(-e.v.n, e.v.d));
  if (e.k === 'float') return { ...e, v: -e.v, exact: rat(-e.exact.n, e.exact.d) };
  return E.mul(MINUS_ONE, e);
};
const inverse = (e: Expr): Expr => E.pow(e, MINUS_ONE);
const isOne = (e: Expr): boolean => (e.k === 'rat' && e.v.n === 1n && e.v.d === 1n) || (e.k === 'float' && e.v === 1);

class Parser {
  private readonly lexer: Lexer;
  private i = 0;
  private steps = 0;
  private depth = 0;
  /** An integer with leading zeros on the parse path so far: sympy's Number('05') fails after parsing. */
  private leadingZeros = false;
  /** Directly inside |...| (not within brackets there): a | ends the product rather than opening another. */
  private insideAbs = false;
  /** At most this many digits for the next number (see normalFunction). */
  private digitLimit: number | null = null;

  constructor(text: string) {
    this.lexer = new Lexer(text);
  }

  private peek(k = 0): Token {
    return this.lexer.at(this.i + k);
  }
  private is(type: TokenType, k = 0): boolean {
    return this.peek(k).type === type;
  }
  private next(): Token {
    const t = this.peek();
    this.i++;
    this.peek(); // ANTLR fetches the token after the one consumed; a lexing error there surfaces now.
    return t;
  }
  private expect(type: TokenType): Token {
    if (!this.is(type)) throw new LatexParseError(`expected ${type}`);
    return this.next();
  }
  private step(): void {
    if (++this.steps > MAX_STEPS) throw new LatexLimitError('input too complex');
  }

  /** Runs an optional part: on a parse error, rewinds and returns null. Lexing errors are never retried. */
  private attempt<T>(f: () => T, keepDotErrors = false): T | null {
    const saved = this.i;
    const savedZeros = this.leadingZeros;
    try {
      return f();
    } catch (e) {
      if (!(e instanceof LatexParseError) || (keepDotErrors && e instanceof DotError)) throw e;
      this.i = saved;
      this.leadingZeros = savedZeros;
      return null;
    }
  }

  private within<T>(insideAbs: boolean, f: () => T): T {
    const saved = this.insideAbs;
    this.insideAbs = insideAbs;
    try {
      return f();
    } finally {
      this.insideAbs = saved;
    }
  }

  /** Runs a part that has no alternative once started: its parse errors become CommittedError. */
  private committed<T>(f: () => T): T {
    try {
      return f();
    } catch (e) {
      if (e instanceof LatexParseError && !(e instanceof CommittedError)) throw new CommittedError(e.message);
      throw e;
    }
  }

  private nested<T>(f: () => T): T {
    if (++this.depth > MAX_DEPTH) throw new LatexLimitError('input nested too deeply');
    try {
      return f();
    } finally {
      this.depth--;
    }
  }

  math(): Expr {
    let left = this.expr();
    for (;;) {
      const op = RELATIONS[this.peek().type];
      if (!op) {
        if (this.leadingZeros) throw new LatexConversionError('integer with leading zeros');
        return left;
      }
      this.next();
      left = E.relation(op, left, this.expr());
    }
  }

  expr(): Expr {
    return this.nested(() => this.additive());
  }

  private additive(): Expr {
    let left = this.mp(false);
    while (this.is('ADD') || this.is('SUB')) {
      const minus = this.is('SUB');
      const right = this.attempt(() => (this.next(), this.mp(false)), true);
      if (!right) break;
      if (!minus) left = E.add(left, right);
      else left = E.add(left, ['sym', 'rat', 'float', 'inf'].includes(right.k) ? negate(right) : E.mul(MINUS_ONE, right));
    }
    return left;
  }

  private mp(nofunc: boolean): Expr {
    let left = this.unary(nofunc);
    while (MP_OPS.has(this.peek().type)) {
      const op = this.peek().type;
      const right = this.attempt(() => (this.next(), this.unary(nofunc)), true);
      if (!right) break;
      left = op === 'MUL' || op === 'CMD_TIMES' || op === 'CMD_CDOT' ? E.mul(left, right) : E.mul(left, inverse(right));
    }
    return left;
  }

  private unary(nofunc: boolean): Expr {
    this.step();
    if (this.is('ADD') || this.is('SUB')) {
      const minus = this.next().type === 'SUB';
      const inner = this.nested(() => this.unary(nofunc));
      return minus ? negate(inner) : inner;
    }
    const items = [this.postfix(false)];
    for (;;) {
      // Inside |...|, a further | closes the group first (`|x|y2|2` is |x|*y*2, not |x*|y2|*2 ...|).
      if (this.insideAbs && this.is('BAR')) break;
      const item = this.attempt(() => this.postfix(nofunc));
      if (!item) break;
      items.push(item);
    }
    return productOf(items, 0);
  }

  private postfix(nofunc: boolean): Expr {
    let e = this.exp(nofunc);
    for (;;) {
      if (this.is('BANG')) {
        this.next();
        e = E.fn('factorial', e);
        continue;
      }
      // `|_` has no other reading; `|^` may also close an absolute value that is then raised to a power.
      if (this.is('BAR') && this.is('UNDERSCORE', 1)) {
        e = this.committed(() => this.evalAt(e));
        continue;
      }
      if (this.is('BAR') && this.is('CARET', 1)) {
        const at = this.attempt(() => this.evalAt(e));
        if (at) {
          e = at;
          continue;
        }
      }
      return e;
    }
  }

  /** `e|^{b}_{a}`: sympy substitutes each bound into e (see `substituteAt`) and takes the difference. */
  private evalAt(e: Expr): Expr {
    this.expect('BAR');
    const bound = (): Expr => {
      this.next();
      this.expect('L_BRACE');
      const lhs = this.expr();
      const b = this.is('EQUAL') ? (this.next(), E.relation('=', lhs, this.expr())) : lhs;
      this.expect('R_BRACE');
      return substituteAt(e, b);
    };
    if (this.is('CARET')) {
      const upper = bound();
      const lower = this.is('UNDERSCORE') ? this.attempt(bound) : null;
      return lower ? E.add(upper, E.mul(MINUS_ONE, lower)) : upper;
    }
    if (this.is('UNDERSCORE')) return bound();
    throw new LatexParseError('expected a bound');
  }

  private exp(nofunc: boolean): Expr {
    let base = this.comp(nofunc);
    while (this.is('CARET')) {
      const exponent = this.attempt(() => {
        this.next();
        const x = this.supOperand();
        if (this.is('UNDERSCORE')) this.committed(() => this.subexpr());
        return x;
      }, !this.is('L_BRACE', 1));
      if (!exponent) break;
      base = E.pow(base, exponent);
    }
    return base;
  }

  /** The operand of `^` or `_`: an atom, or a braced expression. */
  private supOperand(): Expr {
    if (this.is('L_BRACE')) {
      this.next();
      const e = this.expr();
      this.expect('R_BRACE');
      return e;
    }
    return this.atom();
  }
  private subexpr(): Expr {
    this.expect('UNDERSCORE');
    return this.supOperand();
  }
  private supexpr(): Expr {
    this.expect('CARET');
    return this.supOperand();
  }

  private comp(nofunc: boolean): Expr {
    return this.nested(() => {
      const t = this.peek().type;
      if (t === 'L_PAREN' || t === 'L_BRACKET' || t === 'L_BRACE' || t === 'L_BRACE_LITERAL') {
        const close = ({ L_PAREN: 'R_PAREN', L_BRACKET: 'R_BRACKET', L_BRACE: 'R_BRACE', L_BRACE_LITERAL: 'R_BRACE_LITERAL' } as const)[t];
        this.next();
        const e = this.within(false, () => this.expr());
        this.expect(close);
        return e;
      }
      if (t === 'BAR') {
        const read = (preferClosing: boolean) => () => {
          this.next();
          const e = this.within(preferClosing, () => this.expr());
          this.expect('BAR');
          return E.fn('abs', e);
        };
        const abs = this.attempt(read(true)) ?? this.attempt(read(false));
        if (abs) return abs;
        return this.atom();
      }
      if (t === 'L_FLOOR' || t === 'L_CEIL') {
        this.next();
        const e = this.expr();
        this.expect(t === 'L_FLOOR' ? 'R_FLOOR' : 'R_CEIL');
        return E.fn(t === 'L_FLOOR' ? 'floor' : 'ceiling', e);
      }
      if (!nofunc) {
        const f = this.attempt(() => this.func());
        if (f) return f;
      }
      return this.atom();
    });
  }

  /** Name of a letter or `\command` with its optional subscript and primes, as sympy spells it. */
  private nameWithDecorations(): { name: string; infinity: boolean } {
    const t = this.next();
    let name = t.type === 'LETTER' ? t.text : t.text.slice(1);
    const infinity = t.type === 'SYMBOL' && name === 'infty';
    let quotes = '';
    if (this.is('SINGLE_QUOTES')) quotes = this.next().text;
    if (this.is('UNDERSCORE')) {
      const sub = this.committed(() => this.subexpr());
      if (sub) name += `_{${E.key(sub).replace(/^\((.*)\)$/, '$1')}}`;
    }
    if (!quotes && this.is('SINGLE_QUOTES')) quotes = this.next().text;
    return { name: name + quotes, infinity };
  }

  private func(): Expr {
    const t = this.peek();
    switch (t.type) {
      case 'FUNC_NORMAL':
        return this.normalFunction();
      case 'LETTER':
      case 'SYMBOL': {
        const { name } = this.nameWithDecorations();
        this.expect('L_PAREN');
        const args = [this.expr()];
        while (this.is('COMMA')) {
          this.next();
          args.push(this.expr());
        }
        this.expect('R_PAREN');
        return E.apply(name, args);
      }
      case 'FUNC_SQRT': {
        this.next();
        let root: Expr | null = null;
        if (this.is('L_BRACKET')) {
          this.next();
          root = this.expr();
          this.expect('R_BRACKET');
        }
        this.expect('L_BRACE');
        const base = this.expr();
        this.expect('R_BRACE');
        if (!root) return E.pow(base, E.ratExpr(rat(1n, 2n)));
        return E.pow(base, root.k === 'rat' && root.v.n !== 0n ? E.ratExpr(rat(root.v.d, root.v.n)) : inverse(root));
      }
      case 'FUNC_OVERLINE': {
        this.next();
        this.expect('L_BRACE');
        const base = this.expr();
        this.expect('R_BRACE');
        return E.fn('conjugate', base);
      }
      case 'FUNC_INT':
        return this.integral();
      case 'FUNC_SUM':
      case 'FUNC_PROD':
        return this.sumOrProduct();
      case 'FUNC_LIM':
        return this.limit();
      default:
        throw new LatexParseError('expected a function');
    }
  }

  /**
   * `\\log_2 8`: a bare number after `_` or `^` takes as many digits as still leave an argument (ANTLR's
   * prediction sees that `28` would leave none), so fewer digits are tried when the greedy reading fails.
   */
  private normalFunction(): Expr {
    const start = this.i;
    let digits = 0;
    const script = this.lexer.at(start + 1).type;
    if (script === 'UNDERSCORE' || script === 'CARET') while (this.lexer.at(start + 2 + digits).type === 'DIGIT') digits++;
    // Fewer digits only help when no argument could start after all of them (`\\log_2 8` ends there).
    if (digits > 1 && UNARY_START.has(this.lexer.at(start + 2 + digits).type)) digits = 0;
    for (let limit = digits; ; limit--) {
      this.i = start;
      this.digitLimit = limit >= 1 && limit < digits ? limit : null;
      try {
        return this.normalFunctionOnce();
      } catch (e) {
        if (!(e instanceof LatexParseError) || limit <= 1) throw e;
      } finally {
        this.digitLimit = null;
      }
    }
  }

  private normalFunctionOnce(): Expr {
    const name = this.next().text.slice(1);
    let sub: Expr | null = null;
    let sup: Expr | null = null;
    if (this.is('UNDERSCORE')) {
      sub = this.attempt(() => this.subexpr());
      if (sub && this.is('CARET')) sup = this.attempt(() => this.supexpr());
    } else if (this.is('CARET')) {
      sup = this.attempt(() => this.supexpr());
      if (sup && this.is('UNDERSCORE')) sub = this.attempt(() => this.subexpr());
    }
    const arg =
      this.attempt(() => {
        this.expect('L_PAREN');
        const a = this.expr();
        while (this.is('COMMA')) (this.next(), this.expr()); // sympy keeps only the first argument
        this.expect('R_PAREN');
        return a;
      }) ?? this.mp(true);
    let f: Expr;
    let applyPower = true;
    if (name.startsWith('arc')) f = E.fn(`a${name.slice(3)}` as KnownFunction, arg);
    else if (name === 'arsinh' || name === 'arcosh' || name === 'artanh') f = E.fn(`a${name.slice(2)}` as KnownFunction, arg);
    else if (name === 'exp') f = E.fn('exp', arg);
    else if (name === 'log' || name === 'lg' || name === 'ln') {
      const base = sub ?? (name === 'lg' ? E.ratExpr(rat(10n)) : E.fn('exp', E.ratExpr(rat(1n))));
      f = E.fn('log', arg, base);
    } else {
      const inverseTrig = sup !== null && sup.k === 'rat' && sup.v.n === -1n && sup.v.d === 1n;
      f = E.fn((inverseTrig ? `a${name}` : name) as KnownFunction, arg);
      if (inverseTrig) applyPower = false;
      if (!TRIG.has(name)) throw new LatexParseError(`unknown function ${name}`);
    }
    // sympy skips a falsy power (zero) as well as a missing one.
    const zero = sup !== null && ((sup.k === 'rat' && sup.v.n === 0n) || (sup.k === 'float' && sup.v === 0));
    return sup && applyPower && !zero ? E.pow(f, sup) : f;
  }

  private bounds(required: boolean): Expr[] {
    if (this.is('UNDERSCORE')) {
      const lo = this.subexpr();
      return [lo, this.supexpr()];
    }
    if (this.is('CARET')) {
      const hi = this.supexpr();
      return [this.subexpr(), hi];
    }
    if (required) throw new LatexParseError('expected bounds');
    return [];
  }

  private integral(): Expr {
    this.next();
    const b = this.attempt(() => this.bounds(false)) ?? [];
    const body = this.is('DIFFERENTIAL') ? E.ratExpr(rat(1n)) : this.additive();
    const d = this.is('DIFFERENTIAL') ? [E.symbol(this.next().text)] : [];
    return E.opaque('Integral', [body, ...d, ...b]);
  }

  private sumOrProduct(): Expr {
    const kind = this.next().type === 'FUNC_SUM' ? 'Sum' : 'Product';
    const eq = (): Expr[] => {
      this.expect('UNDERSCORE');
      this.expect('L_BRACE');
      const v = this.expr();
      this.expect('EQUAL');
      const start = this.expr();
      this.expect('R_BRACE');
      return [v, start];
    };
    let parts: Expr[];
    if (this.is('UNDERSCORE')) parts = [...eq(), this.supexpr()];
    else {
      const hi = this.supexpr();
      parts = [...eq(), hi];
    }
    return E.opaque(kind, [this.mp(false), ...parts]);
  }

  private limit(): Expr {
    this.next();
    this.expect('UNDERSCORE');
    this.expect('L_BRACE');
    if (!this.is('LETTER') && !this.is('SYMBOL')) throw new LatexParseError('expected a variable');
    const v = E.symbol(this.next().text);
    this.expect('LIM_APPROACH_SYM');
    const to = this.expr();
    if (this.is('CARET')) {
      this.next();
      if (this.is('L_BRACE')) {
        this.next();
        if (!this.is('ADD') && !this.is('SUB')) throw new LatexParseError('expected + or -');
        this.next();
        this.expect('R_BRACE');
      } else if (this.is('ADD') || this.is('SUB')) this.next();
      else throw new LatexParseError('expected + or -');
    }
    this.expect('R_BRACE');
    return E.opaque('Limit', [this.mp(false), v, to]);
  }

  private atom(): Expr {
    const t = this.peek();
    switch (t.type) {
      case 'LETTER':
      case 'SYMBOL': {
        const { name, infinity } = this.nameWithDecorations();
        return infinity ? E.INFINITY : E.symbol(name);
      }
      case 'DIGIT':
        return this.number();
      case 'DIFFERENTIAL':
        this.next();
        return E.symbol('d' + t.text.slice(1).trim().replace(/^\\/, ''));
      case 'CMD_MATHIT': {
        this.next();
        this.expect('L_BRACE');
        let text = '';
        while (this.is('LETTER')) text += this.next().text;
        this.expect('R_BRACE');
        return E.symbol(text);
      }
      case 'CMD_FRAC':
        return this.frac();
      case 'CMD_BINOM': {
        this.next();
        this.expect('L_BRACE');
        const n = this.expr();
        this.expect('R_BRACE');
        this.expect('L_BRACE');
        const k = this.expr();
        this.expect('R_BRACE');
        return E.fn('binomial', n, k);
      }
      case 'L_ANGLE': {
        this.next();
        const e = this.expr();
        if (!this.is('R_BAR') && !this.is('BAR')) throw new LatexParseError('expected |');
        this.next();
        return E.opaque('Bra', [e]);
      }
      case 'L_BAR':
      case 'BAR': {
        this.next();
        const e = this.expr();
        this.expect('R_ANGLE');
        return E.opaque('Ket', [e]);
      }
      default:
        throw new LatexParseError(`unexpected ${t.type}`);
    }
  }

  private number(): Expr {
    let digits = '';
    let limit = this.digitLimit ?? Infinity;
    this.digitLimit = null;
    // Digits before a dangling '.' (one not followed by a digit) are read one number per digit: every longer
    // reading fails at the same token, and then ANTLR takes the shorter one (sympy reads `123.` as 1*2, `23.` as 2).
    let run = 0;
    while (this.is('DIGIT', run)) run++;
    if (run > 1 && this.is('DOT', run) && !this.is('DIGIT', run + 1)) limit = Math.min(limit, 1);
    while (this.is('DIGIT') && digits.length < limit) digits += this.next().text;
    // Thousands groups: `,` and exactly three digits (greedy, as ANTLR resolves it).
    while (this.is('COMMA') && this.is('DIGIT', 1) && this.is('DIGIT', 2) && this.is('DIGIT', 3)) {
      this.next();
      for (let j = 0; j < 3; j++) digits += this.next().text;
    }
    if (this.is('DOT')) {
      this.next();
      if (!this.is('DIGIT')) throw new DotError('expected digits after "."');
      let frac = '';
      // A fraction digit followed by '.' starts the next number instead (sympy reads `1.25.` as 1.2 and
      // `0.430.43` as 0.43 times 0.43): only that reading lets ANTLR's prediction go on.
      while (this.is('DIGIT') && (frac === '' || !this.is('DOT', 1))) frac += this.next().text;
      return floatLiteral(`${digits}.${frac}`);
    }
    if (/^0+[1-9]/.test(digits)) this.leadingZeros = true;
    return E.ratExpr(rat(BigInt(digits)));
  }

  private frac(): Expr {
    this.next();
    const part = (): Expr => {
      if (this.is('DIGIT')) return E.ratExpr(rat(BigInt(this.next().text)));
      this.expect('L_BRACE');
      const e = this.expr();
      this.expect('R_BRACE');
      return e;
    };
    const upperStart = this.i;
    const upper = part();
    const lowerStart = this.i;
    const lower = part();
    const lowerTokens = this.i - lowerStart;
    // \frac{d...}{dx}: sympy builds a derivative (or a derivative operator); kept whole.
    if (lowerTokens === 3 && this.lexer.at(lowerStart + 1).type === 'DIFFERENTIAL') {
      const top = this.lexer.at(upperStart + (this.lexer.at(upperStart).type === 'L_BRACE' ? 1 : 0));
      if (top.text.startsWith('d')) return E.opaque('Derivative', [upper, lower]);
    }
    return isOne(upper) ? inverse(lower) : E.mul(upper, inverse(lower));
  }
}

/** A decimal literal as sympy's Number(str): a Float of at least 53 bits, more for long digit strings. */
export function floatLiteral(text: string): Expr {
  const significant = text.replace('.', '').replace(/^0+/, '').length;
  const dps = Math.max(15, significant);
  const prec = Math.max(53, Math.round((dps + 1) * 3.3219280948873626));
  return { k: 'float', v: Number(text), exact: roundToBits(fromDecimal(text), prec), prec };
}

/** sympy's postfix-list product: a lone `x` between two symbol-free factors is a multiplication sign (`2x3`). */
function productOf(items: Expr[], i: number): Expr {
  const res = items[i]!;
  if (i === items.length - 1) return res;
  if (i > 0 && res.k === 'sym' && res.name === 'x') {
    if (E.freeSymbols(items[i - 1]!).length === 0 && E.freeSymbols(items[i + 1]!).length === 0) return productOf(items, i + 1);
  }
  return E.mul(res, productOf(items, i + 1));
}

/**
 * sympy's `do_subs`: a bound `v=a` replaces v by a; a bare bound with symbols replaces its first symbol by the bound
 * itself (sympy takes one from a set; with one symbol that is a no-op or a rescaling); without symbols nothing changes.
 */
function substituteAt(e: Expr, bound: Expr): Expr {
  if (bound.k === 'rel') return E.substitute(e, E.key(bound.lhs), bound.rhs);
  const symbols = E.freeSymbols(bound);
  return symbols.length === 0 ? e : E.substitute(e, symbols[0]!, bound);
}
