import { freemem, totalmem } from 'node:os';
import { basename, resolve } from 'node:path';
import { clearPrefixCache, prefixCacheStats, type PrefixCacheStats } from './batch.ts';
import { cpuScoringCost, FITTED_SHAPE, SCORING_COST_CUDA, type ScoringCostModel, type ScoringShape } from './scoring-cost.ts';
import { findCheckpointFiles, type CheckpointFiles } from './checkpoint.ts';
import { Decoder } from './decoder.ts';
import { CheckpointError } from './errors.ts';
import { generate, type GenerateRequest, type GenerateResult } from './generate.ts';
import { fastPath, type FastPathOptions } from './fast.ts';
import type { Dtype } from './layout.ts';
import { prepareGraph } from './graph.ts';
import { loglikelihood, type LoglikelihoodRequest, type LoglikelihoodResult } from './loglikelihood.ts';
import { discoverLayout, openSession, type DecoderLayout, type Device, type Provider } from './session.ts';
import { chooseBatchSize, DEFAULT_BATCH_SIZE, weightBytes, type BatchSizeInput } from './batch-size.ts';
import { optimizedGraphStats, type OptimizedGraphStats } from './optimized-graph.ts';
import type { RequestOptions } from '@sciboard/contracts';
import { TextTokenizer } from './tokenizer.ts';

export interface LoadOptions {
  device?: Device;
  /**
   * Which published graph to load, as transformers.js names precisions (`onnx/model_q4.onnx` for q4); default the
   * fp32 graph, and an error listing the folder's graphs when it has none.
   */
  dtype?: Dtype;
  /**
   * Rows per forward pass (default `DEFAULT_BATCH_SIZE`, `'auto'`). `'auto'` picks it from the model's size and the
   * machine's free memory (`chooseBatchSize`); the model's `batchSizeReason` then says what it was picked from.
   */
  batchSize?: number | 'auto';
  /** Intra-op threads (default: ORT's choice). */
  threads?: number;
  graphOptimizationLevel?: 'disabled' | 'basic' | 'extended' | 'all';
  /** lm-eval's `add_bos_token`: force BOS on or off; default is the tokenizer's own behaviour. */
  addBos?: boolean;
  /** Context window; default from config.json (as lm-eval reads it), else 2048. */
  maxLength?: number;
  /** Switch individual optimisations off (all on by default); results are the same either way. */
  fast?: Partial<FastPathOptions>;
  /**
   * Opt-in int8 weights for large MatMuls (dynamic activation quantisation): faster on CPUs with int8 dot
   * products, at a small cost in accuracy that the benchmark measures against float32.
   */
  int8?: boolean;
  /** Where the engine keeps its files and what it writes for diagnosis, as the calling app configures them. */
  runtime?: RuntimeSettings;
}

/**
 * The engine's files, passed in by the app that reads its configuration (the CLI from `SCIBOARD_CACHE_DIR`,
 * `SCIBOARD_ORT_GRAPH_CACHE` and `SCIBOARD_ORT_PROFILE`); the library itself reads no environment.
 */
export interface RuntimeSettings {
  /** Rewritten graphs (sliced logits, decode loop, int8); default: a folder under the system's temporary folder. */
  graphCacheDir?: string;
  /** Keep ONNX Runtime's optimised graphs here and open them on later loads (opt-in: measured slower on CPU). */
  optimizedGraphDir?: string;
  /** Write ONNX Runtime's per-operator profile (a Chrome trace per session) with this file prefix. */
  profilePrefix?: string;
}

// Per-call options as the evaluator passes them (progress, streamed generations, cancellation).
export type { RequestOptions };

