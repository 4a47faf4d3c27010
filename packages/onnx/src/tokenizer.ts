import { readFileSync } from 'node:fs';
import { Tokenizer } from '@huggingface/tokenizers';
import { matchHuggingFaceByteFallback } from './byte-fallback.ts';
import type { CheckpointFiles } from './checkpoint.ts';
import { CheckpointError } from './errors.ts';

function tokenContent(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (value && typeof value === 'object' && typeof (value as { content?: unknown }).content === 'string') {
    return (value as { content: string }).content;
  }
  return undefined;
}

function firstId(value: unknown): number | undefined {
  if (typeof value === 'number') return value;
  if (Array.isArray(value) && typeof value[0] === 'number') return value[0];
  return undefined;
}

/**
 * The checkpoint's tokenizer, encoding exactly as the Hugging Face tokenizer would: BOS is added when the
 * tokenizer adds it by default (its post-processor or `add_bos_token`), as lm-evaluation-harness does when
 * `add_bos_token` is left unset.
 */
export class TextTokenizer {
  readonly bosId: number | undefined;
  /** The tokenizer's end-of-text token (lm-eval's `eot_token_id`; its text joins the stop strings). */
  readonly eotId: number | undefined;
  /**
   * Tokens that end generation, as Hugging Face `generate` stops: every id of generation_config's `eos_token_id`
   * (an id or a list: chat models name their turn terminators there, e.g. Llama 3.1's <|eot_id|>), else the model
   * config's, else `eotId`.
   */
  readonly stopIds: ReadonlySet<number>;
  /**
   * Texts that join every request's stop strings: lm-eval adds the tokenizer's EOS text (`tok_decode(eot_token_id)`,
   * tokenizer_config.json's `eos_token`, often the chat turn terminator such as <|im_end|>); the model's own
   * end-of-text token's text too.
   */
  readonly stopTexts: readonly string[];
  /** The token an empty context is scored after (lm-eval's `prefix_token_id`: BOS, else EOS). */
  readonly prefixId: number;
  readonly defaultAddBos: boolean;
  readonly vocabSize: number;
  private readonly tok: Tokenizer;

  constructor(files: CheckpointFiles, options: { addBos?: boolean } = {}) {
    let json: unknown;
    try {
      json = JSON.parse(readFileSync(files.tokenizerPath, 'utf8'));
    } catch (err) {
      throw new CheckpointError(`${files.tokenizerPath}: not a readable tokenizer.json (${(err as Error).message})`);
    }
    const model = (json as { model?: { vocab?: unknown } }).model;
    if (!model || typeof model !== 'object' || !('vocab' in model)) {
      throw new CheckpointError(`${files.tokenizerPath}: field "model.vocab" missing (expected a Hugging Face tokenizer.json)`);
    }
    try {
      this.tok = new Tokenizer(json as object, files.tokenizerConfig);
    } catch (err) {
      throw new CheckpointError(`${files.tokenizerPath}: could not build the tokenizer (${(err as Error).message})`);
    }
    // Byte pieces that are not valid UTF-8 decode as Hugging Face tokenizers decodes them (what lm-eval's text is).
    matchHuggingFaceByteFallback(this.tok);
    const tc = files.tokenizerConfig;
    const idOf = (v: unknown) => {
      const s = tokenContent(v);
      return s === undefined ? undefined : this.tok.token_to_id(s);
    };
    this.vocabSize = this.tok.get_vocab(true).size;
    this.bosId = idOf(tc.bos_token) ?? firstId(files.config.bos_token_id ?? undefined);
    // The model's own EOS (config.json, then generation_config.json) wins over tokenizer_config's eos_token:
    // chat-tuned tokenizers name their turn terminator there (Qwen's <|im_end|>), while the reference
    // log-likelihoods score an empty context after the model's end-of-text token.
    this.eotId =
      firstId(files.config.eos_token_id ?? undefined) ?? firstId(files.generationConfig.eos_token_id ?? undefined) ?? idOf(tc.eos_token);
    const genEos = files.generationConfig.eos_token_id ?? files.config.eos_token_id;
    const stops = Array.isArray(genEos) ? genEos.filter((x): x is number => typeof x === 'number') : typeof genEos === 'number' ? [genEos] : [];
    if (stops.length === 0 && this.eotId !== undefined) stops.push(this.eotId);
    this.stopIds = new Set(stops);
    const texts = [this.eotId === undefined ? undefined : this.tokenText(this.eotId), tokenContent(tc.eos_token)];
    this.stopTexts = [...new Set(texts.filter((t): t is string => typeof t === 'string' && t.length > 0))];
    const prefix = this.bosId ?? this.eotId;
    if (prefix === undefined) {
      throw new CheckpointError(`${files.tokenizerPath}: neither a BOS nor an EOS token is defined (needed to score an empty context)`);
    }
    this.prefixId = prefix;
    const withSpecials = this.tok.encode('a').ids;
    const postProcessorAddsBos = this.bosId !== undefined && withSpecials.length > 1 && withSpecials[0] === this.bosId;
    const configured = typeof tc.add_bos_token === 'boolean' ? tc.add_bos_token : undefined;
    this.defaultAddBos = options.addBos ?? configured ?? postProcessorAddsBos;
    if (this.defaultAddBos && this.bosId === undefined) {
      throw new CheckpointError(`${files.tokenizerPath}: BOS requested but the tokenizer defines no bos_token`);
    }
  }

  /** Encodes as `tokenizer(text)` would; a BOS already at the start of the text is never doubled. */
  encode(text: string, options: { addBos?: boolean } = {}): number[] {
    const ids = this.tok.encode(text, { add_special_tokens: false }).ids;
    const addBos = options.addBos ?? this.defaultAddBos;
    if (addBos && this.bosId !== undefined && ids[0] !== this.bosId) ids.unshift(this.bosId);
    return ids;
  }

  decode(ids: number[], options: { skipSpecialTokens?: boolean } = {}): string {
    if (ids.length === 0) return '';
    return this.tok.decode(ids, { skip_special_tokens: options.skipSpecialTokens ?? false });
  }

  tokenText(id: number): string {
    return this.decode([id]);
  }
}
