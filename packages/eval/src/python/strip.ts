// Python's str.strip() whitespace set (what lm-eval's `{{question.strip()}}` removes), which differs from
// JavaScript's trim(): Python strips U+001C..U+001F and U+0085, and keeps U+FEFF.
const PY_WHITESPACE = '\\t\\n\\x0b\\x0c\\r\\x1c-\\x1f \\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000';
const LEADING = new RegExp(`^[${PY_WHITESPACE}]+`);
const TRAILING = new RegExp(`[${PY_WHITESPACE}]+$`);

export function pythonStrip(s: string): string {
  return s.replace(LEADING, '').replace(TRAILING, '');
}
