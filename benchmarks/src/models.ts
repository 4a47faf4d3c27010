import { existsSync, linkSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { TINY_GRAPH_REVISION, tinyModelPresets, tinyParameterCount, writeTinyModel, type TinyModelOptions } from '@sciboard/onnx';

/** The benchmark's model shapes: the Qwen2.5-0.5B shape the targets are stated for, and a small one for smoke runs. */
export const benchmarkShapes = {
  qwen2_5_0_5b: tinyModelPresets.qwen2_5_0_5b,
  // Small enough that the naive baseline and transformers.js finish every workload in seconds.
  small: { layers: 4, hidden: 256, heads: 4, kvHeads: 2, intermediate: 704, vocab: 151936, seed: 1, ropeTheta: 1_000_000, qkvBias: true, maxPositions: 32768 },
  // What a new user scores first: `sciboard tiny-model --out M --layers 8 --hidden 512 --seed 1` (the `test` preset
  // with those three changed), with the writer's own byte-level tokenizer. 8.7M parameters, prompts of ~900 tokens:
  // the engine's overhead, not its arithmetic, would set the speed here.
  cli_small: { ...tinyModelPresets.test, layers: 8, hidden: 512, seed: 1 },
} satisfies Record<string, TinyModelOptions>;

/** Shapes whose folder keeps the writer's byte-level tokenizer (as `sciboard tiny-model` leaves it). */
const WRITER_TOKENIZER: ReadonlySet<ShapeName> = new Set(['cli_small']);

export type ShapeName = keyof typeof benchmarkShapes;

export interface ModelShape {
  layers: number;
  hidden: number;
  heads: number;
  kvHeads: number;
  headDim: number;
  intermediate: number;
  vocab: number;
  parameters: number;
  /** Parameters that do matrix work per token when the embedding is only gathered (the LM head counted apart). */
  bodyParameters: number;
}

export interface BenchmarkModel {
  name: ShapeName;
  /** The folder every peer loads: the generated weights with the real Qwen3 tokenizer, in a layout all peers read. */
  dir: string;
  shape: ModelShape;
}

/** Qwen3's end-of-text token in its tokenizer.json: the model's EOS once the real tokenizer is swapped in. */
const QWEN3_EOS = 151643;

export function shapeOf(options: TinyModelOptions): ModelShape {
  const p = { ...tinyModelPresets.test, ...options };
  const headDim = p.hidden / p.heads;
  const parameters = tinyParameterCount(options);
  return {
    layers: p.layers,
    hidden: p.hidden,
    heads: p.heads,
    kvHeads: p.kvHeads,
    headDim,
    intermediate: p.intermediate,
    vocab: p.vocab,
    parameters,
    bodyParameters: parameters - p.vocab * p.hidden,
  };
}

/**
 * Writes the seeded weights once (cached under `cacheDir`) and builds a view folder beside them that swaps in the
 * real Qwen3 tokenizer: with the writer's byte-level tokenizer a 5-shot prompt would be several times longer than
 * with Qwen's, and the time per item would not be the one a real 0.5B checkpoint shows. The writer keeps the
 * padding vocabulary rows distinct so a larger tokenizer is valid input. The view has `onnx/model.onnx`, which
 * both transformers.js and sciboard read, and the transformers.js hint that the weights are external data.
 */
export async function prepareModel(name: ShapeName, cacheDir: string, qwenTokenizerDir: string): Promise<BenchmarkModel> {
  if (WRITER_TOKENIZER.has(name)) return prepareWriterModel(name, cacheDir);
  const options = benchmarkShapes[name];
  const weightsDir = join(cacheDir, 'models', `${name}-seed${options.seed}`);
  const stamp = join(weightsDir, 'written.json');
  const expected = JSON.stringify({ ...options, graphRevision: TINY_GRAPH_REVISION });
  if (!existsSync(stamp) || readFileSync(stamp, 'utf8') !== expected) {
    rmSync(weightsDir, { recursive: true, force: true });
    await writeTinyModel(weightsDir, { ...options, externalData: true });
    writeFileSync(stamp, expected);
  }
  const viewDir = join(cacheDir, 'views', name);
  rmSync(viewDir, { recursive: true, force: true });
  mkdirSync(join(viewDir, 'onnx'), { recursive: true });
  // Hard links, not symlinks: ONNX Runtime 1.30 resolves external-data paths and refuses weights that resolve
  // outside the graph's own folder.
  linkSync(join(weightsDir, 'model.onnx'), join(viewDir, 'onnx', 'model.onnx'));
  linkSync(join(weightsDir, 'model.onnx_data'), join(viewDir, 'onnx', 'model.onnx_data'));
  for (const file of ['tokenizer.json', 'tokenizer_config.json']) {
    const source = join(qwenTokenizerDir, file);
    if (!existsSync(source)) throw new Error(`${source}: the Qwen3 tokenizer file is missing (needed for realistic prompt lengths)`);
    symlinkSync(source, join(viewDir, file));
  }
  const config = JSON.parse(readFileSync(join(weightsDir, 'config.json'), 'utf8')) as Record<string, unknown>;
  Object.assign(config, {
    bos_token_id: null,
    eos_token_id: QWEN3_EOS,
    pad_token_id: QWEN3_EOS,
    'transformers.js_config': { dtype: 'fp32', use_external_data_format: { 'model.onnx': true } },
  });
  writeFileSync(join(viewDir, 'config.json'), JSON.stringify(config, null, 2));
  writeFileSync(join(viewDir, 'generation_config.json'), JSON.stringify({ bos_token_id: null, eos_token_id: QWEN3_EOS, pad_token_id: QWEN3_EOS, do_sample: false }, null, 2));
  return { name, dir: viewDir, shape: shapeOf(options) };
}


/**
 * The model exactly as `sciboard tiny-model` writes it (one `model.onnx`, byte-level tokenizer), in a view folder
 * with `onnx/model.onnx` for transformers.js beside the files the engine reads.
 */
async function prepareWriterModel(name: ShapeName, cacheDir: string): Promise<BenchmarkModel> {
  const options = benchmarkShapes[name];
  const weightsDir = join(cacheDir, 'models', `${name}-seed${options.seed}`);
  const stamp = join(weightsDir, 'written.json');
  const expected = JSON.stringify({ ...options, graphRevision: TINY_GRAPH_REVISION });
  if (!existsSync(stamp) || readFileSync(stamp, 'utf8') !== expected) {
    rmSync(weightsDir, { recursive: true, force: true });
    await writeTinyModel(weightsDir, options);
    writeFileSync(stamp, expected);
  }
  const viewDir = join(cacheDir, 'views', name);
  rmSync(viewDir, { recursive: true, force: true });
  mkdirSync(join(viewDir, 'onnx'), { recursive: true });
  linkSync(join(weightsDir, 'model.onnx'), join(viewDir, 'onnx', 'model.onnx'));
  for (const file of ['tokenizer.json', 'tokenizer_config.json', 'generation_config.json']) linkSync(join(weightsDir, file), join(viewDir, file));
  const config = JSON.parse(readFileSync(join(weightsDir, 'config.json'), 'utf8')) as Record<string, unknown>;
  config['transformers.js_config'] = { dtype: 'fp32' };
  writeFileSync(join(viewDir, 'config.json'), JSON.stringify(config, null, 2));
  return { name, dir: viewDir, shape: shapeOf(options) };
}
