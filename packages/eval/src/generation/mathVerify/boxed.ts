/**
 * The contents of `\boxed{…}` / `\fbox{…}` as latex2sympy2_extended's normaliser takes them: scanned from the right;
 * in "all" mode every box is kept, in "last" mode earlier boxes are kept only while they sit close to the later one
 * (under 10 characters apart, or under 70 with a separator word and a different content). Kept contents are
 * joined with commas in reading order; without any box the text is returned unchanged.
 */
const SEPARATOR = /and|or|,|;/;

function closingBrace(text: string, open: number, limit: number): number {
  let depth = 1;
  for (let i = open + 1; i < limit; i++) {
    const c = text[i];
    if (c === '{') depth++;
    else if (c === '}' && --depth === 0) return i;
  }
  return -1;
}

/** Python's `text.rfind(needle, 0, end)`: the last occurrence lying wholly before `end`. */
function lastWithin(text: string, needle: string, end: number): number {
  const from = end - needle.length;
  return from < 0 ? -1 : text.lastIndexOf(needle, from);
}

export function boxedContents(text: string, mode: 'all' | 'last'): string {
  const found: string[] = [];
  let searchEnd = text.length;
  let limit = text.length;
  let laterStart = -1;
  for (;;) {
    const boxed = lastWithin(text, '\\boxed', searchEnd);
    const fbox = lastWithin(text, '\\fbox', searchEnd);
    if (boxed < 0 && fbox < 0) break;
    const start = Math.max(boxed, fbox);
    let pos = start + (boxed > fbox ? 6 : 5);
    while (pos < limit && /\s/.test(text[pos]!)) pos++;
    if (pos >= limit) break;
    if (text[pos] !== '{') {
      if (found.length === 0) found.push(text.slice(pos));
      break;
    }
    const close = closingBrace(text, pos, limit);
    if (close < 0) {
      if (found.length === 0) found.push(text.slice(pos));
      break;
    }
    const content = text.slice(pos + 1, close).trim();
    if (mode === 'last' && laterStart >= 0) {
      const between = text.slice(close + 1, laterStart);
      const previous = found[found.length - 1] ?? '';
      const near = between.length < 10 || (content !== previous && between.length < 70 && SEPARATOR.test(between));
      if (!near) break;
    }
    found.push(content);
    laterStart = start;
    limit = start;
    searchEnd = start;
  }
  if (found.length === 0) return text;
  return found.reverse().join(',');
}
