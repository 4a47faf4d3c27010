/**
 * A small expression language for DeepMind Mathematics answers: numbers, variables, `+ - * / ** ^`, implicit
 * multiplication (`2x`, `3(x+1)`), parentheses and `sqrt(...)`. Expressions are compared by evaluation: exactly,
 * over BigInt rationals, wherever every operation stays rational, and in doubles otherwise (surds, fractional
 * powers). Inputs are untrusted model output, so length, depth, exponents and number sizes are bounded.
 */
import { Rational } from './rational.ts';

export type Expr =
  | { kind: 'num'; value: Rational }
  | { kind: 'var'; name: string }
  | { kind: 'neg'; arg: Expr }
  | { kind: 'bin'; op: '+' | '-' | '*' | '/' | '^'; left: Expr; right: Expr }
  | { kind: 'sqrt'; arg: Expr };

export const MAX_EXPRESSION_LENGTH = 2000;
const MAX_DEPTH = 200;
/** Largest integer exponent evaluated exactly; larger ones fall back to doubles. */
const MAX_EXACT_EXPONENT = 256n;
/** Rationals beyond this many bits stop exact evaluation (doubles take over). */
const MAX_EXACT_BITS = 20_000;

type Token = { t: 'num'; v: string } | { t: 'id'; v: string } | { t: 'op'; v: string };

function tokenize(text: string): Token[] | null {
  const out: Token[] = [];
  const re = /\s*(?:(\d+(?:\.\d*)?|\.\d+)|([A-Za-z_][A-Za-z_0-9]*)|(\*\*|[-+*/^()]))/y;
  let i = 0;
  while (i < text.length) {
    if (/^\s*$/.test(text.slice(i))) break;
    re.lastIndex = i;
    const m = re.exec(text);
    if (!m) return null;
    if (m[1] !== undefined) out.push({ t: 'num', v: m[1] });
    else if (m[2] !== undefined) {
      // `sqrt` is the one function; other letter runs are products of one-letter variables (`xy` = x*y),
      // except that a letter followed by digits (`x2`) stays one name.
      if (m[2] === 'sqrt' || /\d/.test(m[2])) out.push({ t: 'id', v: m[2] });
      else for (const c of m[2]) out.push({ t: 'id', v: c });
    } else out.push({ t: 'op', v: m[3] === '**' ? '^' : m[3]! });
    i = re.lastIndex;
  }
  return out;
}

/** Parses an expression, or returns null when it is not one (the caller then compares text). */
export function parseExpression(text: string): Expr | null {
  if (text.length === 0 || text.length > MAX_EXPRESSION_LENGTH) return null;
  const tokenized = tokenize(text);
  if (!tokenized || tokenized.length === 0) return null;
  const tokens: Token[] = tokenized;
  let pos = 0;
  let depth = 0;
  const peek = (): Token | undefined => tokens[pos];
  const isOp = (v: string): boolean => peek()?.t === 'op' && peek()!.v === v;
  const fail = (): never => {
    throw new SyntaxError('not an expression');
  };
  const startsOperand = (): boolean => {
    const t = peek();
    return t !== undefined && (t.t !== 'op' || t.v === '(');
  };
  function sum(): Expr {
    if (++depth > MAX_DEPTH) fail();
    let left = product();
    while (isOp('+') || isOp('-')) {
      const op = tokens[pos++]!.v as '+' | '-';
      left = { kind: 'bin', op, left, right: product() };
    }
    depth--;
    return left;
  }
  function product(): Expr {
    let left = unary();
    for (;;) {
      if (isOp('*') || isOp('/')) {
        const op = tokens[pos++]!.v as '*' | '/';
        left = { kind: 'bin', op, left, right: unary() };
      } else if (startsOperand()) {
        left = { kind: 'bin', op: '*', left, right: power() };
      } else return left;
    }
  }
  function unary(): Expr {
    if (isOp('-')) {
      pos++;
      return { kind: 'neg', arg: unary() };
    }
    if (isOp('+')) {
      pos++;
      return unary();
    }
    return power();
  }
  function power(): Expr {
    const base = atom();
    if (isOp('^')) {
      pos++;
      if (++depth > MAX_DEPTH) fail();
      const exponent = unary();
      depth--;
      return { kind: 'bin', op: '^', left: base, right: exponent };
    }
    return base;
  }
  function atom(): Expr {
    const t = tokens[pos++];
    if (!t) return fail();
    if (t.t === 'num') return { kind: 'num', value: Rational.fromDecimal(t.v) ?? fail() };
    if (t.t === 'id') {
      if (t.v === 'sqrt') {
        if (!isOp('(')) fail();
        return { kind: 'sqrt', arg: atom() };
      }
      return { kind: 'var', name: t.v };
    }
    if (t.v === '(') {
      const inner = sum();
      if (!isOp(')')) fail();
      pos++;
      return inner;
    }
    return fail();
  }
  try {
    const e = sum();
    return pos === tokens.length ? e : null;
  } catch (err) {
    if (err instanceof SyntaxError || err instanceof RangeError) return null;
    throw err;
  }
}

export function variablesOf(e: Expr, out = new Set<string>()): Set<string> {
  if (e.kind === 'var') out.add(e.name);
  else if (e.kind === 'neg' || e.kind === 'sqrt') variablesOf(e.arg, out);
  else if (e.kind === 'bin') {
    variablesOf(e.left, out);
    variablesOf(e.right, out);
  }
  return out;
}

/** Exact value, or null when an operation leaves the rationals (or exceeds the bounds), or undefined on x/0. */
export function evaluateExact(e: Expr, env: Map<string, Rational>): Rational | null | undefined {
  switch (e.kind) {
    case 'num':
      return e.value;
    case 'var':
      return env.get(e.name) ?? null;
    case 'neg': {
      const v = evaluateExact(e.arg, env);
      return v ? v.neg() : v;
    }
    case 'sqrt':
      return null;
    case 'bin': {
      const a = evaluateExact(e.left, env);
      const b = evaluateExact(e.right, env);
      if (!a || !b) return a === undefined || b === undefined ? undefined : null;
      let r: Rational;
      if (e.op === '+') r = a.add(b);
      else if (e.op === '-') r = a.sub(b);
      else if (e.op === '*') r = a.mul(b);
      else if (e.op === '/') {
        if (b.isZero()) return undefined;
        r = a.div(b);
      } else {
        if (!b.isInteger() || b.num > MAX_EXACT_EXPONENT || b.num < -MAX_EXACT_EXPONENT) return null;
        if (a.isZero() && b.num < 0n) return undefined;
        if (a.size() * Number(b.num < 0n ? -b.num : b.num) > MAX_EXACT_BITS) return null;
        r = a.pow(b.num);
      }
      return r.size() > MAX_EXACT_BITS ? null : r;
    }
  }
}

/** Value in doubles (NaN where undefined). */
export function evaluateNumeric(e: Expr, env: Map<string, Rational>): number {
  switch (e.kind) {
    case 'num':
      return e.value.toNumber();
    case 'var':
      return env.get(e.name)?.toNumber() ?? Number.NaN;
    case 'neg':
      return -evaluateNumeric(e.arg, env);
    case 'sqrt':
      return Math.sqrt(evaluateNumeric(e.arg, env));
    case 'bin': {
      const a = evaluateNumeric(e.left, env);
      const b = evaluateNumeric(e.right, env);
      if (e.op === '+') return a + b;
      if (e.op === '-') return a - b;
      if (e.op === '*') return a * b;
      if (e.op === '/') return b === 0 ? Number.NaN : a / b;
      return a ** b;
    }
  }
}
