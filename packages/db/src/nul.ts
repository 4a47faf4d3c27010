/**
 * PostgreSQL cannot hold U+0000: jsonb refuses the escape `\u0000` and text refuses the byte. Model output can
 * contain it (a random or damaged checkpoint emits any token), and so can a submitted suite's documents, so
 * the PostgreSQL column types escape it on the way in and undo that on the way out; SQLite keeps JSON as text,
 * where JSON.stringify already spells NUL as `\u0000`, and needs nothing.
 *
 * The escape uses a noncharacter, U+FDD0, as its mark: NUL is written as mark + "0" and the mark itself as
 * mark + mark, so every string comes back exactly as written (including ones that contain the mark). Strings
 * holding neither NUL nor the mark are stored unchanged. A mark followed by anything else is left as it is.
 */
const MARK = '\uFDD0';
const NEEDS_ESCAPE = /[\u0000\uFDD0]/;
const ESCAPES = /[\u0000\uFDD0]/g;
const ESCAPED = /\uFDD0([0\uFDD0])/g;

export function escapeNul(text: string): string {
  return NEEDS_ESCAPE.test(text) ? text.replace(ESCAPES, (c) => (c === '\u0000' ? `${MARK}0` : MARK + MARK)) : text;
}

export function unescapeNul(text: string): string {
  return text.includes(MARK) ? text.replace(ESCAPED, (_, c: string) => (c === '0' ? '\u0000' : MARK)) : text;
}

/** A JSON value with `fix` applied to every string in it, keys included; the same object when nothing changes. */
function mapStrings(value: unknown, fix: (text: string) => string): unknown {
  if (typeof value === 'string') return fix(value);
  if (Array.isArray(value)) {
    let out: unknown[] | undefined;
    value.forEach((element, i) => {
      const fixed = mapStrings(element, fix);
      if (fixed !== element) (out ??= value.slice())[i] = fixed;
    });
    return out ?? value;
  }
  if (value !== null && typeof value === 'object') {
    let changed = false;
    const entries = Object.entries(value).map(([key, element]) => {
      const fixedKey = fix(key);
      const fixed = mapStrings(element, fix);
      if (fixedKey !== key || fixed !== element) changed = true;
      return [fixedKey, fixed] as const;
    });
    return changed ? Object.fromEntries(entries) : value;
  }
  return value;
}

/** JSON text for a jsonb column: NUL and the mark escaped in every string. */
export function jsonForPostgres(value: unknown): string {
  const text = JSON.stringify(value);
  // JSON.stringify spells NUL `\u0000` and leaves U+FDD0 as it is: most values need no second pass.
  return text.includes('\\u0000') || text.includes(MARK) ? JSON.stringify(mapStrings(value, escapeNul)) : text;
}

/** A jsonb value as node-postgres parsed it, with the escapes undone. */
export function jsonFromPostgres(value: unknown): unknown {
  return mapStrings(value, unescapeNul);
}
