/**
 * The precisions transformers.js and onnx-community publish beside `onnx/model.onnx`, made from a tiny model's fp32
 * graph the way their converters make them: fp16 (weights, activations, KV cache and logits in float16), q4
 * (weight-only int4, ONNX Runtime's `MatMulNBits`), q4f16 (both), and dynamically quantised 8-bit weights
 * (`DynamicQuantizeLinear` → `MatMulInteger`, int8 or uint8), and bnb4 (NF4 weights, `MatMulBnb4`). They let tests and docs load every variant the loader
 * accepts with real ONNX Runtime, and measure what each costs against fp32 on the same weights.
 */
import onnxProto from 'onnx-proto';
import { floatToHalf, halfToFloat } from '../float16.ts';
import { quantizeMatMuls } from '../quantize.ts';
import type { Dtype } from '../layout.ts';

const { onnx } = onnxProto;
type Model = onnxProto.onnx.ModelProto;
type Graph = onnxProto.onnx.GraphProto;
type Node = onnxProto.onnx.NodeProto;
type Tensor = onnxProto.onnx.ITensorProto;

const { FLOAT, FLOAT16, UINT8 } = onnx.TensorProto.DataType;
const { INT } = onnx.AttributeProto.AttributeType;

/** The precisions the tiny-model writer can produce: every one transformers.js names. */
export const TINY_DTYPES = ['fp32', 'fp16', 'q4', 'q4f16', 'q8', 'int8', 'uint8', 'bnb4'] as const satisfies readonly Dtype[];
export type TinyDtype = (typeof TINY_DTYPES)[number];

/** Block size of the int4 weights: transformers.js's q4 files use 32 values per scale, as here. */
export const Q4_BLOCK = 32;

/**
 * Constants beyond this magnitude are clamped when the graph goes to float16: the additive attention mask (-1e9 in
 * fp32) would become -inf, and a fully masked padding row would turn to NaN and poison the cache. exp(-30000) is
 * still exactly 0.
 */
const FP16_SAFE_LIMIT = 30000;

/** An initializer's values as floats (inline raw data; the writer never puts variant sources in external files). */
function values(t: Tensor): Float32Array {
  const raw = t.rawData;
  if (!raw || raw.length === 0) {
    if (t.floatData && t.floatData.length) return Float32Array.from(t.floatData);
    throw new Error(`initializer ${t.name}: no inline data`);
  }
  const copy = new Uint8Array(raw);
  if (t.dataType === FLOAT16) return Float32Array.from(new Uint16Array(copy.buffer), halfToFloat);
  return new Float32Array(copy.buffer);
}

function halfTensor(name: string, dims: (number | Long)[], data: Float32Array): Tensor {
  const bits = Uint16Array.from(data, (v) => floatToHalf(Math.max(-FP16_SAFE_LIMIT, Math.min(FP16_SAFE_LIMIT, v))));
  return { name, dims: dims.map(Number), dataType: FLOAT16, rawData: new Uint8Array(bits.buffer) };
}

type Long = { toNumber(): number };

function consumers(graph: Graph): Map<string, Node[]> {
  const map = new Map<string, Node[]>();
  for (const n of graph.node as Node[]) for (const i of n.input) if (i) map.set(i, [...(map.get(i) ?? []), n]);
  return map;
}

/**
 * Converts a float32 graph to float16: weights, activations, the KV cache inputs/outputs and the logits, as
 * Optimum's and transformers.js's fp16 exports hold them. Nodes for which `keepFloat32` holds (the tiny model's
 * rotary angles and attention-mask arithmetic, whose positions and -1e9 do not fit float16) stay in float32 and
 * their results are cast to float16 where float16 nodes read them.
 */
export function convertToFloat16(model: Model, keepFloat32: (node: Node) => boolean): void {
  const graph = model.graph as Graph;
  const island = new Set((graph.node as Node[]).filter(keepFloat32));
  const users = consumers(graph);

  const initializers: Tensor[] = [];
  for (const t of graph.initializer as Tensor[]) {
    if (t.dataType !== FLOAT) {
      initializers.push(t);
      continue;
    }
    const readers = users.get(t.name!) ?? [];
    const halfReaders = readers.filter((n) => !island.has(n));
    const floatReaders = readers.filter((n) => island.has(n));
    const data = values(t).map((v) => Math.max(-FP16_SAFE_LIMIT, Math.min(FP16_SAFE_LIMIT, v)));
    if (floatReaders.length > 0 || halfReaders.length === 0) initializers.push({ ...t, rawData: new Uint8Array(data.buffer) });
    if (halfReaders.length > 0) {
      const name = floatReaders.length > 0 ? `${t.name}/fp16` : t.name!;
      initializers.push(halfTensor(name, t.dims ?? [], data));
      if (name !== t.name) for (const n of halfReaders) n.input = n.input.map((i) => (i === t.name ? name : i));
    }
  }
  graph.initializer = initializers.map((t) => onnx.TensorProto.create(t));

  // Where a float16 node reads a float32 node's result, a Cast goes between them (placed right after its producer).
  const nodes: Node[] = [];
  for (const n of graph.node as Node[]) {
    nodes.push(n);
    if (!island.has(n)) {
      for (const a of n.attribute) if (n.opType === 'Cast' && a.name === 'to' && Number(a.i) === FLOAT) a.i = FLOAT16;
      continue;
    }
    for (const out of n.output) {
      const halfReaders = (users.get(out) ?? []).filter((r) => !island.has(r));
      if (halfReaders.length === 0) continue;
      const cast = `${out}/fp16`;
      nodes.push(onnx.NodeProto.create({ opType: 'Cast', name: `${n.name}/cast_fp16`, input: [out], output: [cast], attribute: [{ name: 'to', type: INT, i: FLOAT16 }] }));
      for (const r of halfReaders) r.input = r.input.map((i) => (i === out ? cast : i));
    }
  }
  graph.node = nodes;
  for (const v of [...graph.input, ...graph.output]) {
    const tensor = v.type?.tensorType;
    if (tensor && tensor.elemType === FLOAT) tensor.elemType = FLOAT16;
  }
  graph.valueInfo = [];
}

