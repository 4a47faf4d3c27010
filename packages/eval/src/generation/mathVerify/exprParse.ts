/**
 * Plain (non-LaTeX) arithmetic as Math-Verify reads it with sympy's `parse_expr(…, evaluate=False)` after turning
 * `^` into `**`: numbers, + - * / ** and parentheses with Python's precedence (unary minus below `**`). Anything
 * else, including two operands side by side, is a syntax error there and here.
 */
import { MINUS_ONE, type Node, neg, parseDecimal } from './ast.ts';

type T = { k: 'n'; v: string } | { k: 'o'; v: string };

function lex(src: string): T[] {
  const out: T[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i]!;
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    const m = /^(?:\d+\.?\d*|\.\d+)/.exec(src.slice(i, i + 400));
    if (m) {
      out.push({ k: 'n', v: m[0] });
      i += m[0].length;
      continue;
    }
    if (src.startsWith('**', i)) {
      out.push({ k: 'o', v: '**' });
      i += 2;
      continue;
    }
    if ('+-*/()'.includes(c)) {
      out.push({ k: 'o', v: c });
      i++;
      continue;
    }
    throw new Error('invalid character');
  }
  return out;
}

const MAX_TOKENS = 500;

export function parsePlainExpression(src: string): Node {
  const toks = lex(src.replace(/\^/g, '**'));
  if (toks.length > MAX_TOKENS) throw new Error('expression too long');
  let pos = 0;
  let depth = 0;
  const isOp = (v: string): boolean => toks[pos]?.k === 'o' && toks[pos]!.v === v;

  const sum = (): Node => {
    if (++depth > 100) throw new Error('too deep');
    let left = product();
    while (isOp('+') || isOp('-')) {
      const minus = isOp('-');
      pos++;
      const right = product();
      const term: Node = minus ? { t: 'mul', args: [MINUS_ONE, right] } : right;
      left = { t: 'add', args: left.t === 'add' ? [...left.args, term] : [left, term] };
    }
    depth--;
    return left;
  };
  const product = (): Node => {
    let left = unary();
    while (isOp('*') || isOp('/')) {
      const div = isOp('/');
      pos++;
      const right = unary();
      const factor: Node = div ? { t: 'pow', base: right, exp: MINUS_ONE } : right;
      left = { t: 'mul', args: left.t === 'mul' ? [...left.args, factor] : [left, factor] };
    }
    return left;
  };
  const unary = (): Node => {
    if (isOp('+')) {
      pos++;
      return unary();
    }
    if (isOp('-')) {
      pos++;
      const x = unary();
      return x.t === 'num' ? neg(x) : { t: 'mul', args: [MINUS_ONE, x] };
    }
    return power();
  };
  const power = (): Node => {
    const base = primary();
    if (isOp('**')) {
      pos++;
      return { t: 'pow', base, exp: unary() };
    }
    return base;
  };
  const primary = (): Node => {
    const t = toks[pos];
    if (!t) throw new Error('unexpected end');
    if (t.k === 'n') {
      pos++;
      const text = t.v.endsWith('.') ? `${t.v}0` : t.v;
      return parseDecimal(text.replace(/^0+(?=\d)/, ''));
    }
    if (t.v === '(') {
      pos++;
      const e = sum();
      if (!isOp(')')) throw new Error('unclosed parenthesis');
      pos++;
      return e;
    }
    throw new Error('unexpected operator');
  };
  const result = sum();
  if (pos !== toks.length) throw new Error('trailing input');
  return result;
}
