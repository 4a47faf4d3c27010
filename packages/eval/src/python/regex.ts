/**
 * Python `re` patterns from lm-eval YAML files, run with JavaScript's RegExp. The two dialects differ where the
 * YAMLs use them: leading inline flags such as `(?s)` (a syntax error in Node 20), and `$`, which in Python also
 * matches just before a final newline. Anything else Python-only is refused rather than silently misread.
 */
const cache = new Map<string, RegExp>();

export function pythonRegex(pattern: string): RegExp {
  const hit = cache.get(pattern);
  if (hit) return new RegExp(hit.source, hit.flags);
  let body = pattern;
  const flags = new Set<string>(['g']);
  const inline = /^\(\?([aiLmsux]+)\)/.exec(body);
  if (inline) {
    for (const f of inline[1]!) {
      if (f === 'i' || f === 'm' || f === 's') flags.add(f);
      else if (f !== 'u') throw new Error(`Python regex ${JSON.stringify(pattern)}: inline flag "${f}" has no JavaScript equivalent here`);
    }
    body = body.slice(inline[0].length);
  }
  if (/\(\?P[<=]|\\[AZ]|\(\?[aiLmsux]+\)/.test(body)) {
    throw new Error(`Python regex ${JSON.stringify(pattern)}: named groups, \\A, \\Z and mid-pattern flags are not translated`);
  }
  let out = '';
  let inClass = false;
  for (let i = 0; i < body.length; i++) {
    const c = body[i]!;
    if (c === '\\') {
      out += c + (body[i + 1] ?? '');
      i++;
      continue;
    }
    if (inClass) {
      if (c === ']') inClass = false;
      out += c;
      continue;
    }
    if (c === '[') {
      inClass = true;
      out += c;
      // A `]` right after `[` or `[^` is a literal in Python but ends an empty class in JavaScript: escape it.
      if (body[i + 1] === '^') out += body[++i];
      if (body[i + 1] === ']') {
        out += '\\]';
        i++;
      }
      continue;
    }
    // Python's `$` without MULTILINE: end of string, or before a newline that ends the string.
    out += c === '$' && !flags.has('m') ? '(?=\\n?(?![\\s\\S]))' : c;
  }
  const re = new RegExp(out, [...flags].join(''));
  cache.set(pattern, re);
  return new RegExp(re.source, re.flags);
}

/**
 * `re.findall`: with no group the whole matches, with one group that group's text, with several a tuple per
 * match (an unmatched group is the empty string, as in Python).
 */
export function pythonFindall(pattern: string, text: string): Array<string | string[]> {
  const re = pythonRegex(pattern);
  const out: Array<string | string[]> = [];
  for (const m of text.matchAll(re)) {
    const groups = m.slice(1).map((g) => g ?? '');
    out.push(groups.length === 0 ? m[0] : groups.length === 1 ? groups[0]! : groups);
  }
  return out;
}

/** `re.sub(pattern, replacement, text)` with a literal replacement (no group references). */
export function pythonSubLiteral(pattern: string, replacement: string, text: string): string {
  return text.replace(pythonRegex(pattern), () => replacement);
}
