import { createHash } from 'node:crypto';
import { createReadStream, existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { DTYPES, graphCandidates, graphVariantFiles, selectGraph, type Dtype } from '@sciboard/onnx/layout';
import { graphExternalLocations } from './confine.ts';

/**
 * The graph files a folder without subfolders may hold (a site's upload is one): the engine's own list of graph
 * locations at the top of the folder, in every precision it loads (`model.onnx`, `model_q4.onnx`, ...).
 */
export const FLAT_GRAPH_FILES: readonly string[] = DTYPES.flatMap((dtype) => graphCandidates(dtype)).filter((file) => !file.includes('/'));

/**
 * Bytes of weights per parameter that a checkpoint may plausibly use: int4 (0.5) up to float32 (4), with
 * room for the graph's own structure on very small models.
 */
export const BYTES_PER_PARAM = { min: 0.4, max: 5 } as const;

export class SubmissionError extends Error {
  constructor(
    message: string,
    /** The request field the problem is in, so a form or API can point at it. */
    readonly field: string,
  ) {
    super(message);
  }
}

/** Parses `6.2B`, `350M`, `125k` or a plain number of billions into billions of parameters. */
export function parseParams(text: string): number {
  const match = /^\s*(\d+(?:\.\d+)?(?:e[+-]?\d+)?)\s*([kmbt]?)\s*$/i.exec(text);
  if (!match) throw new SubmissionError(`params: expected a size such as 6.2B, 350M or 125k, got "${text}"`, 'params');
  const scale = { '': 1, k: 1e-6, m: 1e-3, b: 1, t: 1e3 }[match[2]!.toLowerCase() as '' | 'k' | 'm' | 'b' | 't'];
  const value = Number(match[1]) * scale;
  if (!(value > 0)) throw new SubmissionError(`params: must be positive, got "${text}"`, 'params');
  return value;
}

/**
 * Where JSON.parse stopped, without its message: Node quotes the text around the error ("root:x:0:0:…" is not
 * valid JSON), and a message must never echo a file's contents back to whoever submitted it.
 */
export function jsonErrorPlace(err: unknown): string {
  const position = /position (\d+)/.exec(String((err as Error)?.message))?.[1];
  if (position !== undefined) return `syntax error at character ${position}`;
  return /end of JSON input/i.test(String((err as Error)?.message)) ? 'unexpected end of the file' : 'syntax error';
}

export interface CheckpointLayout {
  dir: string;
  graphPath: string;
  /** The graph relative to the folder (`onnx/model_q4.onnx`) and the precision it was picked for. */
  graphFile: string;
  dtype: Dtype;
  /** The graph and its external weight files (other variants beside it are not counted). */
  weightBytes: number;
}

/**
 * The checks that need no inference runtime: the files a checkpoint must have, parseable JSON, the graph `dtype`
 * picks (the engine's own rule, see `selectGraph`), and (when a size is declared) a parameter count that fits the
 * bytes of that graph's weights.
 */
export function checkCheckpointLayout(dirInput: string, declaredParamsBillions?: number, dtype?: Dtype): CheckpointLayout {
  const dir = resolve(dirInput);
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new SubmissionError(`checkpoint: ${dir} is not a directory`, 'checkpoint');
  for (const file of ['config.json', 'tokenizer.json']) {
    const path = join(dir, file);
    if (!existsSync(path)) throw new SubmissionError(`checkpoint: ${path} is missing (a checkpoint needs config.json, tokenizer.json and an ONNX graph)`, 'checkpoint');
    try {
      JSON.parse(readFileSync(path, 'utf8'));
    } catch (err) {
      throw new SubmissionError(`checkpoint: ${path} is not valid JSON (${jsonErrorPlace(err)})`, 'checkpoint');
    }
  }
  let graph: ReturnType<typeof selectGraph>;
  try {
    graph = selectGraph(dir, dtype);
  } catch (err) {
    throw new SubmissionError(`checkpoint: ${(err as Error).message}`, dtype ? 'dtype' : 'checkpoint');
  }
  const weightBytes = [graph.path, ...new Set(weightFilesOf(graph.path))].reduce((sum, f) => sum + statSync(f).size, 0);
  if (declaredParamsBillions !== undefined) checkParamsPlausible(declaredParamsBillions, weightBytes);
  return { dir, graphPath: graph.path, graphFile: graph.file, dtype: graph.dtype, weightBytes };
}

/**
 * The external-data files a graph's own initializers name; for a graph that cannot be read, the files published
 * under its name (`model_q4.onnx_data*`), leaving the load check to say what is wrong with the graph.
 */
function weightFilesOf(graphPath: string): string[] {
  let locations: string[];
  try {
    locations = graphExternalLocations(graphPath);
  } catch {
    return graphVariantFiles(graphPath).slice(1);
  }
  return locations
    .filter((location) => !isAbsolute(location))
    .map((location) => resolve(dirname(graphPath), location))
    .filter((path) => existsSync(path));
}

export function checkParamsPlausible(declaredParamsBillions: number, weightBytes: number): void {
  const declared = declaredParamsBillions * 1e9;
  const perParam = weightBytes / declared;
  if (perParam < BYTES_PER_PARAM.min || perParam > BYTES_PER_PARAM.max) {
    const implied = (n: number) => `${((weightBytes / n) / 1e9).toPrecision(3)}B`;
    throw new SubmissionError(
      `params: declared ${declaredParamsBillions}B parameters, but the weights take ${weightBytes} bytes ` +
        `(${perParam.toPrecision(3)} bytes per declared parameter; plausible is ${BYTES_PER_PARAM.min}–${BYTES_PER_PARAM.max}, ` +
        `i.e. between ${implied(BYTES_PER_PARAM.max)} and ${implied(BYTES_PER_PARAM.min)} parameters)`,
      'params',
    );
  }
}

function filesUnder(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...filesUnder(path));
    else if (entry.isFile() || (entry.isSymbolicLink() && statSync(path).isFile())) out.push(path);
  }
  return out;
}

/** sha256 over every file's relative path and bytes, in path order: equal checkpoints hash equally wherever they sit. */
export async function checkpointContentHash(dirInput: string): Promise<string> {
  const dir = resolve(dirInput);
  const hash = createHash('sha256');
  const files = filesUnder(dir)
    .map((p) => relative(dir, p).split('\\').join('/'))
    .sort();
  for (const file of files) {
    hash.update(`${file}\u0000${statSync(join(dir, file)).size}\u0000`);
    for await (const chunk of createReadStream(join(dir, file))) hash.update(chunk as Buffer);
  }
  return hash.digest('hex');
}
