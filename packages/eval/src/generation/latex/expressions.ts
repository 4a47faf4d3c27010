/**
 * The expression levels of sympy's LaTeX grammar: relations, sums, products, unary signs, postfix factorials and
 * evaluation bars, powers, and the bracketed groups. Functions and atoms come from the subclass in parser.ts.
 */
import * as E from '../symbolic/expr.ts';
import type { Expr, RelationOp } from '../symbolic/expr.ts';
import { inverse, MINUS_ONE, negate, productOf, substituteAt } from './builders.ts';
import { TokenCursor } from './cursor.ts';
import { LatexConversionError, LatexParseError } from './errors.ts';
import type { TokenType } from './lexer.ts';

const RELATIONS: Partial<Record<TokenType, RelationOp>> = { EQUAL: '=', LT: '<', LTE: '<=', GT: '>', GTE: '>=', NEQ: '!=' };
const MP_OPS = new Set<TokenType>(['MUL', 'CMD_TIMES', 'CMD_CDOT', 'DIV', 'CMD_DIV', 'COLON']);

export abstract class ExpressionParser extends TokenCursor {
  protected abstract func(): Expr;
  protected abstract atom(): Expr;

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

  protected additive(): Expr {
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

  protected mp(nofunc: boolean): Expr {
    let left = this.unary(nofunc);
    while (MP_OPS.has(this.peek().type)) {
      const op = this.peek().type;
      const right = this.attempt(() => (this.next(), this.unary(nofunc)), true);
      if (!right) break;
      left = op === 'MUL' || op === 'CMD_TIMES' || op === 'CMD_CDOT' ? E.mul(left, right) : E.mul(left, inverse(right));
    }
    return left;
  }

  protected unary(nofunc: boolean): Expr {
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

  protected postfix(nofunc: boolean): Expr {
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
  protected evalAt(e: Expr): Expr {
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

  protected exp(nofunc: boolean): Expr {
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
  protected supOperand(): Expr {
    if (this.is('L_BRACE')) {
      this.next();
      const e = this.expr();
      this.expect('R_BRACE');
      return e;
    }
    return this.atom();
  }
  protected subexpr(): Expr {
    this.expect('UNDERSCORE');
    return this.supOperand();
  }
  protected supexpr(): Expr {
    this.expect('CARET');
    return this.supOperand();
  }

  protected comp(nofunc: boolean): Expr {
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

}
