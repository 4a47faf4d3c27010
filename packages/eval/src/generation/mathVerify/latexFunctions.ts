/**
 * Matrices and named functions of the grammar: `\\begin{pmatrix}…`, `\\sqrt[n]{…}`, `\\log_b`, trigonometric and
 * hyperbolic functions (with `^{-1}` read as the inverse), floor/ceil, and gcd/lcm/max/min whose arguments are
 * re-parsed one by one, as the converter does.
 */
import { type Node, num } from './ast.ts';
import { divide } from './latexBuild.ts';
import type { ExprParser } from './latexExpr.ts';

export function parseMatrix(p: ExprParser): Node {
  const c = p.c;
  const kind = (c.peek() as { text: string }).text;
  c.pos++;
  const rows: Node[][] = [[p.expr()]];
  for (;;) {
    if (c.isP('&')) {
      c.pos++;
      rows[rows.length - 1]!.push(p.expr());
    } else if (c.isP('\\\\')) {
      c.pos++;
      if (c.isCmd('end:matrix', 'end:vmatrix')) break;
      rows.push([p.expr()]);
    } else break;
  }
  if (!c.isCmd(kind === 'begin:vmatrix' ? 'end:vmatrix' : 'end:matrix')) throw new Error('unclosed matrix');
  c.pos++;
  const width = rows[0]!.length;
  if (rows.some((r) => r.length !== width)) throw new Error('ragged matrix');
  const m: Node = { t: 'matrix', rows };
  return kind === 'begin:vmatrix' ? { t: 'fn', name: 'det', args: [m] } : m;
}

export function parseFunction(p: ExprParser, withFuncs: boolean): Node {
  const c = p.c;
  const t = c.peek() as { k: 'cmd'; text: string };
  const name = t.text;
  if (!withFuncs) throw new Error('function not allowed here');
  c.pos++;
  if (name === 'sqrt') {
    let index: Node | null = null;
    if (c.isP('[')) {
      c.pos++;
      index = p.expr();
      c.expectP(']');
    }
    c.expectP('{');
    const radicand = p.expr();
    c.expectP('}');
    return { t: 'pow', base: radicand, exp: index ? divide(num(1n), index) : num(1n, 2n) };
  }
  const single = ['log', 'ln', 'exp', 'sin', 'cos', 'tan', 'csc', 'sec', 'cot', 'arcsin', 'arccos', 'arctan', 'arccsc', 'arcsec', 'arccot', 'sinh', 'cosh', 'tanh', 'arsinh', 'arcosh', 'artanh', 'arcsinh', 'arccosh', 'arctanh', 'floor', 'ceil'];
  const multi = ['gcd', 'lcm', 'max', 'min'];
  if (!single.includes(name) && !multi.includes(name)) throw new Error(`unsupported \\${name}`);
  let sub: Node | null = null;
  let sup: Node | null = null;
  for (let k = 0; k < 2; k++) {
    if (c.isP('_') && !sub) {
      c.pos++;
      sub = p.supArgument();
    } else if (c.isP('^') && !sup) {
      c.pos++;
      sup = p.supArgument();
    }
  }
  if (multi.includes(name)) {
    let raw: string[];
    if (c.isP('(')) {
      const start = ++c.pos;
      let depth = 1;
      while (c.pos < c.toks.length && depth > 0) {
        if (c.isP('(')) depth++;
        else if (c.isP(')')) depth--;
        c.pos++;
      }
      if (depth) throw new Error('unclosed arguments');
      raw = [c.toks.slice(start, c.pos - 1).map((x) => x.raw).join('')];
    } else {
      const start = c.pos;
      p.mp(false);
      raw = [c.toks.slice(start, c.pos).map((x) => x.raw).join('')];
    }
    const args = raw[0]!.split(',').map((a) => p.reparse(a));
    const f: Node = { t: 'fn', name: name === 'max' ? 'Max' : name === 'min' ? 'Min' : name, args };
    return sup ? { t: 'pow', base: f, exp: sup } : f;
  }
  const paren = c.isP('(') ? c.attempt(() => {
    c.pos++;
    const e = p.expr();
    c.expectP(')');
    return e;
  }) : null;
  const arg: Node = paren ?? p.mp(false);
  let fname = name;
  if (name.startsWith('arc') && name.length > 6) fname = `a${name.slice(3)}`;
  else if (name.startsWith('ar') && !name.startsWith('arc')) fname = `a${name.slice(2)}`;
  else if (name.startsWith('arc')) fname = `a${name.slice(3)}`;
  if (name === 'log' || name === 'ln') {
    const base = sub ?? (name === 'log' ? num(10n) : ({ t: 'const', name: 'E' } as Node));
    const f: Node = { t: 'fn', name: 'log', args: [arg, base] };
    return sup ? { t: 'pow', base: f, exp: sup } : f;
  }
  if (name === 'ceil') fname = 'ceiling';
  const isMinusOne = sup !== null && sup.t === 'num' && sup.n === -1n && sup.d === 1n;
  if (isMinusOne && ['sin', 'cos', 'tan', 'csc', 'sec', 'cot', 'sinh', 'cosh', 'tanh'].includes(name)) {
    return { t: 'fn', name: `a${name}`, args: [arg] };
  }
  const f: Node = { t: 'fn', name: fname, args: [arg] };
  return sup ? { t: 'pow', base: f, exp: sup } : f;
}
