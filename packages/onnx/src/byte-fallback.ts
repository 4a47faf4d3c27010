import { ByteFallbackDecoder, SequenceDecoder, type Tokenizer } from '@huggingface/tokenizers';

const BYTE_PIECE = /^<0x([0-9A-Fa-f]{2})>$/;
const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/**
 * Hugging Face `tokenizers`' ByteFallback decoding step: consecutive `<0xHH>` pieces are gathered into bytes; a run
 * that is valid UTF-8 becomes its text, a run that is not becomes one U+FFFD per byte piece (the whole run, valid
 * bytes included). A streaming UTF-8 decoder would instead write one U+FFFD per maximal invalid subsequence, so
 * `<0xE5><0x8F>` would decode to one replacement character where the reference library writes two.
 */
export function decodeByteFallbackPieces(pieces: string[]): string[] {
  const out: string[] = [];
  let run: number[] = [];
  const flush = () => {
    if (run.length === 0) return;
    try {
      out.push(strictUtf8.decode(Uint8Array.from(run)));
    } catch {
      for (let i = 0; i < run.length; i++) out.push('\uFFFD');
    }
    run = [];
  };
  for (const piece of pieces) {
    const byte = BYTE_PIECE.exec(piece);
    if (byte) run.push(parseInt(byte[1]!, 16));
    else {
      flush();
      out.push(piece);
    }
  }
  flush();
  return out;
}

/**
 * Makes every ByteFallback step of a tokenizer's decoder (alone or inside a Sequence) decode as the Rust library
 * does (see `decodeByteFallbackPieces`). Returns how many steps were replaced.
 */
export function matchHuggingFaceByteFallback(tokenizer: Tokenizer): number {
  let replaced = 0;
  const visit = (decoder: unknown): void => {
    if (decoder instanceof ByteFallbackDecoder) {
      decoder.decode_chain = decodeByteFallbackPieces;
      replaced++;
    } else if (decoder instanceof SequenceDecoder) {
      for (const inner of decoder.decoders) visit(inner);
    }
  };
  visit(tokenizer.decoder);
  return replaced;
}
