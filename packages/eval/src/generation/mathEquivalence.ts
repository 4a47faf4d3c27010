/**
 * minerva_math's `is_equiv`: lm-eval parses both normalised answers with sympy's `parse_latex` and counts them
 * equal when `simplify(a - b) == 0`; anything that fails to parse or subtract is unequal. `latex/` reads sympy's
 * LaTeX language (with its quirks: the longest valid prefix counts, letters are symbols, `\\pi` is a symbol) and
 * `symbolic/` makes sympy's zero decision. Each call is independent: no state is kept between calls.
 */
import { LatexConversionError, LatexLexError, LatexLimitError, LatexParseError, parseLatex } from './latex/index.ts';
import { type Expr, isZeroDifference } from './symbolic/index.ts';

export interface MinervaEquivOptions {
  /**
   * Count identical normalised strings as equal before parsing: a named deviation, off by default. lm-eval's code
   * does not, so an answer sympy cannot parse (an interval `[2,5)`, a tuple `(1,2)`, text) scores 0 there even
   * when it matches the gold character for character; turn this on to credit such answers.
   */
  stringEqualityFirst?: boolean;
}

/** A minerva equivalence verdict; `reason` says why a pair was not compared (unparseable, error, size). */
export interface EquivalenceVerdict {
  equal: boolean;
  reason?: string;
}

const shown = (text: string): string => JSON.stringify(text.length > 40 ? `${text.slice(0, 40)}...` : text);

function parse(text: string): Expr | string {
  try {
    return parseLatex(text);
  } catch (e) {
    if (e instanceof LatexParseError || e instanceof LatexLexError || e instanceof LatexConversionError) return `unparseable: ${shown(text)}`;
    if (e instanceof LatexLimitError) return `unparseable: ${e.message}`;
    return `error: ${(e as Error).message.slice(0, 60)}`;
  }
}

export function minervaEquivalence(x1: string, x2: string, options: MinervaEquivOptions = {}): EquivalenceVerdict {
  if ((options.stringEqualityFirst ?? false) && x1 === x2) return { equal: true };
  const a = parse(x1);
  if (typeof a === 'string') return { equal: false, reason: a };
  const b = parse(x2);
  if (typeof b === 'string') return { equal: false, reason: b };
  try {
    return isZeroDifference(a, b);
  } catch (e) {
    return { equal: false, reason: `error: ${(e as Error).message.slice(0, 60)}` };
  }
}

export function minervaIsEquiv(x1: string, x2: string, options: MinervaEquivOptions = {}): boolean {
  return minervaEquivalence(x1, x2, options).equal;
}
