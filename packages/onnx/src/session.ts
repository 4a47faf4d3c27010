import ort from 'onnxruntime-node';
import type { ModelConfig } from './checkpoint.ts';
import { CheckpointError, DeviceError } from './errors.ts';
import { LOGITS_KEEP_INPUT, type PreparedGraph } from './graph.ts';
import { openOptimized } from './optimized-graph.ts';
import { EXPORT_ADVICE } from './layout.ts';
import { DECODE_STEPS_INPUT, DECODE_TOKENS_OUTPUT } from './loop.ts';

export type Device = 'auto' | 'cuda' | 'cpu';
export type Provider = 'cuda' | 'cpu';

export interface SessionOptions {
  device?: Device;
  /** Threads inside one operator; default: ORT's choice (all cores). */
  threads?: number;
  graphOptimizationLevel?: 'disabled' | 'basic' | 'extended' | 'all';
  /** The cache of ONNX Runtime's optimised graphs (`RuntimeSettings.optimizedGraphDir`); none when absent. */
  optimizedGraphDir?: string;
  /** ONNX Runtime's per-operator profile (`RuntimeSettings.profilePrefix`); none when absent. */
  profilePrefix?: string;
}

/** The decoder's I/O names and cache shape, discovered from the session rather than assumed. */
export interface DecoderLayout {
  inputIds: string;
  attentionMask: string;
  positionIds?: string;
  useCacheBranch?: string;
  logitsKeep?: string;
  /** Present when the decoder is wrapped in the decode loop: the steps input (int64 scalar). */
  decodeSteps?: string;
  pastKeys: string[];
  pastValues: string[];
  presentKeys: string[];
  presentValues: string[];
  kvHeads: number;
  headDim: number;
  cacheType: 'float32' | 'float16';
  logitsType: 'float32' | 'float16';
}

let logLevelSet = false;

async function createWith(graph: PreparedGraph, provider: Provider, options: SessionOptions): Promise<ort.InferenceSession> {
  const sessionOptions: ort.InferenceSession.SessionOptions = {
    executionProviders: [provider],
    graphOptimizationLevel: options.graphOptimizationLevel ?? 'all',
    logSeverityLevel: 3,
  };
  // ONNX Runtime's own per-operator profile (a Chrome trace JSON per session, written when the session is released).
  const profile = options.profilePrefix;
  if (profile) {
    sessionOptions.enableProfiling = true;
    sessionOptions.profileFilePrefix = profile;
  }
  if (options.threads !== undefined) {
    sessionOptions.intraOpNumThreads = options.threads;
    sessionOptions.interOpNumThreads = 1;
  }
  // Through the cache of optimised graphs (weights handed over in memory when the graph cannot sit beside them).
  return openOptimized(graph, provider, sessionOptions, options.optimizedGraphDir);
}

function describeOrtError(path: string, err: unknown): CheckpointError {
  const message = err instanceof Error ? err.message : String(err);
  return new CheckpointError(`${path}: ONNX Runtime could not load the graph (${message.split('\n')[0]})`);
}

/**
 * Opens the graph on the requested device. `auto` tries CUDA and falls back to CPU (ORT does not fall back by
 * itself: a missing CUDA library rejects the whole session); `cuda` that cannot start is an error.
 */
export async function openSession(
  graph: PreparedGraph,
  options: SessionOptions,
): Promise<{ session: ort.InferenceSession; provider: Provider; fallbackReason?: string }> {
  if (!logLevelSet) {
    ort.env.logLevel = 'fatal';
    logLevelSet = true;
  }
  const device = options.device ?? 'auto';
  if (device === 'cpu') {
    try {
      return { session: await createWith(graph, 'cpu', options), provider: 'cpu' };
    } catch (err) {
      throw describeOrtError(graph.path, err);
    }
  }
  try {
    return { session: await createWith(graph, 'cuda', options), provider: 'cuda' };
  } catch (err) {
    const reason = (err instanceof Error ? err.message : String(err)).split('\n')[0] ?? 'unknown error';
    if (device === 'cuda') throw new DeviceError(`the CUDA execution provider could not start: ${reason}`);
    try {
      return { session: await createWith(graph, 'cpu', options), provider: 'cpu', fallbackReason: reason };
    } catch (cpuErr) {
      throw describeOrtError(graph.path, cpuErr);
    }
  }
}

function dimNumber(dim: unknown, fallback: number | undefined, what: string, path: string): number {
  if (typeof dim === 'number' && dim > 0) return dim;
  if (fallback !== undefined && fallback > 0) return fallback;
  throw new CheckpointError(`${path}: cannot tell the ${what} of the KV cache (not in the graph nor in config.json)`);
}

