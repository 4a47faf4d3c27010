import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import onnxProto from 'onnx-proto';
import { CheckpointError } from './errors.ts';
import { addDecodeLoop } from './loop.ts';
import { quantizeMatMuls } from './quantize.ts';

const { onnx } = onnxProto;

/** Name of the graph input added at load time: how many trailing positions' logits leave the graph. */
export const LOGITS_KEEP_INPUT = 'sciboard_logits_to_keep';

export interface PreparedGraph {
  /** The file to open: the original graph, or a rewritten copy in the cache. */
  path: string;
  /** Whether `LOGITS_KEEP_INPUT` exists, i.e. only the scored positions' logits are computed and copied out. */
  slicedLogits: boolean;
  /** Whether MatMul weights were quantised to int8. */
  int8?: boolean;
  /** Whether the decoder is wrapped in a Loop that makes several greedy steps per run (see `addDecodeLoop`). */
  decodeLoop?: boolean;
  /**
   * External weight files to hand to ORT in memory (location as the graph names it → absolute file), used when
   * the rewritten graph cannot sit beside its weights: ORT refuses data paths outside the graph's folder.
   */
  externalData?: { path: string; file: string }[];
  note?: string;
}

function writeAtomic(path: string, bytes: Uint8Array): void {
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, bytes);
  renameSync(tmp, path);
}

// Ops between the LM head's MatMul and the `logits` output that act per position, so slicing before them is exact.
const PER_POSITION_OPS = new Set(['Cast', 'Tanh', 'Mul', 'Div', 'Add', 'Identity', 'Softcap']);

/**
 * LM-head operators that project each position on its own, so slicing their input first is exact: MatMul, and the
 * weight-only quantised forms of published q4 / bnb4 files. (A dynamically quantised head is not among them: its
 * activation scale is taken over every position it is given.)
 */
const HEAD_OPS = new Set(['MatMul', 'MatMulNBits', 'MatMulBnb4']);

function int64Tensor(name: string, values: bigint[]): onnxProto.onnx.ITensorProto {
  const data = new BigInt64Array(values);
  return {
    name,
    dims: [values.length],
    dataType: onnx.TensorProto.DataType.INT64,
    rawData: new Uint8Array(data.buffer),
  };
}

/** Where rewritten graphs are kept when the caller names no folder (`RuntimeSettings.graphCacheDir`). */
export function defaultGraphCacheDir(): string {
  return join(tmpdir(), 'sciboard-graph-cache');
}

export interface GraphRewrites {
  /** Project only the last `k` positions to the vocabulary (see `addLogitsSlice`). */
  sliceLogits: boolean;
  /** Weights of large MatMuls as int8 with per-column scales, activations quantised per call. */
  int8: boolean;
  /** Wrap the decoder in a Loop so that one run makes several greedy decoding steps (needs `sliceLogits`). */
  decodeLoop?: boolean;
}

type Graph = onnxProto.onnx.GraphProto;

/**
 * Adds a Slice on the LM head's input so that only the last `k` positions are projected to the vocabulary.
 * A 600-token prompt with a 150k vocabulary would otherwise compute and copy 360 MB of logits to score one token.
 * Returns why not when the head does not have the expected shape (the graph is then left as it is).
 */
type Node = onnxProto.onnx.INodeProto;

/**
 * In one node list, the LM head feeding `output` through per-position ops, or why there is none. `initializers`
 * are the constant names visible there.
 */
function findHead(nodes: Node[], initializers: Set<string | null | undefined>, output: string): Node | string {
  const producer = new Map<string, Node>();
  for (const n of nodes) for (const o of n.output ?? []) producer.set(o, n);
  let head = producer.get(output);
  for (let steps = 0; head && !HEAD_OPS.has(head.opType ?? '') && steps < 6; steps++) {
    if (!PER_POSITION_OPS.has(head.opType ?? '')) return `logits come from ${head.opType}, not a per-position op`;
    const next = (head.input ?? []).find((i) => !initializers.has(i) && producer.has(i));
    head = next ? producer.get(next) : undefined;
  }
  if (!head || !HEAD_OPS.has(head.opType ?? '') || !head.input?.[0] || initializers.has(head.input[0])) {
    return 'no MatMul LM head found before logits';
  }
  return head;
}

