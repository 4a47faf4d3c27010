/**
 * Token access and backtracking for the LaTeX reader: a position in the lazily lexed token stream, attempts that
 * rewind on a parse error, and the bounds on work and nesting.
 */
import { CommittedError, DotError, LatexLimitError, LatexParseError } from './errors.ts';
import { Lexer, type Token, type TokenType } from './lexer.ts';

const MAX_STEPS = 200_000;
const MAX_DEPTH = 200;

export class TokenCursor {
  protected readonly lexer: Lexer;
  protected i = 0;
  protected steps = 0;
  protected depth = 0;
  /** An integer with leading zeros on the parse path so far: sympy's Number('05') fails after parsing. */
  protected leadingZeros = false;
  /** Directly inside |...| (not within brackets there): a | ends the product rather than opening another. */
  protected insideAbs = false;
  /** At most this many digits for the next number (see normalFunction). */
  protected digitLimit: number | null = null;

  constructor(text: string) {
    this.lexer = new Lexer(text);
  }

  protected peek(k = 0): Token {
    return this.lexer.at(this.i + k);
  }
  protected is(type: TokenType, k = 0): boolean {
    return this.peek(k).type === type;
  }
  protected next(): Token {
    const t = this.peek();
    this.i++;
    this.peek(); // ANTLR fetches the token after the one consumed; a lexing error there surfaces now.
    return t;
  }
  protected expect(type: TokenType): Token {
    if (!this.is(type)) throw new LatexParseError(`expected ${type}`);
    return this.next();
  }
  protected step(): void {
    if (++this.steps > MAX_STEPS) throw new LatexLimitError('input too complex');
  }

  /** Runs an optional part: on a parse error, rewinds and returns null. Lexing errors are never retried. */
  protected attempt<T>(f: () => T, keepDotErrors = false): T | null {
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

  protected within<T>(insideAbs: boolean, f: () => T): T {
    const saved = this.insideAbs;
    this.insideAbs = insideAbs;
    try {
      return f();
    } finally {
      this.insideAbs = saved;
    }
  }

  /** Runs a part that has no alternative once started: its parse errors become CommittedError. */
  protected committed<T>(f: () => T): T {
    try {
      return f();
    } catch (e) {
      if (e instanceof LatexParseError && !(e instanceof CommittedError)) throw new CommittedError(e.message);
      throw e;
    }
  }

  protected nested<T>(f: () => T): T {
    if (++this.depth > MAX_DEPTH) throw new LatexLimitError('input nested too deeply');
    try {
      return f();
    } finally {
      this.depth--;
    }
  }

}
