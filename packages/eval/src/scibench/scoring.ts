/**
 * SciBench's answer handling, as its own eval scripts do it (mandyyyyii/scibench `eval/post_process.py` and the
 * `equiv` of `eval_zero.py` / `eval_few.py`): the last `\boxed{}` of the output, the text after its last `=`,
 * scientific notation resolved only when the problem's unit carries a power of ten, and a relative tolerance
 * of 5% in Python's `math.isclose` sense. Every quirk that changes a verdict is kept and named below.
 */
import { pythonSplit, pythonStrip } from '../python/strip.ts';

/** `math.isclose(..., rel_tol=0.05)`: relative to the larger magnitude of the two, not to the gold alone. */
export const SCIBENCH_REL_TOL = 0.05;

// Python's float() grammar: optional sign, digits with single underscores between them, optional fraction
// and exponent, or inf / infinity / nan in any case; surrounding whitespace is allowed.
const DIGITS = '\\d(?:_?\\d)*';
const FLOAT_RE = new RegExp(`^[+-]?(?:(?:${DIGITS}(?:\\.(?:${DIGITS})?)?|\\.${DIGITS})(?:[eE][+-]?${DIGITS})?|inf|infinity|nan)$`, 'i');

const DECIMAL_DIGIT = /\p{Nd}/u;

/**
 * Python's float() reads every Unicode decimal digit (`１２` is 12). Decimal digits come in runs of ten from
 * zero, so a digit's value is its distance from the start of its run, modulo ten.
 */
function asciiDigits(s: string): string {
  return s.replace(/[^\x00-\x7f]/gu, (c) => {
    if (!DECIMAL_DIGIT.test(c)) return c;
    let cp = c.codePointAt(0)!;
    let n = 0;
    while (DECIMAL_DIGIT.test(String.fromCodePoint(cp - 1))) {
      cp--;
      n++;
    }
    return String(n % 10);
  });
}

/** Python's `float(s)`, or null where Python raises ValueError. */
export function pythonFloat(s: string): number | null {
  const t = asciiDigits(pythonStrip(s));
  if (!FLOAT_RE.test(t)) return null;
  const lower = t.toLowerCase().replace(/^[+-]/, '');
  const sign = t.startsWith('-') ? -1 : 1;
  if (lower === 'nan') return Number.NaN;
  if (lower === 'inf' || lower === 'infinity') return sign * Number.POSITIVE_INFINITY;
  return Number(t.replace(/_/g, ''));
}

/** Python's `math.isclose(a, b, rel_tol=tol)` with abs_tol 0. */
export function pythonIsClose(a: number, b: number, relTol = SCIBENCH_REL_TOL): boolean {
  if (a === b) return true;
  if (!Number.isFinite(a) || !Number.isFinite(b)) return false;
  const diff = Math.abs(b - a);
  return diff <= Math.abs(relTol * b) || diff <= Math.abs(relTol * a);
}

/**
 * The last boxed expression with its braces, starting at `oxed` (so `\boxed{3}` gives `oxed{3}`), or at
 * `\fbox` when there is no `oxed`; null when there is neither or its braces never close.
 */
export function lastBoxed(text: string): string | null {
  let start = text.lastIndexOf('oxed');
  if (start < 0) start = text.lastIndexOf('\\fbox');
  if (start < 0) return null;
  let depth = 0;
  for (let i = start; i < text.length; i++) {
    const c = text[i];
    if (c === '{') depth++;
    else if (c === '}') {
      depth--;
      if (depth === 0) return text.slice(start, i + 1);
    }
  }
  return null;
}

/**
 * The boxed content: null unless the span is exactly `oxed{...}` (an `\fbox` or a space before the brace gives
 * nothing, as the benchmark's assertion does). With an `=` inside, the text after the last one, leading spaces
 * removed.
 */
export function unboxed(span: string | null): string | null {
  if (span === null || !span.startsWith('oxed{') || !span.endsWith('}')) return null;
  const inner = span.slice('oxed{'.length, -1);
  if (!inner.includes('=')) return inner;
  return inner.slice(inner.lastIndexOf('=') + 1).replace(/^ +/, '');
}

