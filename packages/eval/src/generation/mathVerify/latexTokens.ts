/**
 * Tokens of the LaTeX dialect latex2sympy2_extended reads (longest match first, as its lexer does). Anything the
 * lexer has no token for is an error, which makes the whole parse fail, as there.
 */
export type Tok = TokBody & { raw: string };
type TokBody =
  | { k: 'num'; text: string }
  | { k: 'pctnum'; text: string }
  | { k: 'letter'; text: string }
  | { k: 'greek'; text: string }
  | { k: 'other'; text: string }
  | { k: 'accent'; cmd: string; body: string }
  | { k: 'diff'; text: string }
  | { k: 'cmd'; text: string }
  | { k: 'p'; text: string };

const GREEK = 'alpha beta gamma Gamma delta Delta epsilon varepsilon zeta eta theta Theta vartheta iota kappa lambda Lambda mu nu xi Xi omicron pi Pi varpi rho varrho sigma Sigma varsigma tau upsilon Upsilon phi Phi varphi chi psi Psi omega Omega'.split(' ');
const OTHER = 'Bbbk wp nabla bigstar angle nexists diagdown measuredangle eth diagup sphericalangle clubsuit varnothing Diamond complement diamondsuit imath Finv triangledown heartsuit jmath Game triangle spadesuit ell hbar vartriangle hslash blacklozenge lozenge blacksquare mho blacktriangle sharp prime Im flat square backprime Re natural surd circledS'.split(' ');
const ACCENTS = 'acute bar overline breve check widecheck dot ddot grave hat tilde widetilde vec overrightarrow bm boldsymbol text textit textbf textnormal mathbb mathbin mathbf mathcal mathclap mathclose mathellipsis mathfrak mathinner mathit mathnormal mathop mathopen mathord mathpunct mathrel mathring mathrlap mathrm mathscr mathsf mathsterling mathtt mbox'.split(' ');
const SKIPPED = [',', ':', ';', '!', 'thinspace', 'medspace', 'thickspace', 'quad', 'qquad', 'negthinspace', 'negmedspace', 'negthickspace', '$', 'vrule', 'vcenter', 'vbox', 'vskip', 'vspace', 'hfil'];
const COMMANDS = new Set(
  ('frac dfrac tfrac cfrac binom tbinom dbinom choose mod sqrt times cdot div over pm mp infty partial boxed phantom ' +
    'log ln exp sin cos tan csc sec cot arcsin arccos arctan arccsc arcsec arccot sinh cosh tanh arsinh arcosh artanh ' +
    'arcsinh arccosh arctanh gcd lcm floor ceil max min det lim int sum prod operatorname ' +
    'cup cap setminus emptyset in notin subseteq supseteq leq le leqslant geq ge geqslant lt gt ne neq approx equiv ' +
    'lfloor rfloor lceil rceil langle rangle lvert rvert vert lgroup rgroup lbrace rbrace lbrack rbrack ' +
    'circ degree circle to rightarrow Rightarrow longrightarrow Longrightarrow exponentialE').split(' '),
);
const KNOWN = new Set<string>();
const SET_LITERALS: Record<string, string> = { N: 'Naturals', Z: 'Integers', Q: 'Rationals', R: 'Reals', C: 'Complexes', P: 'Primes' };
for (const w of [...GREEK, ...OTHER, ...ACCENTS, ...SKIPPED, ...COMMANDS, 'begin', 'end', 'mathbb']) KNOWN.add(w);
const UNICODE_OPS: Record<string, string> = { '×': '*', '⋅': '*', '∙': '*', '÷': '/', '−': '-', '≤': '\\leq', '≥': '\\geq', '≠': '\\neq', '∞': '\\infty', '∪': '\\cup', '∩': '\\cap', '±': '\\pm', '≈': '\\approx', 'π': '\\pi' };

export const MAX_TOKENS = 2000;

/**
 * The command starting at a backslash. Like the reference's lexer, a known command is recognised even when letters
 * follow it (`\\sinx` is `\\sin` then x, `\\circe` is `\\circ` then e); an unknown word is returned whole.
 */
function commandName(text: string): string {
  const word = /^\\([a-zA-Z]+|.)/.exec(text)?.[1] ?? '';
  if (!/^[a-zA-Z]/.test(word) || KNOWN.has(word)) return word;
  for (let n = word.length - 1; n > 0; n--) if (KNOWN.has(word.slice(0, n))) return word.slice(0, n);
  return word;
}

