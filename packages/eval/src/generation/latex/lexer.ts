/**
 * Tokens of sympy's LaTeX grammar (sympy 1.14 `parse_latex`). The lexer works the way an ANTLR lexer does:
 * longest match, ties going to the rule listed first (every fixed command beats the generic `\name` symbol), and
 * a character no rule matches is an error only when the parser asks for the token there. sympy's parser fetches
 * tokens lazily, so junk after the parsed prefix is harmless unless it sits right where the parser looks.
 */

export type TokenType =
  | 'ADD' | 'SUB' | 'MUL' | 'DIV' | 'L_PAREN' | 'R_PAREN' | 'L_BRACE' | 'R_BRACE'
  | 'L_BRACE_LITERAL' | 'R_BRACE_LITERAL' | 'L_BRACKET' | 'R_BRACKET' | 'BAR' | 'R_BAR' | 'L_BAR'
  | 'L_ANGLE' | 'R_ANGLE' | 'FUNC_LIM' | 'LIM_APPROACH_SYM' | 'FUNC_INT' | 'FUNC_SUM' | 'FUNC_PROD'
  | 'FUNC_NORMAL' | 'L_FLOOR' | 'R_FLOOR' | 'L_CEIL' | 'R_CEIL' | 'FUNC_SQRT' | 'FUNC_OVERLINE'
  | 'CMD_TIMES' | 'CMD_CDOT' | 'CMD_DIV' | 'CMD_FRAC' | 'CMD_BINOM' | 'CMD_MATHIT'
  | 'UNDERSCORE' | 'CARET' | 'COLON' | 'DIFFERENTIAL' | 'LETTER' | 'DIGIT' | 'EQUAL' | 'NEQ'
  | 'LT' | 'LTE' | 'GT' | 'GTE' | 'BANG' | 'SINGLE_QUOTES' | 'SYMBOL' | 'COMMA' | 'DOT' | 'EOF';

export interface Token {
  type: TokenType;
  text: string;
  /** Offset of the first character in the source. */
  start: number;
}

/** A character sequence no token matches, reached by the parser: sympy raises LaTeXParsingError. */
export class LatexLexError extends Error {}

const SKIP = 'SKIP';
type Fixed = TokenType | typeof SKIP;

const NORMAL_FUNCTIONS = [
  'exp', 'log', 'lg', 'ln', 'sin', 'cos', 'tan', 'csc', 'sec', 'cot', 'arcsin', 'arccos', 'arctan', 'arccsc',
  'arcsec', 'arccot', 'sinh', 'cosh', 'tanh', 'arsinh', 'arcosh', 'artanh',
];

// Commands with a meaning of their own; `\` followed by any other letters is a SYMBOL.
const COMMANDS = new Map<string, Fixed>([
  ...['\\,', '\\thinspace', '\\:', '\\medspace', '\\;', '\\thickspace', '\\quad', '\\qquad', '\\!', '\\negthinspace',
    '\\negmedspace', '\\negthickspace', '\\left', '\\right', '\\vrule', '\\vcenter', '\\vbox', '\\vskip', '\\vspace',
    '\\hfil', '\\*', '\\-', '\\.', '\\/', '\\"', '\\(', '\\='].map((c): [string, Fixed] => [c, SKIP]),
  ['\\{', 'L_BRACE_LITERAL'], ['\\}', 'R_BRACE_LITERAL'], ['\\right|', 'R_BAR'], ['\\left|', 'L_BAR'],
  ['\\langle', 'L_ANGLE'], ['\\rangle', 'R_ANGLE'], ['\\lim', 'FUNC_LIM'],
  ...['\\to', '\\rightarrow', '\\Rightarrow', '\\longrightarrow', '\\Longrightarrow'].map((c): [string, Fixed] => [c, 'LIM_APPROACH_SYM']),
  ['\\int', 'FUNC_INT'], ['\\int\\limits', 'FUNC_INT'], ['\\sum', 'FUNC_SUM'], ['\\prod', 'FUNC_PROD'],
  ...NORMAL_FUNCTIONS.map((f): [string, Fixed] => [`\\${f}`, 'FUNC_NORMAL']),
  ['\\lfloor', 'L_FLOOR'], ['\\rfloor', 'R_FLOOR'], ['\\lceil', 'L_CEIL'], ['\\rceil', 'R_CEIL'],
  ['\\sqrt', 'FUNC_SQRT'], ['\\overline', 'FUNC_OVERLINE'], ['\\times', 'CMD_TIMES'], ['\\cdot', 'CMD_CDOT'],
  ['\\div', 'CMD_DIV'], ['\\frac', 'CMD_FRAC'], ['\\dfrac', 'CMD_FRAC'], ['\\tfrac', 'CMD_FRAC'],
  ['\\binom', 'CMD_BINOM'], ['\\dbinom', 'CMD_BINOM'], ['\\tbinom', 'CMD_BINOM'], ['\\mathit', 'CMD_MATHIT'],
  ['\\neq', 'NEQ'], ['\\leq', 'LTE'], ['\\le', 'LTE'], ['\\leqq', 'LTE'], ['\\leqslant', 'LTE'],
  ['\\geq', 'GTE'], ['\\ge', 'GTE'], ['\\geqq', 'GTE'], ['\\geqslant', 'GTE'],
]);
const LONGEST_COMMAND = Math.max(...[...COMMANDS.keys()].map((c) => c.length));

