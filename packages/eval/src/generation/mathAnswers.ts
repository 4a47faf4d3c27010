/**
 * Answer extraction and string normalisation for MATH, ported line by line from lm-eval:
 * lm_eval/tasks/minerva_math/utils.py (last_boxed_only_string, remove_boxed, get_unnormalized_answer,
 * normalize_final_answer with SUBSTITUTIONS and REMOVED_EXPRESSIONS) and lm_eval/tasks/hendrycks_math/utils.py
 * (extract_answer, strip_string and its helpers, is_equiv). Python's failed `assert`s and index errors become
 * thrown errors here, so callers can treat them as lm-eval does.
 */
import { pythonStrip } from '../python/strip.ts';

/** Python raised (AssertionError, IndexError, ValueError) where lm-eval's code would have. */
export class PythonStyleError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PythonStyleError';
  }
}

/** The last `\boxed{...}` (or `\fbox{...}`) with balanced braces, or `\boxed <rest up to $>`; null when none. */
export function lastBoxedOnlyString(text: string): string | null {
  const idx0 = text.lastIndexOf('\\boxed');
  if (text.includes('\\boxed ')) return '\\boxed ' + text.split('\\boxed ').at(-1)!.split('$')[0]!;
  let idx = idx0;
  if (idx < 0) {
    idx = text.lastIndexOf('\\fbox');
    if (idx < 0) return null;
  }
  let open = 0;
  for (let i = idx; i < text.length; i++) {
    if (text[i] === '{') open++;
    if (text[i] === '}') {
      open--;
      if (open === 0) return text.slice(idx, i + 1);
    }
  }
  return null;
}

/** Alias named after what it does for callers: the last boxed expression, braces included. */
export const extractBoxed = lastBoxedOnlyString;

/** `\boxed{x}` -> `x` and `\boxed x` -> `x`; anything else fails as Python's asserts do. */
export function removeBoxed(s: string): string {
  if (s.includes('\\boxed ')) {
    const left = '\\boxed ';
    if (!s.startsWith(left)) throw new PythonStyleError(`remove_boxed: ${JSON.stringify(s)} does not start with "\\boxed "`);
    return s.slice(left.length);
  }
  const left = '\\boxed{';
  if (!s.startsWith(left) || !s.endsWith('}')) throw new PythonStyleError(`remove_boxed: ${JSON.stringify(s)} is not \\boxed{...}`);
  return s.slice(left.length, -1);
}

export const MINERVA_INVALID_ANSWER = '[invalidanswer]';

/** The text after "Final Answer: The final answer is" up to ". I hope it is correct." (any character for the dots). */
export function getUnnormalizedAnswer(text: string): string {
  const match = /Final Answer: The final answer is([^\n]*?)[^\n] I hope it is correct[^\n]/u.exec(text + 'I hope it is correct.');
  // str.strip(), not String.trim(): they disagree on U+FEFF and U+180E.
  return match ? pythonStrip(match[1]!) : MINERVA_INVALID_ANSWER;
}

export const SUBSTITUTIONS: ReadonlyArray<readonly [string, string]> = [
  ['an ', ''],
  ['a ', ''],
  ['.$', '$'],
  ['\\$', ''],
  ['\\ ', ''],
  [' ', ''],
  ['mbox', 'text'],
  [',\\text{and}', ','],
  ['\\text{and}', ','],
  ['\\text{m}', '\\text{}'],
];

export const REMOVED_EXPRESSIONS: readonly string[] = [
  'square',
  'ways',
  'integers',
  'dollars',
  'mph',
  'inches',
  'ft',
  'hours',
  'km',
  'units',
  '\\ldots',
  'sue',
  'points',
  'feet',
  'minutes',
  'digits',
  'cents',
  'degrees',
  'cm',
  'gm',
  'pounds',
  'meters',
  'meals',
  'edges',
  'students',
  'childrentickets',
  'multiples',
  '\\text{s}',
  '\\text{.}',
  '\\text{\ns}',
  '\\text{}^2',
  '\\text{}^3',
  '\\text{\n}',
  '\\text{}',
  '\\mathrm{th}',
  '^\\circ',
  '^{\\circ}',
  '\\;',
  ',\\!',
  '{,}',
  '"',
  '\\dots',
];

/**
 * Python's str.isdigit: Unicode decimal digits plus the digit-typed superscripts, subscripts and circled
 * digits (Numeric_Type=Digit), which JavaScript has no property for. Empty is false.
 */