export function tokenize(src: string): Tok[] {
  const out: Tok[] = [];
  let i = 0;
  let start = 0;
  const push = (t: TokBody): void => {
    if (out.length >= MAX_TOKENS) throw new Error('expression too long');
    pending = t;
  };
  let pending = null as TokBody | null;
  while (i < src.length) {
    if (pending !== null) {
      out.push(Object.assign(pending, { raw: src.slice(start, i) }));
      pending = null;
    }
    start = i;
    const c = src[i]!;
    const rest = src.slice(i, i + 64);
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    let m: RegExpExecArray | null;
    if ((m = /^(\d*\.\d+|\d+)(?:E[+-]?\d+)?/.exec(src.slice(i, i + 420)))) {
      const after = src.slice(i + m[0].length, i + m[0].length + 3);
      const pct = /^[ \t\r\n]?(\\%|%)/.exec(after);
      if (pct && !m[0].includes('E')) {
        push({ k: 'pctnum', text: m[1]! });
        i += m[0].length + pct[0].length;
      } else {
        push({ k: 'num', text: m[0] });
        i += m[0].length;
      }
      continue;
    }
    if (c === 'd' && (m = /^d\s*?([a-zA-Z]|\\[a-zA-Z]+)/.exec(rest))) {
      push({ k: 'diff', text: m[0] });
      i += m[0].length;
      continue;
    }
    if (/[a-zA-Z]/.test(c)) {
      push({ k: 'letter', text: c });
      i++;
      continue;
    }
    if (c === '\\') {
      if ((m = /^\\mathbb\{([NZQRCP])\}/.exec(rest))) {
        push({ k: 'cmd', text: SET_LITERALS[m[1]!]! });
        i += m[0].length;
        continue;
      }
      if (rest.startsWith('\\{') || rest.startsWith('\\}') || rest.startsWith('\\|') || rest.startsWith('\\(') || rest.startsWith('\\)') || rest.startsWith('\\\\')) {
        push({ k: 'p', text: rest.slice(0, 2) });
        i += 2;
        continue;
      }
      if (rest.startsWith('\\%')) throw new Error('stray percent sign');
      const name = commandName(src.slice(i, i + 40));
      if (SKIPPED.includes(name)) {
        i += 1 + name.length;
        continue;
      }
      if (name === 'begin' || name === 'end') {
        const env = /^\\(begin|end)\{(matrix|pmatrix|bmatrix|vmatrix|array)\}(\{[clr]*\})?/.exec(src.slice(i, i + 80));
        if (!env) throw new Error('unknown environment');
        push({ k: 'cmd', text: `${env[1]}:${env[2] === 'vmatrix' ? 'vmatrix' : 'matrix'}` });
        i += env[0].length;
        continue;
      }
      if (ACCENTS.includes(name)) {
        const a = /^\\[a-zA-Z]+[ \t\r\n]?\{((?:\\\}|[^}])*?)\}/.exec(src.slice(i, i + 2000));
        if (!a) throw new Error('accent without argument');
        push({ k: 'accent', cmd: name, body: a[1]! });
        i += a[0].length;
        continue;
      }
      if (GREEK.includes(name)) {
        push({ k: 'greek', text: name });
        i += 1 + name.length;
        if (src[i] === ' ') i++;
        continue;
      }
      if (OTHER.includes(name)) {
        push({ k: 'other', text: name });
        i += 1 + name.length;
        if (src[i] === ' ') i++;
        continue;
      }
      if (COMMANDS.has(name)) {
        push({ k: 'cmd', text: name });
        i += 1 + name.length;
        continue;
      }
      throw new Error(`unknown command \\${name.slice(0, 20)}`);
    }
    if (UNICODE_OPS[c]) {
      const t = UNICODE_OPS[c]!;
      push(t.startsWith('\\') ? (t === '\\pi' ? { k: 'greek', text: 'pi' } : { k: 'cmd', text: t.slice(1) }) : { k: 'p', text: t });
      i++;
      continue;
    }
    if (rest.startsWith('<=') || rest.startsWith('>=') || rest.startsWith('!=') || rest.startsWith('==')) {
      push({ k: 'p', text: rest.slice(0, 2) });
      i += 2;
      continue;
    }
    if ('+-*/()[]{}|^_!,;:=<>&\'°'.includes(c)) {
      push({ k: 'p', text: c });
      i++;
      continue;
    }
    throw new Error(`unexpected character ${JSON.stringify(c)}`);
  }
  if (pending !== null) out.push(Object.assign(pending, { raw: src.slice(start, i) }));
  return out;
}
