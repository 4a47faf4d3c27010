/**
 * Math-Verify's `parse` with its defaults: patterns are tried by priority; within a priority every match of every
 * pattern is ranked rightmost-end first (longest first on ties) and converted in turn until one yields a value.
 * The result is that value (if any) followed by the text of the first match tried (the "first_match" fallback),
 * which `verify` compares as a string when both sides have one.
 */
import { type Node, parseDecimal } from './ast.ts';
import { parsePlainExpression } from './exprParse.ts';
import { parseLatexAnswer } from './latexParse.ts';
import { normalizeLatex } from './normalize.ts';
import { extractionPatterns, type Pattern } from './patterns.ts';

export type Extracted = Node | string;

/** Longest text searched; longer completions are cut to their last part, where answers are. */
export const MAX_TEXT = 20000;

// Math-Verify parses symbols as real unless the text looks complex; only sympy's simplification sees that
// assumption, and the comparison here samples symbols at real points, which is the same thing for MATH answers.

const asPercent = (x: Node): Node => ({ t: 'pct', arg: x });

/** latex2sympy on the normalised text; if that fails, on the part after the last `=` of a chain `a = b = c`. */
function parseLatexWithFallback(latex: string): Node {
  try {
    return parseLatexAnswer(latex);
  } catch (e) {
    if (!latex.includes(',') && !latex.includes(';')) {
      const parts = latex.split(/(?<![\\<!>])=/);
      if (parts.length > 2) return parseLatexAnswer(parts[parts.length - 1]!);
    }
    throw e;
  }
}

function groupsOf(m: RegExpMatchArray): Array<[string, string]> {
  return Object.entries(m.groups ?? {}).filter((e): e is [string, string] => e[1] !== undefined && e[1] !== '');
}

function fromLatexMatch(m: RegExpMatchArray): [Node | null, string] {
  const groups = groupsOf(m);
  const all = m.groups ?? {};
  const picked: Array<[string, string]> = [];
  const first = groups.find(([name]) => name.startsWith('first_latex'));
  if (first) picked.push(first);
  for (let i = 1; i <= 5; i++) {
    const next = groups.find(([name]) => name.startsWith(`next${i}_latex`));
    if (next) picked.push(next);
  }
  if (picked.length === 0) return [null, ''];
  const values: Array<Node | null> = [];
  const texts: string[] = [];
  for (const [name, text] of picked) {
    const [prefix, kind] = name.split('_');
    const normalized = normalizeLatex(text, kind === 'latexBoxed' ? 'last' : 'all');
    texts.push(normalized);
    try {
      let v = parseLatexWithFallback(normalized);
      if (all[`${prefix}_percent`]) v = asPercent(v);
      values.push(v);
    } catch {
      values.push(null);
    }
  }
  if (values.length > 1 && values.every((v) => v !== null)) {
    const elems = (values as Node[]).flatMap((v) => (v.t === 'set' ? v.elems : [v]));
    return [{ t: 'set', elems }, texts.join(' and ')];
  }
  return [values[0]!, texts[0]!];
}

function fromExprMatch(m: RegExpMatchArray): [Node | null, string] {
  const g = m.groups ?? {};
  const integer = ['integer1', 'integer2', 'integer3'].map((k) => g[k]).find((v) => v) ?? '';
  const decimal = ['decimal1', 'decimal2', 'decimal3'].map((k) => g[k]).find((v) => v) ?? '';
  if (integer || decimal) {
    let int = integer.replace(/[, ]/g, '');
    const negative = int.startsWith('-');
    int = int.replace(/^0+/, '');
    if (int === '' ) int = '0';
    const dec = decimal.replace(',', '.');
    const text = `${int}${dec}`;
    // Python's lstrip('0') keeps the sign, so "-05" stays "-05" and parses as -5.
    let value: Node;
    try {
      const digits = text.replace(/^-/, '').replace(/^0+(?=\d)/, '');
      value = parseDecimal(digits === '' ? '0' : digits);
      if (negative || text.startsWith('-')) value = { ...(value as Extract<Node, { t: 'num' }>), n: -(value as Extract<Node, { t: 'num' }>).n };
    } catch {
      return [null, text];
    }
    return [g['percent'] ? asPercent(value) : value, text];
  }
  const expr = g['expr'] ?? '';
  if (expr) {
    try {
      return [parsePlainExpression(expr.replace(/\n/g, ' ')), expr];
    } catch {
      return [null, expr];
    }
  }
  return [null, expr];
}

interface Ranked {
  m: RegExpMatchArray;
  start: number;
  end: number;
  pattern: Pattern;
}

export function extractAnswers(input: string): Extracted[] {
  const text = input.length > MAX_TEXT ? input.slice(input.length - MAX_TEXT) : input;
  const patterns = extractionPatterns();
  const priorities = [...new Set(patterns.map((p) => p.priority))].sort((a, b) => a - b);
  const fallbacks: string[] = [];
  let value: Node | null = null;
  for (const priority of priorities) {
    const ranked: Ranked[] = [];
    for (const pattern of patterns.filter((p) => p.priority === priority)) {
      for (const m of text.matchAll(pattern.re)) {
        ranked.push({ m, start: m.index!, end: m.index! + m[0].length, pattern });
      }
    }
    ranked.sort((a, b) => b.end - a.end || a.start - b.start);
    for (const r of ranked) {
      const [v, str] = r.pattern.kind === 'latex' ? fromLatexMatch(r.m) : fromExprMatch(r.m);
      if (str) fallbacks.push(str);
      if (v !== null) {
        value = v;
        break;
      }
    }
    if (value !== null) break;
  }
  const out: Extracted[] = [];
  if (value !== null) out.push(value);
  if (fallbacks.length > 0) out.push(fallbacks[0]!);
  return out;
}
