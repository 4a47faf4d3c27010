/** sympy 1.14's `parse_latex` language: `parseLatex(text)` returns the tree sympy's converter builds. */
export { parseLatex, LatexParseError, LatexConversionError, LatexLimitError, floatLiteral } from './parser.ts';
export { LatexLexError } from './lexer.ts';