/** Puts the Slice before `head` in its node list; `prefix` keeps the added names unique in the model. */
function sliceBeforeHead(graph: Graph, nodes: Node[], head: Node, prefix: string): void {
  const hidden = head.input![0]!;
  const sliced = `${hidden}/sciboard_sliced`;
  const newNodes: onnxProto.onnx.INodeProto[] = [
    { opType: 'Neg', input: [LOGITS_KEEP_INPUT], output: [`${prefix}/starts`], name: `${prefix}/neg` },
    { opType: 'Slice', input: [hidden, `${prefix}/starts`, `${prefix}/ends`, `${prefix}/axes`], output: [sliced], name: `${prefix}/slice` },
  ];
  graph.initializer.push(int64Tensor(`${prefix}/ends`, [9223372036854775807n]), int64Tensor(`${prefix}/axes`, [1n]));
  head.input![0] = sliced;
  const headIndex = nodes.indexOf(head);
  nodes.splice(headIndex, 0, ...newNodes.map((n) => onnx.NodeProto.create(n)));
}

function addLogitsSlice(graph: Graph, opset: number): string | undefined {
  if (opset < 10) return `opset ${opset} has no Slice with tensor inputs`;
  const initializers = new Set(graph.initializer.map((t) => t.name));
  const ifNode = graph.node.find((n) => n.opType === 'If' && (n.output ?? []).includes('logits'));
  if (ifNode) {
    // Optimum's merged decoder: each branch of the If (with and without a cache) computes the logits; slice in
    // both, or (when either has no head to slice before) in neither.
    const index = (ifNode.output ?? []).indexOf('logits');
    const branches = (ifNode.attribute ?? []).filter((a) => a.g).map((a) => ({ name: a.name, graph: a.g as Graph }));
    const heads = branches.map(({ graph: branch }) =>
      findHead(branch.node, new Set([...initializers, ...(branch.initializer ?? []).map((t) => t.name)]), branch.output[index]?.name ?? ''),
    );
    const missing = heads.findIndex((h) => typeof h === 'string');
    if (missing >= 0) return `${branches[missing]!.name}: ${heads[missing] as string}`;
    heads.forEach((head, i) => sliceBeforeHead(graph, branches[i]!.graph.node, head as Node, `sciboard_logits_slice_${i}`));
  } else {
    const head = findHead(graph.node, initializers, 'logits');
    if (typeof head === 'string') return head;
    sliceBeforeHead(graph, graph.node, head, 'sciboard_logits_slice');
  }
  graph.input.push(
    onnx.ValueInfoProto.create({
      name: LOGITS_KEEP_INPUT,
      type: { tensorType: { elemType: onnx.TensorProto.DataType.INT64, shape: { dim: [{ dimValue: 1 }] } } },
    }),
  );
  const logitsOut = graph.output.find((o) => o.name === 'logits');
  const dims = logitsOut?.type?.tensorType?.shape?.dim;
  if (dims && dims.length === 3) dims[1] = onnx.TensorShapeProto.Dimension.create({ dimParam: 'logits_length' });
  return undefined;
}

/**
 * Prepares the graph the session opens: the original when no rewrite applies, else a rewritten copy (cached by
 * path, content and rewrites). Rewrites never change what is computed beyond float rounding, except `int8`,
 * which is opt-in and measured against float32 by the benchmark.
 */