function attr(name: string, i: number): onnxProto.onnx.IAttributeProto {
  return { name, type: INT, i };
}

/**
 * Rewrites every `MatMul` whose right side is a 2-D initializer `accept`s into the com.microsoft node `rewrite`
 * returns (which pushes its own initializers), drops weights no other node reads and declares the domain.
 * Returns how many MatMuls were rewritten.
 */
function rewriteWeightMatMuls(
  model: Model,
  accept: (w: Tensor) => boolean,
  rewrite: (n: Node, w: Tensor, k: number, cols: number) => Node,
): number {
  const graph = model.graph as Graph;
  const inits = new Map((graph.initializer as Tensor[]).map((t) => [t.name!, t]));
  const users = consumers(graph);
  const drop = new Set<string>();
  let count = 0;
  graph.node = (graph.node as Node[]).map((n) => {
    const w = n.opType === 'MatMul' ? inits.get(n.input[1] ?? '') : undefined;
    if (!w || !accept(w) || (w.dims ?? []).length !== 2) return n;
    const [k, cols] = (w.dims ?? []).map(Number) as [number, number];
    if ((users.get(w.name!) ?? []).length === 1) drop.add(w.name!);
    count++;
    return rewrite(n, w, k, cols);
  });
  graph.initializer = (graph.initializer as onnxProto.onnx.TensorProto[]).filter((t) => !drop.has(t.name));
  if (count > 0 && !model.opsetImport.some((o) => o.domain === 'com.microsoft')) {
    model.opsetImport.push(onnx.OperatorSetIdProto.create({ domain: 'com.microsoft', version: 1 }));
  }
  return count;
}

/**
 * Weight-only int4: every `MatMul` whose right side is a 2-D float initializer [K, N] becomes ONNX Runtime's
 * `MatMulNBits` (com.microsoft) with blocks of `Q4_BLOCK` values along K, symmetric codes 0..15 around the default
 * zero point 8, and one scale per block in the weight's own float type (float32 for q4, float16 for q4f16).
 * Returns how many MatMuls were rewritten.
 */
export function quantizeToMatMulNBits(model: Model): number {
  const graph = model.graph as Graph;
  return rewriteWeightMatMuls(model, (w) => w.dataType === FLOAT || w.dataType === FLOAT16, (n, w, k, cols) => {
    const blocks = Math.ceil(k / Q4_BLOCK);
    const data = values(w);
    const codes = new Uint8Array(cols * blocks * (Q4_BLOCK / 2));
    const scales = new Float32Array(cols * blocks);
    for (let c = 0; c < cols; c++) {
      for (let b = 0; b < blocks; b++) {
        let absmax = 0;
        for (let r = b * Q4_BLOCK; r < Math.min(k, (b + 1) * Q4_BLOCK); r++) absmax = Math.max(absmax, Math.abs(data[r * cols + c]!));
        let scale = absmax > 0 ? absmax / 7 : 1;
        if (w.dataType === FLOAT16) scale = halfToFloat(floatToHalf(scale));
        scales[c * blocks + b] = scale;
        for (let j = 0; j < Q4_BLOCK; j++) {
          const r = b * Q4_BLOCK + j;
          const code = r < k ? Math.max(0, Math.min(15, Math.round(data[r * cols + c]! / scale) + 8)) : 8;
          // Two codes per byte, the lower K index in the low nibble.
          codes[(c * blocks + b) * (Q4_BLOCK / 2) + (j >> 1)]! |= j & 1 ? code << 4 : code;
        }
      }
    }
    const base = `${w.name}/q4`;
    graph.initializer.push(
      onnx.TensorProto.create({ name: `${base}/codes`, dims: [cols, blocks, Q4_BLOCK / 2], dataType: UINT8, rawData: codes }),
      onnx.TensorProto.create(
        w.dataType === FLOAT16 ? halfTensor(`${base}/scales`, [cols * blocks], scales) : { name: `${base}/scales`, dims: [cols * blocks], dataType: FLOAT, rawData: new Uint8Array(scales.buffer) },
      ),
    );
    return onnx.NodeProto.create({
      opType: 'MatMulNBits',
      domain: 'com.microsoft',
      name: `${n.name}/q4`,
      input: [n.input[0]!, `${base}/codes`, `${base}/scales`],
      output: n.output,
      attribute: [attr('K', k), attr('N', cols), attr('bits', 4), attr('block_size', Q4_BLOCK)],
    });
  });
}

