/**
 * Answers to DeepMind Mathematics questions: what the model's answer is, and whether it equals the gold.
 * The rules (also in packages/eval/README.md, "Mathematics"):
 * - extraction: the last `\boxed{}` if there is one; else the text after the last "answer is"; else the first
 *   non-empty line; then `$`, surrounding spaces and one trailing full stop are removed, and `x = v` gives v.
 * - True/False golds: the words true/false or yes/no, any case.
 * - times of day (`1:26 AM`): hour, minutes and AM/PM equal.
 * - base-n modules (`numbers__base_conversion`, `arithmetic__add_or_sub_in_base`): the digits, any case.
 * - comma lists: element by element; as sets for modules whose question asks for all roots or all prime
 *   factors, in order otherwise (sorting questions).
 * - everything else (numbers, fractions, polynomials, surds, powers, option letters and variable names):
 *   equal as expressions, by evaluation at several points; exactly over rationals when every operation stays
 *   rational (so `0.5`, `1/2` and `2/4` are equal and `0.333` is not `1/3`), in doubles with a 1e-9 relative
 *   tolerance for surds and fractional powers. The form is not checked: an expanded polynomial answers a
 *   "Factor" question.
 */
import { evaluateExact, evaluateNumeric, MAX_EXPRESSION_LENGTH, parseExpression, variablesOf, type Expr } from './expression.ts';
import { Rational } from './rational.ts';

const SET_MODULES = /^(algebra__polynomial_roots|numbers__list_prime_factors)/;
const BASE_MODULES = /^(numbers__base_conversion|arithmetic__add_or_sub_in_base)/;
const NUMERIC_TOLERANCE = 1e-9;
const POINTS = 6;

/** The final answer a completion gives, or null when it gives none. */
export function extractMathematicsAnswer(completion: string): string | null {
  const text = completion.slice(0, 20_000);
  const boxed = lastBoxedContent(text);
  let answer: string | undefined;
  if (boxed !== null) answer = boxed;
  else {
    const m = [...text.matchAll(/answer is:?/gi)].at(-1);
    answer = m ? text.slice(m.index! + m[0].length).split('\n')[0] : text.split('\n').find((l) => l.trim() !== '');
  }
  if (answer === undefined) return null;
  let a = answer.replace(/\$/g, '').trim().replace(/\.$/, '').trim();
  const eq = a.lastIndexOf('=');
  if (eq >= 0 && !/[<>!]$/.test(a.slice(0, eq))) a = a.slice(eq + 1).trim();
  return a === '' ? null : a;
}

function lastBoxedContent(text: string): string | null {
  const start = text.lastIndexOf('\\boxed{');
  if (start < 0) return null;
  let depth = 0;
  for (let i = start + '\\boxed'.length; i < text.length; i++) {
    if (text[i] === '{') depth++;
    else if (text[i] === '}' && --depth === 0) return text.slice(start + '\\boxed{'.length, i);
  }
  return null;
}

/** LaTeX and typographic spellings turned into the plain syntax the generator writes. */
export function plainMath(s: string): string {
  let t = s
    .replace(/\\left|\\right|\\!|\\,|\\;|\\ /g, '')
    .replace(/\\(?:cdot|times)/g, '*')
    .replace(/[−–]/g, '-')
    .replace(/\\[dt]?frac\{([^{}]*)\}\{([^{}]*)\}/g, '(($1)/($2))')
    .replace(/\\sqrt\{([^{}]*)\}/g, 'sqrt($1)')
    .replace(/\^\{([^{}]*)\}/g, '^($1)')
    .replace(/\\text\{([^{}]*)\}/g, '$1')
    .replace(/[{}]/g, '');
  // A bare option letter in parentheses, `(c)`, is the letter.
  t = t.trim().replace(/^\(([a-z])\)$/i, '$1');
  return t;
}

function parseBoolean(s: string): boolean | null {
  const w = s.trim().toLowerCase().replace(/[.!]$/, '');
  if (w === 'true' || w === 'yes') return true;
  if (w === 'false' || w === 'no') return false;
  return null;
}