export function prepareGraph(
  onnxPath: string,
  rewrites: GraphRewrites = { sliceLogits: true, int8: false },
  cacheDir = defaultGraphCacheDir(),
): PreparedGraph {
  if (!rewrites.sliceLogits && !rewrites.int8) return { path: onnxPath, slicedLogits: false };
  const bytes = readFileSync(onnxPath);
  if (bytes.length < 16) throw new CheckpointError(`${onnxPath}: file is ${bytes.length} bytes, not an ONNX model`);
  // The path is part of the key: external weights are read from the original folder.
  const hash = createHash('sha256').update(resolve(onnxPath)).update(JSON.stringify(rewrites)).update(bytes).digest('hex').slice(0, 24);
  const outDir = join(cacheDir, hash);
  const outPath = join(outDir, basename(onnxPath));
  const besideOriginal = join(dirname(onnxPath), `${basename(onnxPath, '.onnx')}.sciboard-${hash.slice(0, 12)}.onnx`);
  const marker = join(outDir, 'prepared.json');
  if (existsSync(marker)) {
    const cached = JSON.parse(readFileSync(marker, 'utf8')) as PreparedGraph;
    if (existsSync(cached.path)) return cached;
  }

  let model: onnxProto.onnx.ModelProto;
  try {
    model = onnx.ModelProto.decode(bytes);
  } catch (err) {
    throw new CheckpointError(`${onnxPath}: not a valid ONNX model (${(err as Error).message})`);
  }
  const graph = model.graph as Graph | null;
  if (!graph || graph.node.length === 0) throw new CheckpointError(`${onnxPath}: the ONNX model has no graph nodes`);
  const opset = Number(model.opsetImport.find((o) => !o.domain)?.version ?? 0);

  const notes: string[] = [];
  const sliceNote = rewrites.sliceLogits ? addLogitsSlice(graph, opset) : 'not asked';
  if (rewrites.sliceLogits && sliceNote) notes.push(sliceNote);
  const slicedLogits = rewrites.sliceLogits && !sliceNote;
  const quantized = rewrites.int8 ? quantizeMatMuls(graph, dirname(onnxPath), opset) : 0;
  if (rewrites.int8 && quantized === 0) notes.push('no MatMul weights to quantise');
  // After quantisation, so the loop body holds the int8 weights' nodes too.
  const loopNote = rewrites.decodeLoop ? addDecodeLoop(graph, opset) : 'not asked';
  if (rewrites.decodeLoop && loopNote) notes.push(`decode loop: ${loopNote}`);
  const decodeLoop = rewrites.decodeLoop === true && !loopNote;
  if (!slicedLogits && quantized === 0) return { path: onnxPath, slicedLogits: false, note: notes.join('; ') };

  const bytesOut = onnx.ModelProto.encode(model).finish();
  const locations = new Set<string>();
  for (const t of graph.initializer) {
    const location = t.externalData?.find((e) => e.key === 'location')?.value;
    if (location) locations.add(location);
  }
  if (locations.size > 0) {
    for (const location of locations) {
      if (!existsSync(resolve(dirname(onnxPath), location))) {
        throw new CheckpointError(`${onnxPath}: external weights file ${location} not found beside it`);
      }
    }
    // External weights resolve relative to the graph file: the rewritten graph belongs in the same folder.
    try {
      writeAtomic(besideOriginal, bytesOut);
      const prepared: PreparedGraph = { path: besideOriginal, slicedLogits, int8: quantized > 0, decodeLoop };
      mkdirSync(outDir, { recursive: true });
      writeFileSync(marker, JSON.stringify(prepared));
      return prepared;
    } catch {
      // A read-only checkpoint folder: keep the copy in the cache and pass the weights in memory instead.
    }
  }
  mkdirSync(outDir, { recursive: true });
  writeAtomic(outPath, bytesOut);
  const prepared: PreparedGraph = { path: outPath, slicedLogits, int8: quantized > 0, decodeLoop };
  if (locations.size > 0) {
    prepared.externalData = [...locations].map((location) => ({ path: location, file: resolve(dirname(onnxPath), location) }));
  }
  writeFileSync(marker, JSON.stringify(prepared));
  return prepared;
}