const PY_DIGIT = /^[\p{Nd}\u00b2\u00b3\u00b9\u2070\u2074-\u2079\u2080-\u2089\u2460-\u2468\u2474-\u247c\u2488-\u2490\u24ea\u24f5-\u24fd\u24ff\u2776-\u277e\u2780-\u2788\u278a-\u2792\u{10a40}-\u{10a43}\u{1f100}-\u{1f10a}]+$/u;

export function pythonIsDigit(s: string): boolean {
  return PY_DIGIT.test(s);
}

/** normalize_final_answer (Lewkowycz et al., 2022, appendix D), as lm-eval has it. */
export function normalizeFinalAnswer(finalAnswer: string): string {
  let s = finalAnswer.split('=').at(-1)!;
  for (const [before, after] of SUBSTITUTIONS) s = s.replaceAll(before, after);
  for (const expr of REMOVED_EXPRESSIONS) s = s.replaceAll(expr, '');

  // Python's `.` excludes only \n (JavaScript's also excludes \r, U+2028, U+2029), hence [^\n]. Function
  // replacements because `$` in a JavaScript replacement string is special.
  s = s.replace(/([^\n]*?)(\$)([^\n]*?)(\$)([^\n]*)/g, (_m, _a, _b, inner: string) => `$${inner}$`);
  s = s.replace(/(\\text\{)([^\n]*?)(\})/g, (_m, _a, inner: string) => inner);
  s = s.replace(/(\\textbf\{)([^\n]*?)(\})/g, (_m, _a, inner: string) => inner);
  s = s.replace(/(\\overline\{)([^\n]*?)(\})/g, (_m, _a, inner: string) => inner);
  s = s.replace(/(\\boxed\{)([^\n]*)(\})/g, (_m, _a, inner: string) => inner);

  // `u`: Python matches code points, so an astral character is one `.` there.
  s = s.replace(/(frac)([^{])([^\n])/gu, (_m, _f, a: string, b: string) => `frac{${a}}{${b}}`);
  s = s.replace(/(sqrt)([^{])/gu, (_m, _f, a: string) => `sqrt{${a}}`);
  s = s.replaceAll('$', '');

  if (pythonIsDigit(s.replaceAll(',', ''))) s = s.replaceAll(',', '');
  return s;
}

/** The gold answer lm-eval's minerva process_docs stores: normalize_final_answer(remove_boxed(last boxed)). */
export function minervaGoldAnswer(solution: string): string {
  const boxed = lastBoxedOnlyString(solution);
  if (boxed === null) throw new PythonStyleError('the solution has no \\boxed{...} answer');
  return normalizeFinalAnswer(removeBoxed(boxed));
}

/** The gold answer hendrycks_math's process_docs stores: remove_boxed(last boxed), not normalised. */
export function hendrycksGoldAnswer(solution: string): string {
  const boxed = lastBoxedOnlyString(solution);
  if (boxed === null) throw new PythonStyleError('the solution has no \\boxed{...} answer');
  return removeBoxed(boxed);
}

export type HendrycksExtraction = 'boxed' | 'display-math' | 'dollars' | 'whole-output';

/**
 * Which span of a hendrycks_math completion is compared with the gold answer.
 * - `lm-eval` (default): lm-eval's merged `process_results` — the text between the first and the last `$` when the
 *   completion holds at least two, else the whole completion.
 * - `boxed-first`: the `extract_answer` of an unmerged lm-eval pull request — the last `\boxed{}`, else the first
 *   `\[...\]`, else the `$` span, else everything. A named deviation: scores then differ from lm-eval's.
 */
export type HendrycksExtractionMode = 'lm-eval' | 'boxed-first';
export const HENDRYCKS_EXTRACTION_MODES: readonly HendrycksExtractionMode[] = ['lm-eval', 'boxed-first'];

/** hendrycks_math process_results on main: between the first and the last `$` when there are two or more, else all. */
export function hendrycksDollarSpan(output: string): { answer: string; via: 'dollars' | 'whole-output' } {
  const first = output.indexOf('$');
  const last = output.lastIndexOf('$');
  if (first >= 0 && last > first) return { answer: output.slice(first + 1, last), via: 'dollars' };
  return { answer: output, via: 'whole-output' };
}

/** The `boxed-first` extraction: last boxed, else the first `\[...\]`, else between the first and last `$`, else all. */
export function hendrycksExtractAnswer(output: string): { answer: string; via: HendrycksExtraction } {
  const boxed = lastBoxedOnlyString(output);
  if (boxed !== null) return { answer: removeBoxed(boxed), via: 'boxed' };
  const display = /\\\[(.+?)\\\]/s.exec(output);
  if (display) return { answer: display[1]!.trim(), via: 'display-math' };
  const first = output.indexOf('$');
  const last = output.lastIndexOf('$');
  if (first >= 0 && last > first) return { answer: output.slice(first + 1, last), via: 'dollars' };
  return { answer: output, via: 'whole-output' };
}

function fixFracs(string: string): string {
  const substrs = string.split('\\frac');
  let newStr = substrs[0]!;
  for (const substr of substrs.slice(1)) {
    newStr += '\\frac';
    if (substr.length === 0) throw new PythonStyleError('fix_fracs: IndexError on an empty \\frac argument');
    if (substr[0] === '{') {
      newStr += substr;
      continue;
    }
    // Python indexes code points: an astral character (𝑥) is one character there, two UTF-16 units here.
    const cps = [...substr];
    if (cps.length < 2) return string;
    const a = cps[0]!;
    const b = cps[1]!;
    const rest = cps.slice(2).join('');
    if (b !== '{') newStr += `{${a}}{${b}}` + rest;
    else newStr += `{${a}}${b}` + rest;
  }
  return newStr;
}

// Python int(): optional sign, digits with single underscores between them, surrounding whitespace allowed.
const PY_INT = /^\s*[+-]?\p{Nd}+(?:_\p{Nd}+)*\s*$/u;
const CANONICAL_INT = /^(?:0|-?[1-9][0-9]*)$/;

function fixASlashB(string: string): string {
  const parts = string.split('/');
  if (parts.length !== 2) return string;
  const [a, b] = parts as [string, string];
  if (!PY_INT.test(a) || !PY_INT.test(b)) throw new PythonStyleError(`fix_a_slash_b: ValueError from int() on ${JSON.stringify(string)}`);
  // `assert string == "{}/{}".format(int(a), int(b))` holds only for ints already written as Python prints them.
  if (!CANONICAL_INT.test(a) || !CANONICAL_INT.test(b)) return string;
  return `\\frac{${a}}{${b}}`;
}

function removeRightUnits(string: string): string {
  if (!string.includes('\\text{ ')) return string;
  const splits = string.split('\\text{ ');
  if (splits.length !== 2) throw new PythonStyleError('remove_right_units: more than one "\\text{ "');
  return splits[0]!;
}

function fixSqrt(string: string): string {
  if (!string.includes('\\sqrt')) return string;
  const splits = string.split('\\sqrt');
  let newString = splits[0]!;
  for (const split of splits.slice(1)) {
    if (split.length === 0) throw new PythonStyleError('fix_sqrt: IndexError on an empty \\sqrt argument');
    const first = String.fromCodePoint(split.codePointAt(0)!);
    newString += first !== '{' ? `\\sqrt{${first}}${split.slice(first.length)}` : `\\sqrt${split}`;
  }
  return newString;
}

/** hendrycks_math strip_string; throws where Python would raise. */
export function stripString(input: string): string {
  let string = input.replaceAll('\n', '');
  string = string.replaceAll('\\!', '');
  string = string.replaceAll('\\\\', '\\');
  string = string.replaceAll('tfrac', 'frac');
  string = string.replaceAll('dfrac', 'frac');
  string = string.replaceAll('\\left', '');
  string = string.replaceAll('\\right', '');
  string = string.replaceAll('^{\\circ}', '');
  string = string.replaceAll('^\\circ', '');
  string = string.replaceAll('\\$', '');
  string = removeRightUnits(string);
  string = string.replaceAll('\\%', '');
  string = string.replaceAll(' .', ' 0.');
  string = string.replaceAll('{.', '{0.');
  if (string.length === 0) return string;
  if (string[0] === '.') string = '0' + string;
  const sides = string.split('=');
  if (sides.length === 2 && [...sides[0]!].length <= 2) string = sides[1]!;
  string = fixSqrt(string);
  string = string.replaceAll(' ', '');
  string = fixFracs(string);
  if (string === '0.5') string = '\\frac{1}{2}';
  string = fixASlashB(string);
  return string;
}

/** hendrycks_math is_equiv: equal after strip_string; when that raises, plain string equality. */
export function hendrycksIsEquiv(a: string | null, b: string | null): boolean {
  if (a === null && b === null) return true;
  if (a === null || b === null) return false;
  try {
    return stripString(a) === stripString(b);
  } catch (err) {
    if (err instanceof PythonStyleError) return a === b;
    throw err;
  }
}
