/** Errors of the LaTeX reader, and the internal ones that steer its backtracking. */
/** The input is not in sympy's language (sympy: LaTeXParsingError). */
export class LatexParseError extends Error {}
/**
 * A `.` after digits without digits after it. ANTLR's prediction commits to the path that reached it when the
 * alternatives cannot be told apart there (an operand of `+`, `\cdot`, `:` or an unbraced exponent), so sympy
 * raises instead of dropping the rest (`1+2.` fails, `2 3.` reads 2, `x^{2.}` reads x). Observed behaviour.
 */
export class DotError extends LatexParseError {}
/**
 * A `_` after a symbol or an exponent, or `|_` (an evaluation bar), that does not go on as the grammar requires:
 * no other reading of these tokens exists, so sympy fails rather than dropping the rest (`e_`, `x^2_`, `|x|_1`),
 * except where the part is a later factor of a product, which is dropped (`32x_(` reads 32). Observed behaviour.
 */
export class CommittedError extends DotError {}
/** Parsed, but sympy's conversion to an expression fails (an integer with leading zeros: `05`). */
export class LatexConversionError extends Error {}
/** Input too long or too deeply nested to read within our bounds. */
export class LatexLimitError extends Error {}