function parseTime(s: string): string | null {
  const m = /^(\d{1,2}):(\d{2})\s*([ap])\.?m\.?$/i.exec(s.trim());
  return m ? `${Number(m[1])}:${m[2]}${m[3]!.toLowerCase()}` : null;
}

/** Splits a top-level comma list (commas inside parentheses stay). */
function splitList(s: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let cur = '';
  for (const c of s) {
    if (c === '(') depth++;
    if (c === ')') depth--;
    if (c === ',' && depth === 0) {
      out.push(cur.trim());
      cur = '';
    } else cur += c;
  }
  out.push(cur.trim());
  return out;
}

function pointValue(point: number, variable: number): Rational {
  return new Rational(BigInt(11 + 7 * point + 13 * variable), BigInt(3 + point + 2 * variable));
}

/** Whether two parsed expressions agree at every evaluation point where both are defined (at least half). */
export function expressionsEqual(a: Expr, b: Expr): boolean {
  const names = [...new Set([...variablesOf(a), ...variablesOf(b)])].sort();
  let decided = 0;
  for (let p = 0; p < POINTS; p++) {
    const env = new Map(names.map((n, j) => [n, pointValue(p, j)] as const));
    const ea = evaluateExact(a, env);
    const eb = evaluateExact(b, env);
    if (ea === undefined || eb === undefined) continue;
    if (ea !== null && eb !== null) {
      if (!ea.equals(eb)) return false;
    } else {
      const na = evaluateNumeric(a, env);
      const nb = evaluateNumeric(b, env);
      if (Number.isNaN(na) || Number.isNaN(nb)) {
        if (Number.isNaN(na) !== Number.isNaN(nb)) return false;
        continue;
      }
      if (!Number.isFinite(na) || !Number.isFinite(nb)) return false;
      if (Math.abs(na - nb) > NUMERIC_TOLERANCE * Math.max(1, Math.abs(na), Math.abs(nb))) return false;
    }
    decided++;
    if (names.length === 0) return true;
  }
  return decided >= POINTS / 2;
}

/** An expression, or a number in e-notation (`6.98e-7`), which the expression grammar leaves out (`e` is a variable there). */
function parseAnswer(text: string): Expr | null {
  const t = text.trim();
  if (/^[+-]?(\d+\.?\d*|\.\d+)[eE][+-]?\d+$/.test(t)) {
    const value = Rational.fromDecimal(t);
    return value ? { kind: 'num', value } : null;
  }
  return parseExpression(plainMath(t));
}

function singleEqual(pred: string, gold: string, module: string): boolean {
  const goldBool = parseBoolean(gold);
  if (goldBool !== null) return parseBoolean(pred) === goldBool;
  const goldTime = parseTime(gold);
  if (goldTime !== null) return parseTime(pred) === goldTime;
  if (BASE_MODULES.test(module)) return pred.replace(/\s+/g, '').toLowerCase() === gold.replace(/\s+/g, '').toLowerCase();
  const g = parseExpression(plainMath(gold));
  // Thousands separators only where the gold is a single number (lists use commas too).
  const p = parseAnswer(/^-?\d{1,3}(,\d{3})+(\.\d+)?$/.test(pred.trim()) ? pred.replace(/,/g, '') : pred);
  if (g && p) return expressionsEqual(p, g);
  return plainMath(pred).replace(/\s+/g, '') === plainMath(gold).replace(/\s+/g, '');
}

/** Whether a prediction equals the gold answer of a question from `module`. */
export function mathematicsEquivalent(prediction: string | null, gold: string, module: string): boolean {
  if (prediction === null || prediction.length > MAX_EXPRESSION_LENGTH) return false;
  const golds = splitList(gold);
  if (golds.length === 1) return singleEqual(prediction, gold, module);
  const preds = splitList(prediction.replace(/\s+and\s+/g, ', '));
  if (preds.length !== golds.length) return false;
  if (!SET_MODULES.test(module)) return golds.every((g, i) => singleEqual(preds[i]!, g, module));
  const unused = [...preds];
  for (const g of golds) {
    const j = unused.findIndex((p) => singleEqual(p, g, module));
    if (j < 0) return false;
    unused.splice(j, 1);
  }
  return true;
}
