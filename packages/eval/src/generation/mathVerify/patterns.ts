/**
 * The answer-finding patterns of Math-Verify's default extraction (LaTeX and plain expressions), with their
 * priorities: 0 "final answer is … I hope", 50 "final answer … is …" and \boxed, 100 "answer:", 200 "answer",
 * 300 anywhere. Named groups carry which environment matched (`first_…`, `next1_…` for "a, b and c" lists) and
 * whether a percent sign followed. JavaScript has no scoped `(?i:…)`, so case-insensitive words are spelt out.
 */
export interface Pattern {
  re: RegExp;
  priority: number;
  kind: 'latex' | 'expr';
}

/** A case-insensitive spelling of a literal phrase. */
function anyCase(words: string): string {
  return [...words].map((ch) => (/[a-z]/i.test(ch) ? `[${ch.toLowerCase()}${ch.toUpperCase()}]` : ch === ' ' ? ' ' : `\\${ch}`)).join('');
}

const FINAL_ANSWER_IS = anyCase('final answer is');
const FINAL_ANSWER = anyCase('final answer');
const ANSWER = anyCase('answer');
// Python's `$` without MULTILINE also matches before one final newline.
const END = '(?=\\n?$)';

function envPattern(prefix: string, boxed: boolean): string {
  const percent = `(?<${prefix}percent>(?:\\\\?%|[Pp]ercent|[Pp]ercentage|[Pp]ct))`;
  const base = {
    displayDollar: '(?:[^$]|\\$(?!\\$))',
    displayBracket: '(?:[^\\\\]|\\\\(?!\\]))',
    inlineDollar: '(?:\\\\[$]|[^\\n$])',
    inlineParen: '(?:[^\\\\\\n]|\\\\(?!\\)))',
    inlineBracket: '[^\\n\\]\\[]',
  };
  const body = (unit: string): string => (boxed ? `${unit}*?\\\\boxed\\{${unit}+?\\}${unit}*?` : `${unit}+?`);
  const alternatives = [
    `(?<!\\\\)\\$\\$(?<${prefix}latexDisplayDollar>${body(base.displayDollar)})(?<!\\\\)\\$\\$`,
    `(?<!\\\\)\\\\\\[(?<${prefix}latexDisplayBracket>${body(base.displayBracket)})(?<!\\\\)\\\\\\]`,
    `(?<!\\\\|\\d)\\$(?<${prefix}latexInlineDollar>${body(base.inlineDollar)})(?<!\\\\)\\$`,
    `(?<!\\\\)\\\\\\((?<${prefix}latexInlineParenthesis>${body(base.inlineParen)})(?<!\\\\)\\\\\\)`,
    `\\s\\[(?<${prefix}latexInlineBracket>${body(base.inlineBracket)})\\]\\s`,
  ];
  if (!boxed) {
    const simple = '-?\\d+(?:[.,]\\d+)?';
    alternatives.push(`(?<${prefix}latexFraction>-?\\\\frac\\{${simple}\\}\\{${simple}\\})`);
  }
  return `(?:(?:${alternatives.join('|')})\\s*${percent}?)`;
}

function latexPatterns(): Pattern[] {
  const joiner = '\\s*(?:,?and|,?or|,)\\s*';
  let envs = envPattern('first_', false);
  for (let i = 1; i <= 5; i++) envs += `(?:${joiner}${envPattern(`next${i}_`, false)})?`;
  envs = `(?:${envs})`;
  let boxedEnvs = envPattern('first_', true);
  for (let i = 1; i <= 5; i++) boxedEnvs += `\\s*(?:${joiner}${envPattern(`next${i}_`, true)})?`;
  const make = (source: string, priority: number): Pattern => ({ re: new RegExp(source, 'gs'), priority, kind: 'latex' });
  return [
    make(`${FINAL_ANSWER_IS}:?\\s*${envs}\\.?\\s?I hope`, 0),
    make(`${FINAL_ANSWER}.{0,100}?\\s+is:?\\s*${envs}`, 50),
    make(`${ANSWER}:.{0,50}?${envs}`, 100),
    make(`${ANSWER}.{0,50}?${envs}`, 200),
    make(envs, 300),
    make(boxedEnvs, 50),
    make('(?<first_latexBoxed>\\\\boxed\\{.+\\})', 50),
  ];
}

function exprPatterns(): Pattern[] {
  const number =
    '(?<!\\d)(?:' +
    '(?<integer1>-?[1-9]\\d{0,2}(?:[ ,]\\d{3})+)(?<decimal1>\\.\\d+)?|' +
    '(?<integer2>-?\\d+)(?<decimal2>[.,]\\d+)|' +
    '(?<decimal3>\\.\\d+)|' +
    '(?<integer3>-?\\d+)' +
    ')(?<percent>\\s*(?:%|[Pp]ercent|\\s*[Pp]ercentage|\\s*[Pp]ct))?';
  const ops = '+\\-*×/^()÷';
  const chars = `[\\d.\\s${ops}]`;
  const expr = `(?<expr>-?\\(?-?\\d${chars}*[${ops}]${chars}+\\)?)`;
  const currency = '$€£¥₹₽₪₩₫฿₡₢₣₤₥₦₧₨₭₮₯₰₱₲₳₴₵₶₷₸₺₻₼₾₿'.replace(/\$/g, '\\$');
  const prefix = '(?:^|\\s|=)(?:\\*\\*)?';
  const suffix = `(?:\\*\\*)?(?:\\.|,|:|\\s|\\)|\\$|${END})`;
  const withAnchors = `(?:${prefix}${expr}${suffix})`;
  const numberWithAnchors = `(?:${prefix}[${currency}]?${number})`;
  const either = `(?:${withAnchors}|${numberWithAnchors})`;
  const make = (source: string, priority: number): Pattern => ({ re: new RegExp(source, 'g'), priority, kind: 'expr' });
  // Without DOTALL Python's `.` stops only at \n; JavaScript's would also stop at \r and U+2028/9.
  const any = '[^\\n]';
  return [
    make(`${FINAL_ANSWER_IS}:?\\s*${either}\\.?\\s?I hope`, 0),
    make(`${FINAL_ANSWER}${any}{0,100}?\\s+is:?${either}`, 50),
    make(`${ANSWER}:(?:${any}{0,100}=\\s*|${any}{0,50}?)${either}(?!\\s*=)`, 100),
    make(`${ANSWER}(?:${any}{0,100}=\\s*|${any}{0,50}?)${either}(?!\\s*=)`, 200),
    make(withAnchors, 300),
    make(numberWithAnchors, 300),
  ];
}

let compiled: Pattern[] | null = null;

/** All patterns, LaTeX before expressions, in the order their matches are ranked within one priority. */
export function extractionPatterns(): Pattern[] {
  compiled ??= [...latexPatterns(), ...exprPatterns()];
  return compiled;
}
