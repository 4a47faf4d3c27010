/**
 * Where a checkpoint folder keeps its decoder graph, and which file a precision picks. This module reads only the
 * file system (no inference runtime), so the submission checks that run inside the site use the same list as the
 * engine that loads the graph: `@sciboard/onnx/layout`.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { basename, dirname, join, relative } from 'node:path';
import { CheckpointError } from './errors.ts';

/** The precisions transformers.js names (its `dtype` option), each published as its own graph file. */
export const DTYPES = ['fp32', 'fp16', 'q4', 'q4f16', 'q8', 'int8', 'uint8', 'bnb4'] as const;
export type Dtype = (typeof DTYPES)[number];

/**
 * File-name suffix of each precision, as transformers.js maps them: `onnx/model_q4.onnx` is the q4 graph; q8 is
 * the file its conversion script calls `_quantized`.
 */
export const DTYPE_SUFFIX: Readonly<Record<Dtype, string>> = {
  fp32: '',
  fp16: '_fp16',
  q4: '_q4',
  q4f16: '_q4f16',
  q8: '_quantized',
  int8: '_int8',
  uint8: '_uint8',
  bnb4: '_bnb4',
};

/**
 * Graph locations in the order they are looked for: a plain `model.onnx` (Optimum's single decoder, the tiny
 * model), transformers.js's `onnx/` folder, then Optimum's merged decoder (`use_cache_branch`), at the top or
 * under `onnx/`. A precision other than fp32 adds its suffix to the name.
 */
const GRAPH_STEMS = ['model', 'onnx/model', 'decoder_model_merged', 'onnx/decoder_model_merged'];

/** The graph files a precision may be published as, relative to the checkpoint folder, in search order. */
export function graphCandidates(dtype: Dtype = 'fp32'): string[] {
  return GRAPH_STEMS.map((stem) => `${stem}${DTYPE_SUFFIX[dtype]}.onnx`);
}

/**
 * A precision as a run's configuration names it (`dtype`): lm-eval's torch names for the float types, so fp32
 * runs keep the identity they had, and transformers.js's names for the quantised ones.
 */
export function runConfigDtype(dtype: Dtype | undefined): string {
  return dtype === undefined || dtype === 'fp32' ? 'float32' : dtype === 'fp16' ? 'float16' : dtype;
}

/** Parses a `--dtype` value; the message lists the accepted names. */
export function parseDtype(value: string, field = '--dtype'): Dtype {
  if ((DTYPES as readonly string[]).includes(value)) return value as Dtype;
  throw new CheckpointError(`${field} must be one of ${DTYPES.join(', ')}, got ${JSON.stringify(value)}`);
}

/** The precision a graph file name says it holds (a name without a known suffix is fp32). */
export function dtypeOfGraphFile(file: string): Dtype {
  const stem = basename(file, '.onnx');
  for (const dtype of DTYPES) if (dtype !== 'fp32' && stem.endsWith(DTYPE_SUFFIX[dtype])) return dtype;
  return 'fp32';
}

/** Written beside a graph by the load-time rewrite (`model.sciboard-<hash>.onnx`): never a published graph. */
const isDerived = (name: string) => name.includes('.sciboard');

/** Every `.onnx` file at the top of the folder and under `onnx/`, relative to the folder, sorted. */
export function listGraphFiles(dir: string): string[] {
  const found: string[] = [];
  for (const sub of ['', 'onnx']) {
    const folder = join(dir, sub);
    if (!existsSync(folder) || !statSync(folder).isDirectory()) continue;
    for (const name of readdirSync(folder)) {
      if (name.endsWith('.onnx') && !isDerived(name)) found.push(sub ? `${sub}/${name}` : name);
    }
  }
  return found.sort();
}

/** Files an ONNX Runtime GenAI export has and an Optimum or transformers.js export does not. */
export const GENAI_MARKER = 'genai_config.json';

/** How to get a graph sciboard runs: one place, so every refusal gives the same advice. */
export const EXPORT_ADVICE =
  'export the model with Optimum (`optimum-cli export onnx --model <model id> --task text-generation-with-past <folder>`) ' +
  "or with transformers.js's conversion script (`python -m scripts.convert --model_id <model id>`); see docs/models.md";

/** Refuses an ONNX Runtime GenAI export, whose graph takes GenAI's own attention inputs (see EXPORT_ADVICE). */
export function refuseGenAiExport(dir: string): void {
  if (existsSync(join(dir, GENAI_MARKER))) {
    throw new CheckpointError(
      `${join(dir, GENAI_MARKER)}: this is an ONNX Runtime GenAI export, whose graph is run by onnxruntime-genai ` +
        `(GroupQueryAttention fed seqlens_k / total_sequence_length, its own cache layout), not by sciboard; ${EXPORT_ADVICE}`,
    );
  }
}

export interface GraphChoice {
  /** Absolute (or as given) path of the graph file. */
  path: string;
  /** The same file relative to the checkpoint folder, `onnx/model_q4.onnx`: what a run records. */
  file: string;
  dtype: Dtype;
  /** Whether the precision was asked for (`--dtype`) or is the fp32 default. */
  requested: boolean;
}

function hint(files: string[]): string {
  if (files.length === 0) return 'the folder holds no .onnx file';
  return `found ${files.map((f) => `${f} (--dtype ${dtypeOfGraphFile(f)})`).join(', ')}`;
}

/**
 * Picks the graph of a checkpoint folder: the requested precision's file, or without one the fp32 graph. When
 * the file is absent the message lists the graphs the folder does hold and the `--dtype` that picks each.
 */
export function selectGraph(dir: string, dtype?: Dtype): GraphChoice {
  refuseGenAiExport(dir);
  const wanted = dtype ?? 'fp32';
  const candidates = graphCandidates(wanted);
  const file = candidates.find((f) => existsSync(join(dir, f)));
  if (file) return { path: join(dir, file), file, dtype: wanted, requested: dtype !== undefined };
  const present = listGraphFiles(dir);
  if (dtype === undefined) {
    throw new CheckpointError(
      `${dir}: no ONNX graph found for fp32, the default (looked for ${candidates.join(', ')}); ${hint(present)}` +
        (present.length ? '; choose one with --dtype' : ''),
    );
  }
  throw new CheckpointError(`${dir}: no ${dtype} graph for --dtype ${dtype} (looked for ${candidates.join(', ')}); ${hint(present)}`);
}

/**
 * The graph file and the external-data files published beside it under its name (`model_q4.onnx_data`,
 * `model.onnx_data_1`, `model.onnx.data`), absolute, sorted: the files of one variant, and no other variant's.
 */
export function graphVariantFiles(graphPath: string): string[] {
  const folder = dirname(graphPath);
  const name = basename(graphPath);
  const data = readdirSync(folder).filter((f) => f.startsWith(`${name}_data`) || f.startsWith(`${name}.data`));
  return [graphPath, ...data.sort().map((f) => join(folder, f))];
}

/** `file` relative to `dir`, with forward slashes (what runs record and messages show). */
export function relativeGraphFile(dir: string, path: string): string {
  return relative(dir, path).split('\\').join('/');
}
