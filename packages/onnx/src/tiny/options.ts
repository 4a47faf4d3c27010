import type { TinyDtype } from './variants.ts';

/** Shape and initialisation of a seeded tiny decoder. Only `seed` is required; the rest default to the `test` preset. */
export interface TinyModelOptions {
  layers?: number;
  hidden?: number;
  heads?: number;
  /** Key/value heads; fewer than `heads` gives grouped-query attention. */
  kvHeads?: number;
  /** MLP width; default 8/3 · hidden rounded up to a multiple of 8, as Llama sizes it. */
  intermediate?: number;
  /** Embedding rows / logits width. The tokenizer fills up to this many entries (or fewer, leaving padding rows). */
  vocab?: number;
  seed: number;
  /** RoPE base θ; default 10000. */
  ropeTheta?: number;
  /** config.json's max_position_embeddings; default 2048. */
  maxPositions?: number;
  /** Biases on the q/k/v projections, as Qwen2 has (config model_type becomes "qwen2"). */
  qkvBias?: boolean;
  /** LM head shares the embedding matrix (default true). */
  tieEmbeddings?: boolean;
  /** Weights in `model.onnx_data` beside the graph. Forced on when the weights exceed EXTERNAL_DATA_THRESHOLD. */
  externalData?: boolean;
  /** A BOS token `<|begin_of_text|>` that the tokenizer puts before every sequence, as Llama 3's does. */
  addBos?: boolean;
  /** Multiplies every weight's standard deviation (default 1: unit-scale activations, logit std ≈ 1–3). */
  weightScale?: number;
  /** RMSNorm epsilon; default 1e-6. */
  rmsNormEps?: number;
  /**
   * Write these precisions in the transformers.js layout instead of a top-level `model.onnx`: `onnx/model.onnx`
   * for fp32, `onnx/model_fp16.onnx`, `onnx/model_q4.onnx`, … (see tiny/variants.ts), all from the same weights.
   */
  dtypes?: TinyDtype[];
  /** With `externalData` and `dtypes`: split each variant's weights into files of at most this many bytes. */
  externalDataChunkBytes?: number;
}

export interface ResolvedTinyOptions extends Required<Omit<TinyModelOptions, 'externalData' | 'dtypes' | 'externalDataChunkBytes'>> {
  headDim: number;
  externalData: boolean;
}

type PresetShape = Omit<TinyModelOptions, 'seed'> & { seed: number };

/** Shapes others build on: `test` is the small default (~0.5 MB), `qwen2_5_0_5b` the benchmark shape (~2 GB fp32). */
export const tinyModelPresets = {
  test: { layers: 2, hidden: 64, heads: 4, kvHeads: 2, intermediate: 176, vocab: 512, seed: 0, ropeTheta: 10000, maxPositions: 2048 },
  qwen2_5_0_5b: {
    layers: 24,
    hidden: 896,
    heads: 14,
    kvHeads: 2,
    intermediate: 4864,
    vocab: 151936,
    seed: 0,
    ropeTheta: 1_000_000,
    maxPositions: 32768,
    qkvBias: true,
    tieEmbeddings: true,
  },
} satisfies Record<string, PresetShape>;

/** Above this many bytes of weights the model goes to external data: protobuf messages cannot exceed 2 GB. */
export const EXTERNAL_DATA_THRESHOLD = 1.5e9;

function positiveInt(field: keyof TinyModelOptions, value: unknown): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value <= 0) {
    throw new Error(`writeTinyModel: option "${field}" must be a positive integer, got ${JSON.stringify(value)}`);
  }
  return value;
}

function positiveNumber(field: keyof TinyModelOptions, value: unknown): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    throw new Error(`writeTinyModel: option "${field}" must be a positive finite number, got ${JSON.stringify(value)}`);
  }
  return value;
}

export function resolveTinyOptions(options: TinyModelOptions): ResolvedTinyOptions {
  const d = tinyModelPresets.test;
  if (typeof options.seed !== 'number' || !Number.isInteger(options.seed) || options.seed < 0 || options.seed > 0xffffffff) {
    throw new Error(`writeTinyModel: option "seed" must be an integer in [0, 2^32), got ${JSON.stringify(options.seed)}`);
  }
  const layers = positiveInt('layers', options.layers ?? d.layers);
  const hidden = positiveInt('hidden', options.hidden ?? d.hidden);
  const heads = positiveInt('heads', options.heads ?? d.heads);
  const kvHeads = positiveInt('kvHeads', options.kvHeads ?? (options.heads === undefined ? d.kvHeads : heads));
  if (hidden % heads !== 0) throw new Error(`writeTinyModel: option "hidden" (${hidden}) must be a multiple of "heads" (${heads})`);
  const headDim = hidden / heads;
  if (headDim % 2 !== 0) throw new Error(`writeTinyModel: hidden / heads = ${headDim} must be even (RoPE rotates pairs of dimensions)`);
  if (heads % kvHeads !== 0) throw new Error(`writeTinyModel: option "heads" (${heads}) must be a multiple of "kvHeads" (${kvHeads})`);
  const addBos = options.addBos ?? false;
  const vocab = positiveInt('vocab', options.vocab ?? d.vocab);
  const minimumVocab = 256 + (addBos ? 2 : 1);
  if (vocab < minimumVocab) {
    throw new Error(`writeTinyModel: option "vocab" must be at least ${minimumVocab} (256 byte tokens + ${addBos ? 'EOS and BOS' : 'EOS'}), got ${vocab}`);
  }
  const defaultIntermediate = options.hidden === undefined ? d.intermediate : Math.ceil((hidden * 8) / 3 / 8) * 8;
  return {
    layers,
    hidden,
    heads,
    kvHeads,
    headDim,
    intermediate: positiveInt('intermediate', options.intermediate ?? defaultIntermediate),
    vocab,
    seed: options.seed,
    ropeTheta: positiveNumber('ropeTheta', options.ropeTheta ?? 10000),
    maxPositions: positiveInt('maxPositions', options.maxPositions ?? 2048),
    qkvBias: options.qkvBias ?? false,
    tieEmbeddings: options.tieEmbeddings ?? true,
    externalData: options.externalData ?? false,
    addBos,
    weightScale: positiveNumber('weightScale', options.weightScale ?? 1),
    rmsNormEps: positiveNumber('rmsNormEps', options.rmsNormEps ?? 1e-6),
  };
}

/** Parameters of the model these options describe (padding embedding rows included, as Hugging Face counts them). */
export function tinyParameterCount(options: TinyModelOptions): number {
  const o = resolveTinyOptions(options);
  const qSize = o.heads * o.headDim;
  const kvSize = o.kvHeads * o.headDim;
  const attention = o.hidden * qSize + 2 * o.hidden * kvSize + qSize * o.hidden + (o.qkvBias ? qSize + 2 * kvSize : 0);
  const mlp = 3 * o.hidden * o.intermediate;
  const perLayer = attention + mlp + 2 * o.hidden;
  return o.vocab * o.hidden + o.layers * perLayer + o.hidden + (o.tieEmbeddings ? 0 : o.hidden * o.vocab);
}
