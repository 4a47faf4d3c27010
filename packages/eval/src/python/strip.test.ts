import { describe, expect, it } from 'vitest';
import { pythonStrip } from './strip.ts';

describe('pythonStrip (str.strip with no argument)', () => {
  it('removes what Python counts as whitespace, including the ASCII separators and NEL', () => {
    expect(pythonStrip('\x1c\x1d\x1e\x1f\x85\u00a0\u3000 a b\t\n\x0b\x0c\r')).toBe('a b');
  });
  it('keeps U+FEFF and U+200B, which Python does not strip', () => {
    expect(pythonStrip('\ufeff7\ufeff')).toBe('\ufeff7\ufeff');
    expect(pythonStrip('\u200b7')).toBe('\u200b7');
  });
});
