/**
 * A position in a token list with the limits every LaTeX parse runs under (nesting depth, sub-parses tried).
 */
import type { Node } from './ast.ts';
import type { Tok } from './latexTokens.ts';

export const MAX_DEPTH = 200;
/** Sub-parses tried per answer: backtracking over ambiguous input (`|x|x|x…`) gives up instead of going exponential. */
export const MAX_STEPS = 20000;

export class Cursor {
  pos = 0;
  depth = 0;
  steps = 0;
  constructor(readonly toks: Tok[]) {}
  peek(offset = 0): Tok | undefined {
    return this.toks[this.pos + offset];
  }
  isP(text: string, offset = 0): boolean {
    const t = this.peek(offset);
    return t !== undefined && t.k === 'p' && t.text === text;
  }
  isCmd(...names: string[]): boolean {
    const t = this.peek();
    return t !== undefined && t.k === 'cmd' && names.includes(t.text);
  }
  expectP(text: string): void {
    if (!this.isP(text)) throw new Error(`expected ${text}`);
    this.pos++;
  }
  enter(): void {
    if (++this.depth > MAX_DEPTH) throw new Error('expression nested too deeply');
  }
  leave(): void {
    this.depth--;
  }
  /** Tries a sub-parse; on failure rewinds and returns null. */
  attempt<T>(f: () => T): T | null {
    if (++this.steps > MAX_STEPS) throw new Error('answer too ambiguous to parse');
    const save = this.pos;
    const depth = this.depth;
    try {
      return f();
    } catch {
      this.pos = save;
      this.depth = depth;
      return null;
    }
  }
}

/** Parses a whole token list by another entry point (multi-argument functions re-parse each argument). */
export type ReParse = (raw: string) => Node;