/** A decoder checkpoint answering lm-eval's two request types; satisfies `@sciboard/eval`'s LanguageModel. */
export class OnnxLanguageModel {
  readonly name: string;
  readonly dir: string;
  /** The execution provider that actually runs the graph. */
  readonly provider: Provider;
  /** Why `auto` fell back to CPU, when it did. */
  readonly fallbackReason: string | undefined;
  readonly maxLength: number;
  readonly batchSize: number;
  /** When the batch size was picked (`'auto'`, the default): what it was picked from (one line). */
  readonly batchSizeReason: string | undefined;
  /** Whether ONNX Runtime's optimised graph came from the cache ('hit'), was written to it ('built') or neither. */
  readonly optimizedGraph: OptimizedGraphStats | undefined;
  /** Whether only the scored positions' logits leave the graph (see prepareGraph). */
  readonly slicedLogits: boolean;
  /** Whether generation runs several greedy steps per run() inside the graph (see `FastPathOptions.decodeLoop`). */
  readonly decodeLoop: boolean;
  readonly fast: FastPathOptions;
  readonly int8: boolean;
  /** Generation reports each result through `onResult` as its row finishes, and refills slots across a call. */
  readonly streamsGenerations = true;
  /** The graph file loaded, relative to the checkpoint folder (`onnx/model_fp16.onnx`). */
  readonly graphFile: string;
  /** The precision it was picked for (`LoadOptions.dtype`, else fp32). */
  readonly dtype: Dtype;
  /** How scoring passes are costed on this model and device (see `scoringBatches`). */
  readonly scoringCost: ScoringCostModel;

  constructor(
    readonly files: CheckpointFiles,
    readonly tokenizer: TextTokenizer,
    private readonly decoder: Decoder,
    init: {
      provider: Provider;
      fallbackReason?: string;
      maxLength: number;
      batchSize: number;
      batchSizeReason?: string;
      optimizedGraph?: OptimizedGraphStats;
      slicedLogits: boolean;
      fast: FastPathOptions;
      int8: boolean;
    },
  ) {
    this.dir = files.dir;
    this.name = basename(resolve(files.dir));
    this.provider = init.provider;
    this.fallbackReason = init.fallbackReason;
    this.maxLength = init.maxLength;
    this.batchSize = init.batchSize;
    this.batchSizeReason = init.batchSizeReason;
    this.optimizedGraph = init.optimizedGraph;
    this.slicedLogits = init.slicedLogits;
    this.decodeLoop = decoder.hasDecodeLoop;
    this.fast = init.fast;
    this.int8 = init.int8;
    this.graphFile = files.graphFile;
    this.dtype = files.dtype;
    this.scoringCost = this.provider === 'cuda' ? SCORING_COST_CUDA : cpuScoringCost(scoringShape(files, decoder.layout));
  }

  loglikelihood(requests: LoglikelihoodRequest[], options: RequestOptions = {}): Promise<LoglikelihoodResult[]> {
    return loglikelihood(this.decoder, this.tokenizer, requests, {
      batchSize: this.batchSize,
      maxLength: this.maxLength,
      fast: this.fast,
      scoringCost: this.scoringCost,
      signal: options.signal,
      onProgress: options.onProgress && ((done, total) => options.onProgress!({ done, total })),
    });
  }

  generate(requests: GenerateRequest[], options: RequestOptions = {}): Promise<GenerateResult[]> {
    return generate(this.decoder, this.tokenizer, requests, {
      batchSize: this.batchSize,
      maxLength: this.maxLength,
      fast: this.fast,
      signal: options.signal,
      onResult: options.onResult,
      onProgress: options.onProgress && ((done, total) => options.onProgress!({ done, total })),
    });
  }

  /** Shared-prefix positions computed, and reused from earlier calls (a task's exemplars, asked in chunks). */
  get prefixCacheStats(): PrefixCacheStats {
    return prefixCacheStats(this.decoder);
  }

  /** Forgets the shared prefixes kept from earlier calls; the next call computes its own. */
  clearPrefixCache(): void {
    clearPrefixCache(this.decoder);
  }

  dispose(): Promise<void> {
    return this.decoder.release();
  }
}

/**
 * The decoder's shape, once for every consumer (the batch-size chooser, the scoring cost model): the graph's cache
 * layout where it has one (`discoverLayout` already fell back on config.json there), else config.json.
 */
