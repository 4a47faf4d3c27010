import { closeSync, openSync, readSync } from 'node:fs';
import { resolve } from 'node:path';
import onnxProto from 'onnx-proto';
import { CheckpointError } from './errors.ts';

const { onnx } = onnxProto;
type Graph = onnxProto.onnx.GraphProto;
type Tensor = onnxProto.onnx.ITensorProto;

/** Weights smaller than this stay float: quantising them saves nothing and costs accuracy. */
const MIN_WEIGHTS = 1024;

function floatData(t: Tensor, dir: string): Float32Array {
  if (t.rawData && t.rawData.length > 0) {
    const raw = t.rawData;
    return new Float32Array(raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.byteLength));
  }
  if (t.floatData && t.floatData.length > 0) return Float32Array.from(t.floatData);
  const entry = (key: string) => t.externalData?.find((e) => e.key === key)?.value;
  const location = entry('location');
  if (!location) throw new CheckpointError(`initializer ${t.name} has no data`);
  const offset = Number(entry('offset') ?? 0);
  const length = Number(entry('length') ?? 0);
  const out = new Float32Array(length / 4);
  const fd = openSync(resolve(dir, location), 'r');
  try {
    readSync(fd, new Uint8Array(out.buffer), 0, length, offset);
  } finally {
    closeSync(fd);
  }
  return out;
}

/** Symmetric int8 per output column: W[k, n] ≈ q[k, n] · scale[n]. */
export function quantizeColumns(w: Float32Array, k: number, n: number): { q: Int8Array; scale: Float32Array } {
  const scale = new Float32Array(n);
  for (let r = 0; r < k; r++) for (let c = 0; c < n; c++) scale[c] = Math.max(scale[c]!, Math.abs(w[r * n + c]!));
  for (let c = 0; c < n; c++) scale[c] = scale[c]! > 0 ? scale[c]! / 127 : 1;
  const q = new Int8Array(k * n);
  for (let r = 0; r < k; r++) for (let c = 0; c < n; c++) q[r * n + c] = Math.max(-127, Math.min(127, Math.round(w[r * n + c]! / scale[c]!)));
  return { q, scale };
}

/** Asymmetric uint8 per output column: W[k, n] ≈ (q[k, n] − zero[n]) · scale[n], zero itself exact. */
export function quantizeColumnsUint8(w: Float32Array, k: number, n: number): { q: Uint8Array; scale: Float32Array; zero: Uint8Array } {
  const lo = new Float32Array(n);
  const hi = new Float32Array(n);
  for (let r = 0; r < k; r++) {
    for (let c = 0; c < n; c++) {
      lo[c] = Math.min(lo[c]!, w[r * n + c]!);
      hi[c] = Math.max(hi[c]!, w[r * n + c]!);
    }
  }
  const scale = new Float32Array(n);
  const zero = new Uint8Array(n);
  for (let c = 0; c < n; c++) {
    scale[c] = hi[c]! > lo[c]! ? (hi[c]! - lo[c]!) / 255 : 1;
    zero[c] = Math.max(0, Math.min(255, Math.round(-lo[c]! / scale[c]!)));
  }
  const q = new Uint8Array(k * n);
  for (let r = 0; r < k; r++) for (let c = 0; c < n; c++) q[r * n + c] = Math.max(0, Math.min(255, Math.round(w[r * n + c]! / scale[c]!) + zero[c]!));
  return { q, scale, zero };
}

/**
 * Rewrites `MatMul(X, W)` with a large float initializer W into ONNX's dynamic quantisation pattern:
 * DynamicQuantizeLinear(X) → MatMulInteger(Xq, Wq, Xzp[, Wzp]) → Cast → ·Xscale → ·Wscale, which ORT fuses into its
 * int8 kernels. Weights are symmetric int8 by default, or asymmetric uint8 with a zero point per column (the two
 * weight types of transformers.js's `_int8` and `_uint8` files). Returns how many MatMuls were rewritten.
 */
export function quantizeMatMuls(graph: Graph, dir: string, opset: number, options: { weights?: 'int8' | 'uint8' } = {}): number {
  if (opset < 11) return 0;
  const inits = new Map(graph.initializer.map((t) => [t.name, t]));
  const uses = new Map<string, number>();
  for (const n of graph.node) for (const i of n.input ?? []) uses.set(i, (uses.get(i) ?? 0) + 1);
  const replaced = new Set<string>();
  const nodes: onnxProto.onnx.NodeProto[] = [];
  let count = 0;
  for (const node of graph.node as onnxProto.onnx.NodeProto[]) {
    const [x, wName] = node.input ?? [];
    const w = wName ? inits.get(wName) : undefined;
    const dims = w?.dims?.map(Number) ?? [];
    const eligible =
      node.opType === 'MatMul' && x && w && w.dataType === onnx.TensorProto.DataType.FLOAT && dims.length === 2 && dims[0]! * dims[1]! >= MIN_WEIGHTS;
    if (!eligible) {
      nodes.push(node);
      continue;
    }
    const [k, n] = dims as [number, number];
    const unsigned = options.weights === 'uint8';
    const quantized = unsigned ? quantizeColumnsUint8(floatData(w!, dir), k, n) : { ...quantizeColumns(floatData(w!, dir), k, n), zero: undefined };
    const { q, scale, zero } = quantized;
    const base = `${wName}/sciboard_${unsigned ? 'uint8' : 'int8'}`;
    const out = node.output![0]!;
    const { INT8, UINT8, FLOAT } = onnx.TensorProto.DataType;
    graph.initializer.push(
      { name: `${base}/q`, dims: [k, n], dataType: unsigned ? UINT8 : INT8, rawData: new Uint8Array(q.buffer) },
      { name: `${base}/scale`, dims: [n], dataType: FLOAT, rawData: new Uint8Array(scale.buffer) },
    );
    if (zero) graph.initializer.push({ name: `${base}/zero`, dims: [n], dataType: UINT8, rawData: zero });
    const t = `${out}/sciboard_int8`;
    nodes.push(
      onnx.NodeProto.create({ opType: 'DynamicQuantizeLinear', input: [x!], output: [`${t}/xq`, `${t}/xs`, `${t}/xz`], name: `${t}/quantize` }),
      onnx.NodeProto.create({
        opType: 'MatMulInteger',
        input: [`${t}/xq`, `${base}/q`, `${t}/xz`, ...(zero ? [`${base}/zero`] : [])],
        output: [`${t}/int`],
        name: `${t}/matmul`,
      }),
      onnx.NodeProto.create({
        opType: 'Cast',
        input: [`${t}/int`],
        output: [`${t}/float`],
        name: `${t}/cast`,
        attribute: [{ name: 'to', type: onnx.AttributeProto.AttributeType.INT, i: onnx.TensorProto.DataType.FLOAT }],
      }),
      onnx.NodeProto.create({ opType: 'Mul', input: [`${t}/float`, `${t}/xs`], output: [`${t}/scaled`], name: `${t}/mul_x` }),
      onnx.NodeProto.create({ opType: 'Mul', input: [`${t}/scaled`, `${base}/scale`], output: [out], name: `${t}/mul_w` }),
    );
    uses.set(wName!, uses.get(wName!)! - 1);
    if (uses.get(wName!) === 0) replaced.add(wName!);
    count++;
  }
  graph.node = nodes;
  graph.initializer = graph.initializer.filter((t) => !replaced.has(t.name ?? ''));
  // Older exports also list initializers among the graph inputs.
  graph.input = graph.input.filter((i) => !replaced.has(i.name ?? ''));
  return count;
}