const SINGLE: Record<string, TokenType> = {
  '+': 'ADD', '-': 'SUB', '*': 'MUL', '/': 'DIV', '(': 'L_PAREN', ')': 'R_PAREN', '{': 'L_BRACE', '}': 'R_BRACE',
  '[': 'L_BRACKET', ']': 'R_BRACKET', '|': 'BAR', '_': 'UNDERSCORE', '^': 'CARET', ':': 'COLON', '<': 'LT',
  '>': 'GT', '!': 'BANG', ',': 'COMMA', '.': 'DOT', '=': 'EQUAL',
};

const isLetter = (c: string | undefined): boolean => c !== undefined && /^[a-zA-Z]$/.test(c);
const isWs = (c: string | undefined): boolean => c === ' ' || c === '\t' || c === '\r' || c === '\n';

export class Lexer {
  private readonly tokens: Token[] = [];
  private pos = 0;
  private done = false;

  constructor(private readonly src: string) {}

  /** The i-th token (0-based), lexing up to it on demand; EOF tokens repeat past the end. */
  at(i: number): Token {
    while (this.tokens.length <= i && !this.done) this.lexOne();
    return this.tokens[Math.min(i, this.tokens.length - 1)]!;
  }

  private push(type: TokenType, start: number, end: number): void {
    this.tokens.push({ type, text: this.src.slice(start, end), start });
    this.pos = end;
  }

  private lexOne(): void {
    const s = this.src;
    for (;;) {
      while (isWs(s[this.pos])) this.pos++;
      const p = this.pos;
      if (p >= s.length) {
        this.done = true;
        this.tokens.push({ type: 'EOF', text: '', start: p });
        return;
      }
      const c = s[p]!;
      if (c === '\\') {
        let end = p + 1;
        while (isLetter(s[end])) end++;
        let best: { len: number; type: Fixed } | null = end > p + 1 ? { len: end - p, type: 'SYMBOL' } : null;
        for (let len = Math.min(LONGEST_COMMAND, s.length - p); len >= 2; len--) {
          const fixed = COMMANDS.get(s.slice(p, p + len));
          if (fixed !== undefined) {
            if (!best || len >= best.len) best = { len, type: fixed };
            break;
          }
        }
        if (!best) throw new LatexLexError(`no token at ${JSON.stringify(s.slice(p, p + 2))}`);
        if (best.type === SKIP) {
          this.pos = p + best.len;
          continue;
        }
        this.push(best.type, p, p + best.len);
        return;
      }
      if (c === 'd') {
        // DIFFERENTIAL: d, optional whitespace, then a letter or a \command.
        let q = p + 1;
        while (isWs(s[q])) q++;
        if (isLetter(s[q])) return this.push('DIFFERENTIAL', p, q + 1);
        if (s[q] === '\\' && isLetter(s[q + 1])) {
          q += 1;
          while (isLetter(s[q])) q++;
          return this.push('DIFFERENTIAL', p, q);
        }
      }
      if (isLetter(c)) return this.push('LETTER', p, p + 1);
      if (c >= '0' && c <= '9') return this.push('DIGIT', p, p + 1);
      if (c === '&') {
        let q = p + 1;
        while (isWs(s[q])) q++;
        if (s[q] === '=') return this.push('EQUAL', p, q + 1);
        throw new LatexLexError('no token at "&"');
      }
      if (c === "'") {
        let q = p;
        while (s[q] === "'") q++;
        return this.push('SINGLE_QUOTES', p, q);
      }
      const single = SINGLE[c];
      if (single) return this.push(single, p, p + 1);
      throw new LatexLexError(`no token at ${JSON.stringify(c)}`);
    }
  }
}