/** Block size of bnb4 weights (bitsandbytes' Linear4bit uses 64, as transformers.js's quantize script does). */
export const BNB4_BLOCK = 64;

/** The 16 values of bitsandbytes' NormalFloat4 code (quantiles of a normal distribution, scaled to [-1, 1]). */
const NF4 = [
  -1, -0.6961928009986877, -0.5250730514526367, -0.39491748809814453, -0.28444138169288635, -0.18477343022823334, -0.09105003625154495, 0,
  0.07958029955625534, 0.16093020141124725, 0.24611230194568634, 0.33791524171829224, 0.44070982933044434, 0.5626170039176941,
  0.7229568362236023, 1,
];

function nearestNf4(v: number): number {
  let best = 0;
  for (let j = 1; j < 16; j++) if (Math.abs(NF4[j]! - v) < Math.abs(NF4[best]! - v)) best = j;
  return best;
}

/**
 * bitsandbytes-style NF4: every `MatMul` whose right side is a 2-D float32 initializer [K, N] becomes ONNX Runtime's
 * `MatMulBnb4` (com.microsoft). The weight is taken transposed ([N, K], as Linear4bit stores it), flattened and cut
 * into blocks of `BNB4_BLOCK` values, each scaled by its largest magnitude and coded to the nearest NF4 value; two
 * codes per byte, the first in the high nibble. Returns how many MatMuls were rewritten.
 */
export function quantizeToMatMulBnb4(model: Model): number {
  const graph = model.graph as Graph;
  return rewriteWeightMatMuls(model, (w) => w.dataType === FLOAT, (n, w, k, cols) => {
    const data = values(w);
    const numel = k * cols;
    const blocks = Math.ceil(numel / BNB4_BLOCK);
    const transposed = new Float32Array(numel);
    for (let r = 0; r < k; r++) for (let c = 0; c < cols; c++) transposed[c * k + r] = data[r * cols + c]!;
    const absmax = new Float32Array(blocks);
    for (let i = 0; i < numel; i++) absmax[Math.floor(i / BNB4_BLOCK)] = Math.max(absmax[Math.floor(i / BNB4_BLOCK)]!, Math.abs(transposed[i]!));
    const packed = new Uint8Array((numel + 1) >> 1);
    for (let i = 0; i < numel; i++) {
      const scale = absmax[Math.floor(i / BNB4_BLOCK)]! || 1;
      const code = nearestNf4(transposed[i]! / scale);
      packed[i >> 1]! |= i & 1 ? code : code << 4;
    }
    const base = `${w.name}/bnb4`;
    graph.initializer.push(
      onnx.TensorProto.create({ name: `${base}/codes`, dims: [packed.length], dataType: UINT8, rawData: packed }),
      onnx.TensorProto.create({ name: `${base}/absmax`, dims: [blocks], dataType: FLOAT, rawData: new Uint8Array(absmax.buffer) }),
    );
    return onnx.NodeProto.create({
      opType: 'MatMulBnb4',
      domain: 'com.microsoft',
      name: `${n.name}/bnb4`,
      input: [n.input[0]!, `${base}/codes`, `${base}/absmax`],
      output: n.output,
      attribute: [attr('K', k), attr('N', cols), attr('block_size', BNB4_BLOCK), attr('quant_type', 1)],
    });
  });
}

/** The tiny graph's float32 islands under float16: rotary angles (positions × frequencies) and the mask. */
export const tinyFloat32Island = (n: Node): boolean => /^\/(rotary|mask)\//.test(n.name ?? '');

/**
 * Turns a decoded fp32 tiny model into the given precision, in place. q8 (`_quantized`) is what transformers.js's
 * quantize script writes for a decoder without Conv or fused attention operators: int8 weights; int8 and uint8 name
 * the weight type. Quantised 8-bit weights are per output column (a scale, and for uint8 a zero point, per column).
 */
export function makeVariant(model: Model, dtype: TinyDtype): void {
  const graph = model.graph as Graph;
  const opset = Number(model.opsetImport.find((o) => !o.domain)?.version ?? 0);
  switch (dtype) {
    case 'fp32':
      return;
    case 'fp16':
      convertToFloat16(model, tinyFloat32Island);
      return;
    case 'q4':
      quantizeToMatMulNBits(model);
      return;
    case 'q4f16':
      convertToFloat16(model, tinyFloat32Island);
      quantizeToMatMulNBits(model);
      return;
    case 'q8':
    case 'int8':
      quantizeMatMuls(graph, '.', opset, { weights: 'int8' });
      return;
    case 'uint8':
      quantizeMatMuls(graph, '.', opset, { weights: 'uint8' });
      return;
    case 'bnb4':
      quantizeToMatMulBnb4(model);
      return;
  }
}
