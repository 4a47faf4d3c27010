// Python's whitespace (str.isspace, and what str.strip() and str.split() remove), which differs from JavaScript's
// \s and trim(): Python counts U+001C..U+001F and U+0085, and not U+FEFF.
const PY_WHITESPACE = '\\t\\n\\x0b\\x0c\\r\\x1c-\\x1f \\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000';
const LEADING = new RegExp(`^[${PY_WHITESPACE}]+`);
const TRAILING = new RegExp(`[${PY_WHITESPACE}]+$`);
const ONE = new RegExp(`^[${PY_WHITESPACE}]$`);
const RUNS = new RegExp(`[${PY_WHITESPACE}]+`);

/** `str.strip()` with no argument (what lm-eval's `{{question.strip()}}` removes). */
export function pythonStrip(s: string): string {
  return s.replace(LEADING, '').replace(TRAILING, '');
}

/** `str.isspace()` for one character. */
export function isPythonSpace(ch: string): boolean {
  return ONE.test(ch);
}

/** `str.split()` with no separator: split at runs of whitespace, none kept at either end ("" gives []). */
export function pythonSplit(s: string): string[] {
  const t = pythonStrip(s);
  return t === '' ? [] : t.split(RUNS);
}
