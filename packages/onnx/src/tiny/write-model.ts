import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import onnxProto from 'onnx-proto';
import { DTYPE_SUFFIX } from '../layout.ts';
import { buildDecoderGraph } from './graph.ts';
import { writeOnnxModel } from './onnx-file.ts';
import { EXTERNAL_DATA_THRESHOLD, resolveTinyOptions, tinyParameterCount, type ResolvedTinyOptions, type TinyModelOptions } from './options.ts';
import { saveOnnxModel } from './save.ts';
import { buildTokenizer } from './tokenizer.ts';
import { makeVariant, TINY_DTYPES, type TinyDtype } from './variants.ts';

/** ONNX operator set of the written graph: the newest that onnx-proto's ONNX 1.10 schema covers. */
export const TINY_MODEL_OPSET = 14;
export const EXTERNAL_DATA_FILE = 'model.onnx_data';
/**
 * Bumped whenever the written graph computes differently (same options, other operators or layout), so that a
 * cache of written models keyed by options knows to write them again. 2: grouped-query attention folds each
 * group of query heads into one product's rows.
 */
export const TINY_GRAPH_REVISION = 2;

/** config.json of a tiny model, in transformers' field names. */
export interface TinyModelConfig {
  architectures: string[];
  model_type: 'llama' | 'qwen2';
  hidden_size: number;
  intermediate_size: number;
  num_hidden_layers: number;
  num_attention_heads: number;
  num_key_value_heads: number;
  head_dim: number;
  vocab_size: number;
  rms_norm_eps: number;
  rope_theta: number;
  max_position_embeddings: number;
  hidden_act: 'silu';
  attention_bias: boolean;
  bos_token_id: number | null;
  eos_token_id: number;
  pad_token_id: number;
  tie_word_embeddings: boolean;
  torch_dtype: 'float32';
  use_cache: true;
  /** How the weights were drawn, so a folder says how to write it again. */
  sciboard_tiny: { seed: number; weight_scale: number; tokenizer_size: number };
}

export interface TinyModelInfo {
  dir: string;
  /** Files written, relative to `dir`. */
  files: string[];
  parameterCount: number;
  config: TinyModelConfig;
}

function modelConfig(o: ResolvedTinyOptions, tokenizer: ReturnType<typeof buildTokenizer>): TinyModelConfig {
  return {
    // Qwen2 is Llama with q/k/v biases; naming it so keeps the config truthful for tools that rebuild the model.
    architectures: [o.qkvBias ? 'Qwen2ForCausalLM' : 'LlamaForCausalLM'],
    model_type: o.qkvBias ? 'qwen2' : 'llama',
    hidden_size: o.hidden,
    intermediate_size: o.intermediate,
    num_hidden_layers: o.layers,
    num_attention_heads: o.heads,
    num_key_value_heads: o.kvHeads,
    head_dim: o.headDim,
    vocab_size: o.vocab,
    rms_norm_eps: o.rmsNormEps,
    rope_theta: o.ropeTheta,
    max_position_embeddings: o.maxPositions,
    hidden_act: 'silu',
    attention_bias: o.qkvBias,
    bos_token_id: tokenizer.bosId,
    eos_token_id: tokenizer.eosId,
    pad_token_id: tokenizer.eosId,
    tie_word_embeddings: o.tieEmbeddings,
    torch_dtype: 'float32',
    use_cache: true,
    sciboard_tiny: { seed: o.seed, weight_scale: o.weightScale, tokenizer_size: tokenizer.size },
  };
}

const json = (value: unknown) => `${JSON.stringify(value, null, 2)}\n`;

/**
 * Writes a seeded random decoder checkpoint into `dir` in the Hugging Face Optimum layout: `model.onnx`
 * (+ `model.onnx_data`), `config.json`, `generation_config.json`, `tokenizer.json`, `tokenizer_config.json`.
 * The same options always give the same bytes.
 */
