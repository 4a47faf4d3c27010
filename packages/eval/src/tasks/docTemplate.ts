/**
 * lm-eval's `doc_to_text` / `doc_to_target` templates, rendered as its Jinja environment renders them in Python
 * (`StrictUndefined`, `keep_trailing_newline`), so that a task's config string is the one source of its prompt.
 * Only the part of Jinja lm-eval's built-in task configs use: `{{ expression }}` blocks of field names, string,
 * integer and list literals, attribute calls (`str.strip`, `str.split`, `str.lower`, `str.upper`, `list.index`),
 * subscripts (negative ones count from the end), `a if condition else b`, and the tests `is defined` /
 * `is undefined`. Strings behave as Python's (`strip` is `str.strip`, not `String.trim`); anything else is refused
 * when the template is read, not when it renders. A template that names a field of the document (no braces) is
 * that field's value, as lm-eval reads `doc_to_target: answer`. Values print as Python's `str` does (`None`, `True`,
 * a list as its repr); string literals take Python's escapes. Where lm-eval reads a rendered choice list or target
 * with `ast.literal_eval` (`doc_to_choice`, a target such as "[1, 2]"), a lone `{{ expression }}` gives its value
 * and other rendered text is read as a literal.
 */
import { pythonStrip } from '../python/strip.ts';
import type { Doc } from '../task.ts';

type Value = string | number | boolean | null | Value[] | typeof UNDEFINED;
const UNDEFINED = Symbol('undefined');

type Expr =
  | { kind: 'literal'; value: string | number }
  | { kind: 'list'; items: Expr[] }
  | { kind: 'name'; name: string }
  | { kind: 'attribute'; target: Expr; name: string; args: Expr[] }
  | { kind: 'subscript'; target: Expr; index: Expr }
  | { kind: 'conditional'; then: Expr; test: Expr; otherwise: Expr }
  | { kind: 'test'; target: Expr; defined: boolean };

const METHODS = new Set(['strip', 'split', 'lower', 'upper', 'index']);

export class DocTemplateError extends Error {
  constructor(template: string, detail: string) {
    super(`template ${JSON.stringify(template)}: ${detail}`);
    this.name = 'DocTemplateError';
  }
}

/**
 * A template read once: the document's field when it names one, the value of its expression when it is one
 * `{{ expression }}` block and nothing else (a list stays a list, as lm-eval's `ast.literal_eval` of the rendered
 * text gives it back), else the rendered text.
 */
function compileDocTemplate(template: string): (doc: Doc) => Value {
  const parts = parseTemplate(template);
  const only = parts.length === 1 ? parts[0]! : undefined;
  const render = (doc: Doc): Value =>
    only !== undefined && typeof only !== 'string' ? evaluate(template, only, doc) : parts.map((p) => (typeof p === 'string' ? p : pythonStr(template, evaluate(template, p, doc)))).join('');
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(template)) return render;
  return (doc) => (template in doc ? toValue(doc[template]) : render(doc));
}

