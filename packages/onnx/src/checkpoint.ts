import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { CheckpointError } from './errors.ts';
import { selectGraph, type Dtype } from './layout.ts';

/** The files of a decoder checkpoint in the Hugging Face Optimum / transformers.js layout. */
export interface CheckpointFiles {
  dir: string;
  onnxPath: string;
  /** The graph relative to `dir` (`onnx/model_q4.onnx`), as a run records it. */
  graphFile: string;
  /** The precision the graph was chosen for (`--dtype`; fp32 when none was asked). */
  dtype: Dtype;
  tokenizerPath: string;
  config: ModelConfig;
  tokenizerConfig: Record<string, unknown>;
  generationConfig: Record<string, unknown>;
}

export interface ModelConfig {
  model_type?: string;
  vocab_size?: number;
  num_hidden_layers?: number;
  num_key_value_heads?: number;
  num_attention_heads?: number;
  hidden_size?: number;
  max_position_embeddings?: number;
  n_positions?: number;
  n_ctx?: number;
  bos_token_id?: number | null;
  eos_token_id?: number | number[] | null;
  pad_token_id?: number | null;
  [key: string]: unknown;
}

function readJson(path: string, required: boolean): Record<string, unknown> {
  if (!existsSync(path)) {
    if (required) throw new CheckpointError(`${path}: file not found (a checkpoint folder needs it)`);
    return {};
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new CheckpointError(`${path}: not valid JSON (${(err as Error).message})`);
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new CheckpointError(`${path}: expected a JSON object`);
  }
  return parsed as Record<string, unknown>;
}

function checkPositiveInt(config: ModelConfig, path: string, field: keyof ModelConfig, limit: number): void {
  const v = config[field];
  if (v === undefined || v === null) return;
  if (typeof v !== 'number' || !Number.isInteger(v) || v <= 0 || v > limit) {
    throw new CheckpointError(`${path}: field "${String(field)}" must be a positive integer ≤ ${limit}, got ${JSON.stringify(v)}`);
  }
}

/** The checkpoint's files; `dtype` picks the graph as transformers.js does (see `selectGraph`). */
export function findCheckpointFiles(dir: string, options: { dtype?: Dtype } = {}): CheckpointFiles {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) {
    throw new CheckpointError(`${dir}: not a checkpoint folder (expected a directory with config.json, tokenizer.json and model.onnx)`);
  }
  const graph = selectGraph(dir, options.dtype);
  const onnxPath = graph.path;
  const tokenizerPath = join(dir, 'tokenizer.json');
  if (!existsSync(tokenizerPath)) {
    throw new CheckpointError(`${tokenizerPath}: file not found (the model's tokenizer is required to encode prompts)`);
  }
  const configPath = join(dir, 'config.json');
  const config = readJson(configPath, true) as ModelConfig;
  checkPositiveInt(config, configPath, 'vocab_size', 10_000_000);
  checkPositiveInt(config, configPath, 'num_hidden_layers', 10_000);
  checkPositiveInt(config, configPath, 'max_position_embeddings', 100_000_000);
  checkPositiveInt(config, configPath, 'num_attention_heads', 10_000);
  checkPositiveInt(config, configPath, 'num_key_value_heads', 10_000);
  checkPositiveInt(config, configPath, 'hidden_size', 1_000_000);
  return {
    dir,
    onnxPath,
    graphFile: graph.file,
    dtype: graph.dtype,
    tokenizerPath,
    config,
    tokenizerConfig: readJson(join(dir, 'tokenizer_config.json'), false),
    generationConfig: readJson(join(dir, 'generation_config.json'), false),
  };
}