export async function writeTinyModel(dir: string, options: TinyModelOptions): Promise<TinyModelInfo> {
  const o = resolveTinyOptions(options);
  const tokenizer = buildTokenizer(o.vocab, o.addBos);
  const parameterCount = tinyParameterCount(o);
  const external = o.externalData || parameterCount * 4 > EXTERNAL_DATA_THRESHOLD;
  const config = modelConfig(o, tokenizer);
  const { graph, weights } = buildDecoderGraph(o, tokenizer.size);

  await mkdir(dir, { recursive: true });
  let written: { files: string[] };
  if (options.dtypes !== undefined) {
    written = await writeVariants(dir, options, parameterCount, (path) => writeOnnxModel(path, graph, weights, o.seed, TINY_MODEL_OPSET, undefined));
  } else {
    // A data file left by an earlier external-data write would sit beside a self-contained graph and mislead.
    if (!external) await rm(join(dir, EXTERNAL_DATA_FILE), { force: true });
    written = await writeOnnxModel(
      join(dir, 'model.onnx'),
      graph,
      weights,
      o.seed,
      TINY_MODEL_OPSET,
      external ? { path: join(dir, EXTERNAL_DATA_FILE), location: EXTERNAL_DATA_FILE } : undefined,
    );
  }
  const generationConfig = {
    bos_token_id: tokenizer.bosId,
    eos_token_id: tokenizer.eosId,
    pad_token_id: tokenizer.eosId,
    do_sample: false,
  };
  await writeFile(join(dir, 'config.json'), json(config));
  await writeFile(join(dir, 'generation_config.json'), json(generationConfig));
  await writeFile(join(dir, 'tokenizer.json'), json(tokenizer.tokenizerJson));
  await writeFile(join(dir, 'tokenizer_config.json'), json(tokenizer.tokenizerConfig));
  return {
    dir,
    files: [...written.files, 'config.json', 'generation_config.json', 'tokenizer.json', 'tokenizer_config.json'],
    parameterCount,
    config,
  };
}

/**
 * The transformers.js layout: each requested precision as `onnx/model<suffix>.onnx` (+ its `_data` files with
 * `externalData`), all made from one fp32 graph held in memory. A top-level `model.onnx` from an earlier write is
 * removed, since the loader would pick it before `onnx/`.
 */
async function writeVariants(
  dir: string,
  options: TinyModelOptions,
  parameterCount: number,
  writeFp32: (path: string) => Promise<unknown>,
): Promise<{ files: string[] }> {
  const dtypes = options.dtypes!;
  if (dtypes.length === 0) throw new Error('writeTinyModel: option "dtypes" must name at least one precision');
  for (const d of dtypes) {
    if (!(TINY_DTYPES as readonly string[]).includes(d)) {
      throw new Error(`writeTinyModel: option "dtypes" may hold ${TINY_DTYPES.join(', ')}, got ${JSON.stringify(d)}`);
    }
  }
  if (new Set(dtypes).size !== dtypes.length) throw new Error(`writeTinyModel: option "dtypes" names a precision twice: ${dtypes.join(',')}`);
  if (parameterCount * 4 > EXTERNAL_DATA_THRESHOLD) {
    throw new Error(`writeTinyModel: precision variants are made in memory, up to ${EXTERNAL_DATA_THRESHOLD / 1e9} GB of fp32 weights; this shape has ${parameterCount} parameters`);
  }
  const chunk = options.externalDataChunkBytes;
  if (chunk !== undefined && !(Number.isInteger(chunk) && chunk > 0)) {
    throw new Error(`writeTinyModel: option "externalDataChunkBytes" must be a positive integer, got ${JSON.stringify(chunk)}`);
  }
  const folder = join(dir, 'onnx');
  await mkdir(folder, { recursive: true });
  await rm(join(dir, 'model.onnx'), { force: true });
  await rm(join(dir, EXTERNAL_DATA_FILE), { force: true });
  // Variants of an earlier write that this one does not make would be loaded as if they were this model's.
  for (const f of await readdir(folder)) if (/^model(_[a-z0-9]+)?\.onnx(_data.*)?$/.test(f)) await rm(join(folder, f), { force: true });
  const source = join(folder, `.fp32-source-${process.pid}.onnx`);
  let bytes: Uint8Array;
  try {
    await writeFp32(source);
    bytes = await readFile(source);
  } finally {
    await rm(source, { force: true });
  }
  const files: string[] = [];
  for (const dtype of dtypes as TinyDtype[]) {
    const model = onnxProto.onnx.ModelProto.decode(bytes);
    makeVariant(model, dtype);
    const written = await saveOnnxModel(model, join(folder, `model${DTYPE_SUFFIX[dtype]}.onnx`), options.externalData ? { chunkBytes: chunk } : undefined);
    files.push(...written.map((f) => `onnx/${f}`));
  }
  return { files };
}
