/**
 * sympy's `parse_latex` checks matrix delimiters before parsing: every opening form (`\begin{pmatrix}`, `(` or
 * `\left[` before `\begin{matrix}` or `\begin{array}{..}`, ...) must be followed by its own closing form, taking
 * all of them in order of position and pairing them two by two. A mismatch is a parse error, even where the
 * grammar would read the text (`\begin{pmatrix6/5\end{pmatrix}}` fails there, `\begin{pmatrix}...` balanced does not).
 */

const WS_BRACES_OPEN = String.raw`\s*[{]*\s*`;
const WS_BRACES_CLOSE = String.raw`\s*[}]*\s*`;
const MATRIX = { open: String.raw`\\begin\{matrix\}`, close: String.raw`\\end\{matrix\}` };
const ARRAY = { open: String.raw`\\begin\{array\}\{.*?\}`, close: String.raw`\\end\{array\}` };

// Outer brackets around a matrix/array environment: `\left(` / `\right)`, or a bare `(` / `)` not after `\left`.
const BRACKETS: [string, string][] = [
  [String.raw`\\left\(`, String.raw`\\right\)`],
  [String.raw`(?<!\\left)\(`, String.raw`\)`],
  [String.raw`\\left\[`, String.raw`\\right\]`],
  [String.raw`(?<!\\left)\[`, String.raw`\]`],
  [String.raw`\\left\|`, String.raw`\\right\|`],
  [String.raw`(?<!\\left)\|`, String.raw`\|`],
];

/** Opening and closing patterns, in the order the pairs are listed (this order breaks ties between positions). */
const PAIRS: [string, string][] = [
  ...BRACKETS.map(([l, r]): [string, string] => [l + WS_BRACES_OPEN + MATRIX.open, MATRIX.close + WS_BRACES_CLOSE + r]),
  ...['pmatrix', 'bmatrix', 'vmatrix'].map((env): [string, string] => [String.raw`\\begin\{${env}\}`, String.raw`\\end\{${env}\}`]),
  ...BRACKETS.map(([l, r]): [string, string] => [l + WS_BRACES_OPEN + ARRAY.open, ARRAY.close + WS_BRACES_CLOSE + r]),
];
const COMPILED = PAIRS.map(([open, close], pair) => ({ pair, open: new RegExp(open, 'g'), close: new RegExp(close, 'g') }));

/** Null when the delimiters pair up as sympy requires, else what is wrong. */
export function matrixDelimiterError(text: string): string | null {
  const marks: { at: number; pair: number; opening: boolean }[] = [];
  for (const { pair, open, close } of COMPILED) {
    for (const m of text.matchAll(open)) marks.push({ at: m.index, pair, opening: true });
    for (const m of text.matchAll(close)) marks.push({ at: m.index, pair, opening: false });
  }
  marks.sort((a, b) => a.at - b.at); // stable: equal positions keep the listing order
  for (let i = 0; i < marks.length; i += 2) {
    const first = marks[i]!;
    const second = marks[i + 1];
    if (!first.opening) return 'matrix delimiter closed before it was opened';
    if (!second) return 'matrix delimiter never closed';
    if (second.opening || second.pair !== first.pair) return 'matrix delimiter closed by the wrong form';
  }
  return null;
}
