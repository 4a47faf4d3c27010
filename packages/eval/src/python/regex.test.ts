import { describe, expect, it } from 'vitest';
import { pythonFindall, pythonRegex, pythonSubLiteral } from './regex.ts';

// Expected values printed by CPython 3.11's re.findall / re.sub on the same inputs.
describe('Python regex patterns in JavaScript', () => {
  it('matches `$` before a final newline only, as Python does', () => {
    expect(pythonFindall('a$', 'xa\n')).toEqual(['a']);
    expect(pythonFindall('a$', 'xa\n\n')).toEqual([]);
    expect(pythonFindall('[$]', 'a$b')).toEqual(['$']);
  });

  it('turns leading inline flags into RegExp flags', () => {
    expect(pythonSubLiteral('(?s).*#### ', '', 'a\nb#### 5')).toBe('5');
    expect(pythonSubLiteral('(?i)AB', '', 'xaby')).toBe('xy');
  });

  it('keeps a leading `]` inside a class literal and returns findall tuples', () => {
    expect(pythonFindall('[]x]+', 'a]x]b')).toEqual([']x]']);
    expect(pythonFindall('(a)|(b)', 'ab')).toEqual([
      ['a', ''],
      ['', 'b'],
    ]);
  });

  it('refuses Python-only syntax instead of misreading it', () => {
    expect(() => pythonRegex('(?P<n>a)')).toThrow(/not translated/);
    expect(() => pythonRegex('a\\Z')).toThrow(/not translated/);
  });
});
