/**
 * A recursive-descent reading of the language sympy 1.14's `parse_latex` accepts, building the trees its converter
 * builds. Like sympy's parser it reads the longest valid prefix and drops the rest (`6,-2` is 6), because its top
 * rule does not require the end of input. Where ANTLR's prediction would give up on an optional part or a loop
 * iteration, this parser backtracks and stops the loop; where only one continuation is possible (a `.` after
 * digits, an operand after `=`), a failure is an error, as in sympy.
 */
import { pythonStrip } from '../../python/strip.ts';
import * as E from '../symbolic/expr.ts';
import type { Expr, KnownFunction } from '../symbolic/expr.ts';
import { rat } from '../symbolic/rational.ts';
import { floatLiteral, inverse, isOne } from './builders.ts';
import { ExpressionParser } from './expressions.ts';
import { DotError, LatexLimitError, LatexParseError } from './errors.ts';
import type { TokenType } from './lexer.ts';
import { matrixDelimiterError } from './matrixDelimiters.ts';

export { LatexConversionError, LatexLimitError, LatexParseError } from './errors.ts';
export { floatLiteral } from './builders.ts';

const MAX_LENGTH = 2000;

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

class Parser extends ExpressionParser {
  constructor(text: string) {
    super(text);
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

  protected func(): Expr {
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

  protected atom(): Expr {
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
