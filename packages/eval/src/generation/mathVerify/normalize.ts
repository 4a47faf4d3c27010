/**
 * latex2sympy2_extended's `normalize_latex` with the configuration Math-Verify's LaTeX extraction uses (basic LaTeX
 * clean-up, units, nits, malformed operators; boxes unwrapped in "all" or "last" mode). Applied in the same order:
 * boxes, clean-up, units, nits, malformed operators, then trimmed.
 */
import { boxedContents } from './boxed.ts';

const OPENERS = String.raw`\\\{|\{|\\\||\||\[|\(|\\rbracl|\\lgroup|\\lbrace|\\lbrack|\\vert|\\lvert|\\lceil|\\lfloor|\\langle|\\llcorner|\\ulcorner`;
const CLOSERS = String.raw`\\\}|\}|\\\||\||\]|\)|\\rbrack|\\rgroup|\\rbrace|\\vert|\\rvert|\\rceil|\\rfloor|\\rangle|\\lrcorner|\\urcorner`;
const LEFT = new RegExp(String.raw`\\m?left(${OPENERS})`, 'g');
const RIGHT = new RegExp(String.raw`\\m?right(${CLOSERS})`, 'g');
const PERMUTATION = /\(([a-zA-Z0-9+\-*/\\ ]+?)\)_\{([a-zA-Z0-9+\-*/\\ ]+?)\}/g;
const REMOVED = /\\mathrm\{th\}|\\!\s*|\\text\s*\{\s*\}|\\\$|\$|(?<!\\)["']|\\displaystyle/g;

// One pass of rewrites; the earliest alternative that matches at a position wins, as in a single alternation.
const REWRITES: Array<[string, string]> = [
  [String.raw`\\math(?:rm|it|bf)`, String.raw`\text`],
  [String.raw`\\text(?:normal|bf|it|rm)`, String.raw`\text`],
  [String.raw`\\(?:d|t|c)frac`, String.raw`\frac`],
  [String.raw`\s\.`, ' 0.'],
  [String.raw`\{\.`, '{0.'],
  [String.raw`~=`, String.raw`\approx`],
  [String.raw`\s*\{\s*,\s*\}`, ','],
  [String.raw`(?<![a-zA-Z])(?:,?\s*(?:and|or))(?![a-zA-Z])`, ','],
  [String.raw`(?:,?\s*\\text\{\s*(?:and|or)\s*\})`, ','],
  [String.raw`(?<!\\)\\\s`, ' '],
  ['infinity', String.raw`\infty`],
  [String.raw`,?(?:\\ldots)`, ' '],
  [String.raw`\s*percentage`, String.raw`\%`],
  [String.raw`\\text\{percentage\}`, String.raw`\%`],
  [String.raw`\s*percent`, String.raw`\%`],
  [String.raw`\\text\{percent\}`, String.raw`\%`],
  [String.raw`\s*pct`, String.raw`\%`],
  [String.raw`\\text\{pct\}`, String.raw`\%`],
  [String.raw`(?:(?<!\\)inf(?!inity))`, String.raw`\infty`],
  [' sqrt', String.raw`\sqrt`],
];
const REWRITE = new RegExp(REWRITES.map(([p]) => `(${p})`).join('|'), 'g');

function rewrite(text: string): string {
  return text.replace(REWRITE, (...m: unknown[]) => {
    for (let i = 0; i < REWRITES.length; i++) if (m[i + 1] !== undefined) return REWRITES[i]![1];
    return String(m[0]);
  });
}

// Words (with optional plural) dropped after a number, brace or space at the very end of the answer.
const UNIT_WORDS = [
  'integerpoint', 'feet', 'sue', 'digit', 'pound', 'meal', 'edge', 'student', 'children ticket', 'multiple', 'east',
  'degree', 'mph', 'kmph', 'ft', 'm square', ' m east', 'sq m', 'deg', 'mile', 'q .', 'monkey', 'prime', 'ratio',
  'profit of rs', 'rd', 'o', 'gm', 'p . m', 'lb', 'tile', 'per', 'dm', 'lt', 'gain', 'ab', 'way', 'west', 'a .',
  'b .', 'c .', 'd .', 'e .', 'f .', 'g .', 'h .', 't', 'h', 'no change', 'men', 'soldier', 'pie', 'bc', 'excess',
  'st', 'inches', 'noon', 'cent', 'by', 'gal', 'kmh', 'c', 'acre', 'rise', 'a . m', 'th', 'π r 2', 'sq', 'mark',
  'l', 'toy', 'coin', 'sq . m', 'gallon', '° f', 'profit', 'minw', 'yr', 'women', 'am', 'pm', 'hr', 'cu cm',
  'square', 'v â € ™', 'are', 'rupee', 'rounds', 'cubic', 'cc', 'mtr', 's', 'ohm', 'number', 'kmph', 'day', 'hour',
  'minute', 'min', 'second', 'man', 'woman', 'sec', 'cube', 'mt', 'sq inch', 'mp', '∏ cm ³', 'hectare', 'more',
  'sec', 'unit', 'cu . m', 'cm 2', 'rs .', 'rs', 'kg', 'g', 'month', 'km', 'm', 'cm', 'mm', 'apple', 'liter',
  'loss', 'yard', 'pure', 'year', 'increase', 'decrease', 'd', 'less', 'Surface', 'litre', 'pi sq m', 's .',
  'metre', 'meter', 'inch',
];
const TRAILING_UNIT = new RegExp(String.raw`(\d|\}|\s)\s*(?:(?:${UNIT_WORDS.join('|')})(?:s|es)?)\s*$`);
const TRAILING_TEXT = /(\\(?:text|mbox)\{.*?\})(\^\d|\{\^\d\})?$/;

const MALFORMED: Array<[RegExp, (...g: string[]) => string]> = [
  [/\^\s?\((.*?)\)/g, (_, a) => `^{${a}}`],
  [/sqrt\s?\((.*?)\)/g, (_, a) => `\\sqrt{${a}}`],
  [/\\frac\s?(\d)\s?(\d+)/g, (_, a, b) => `\\frac{${a}}{${b}}`],
  [/\\log_\s?(\d)\s?(\d+)/g, (_, a, b) => `\\log_{${a}}{${b}}`],
  [/\\frac\s?\{(.*?)\}\s?(\d)/g, (_, a, b) => `\\frac{${a}}{${b}}`],
  [/\\frac\s?(\d)\s?\{(.*?)\}/g, (_, a, b) => `\\frac{${a}}{${b}}`],
  [/\\sqrt\s?(\d)/g, (_, a) => `\\sqrt{${a}}`],
];

/** `\sqrt3` → `\sqrt{3}`: a single character after `\sqrt` becomes its braced argument. */
function braceSqrt(text: string): string {
  if (!text.includes('\\sqrt')) return text;
  const [head, ...rest] = text.split('\\sqrt');
  let out = head!;
  for (const piece of rest) {
    const p = piece.replace(/^\s+/, '');
    out += p.length > 0 && p[0] !== '{' && p[0] !== '[' ? `\\sqrt{${p[0]}}${p.slice(1)}` : `\\sqrt${p}`;
  }
  return out;
}

/** `\frac12`, `\frac1{2}` → braced numerator and denominator; gives up (returns the input) on a too-short tail. */
function braceFracs(text: string): string {
  const [head, ...rest] = text.split('\\frac');
  let out = head!;
  for (const piece of rest) {
    const p = piece.replace(/^\s+/, '');
    out += '\\frac';
    if (p.startsWith('{')) out += p;
    else if (p.length < 2) return text;
    else if (p[1] !== '{') out += `{${p[0]}}{${p[1]}}${p.slice(2)}`;
    else out += `{${p[0]}}${p.slice(1)}`;
  }
  return out;
}

/** A whole answer `a/b` of two plain integers becomes `\frac{a}{b}`. */
function slashFraction(text: string): string {
  const parts = text.split('/');
  if (parts.length !== 2) return text;
  const canon = (s: string): string | null => (/^\s*[-+]?\d+(?:_\d+)*\s*$/.test(s) ? String(BigInt(s.trim().replace(/_/g, ''))) : null);
  const a = canon(parts[0]!);
  const b = canon(parts[1]!);
  if (a === null || b === null || `${a}/${b}` !== text) return text;
  return `\\frac{${a}}{${b}}`;
}

export function normalizeLatex(input: string, boxed: 'all' | 'last'): string {
  let text = boxedContents(input, boxed);

  text = text.replaceAll('\\mathrm{T}', 'T').replaceAll('\\mathrm{d}', 'd').replaceAll('{\\rm d}', 'd');
  text = text.replaceAll('\\left[\\begin{matrix}', '\\begin{bmatrix}').replaceAll('\\end{matrix}\\right]', '\\end{bmatrix}');
  text = text.replace(LEFT, '$1').replace(RIGHT, '$1');
  text = text.replace(PERMUTATION, (_, n: string, k: string) => `\\frac{(${n})!}{((${n})-(${k}))!}`);
  text = text.replace(REMOVED, '');
  text = rewrite(text);
  text = text.replace(/[\n\t]/g, ' ');
  if (!text.includes('matrix')) text = text.replace(/\\\\(?=[a-zA-Z])/g, '\\');

  const withoutText = text.replace(TRAILING_TEXT, '').trim();
  if (withoutText !== '' && withoutText !== text) text = withoutText;
  for (let i = 0; i < 2; i++) {
    const next = text.replace(TRAILING_UNIT, '$1');
    if (next !== '' && next !== text) text = next;
  }

  if (text.startsWith('.')) text = `0${text}`;
  if (text === '0.5') text = '\\frac{1}{2}';

  for (const [re, fix] of MALFORMED) text = text.replace(re, fix as (...a: unknown[]) => string);
  text = text.replaceAll(' sqrt', '\\sqrt');
  text = braceSqrt(text);
  text = braceFracs(text);
  text = slashFraction(text);
  return text.trim();
}