function modelShape(files: CheckpointFiles, layout: DecoderLayout) {
  const c = files.config;
  const heads = c.num_attention_heads ?? 1;
  const hidden = c.hidden_size ?? 0;
  return {
    layers: layout.pastKeys.length || (c.num_hidden_layers ?? 1),
    heads,
    kvHeads: layout.kvHeads || (c.num_key_value_heads ?? heads),
    headDim: layout.headDim || (hidden && heads ? hidden / heads : 0),
    hidden,
    intermediate: typeof c.intermediate_size === 'number' ? c.intermediate_size : 4 * hidden,
  };
}

/** The model's shape as the batch-size chooser needs it. */
function batchSizeInput(files: CheckpointFiles, layout: DecoderLayout, provider: Provider, contextTokens: number): BatchSizeInput {
  const { layers, heads, kvHeads, headDim, hidden } = modelShape(files, layout);
  return {
    weightBytes: weightBytes(files.onnxPath),
    layers,
    heads,
    kvHeads,
    headDim,
    hidden,
    cacheElementBytes: layout.cacheType === 'float16' ? 2 : 4,
    contextTokens,
    provider,
    freeBytes: freemem(),
    totalBytes: totalmem(),
  };
}

function contextWindow(files: CheckpointFiles): number {
  const c = files.config;
  for (const v of [c.n_positions, c.max_position_embeddings, c.n_ctx]) if (typeof v === 'number' && v > 0) return v;
  return 2048;
}

export async function loadModel(dir: string, options: LoadOptions = {}): Promise<OnnxLanguageModel> {
  const files = findCheckpointFiles(dir, { dtype: options.dtype });
  const tokenizer = new TextTokenizer(files, { addBos: options.addBos });
  const vocab = files.config.vocab_size;
  if (vocab !== undefined && tokenizer.vocabSize > vocab) {
    throw new CheckpointError(
      `${files.tokenizerPath}: the tokenizer has ${tokenizer.vocabSize} tokens but config.json says vocab_size = ${vocab} (tokenizer and model do not match)`,
    );
  }
  const fast = fastPath(options.fast);
  const runtime = options.runtime ?? {};
  const graph = prepareGraph(
    files.onnxPath,
    { sliceLogits: fast.sliceLogits, int8: options.int8 ?? false, decodeLoop: fast.decodeLoop && fast.sliceLogits },
    runtime.graphCacheDir,
  );
  const { session, provider, fallbackReason } = await openSession(graph, {
    ...options,
    optimizedGraphDir: runtime.optimizedGraphDir,
    profilePrefix: runtime.profilePrefix,
  });
  const layout = discoverLayout(session, files.config, files.onnxPath);
  const maxLength = options.maxLength ?? contextWindow(files);
  const requested = options.batchSize ?? DEFAULT_BATCH_SIZE;
  const choice = requested === 'auto' ? chooseBatchSize(batchSizeInput(files, layout, provider, maxLength)) : undefined;
  const batchSize = choice?.batchSize ?? requested;
  if (typeof batchSize !== 'number' || !Number.isInteger(batchSize) || batchSize < 1) {
    throw new CheckpointError(`batch size must be a positive integer or 'auto', got ${batchSize}`);
  }
  return new OnnxLanguageModel(files, tokenizer, new Decoder(session, layout), {
    provider,
    fallbackReason,
    maxLength,
    batchSize,
    ...(choice ? { batchSizeReason: choice.reason } : {}),
    optimizedGraph: optimizedGraphStats(session),
    slicedLogits: layout.logitsKeep !== undefined,
    fast,
    int8: graph.int8 ?? false,
  });
}

/** The per-layer shape the scoring cost model splits a position's work by; the fitted shape when the checkpoint does not say. */
function scoringShape(files: CheckpointFiles, layout: DecoderLayout): ScoringShape {
  const { hidden, heads, kvHeads, headDim, intermediate } = modelShape(files, layout);
  if (!hidden || !files.config.num_attention_heads || !layout.headDim) return FITTED_SHAPE;
  return { hidden, heads, kvHeads, headDim, intermediate };
}