/** `parse_math_answer`: the final boxed answer of a completion, or null. */
export function scibenchAnswer(completion: string): string | null {
  return unboxed(lastBoxed(completion));
}

const POWER_OF_TEN_IN_UNIT = /[$]? *10\^[{]? *-?[0-9]+ *[}]? *[$]?/g;
const POWER_OF_TEN = /10\^[{]? *-?[0-9]+ *[}]?/;

/**
 * `remove_not`: the unit with its power of ten dropped (the text after the last `10^k`), or null when the unit
 * has no power of ten. An empty remainder counts as none too, so a unit that is only `$10^6$` is left as it is.
 */
export function unitWithoutPower(unit: string): string | null {
  const matches = [...unit.matchAll(POWER_OF_TEN_IN_UNIT)];
  if (matches.length === 0) return null;
  const last = matches.at(-1)!;
  const rest = unit.slice(last.index! + last[0].length);
  return rest === '' ? null : rest;
}

/**
 * `parse_not` then `cal_not` on a model answer, for problems whose unit carries the power of ten: an answer
 * written `a \times 10^{k}` (or `a * 10^k`) becomes the number a·10^k; an answer without a multiplication sign is
 * kept as written; one that cannot be split in exactly two, or whose exponent is missing, yields null (scored
 * wrong). The benchmark's first test is the Python literal '\times', a TAB followed by "imes", kept here.
 */
export function resolveNotation(answer: string | null): string | null {
  if (answer === null || answer === '') return null;
  const sep = answer.includes('\times') ? '\times' : answer.includes('\\times') ? '\\times' : answer.includes('*') ? '*' : null;
  if (sep === null) return answer;
  const parts = answer.split(sep);
  if (parts.length !== 2) return null;
  return scaledByPower(parts[0]!, parts[1]!);
}

/** `cal_not((x, text))`: float(x) × 10^k with k read from the first `10^k` in text, as Python's str(float); null when Python fails. */
export function scaledByPower(mantissa: string, text: string): string | null {
  const m = POWER_OF_TEN.exec(text);
  if (!m) return null;
  let k = m[0].slice(m[0].indexOf('^') + 1);
  if (k.includes('{')) k = k.slice(k.indexOf('{') + 1);
  if (k.includes('}')) k = k.slice(0, k.indexOf('}'));
  const x = pythonFloat(pythonStrip(mantissa));
  const e = pythonFloat(k);
  if (x === null || e === null) return null;
  return pythonFloatRepr(x * 10 ** e);
}

/** Python's repr of a float, close enough for a value that is only parsed back with float(). */
function pythonFloatRepr(x: number): string {
  if (Number.isNaN(x)) return 'nan';
  if (!Number.isFinite(x)) return x > 0 ? 'inf' : '-inf';
  return Number.isInteger(x) && Math.abs(x) < 1e16 ? `${x}.0` : String(x);
}

/** `equiv(model_output, answer, unit)`: the whole answer, or its first whitespace-separated token, within 5%. */
export function scibenchEquiv(modelOutput: string | null, answer: string | null): boolean {
  if (modelOutput === null || answer === null) return false;
  const output = modelOutput.replace(/,/g, '');
  const gold = pythonFloat(answer);
  if (gold === null) return false;
  const whole = pythonFloat(output);
  if (whole !== null && pythonIsClose(whole, gold)) return true;
  const first = pythonSplit(output)[0];
  if (!first) return false;
  const token = pythonFloat(first);
  return token !== null && pythonIsClose(token, gold);
}

export interface ScibenchVerdict {
  /** The boxed answer as extracted (before notation), or null. */
  extracted: string | null;
  /** What was compared with the gold (after notation), or null. */
  compared: string | null;
  gold: string | null;
  correct: boolean;
}

/** One problem's verdict, with the unit handling of eval_zero.py's `run`. */
export function scoreScibench(completion: string, answerNumber: string, unit: string): ScibenchVerdict {
  const extracted = scibenchAnswer(completion);
  let compared: string | null = extracted;
  let gold: string | null = answerNumber;
  if (unitWithoutPower(unit) !== null) {
    compared = resolveNotation(extracted);
    gold = scaledByPower(answerNumber, unit);
  }
  return { extracted, compared, gold, correct: scibenchEquiv(compared, gold) };
}