export function discoverLayout(session: ort.InferenceSession, config: ModelConfig, path: string): DecoderLayout {
  const inputs = new Map(session.inputMetadata.map((m) => [m.name, m]));
  const outputs = new Map(session.outputMetadata.map((m) => [m.name, m]));
  for (const required of ['input_ids', 'attention_mask']) {
    if (!inputs.has(required)) {
      throw new CheckpointError(
        `${path}: graph input "${required}" missing (inputs are ${[...inputs.keys()].join(', ')}; expected input_ids, attention_mask, optional position_ids, past_key_values.{i}.key|value)`,
      );
    }
  }
  if (!outputs.has('logits')) {
    throw new CheckpointError(`${path}: graph output "logits" missing (outputs are ${[...outputs.keys()].join(', ')})`);
  }
  const known = new Set(['input_ids', 'attention_mask', 'position_ids', 'use_cache_branch', LOGITS_KEEP_INPUT, DECODE_STEPS_INPUT]);
  const pastKeys: string[] = [];
  const pastValues: string[] = [];
  for (let i = 0; inputs.has(`past_key_values.${i}.key`); i++) {
    pastKeys.push(`past_key_values.${i}.key`);
    pastValues.push(`past_key_values.${i}.value`);
    if (!inputs.has(pastValues[i]!)) throw new CheckpointError(`${path}: graph input "${pastValues[i]}" missing beside ${pastKeys[i]}`);
    known.add(pastKeys[i]!).add(pastValues[i]!);
  }
  const unexpected = [...inputs.keys()].filter((n) => !known.has(n));
  const genAi = unexpected.filter((n) => n === 'seqlens_k' || n === 'total_sequence_length');
  if (genAi.length > 0) {
    throw new CheckpointError(
      `${path}: graph inputs ${genAi.join(', ')} are ONNX Runtime GenAI's GroupQueryAttention inputs (a graph for onnxruntime-genai, with its own cache layout), which sciboard does not run; ${EXPORT_ADVICE}`,
    );
  }
  if (unexpected.length > 0) {
    throw new CheckpointError(
      `${path}: unexpected graph inputs ${unexpected.join(', ')} (a decoder takes input_ids, attention_mask, position_ids, past_key_values.{i}.key|value)`,
    );
  }
  const layers = config.num_hidden_layers;
  if (pastKeys.length > 0 && layers !== undefined && layers !== pastKeys.length) {
    throw new CheckpointError(`${path}: graph has ${pastKeys.length} past_key_values layers but config.json says num_hidden_layers = ${layers}`);
  }
  const presentKeys = pastKeys.map((_, i) => `present.${i}.key`);
  const presentValues = pastKeys.map((_, i) => `present.${i}.value`);
  for (const name of [...presentKeys, ...presentValues]) {
    if (!outputs.has(name)) throw new CheckpointError(`${path}: graph output "${name}" missing (needed for the KV cache)`);
  }
  const typeOf = (m: ort.InferenceSession.ValueMetadata | undefined): 'float32' | 'float16' => {
    const t = m && m.isTensor ? m.type : 'float32';
    if (t !== 'float32' && t !== 'float16') throw new CheckpointError(`${path}: unsupported tensor type ${t} for ${m?.name}`);
    return t;
  };
  const first = pastKeys[0] ? inputs.get(pastKeys[0]) : undefined;
  const shape = first && first.isTensor ? first.shape : [];
  const heads = config.num_attention_heads;
  const kvHeadsFallback = (config.num_key_value_heads as number | undefined) ?? heads;
  const headDimFallback = (config.head_dim as number | undefined) ?? (config.hidden_size && heads ? config.hidden_size / heads : undefined);
  return {
    inputIds: 'input_ids',
    attentionMask: 'attention_mask',
    positionIds: inputs.has('position_ids') ? 'position_ids' : undefined,
    useCacheBranch: inputs.has('use_cache_branch') ? 'use_cache_branch' : undefined,
    logitsKeep: inputs.has(LOGITS_KEEP_INPUT) ? LOGITS_KEEP_INPUT : undefined,
    decodeSteps: inputs.has(DECODE_STEPS_INPUT) && outputs.has(DECODE_TOKENS_OUTPUT) ? DECODE_STEPS_INPUT : undefined,
    pastKeys,
    pastValues,
    presentKeys,
    presentValues,
    kvHeads: pastKeys.length ? dimNumber(shape[1], kvHeadsFallback, 'number of KV heads', path) : 0,
    headDim: pastKeys.length ? dimNumber(shape[3], headDimFallback, 'head dimension', path) : 0,
    cacheType: typeOf(first),
    logitsType: typeOf(outputs.get('logits')),
  };
}