function parseTemplate(template: string): (string | Expr)[] {
  const source = template;
  const parts: (string | Expr)[] = [];
  let at = 0;
  while (at < source.length) {
    const open = source.indexOf('{{', at);
    if (open < 0) {
      parts.push(source.slice(at));
      break;
    }
    if (open > at) parts.push(source.slice(at, open));
    const close = source.indexOf('}}', open + 2);
    if (close < 0) throw new DocTemplateError(template, 'a "{{" is never closed');
    parts.push(parseExpression(template, source.slice(open + 2, close)));
    at = close + 2;
  }
  if (parts.some((p) => typeof p === 'string' && /\{%|\{#/.test(p))) throw new DocTemplateError(template, 'statements and comments are not supported');
  return parts;
}

/** A template whose result is text (doc_to_text, a generation task's doc_to_target). */
export function docText(template: string): (doc: Doc) => string {
  const value = compileDocTemplate(template);
  return (doc) => pythonStr(template, value(doc));
}

/**
 * The template's value before it is made text, for a reader that takes lists or numbers (a spec file's
 * `doc_to_choice` and `doc_to_target`): a named field or a lone `{{ expression }}` gives its value (strings,
 * numbers, booleans, null, lists), any other template its rendered text. An undefined value is an error.
 */
export function docValue(template: string): (doc: Doc) => unknown {
  const value = compileDocTemplate(template);
  return (doc) => {
    const v = value(doc);
    if (v === UNDEFINED) throw new DocTemplateError(template, 'renders an undefined value');
    return v;
  };
}

/**
 * A `doc_to_choice` string as lm-eval reads it: the named field, or `ast.literal_eval` of the rendered text (here
 * the value of a lone expression, or the rendered text read as a Python list literal), a non-empty list of strings.
 */
export function docChoices(template: string): (doc: Doc) => string[] {
  const value = compileDocTemplate(template);
  return (doc) => {
    let v = value(doc);
    if (typeof v === 'string') v = pythonLiteral(template, v);
    if (!Array.isArray(v) || v.length === 0 || !v.every((c): c is string => typeof c === 'string')) {
      throw new DocTemplateError(template, `gives ${describe(v)}, not a non-empty list of strings`);
    }
    return v;
  };
}

/**
 * A multiple-choice `doc_to_target` that may name several right choices (AGIEval's `gold`): the indices, from a list
 * of integers (a field, a lone expression, or rendered text such as "[1, 2]" read as lm-eval's `ast.literal_eval`
 * reads it) or from a single index.
 */
export function docChoiceIndices(template: string): (doc: Doc) => number[] {
  const value = compileDocTemplate(template);
  return (doc) => {
    let v = value(doc);
    if (typeof v === 'string' && v.startsWith('[') && v.endsWith(']')) v = pythonLiteral(template, v);
    if (typeof v === 'string' && /^[0-9]+$/.test(v)) v = Number(v);
    const list = Array.isArray(v) ? v : [v];
    if (list.length === 0 || !list.every((x): x is number => typeof x === 'number' && Number.isInteger(x) && x >= 0)) {
      throw new DocTemplateError(template, `gives ${describe(v)}, not choice indices`);
    }
    return list;
  };
}

/**
 * A multiple-choice `doc_to_target`: the index of the gold choice, from a field holding it or from a rendered
 * string of digits (lm-eval reads those with `ast.literal_eval` when the task has choices).
 */
export function docChoiceIndex(template: string): (doc: Doc) => number {
  const value = compileDocTemplate(template);
  return (doc) => {
    const v = value(doc);
    if (typeof v === 'number' && Number.isInteger(v)) return v;
    if (typeof v === 'string' && /^[0-9]+$/.test(v)) return Number(v);
    throw new DocTemplateError(template, `gives ${describe(v)}, not a choice index`);
  };
}

function describe(v: Value): string {
  return v === UNDEFINED ? 'nothing' : JSON.stringify(v);
}

/** `ast.literal_eval` of rendered text, for the literals an expression here can hold: strings, integers, lists. */
function pythonLiteral(template: string, text: string): Value {
  let e: Expr;
  try {
    e = parseExpression(template, text);
  } catch {
    throw new DocTemplateError(template, `renders ${JSON.stringify(text)}, which is not a Python literal`);
  }
  const literal = (x: Expr): boolean => x.kind === 'literal' || (x.kind === 'list' && x.items.every(literal));
  if (!literal(e)) throw new DocTemplateError(template, `renders ${JSON.stringify(text)}, which is not a Python literal`);
  return evaluate(template, e, {});
}

function lookup(doc: Doc, name: string): Value {
  return name in doc ? toValue(doc[name]) : UNDEFINED;
}

function toValue(v: unknown): Value {
  if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') return v;
  if (Array.isArray(v)) return v.map(toValue);
  if (v === undefined) return UNDEFINED;
  if (v === null) return null;
  throw new Error(`document value ${JSON.stringify(v)} is not a string, number, boolean, null or list`);
}

/** Python's `str()` of a rendered value; an undefined value is an error rather than an empty string. */
function pythonStr(template: string, v: Value): string {
  if (v === UNDEFINED) throw new DocTemplateError(template, 'renders an undefined value');
  if (typeof v === 'string') return v;
  if (typeof v === 'boolean') return v ? 'True' : 'False';
  if (v === null) return 'None';
  if (typeof v === 'number') {
    if (!Number.isInteger(v)) throw new DocTemplateError(template, `renders the float ${v}, whose Python text is not reproduced here`);
    return String(v);
  }
  return `[${v.map((x) => (typeof x === 'string' ? pythonRepr(x) : pythonStr(template, x))).join(', ')}]`;
}

/** Characters Python's `str.isprintable` rejects (other than the space), which `repr` writes as escapes. */
const NOT_PRINTABLE = /[\p{Cc}\p{Cf}\p{Cs}\p{Co}\p{Cn}\p{Zl}\p{Zp}\p{Zs}]/u;

/** Python's `repr` of a string: its quote choice, the escapes `\\`, `\n`, `\r`, `\t`, and `\x`/`\u`/`\U` for the rest. */
function pythonRepr(s: string): string {
  const quote = s.includes("'") && !s.includes('"') ? '"' : "'";
  let body = '';
  for (const ch of s) {
    const code = ch.codePointAt(0)!;
    if (ch === '\\' || ch === quote) body += `\\${ch}`;
    else if (ch === '\n') body += '\\n';
    else if (ch === '\r') body += '\\r';
    else if (ch === '\t') body += '\\t';
    else if (ch !== ' ' && NOT_PRINTABLE.test(ch)) {
      const hex = code.toString(16);
      body += code < 0x100 ? `\\x${hex.padStart(2, '0')}` : code < 0x10000 ? `\\u${hex.padStart(4, '0')}` : `\\U${hex.padStart(8, '0')}`;
    } else body += ch;
  }
  return quote + body + quote;
}

function evaluate(template: string, e: Expr, doc: Doc): Value {
  const fail = (detail: string): never => {
    throw new DocTemplateError(template, detail);
  };
  switch (e.kind) {
    case 'literal':
      return e.value;
    case 'list':
      return e.items.map((x) => evaluate(template, x, doc));
    case 'name':
      return lookup(doc, e.name);
    case 'test':
      return (evaluate(template, e.target, doc) !== UNDEFINED) === e.defined;
    case 'conditional':
      return truthy(evaluate(template, e.test, doc)) ? evaluate(template, e.then, doc) : evaluate(template, e.otherwise, doc);
    case 'subscript': {
      const target = evaluate(template, e.target, doc);
      const index = evaluate(template, e.index, doc);
      if (typeof index !== 'number' || !Number.isInteger(index)) return fail('subscripts must be integers');
      if (typeof target === 'string') {
        const chars = [...target];
        const v = chars[index < 0 ? chars.length + index : index];
        return v === undefined ? fail(`string index ${index} out of range`) : v;
      }
      if (!Array.isArray(target)) return fail('only strings and lists can be subscripted');
      const v = target[index < 0 ? target.length + index : index];
      return v === undefined ? fail(`list index ${index} out of range`) : v;
    }
    case 'attribute': {
      const target = evaluate(template, e.target, doc);
      const args = e.args.map((a) => evaluate(template, a, doc));
      if (e.name === 'index') {
        if (!Array.isArray(target) || args.length !== 1) return fail('index() takes one argument, on a list');
        const at = target.findIndex((x) => x === args[0]);
        return at < 0 ? fail(`${pythonStr(template, args[0]!)} is not in the list`) : at;
      }
      if (typeof target !== 'string') return fail(`${e.name}() is a string method`);
      if (e.name === 'strip' && args.length === 0) return pythonStrip(target);
      if (e.name === 'lower' && args.length === 0) return target.toLowerCase();
      if (e.name === 'upper' && args.length === 0) return target.toUpperCase();
      if (e.name === 'split' && args.length === 1 && typeof args[0] === 'string' && args[0] !== '') return target.split(args[0]);
      return fail(`unsupported call ${e.name}(${args.length} arguments)`);
    }
  }
}

function truthy(v: Value): boolean {
  if (v === UNDEFINED) return false;
  if (Array.isArray(v)) return v.length > 0;
  return Boolean(v);
}

/** Tokens of one `{{ ... }}` expression. */
function tokenize(template: string, text: string): string[] {
  const tokens: string[] = [];
  const re = /\s*(?:('(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*")|(\d+)|([A-Za-z_][A-Za-z0-9_]*)|([.[\](),-]))/y;
  let at = 0;
  while (at < text.length) {
    if (/^\s*$/.test(text.slice(at))) break;
    re.lastIndex = at;
    const m = re.exec(text);
    if (!m) throw new DocTemplateError(template, `cannot read ${JSON.stringify(text.slice(at))}`);
    tokens.push((m[1] ?? m[2] ?? m[3] ?? m[4])!);
    at = re.lastIndex;
  }
  return tokens;
}

function parseExpression(template: string, text: string): Expr {
  const tokens = tokenize(template, text);
  let i = 0;
  const fail = (detail: string): never => {
    throw new DocTemplateError(template, `${detail} in {{${text}}}`);
  };
  const peek = (): string | undefined => tokens[i];
  const take = (expected?: string): string => {
    const t = tokens[i++];
    if (t === undefined || (expected !== undefined && t !== expected)) return fail(expected ? `expected "${expected}"` : 'unexpected end');
    return t;
  };

  /** Comma-separated expressions up to `close` (a list literal's items, a call's arguments). */
  const listUntil = (close: string): Expr[] => {
    const items: Expr[] = [];
    while (peek() !== close) {
      items.push(conditional());
      if (peek() === ',') take(',');
      else break;
    }
    take(close);
    return items;
  };

  const primary = (): Expr => {
    const t = take();
    if (t.startsWith("'") || t.startsWith('"')) return { kind: 'literal', value: unquote(template, t) };
    if (/^\d+$/.test(t)) return { kind: 'literal', value: Number(t) };
    if (t === '-') {
      const n = take();
      if (!/^\d+$/.test(n)) return fail('a minus sign must precede an integer');
      return { kind: 'literal', value: -Number(n) };
    }
    if (t === '[') return { kind: 'list', items: listUntil(']') };
    if (t === '(') {
      const e = conditional();
      take(')');
      return e;
    }
    if (/^[A-Za-z_]/.test(t) && !['if', 'else', 'is', 'not'].includes(t)) return { kind: 'name', name: t };
    return fail(`unexpected "${t}"`);
  };

  const postfix = (): Expr => {
    let e = primary();
    for (;;) {
      if (peek() === '.') {
        take('.');
        const name = take();
        if (!METHODS.has(name)) return fail(`unsupported attribute "${name}"`);
        take('(');
        e = { kind: 'attribute', target: e, name, args: listUntil(')') };
      } else if (peek() === '[') {
        take('[');
        const index = conditional();
        take(']');
        e = { kind: 'subscript', target: e, index };
      } else {
        return e;
      }
    }
  };

  const test = (): Expr => {
    const e = postfix();
    if (peek() !== 'is') return e;
    take('is');
    let negate = false;
    if (peek() === 'not') {
      take('not');
      negate = true;
    }
    const name = take();
    if (name !== 'defined' && name !== 'undefined') return fail(`unsupported test "${name}"`);
    return { kind: 'test', target: e, defined: (name === 'defined') !== negate };
  };

  const conditional = (): Expr => {
    const then = test();
    if (peek() !== 'if') return then;
    take('if');
    const cond = test();
    take('else');
    return { kind: 'conditional', then, test: cond, otherwise: conditional() };
  };

  const e = conditional();
  if (i !== tokens.length) fail(`unexpected "${tokens[i]}"`);
  return e;
}

const ESCAPES: Record<string, string> = { n: '\n', t: '\t', r: '\r', a: '\x07', b: '\b', f: '\f', v: '\v', '\\': '\\', "'": "'", '"': '"' };

/**
 * A string literal's value with Python's escapes (Jinja unescapes literals with Python's `unicode-escape`): the
 * one-letter escapes, octal `\ooo`, `\xhh`, `\uhhhh` and `\Uhhhhhhhh`; an unknown escape keeps its backslash.
 */
function unquote(template: string, token: string): string {
  const body = token.slice(1, -1);
  return body.replace(/\\([0-7]{1,3}|x[0-9A-Fa-f]{2}|u[0-9A-Fa-f]{4}|U[0-9A-Fa-f]{8}|.)/g, (whole, c: string) => {
    if (/^[0-7]/.test(c)) return String.fromCodePoint(parseInt(c, 8));
    const code = c.length > 1 ? parseInt(c.slice(1), 16) : undefined;
    if (code !== undefined && code <= 0x10ffff) return String.fromCodePoint(code);
    if (code !== undefined || c === 'x' || c === 'u' || c === 'U' || c === 'N') throw new DocTemplateError(template, `unsupported escape ${whole} in ${token}`);
    return ESCAPES[c] ?? whole;
  });
}
