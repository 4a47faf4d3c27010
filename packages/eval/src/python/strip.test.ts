import { describe, expect, it } from 'vitest';
import { isPythonSpace, pythonSplit, pythonStrip } from './strip.ts';

describe('pythonStrip (str.strip with no argument)', () => {
  it('removes what Python counts as whitespace, including the ASCII separators and NEL', () => {
    expect(pythonStrip('\x1c\x1d\x1e\x1f\x85\u00a0\u3000 a b\t\n\x0b\x0c\r')).toBe('a b');
  });
  it('keeps U+FEFF and U+200B, which Python does not strip', () => {
    expect(pythonStrip('\ufeff7\ufeff')).toBe('\ufeff7\ufeff');
    expect(pythonStrip('\u200b7')).toBe('\u200b7');
  });
});

describe('isPythonSpace and pythonSplit (str.isspace, str.split with no argument)', () => {
  it('count the same characters as whitespace as pythonStrip, U+FEFF not among them', () => {
    for (const ch of ['\x1c', '\x1f', '\x85', '\u00a0', '\u3000', ' ', '\t']) expect(isPythonSpace(ch)).toBe(true);
    for (const ch of ['\ufeff', '\u200b', 'a']) expect(isPythonSpace(ch)).toBe(false);
  });
  it('split at runs of whitespace and drop the ends, as Python does', () => {
    expect(pythonSplit('  1.5\u3000atm\x1c\x1dx \n')).toEqual(['1.5', 'atm', 'x']);
    expect(pythonSplit(' \t ')).toEqual([]);
    expect(pythonSplit('\ufeff1 2')).toEqual(['\ufeff1', '2']);
  });
});
