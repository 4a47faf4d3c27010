import onnxProto from 'onnx-proto';
import ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { Q4_BLOCK, BNB4_BLOCK, quantizeToMatMulBnb4, quantizeToMatMulNBits } from './variants.ts';

const { onnx } = onnxProto;
const { FLOAT } = onnx.TensorProto.DataType;
const K = 80; // not a multiple of either block size: the last block is padded
const N = 24;

/** One MatMul Y = A · W with W [K, N] a float32 initializer. */
function matmulModel(w: Float32Array): onnxProto.onnx.ModelProto {
  const info = (name: string, dims: (number | string)[]) =>
    onnx.ValueInfoProto.create({ name, type: { tensorType: { elemType: FLOAT, shape: { dim: dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) } } } });
  return onnx.ModelProto.create({
    irVersion: 8,
    opsetImport: [{ domain: '', version: 14 }],
    graph: {
      name: 'matmul',
      node: [{ opType: 'MatMul', name: 'mm', input: ['A', 'W'], output: ['Y'] }],
      initializer: [{ name: 'W', dims: [K, N], dataType: FLOAT, rawData: new Uint8Array(w.buffer) }],
      input: [info('A', ['m', K])],
      output: [info('Y', ['m', N])],
    },
  });
}

async function run(model: onnxProto.onnx.ModelProto, a: Float32Array, rows: number): Promise<Float32Array> {
  const session = await ort.InferenceSession.create(onnx.ModelProto.encode(model).finish());
  try {
    return (await session.run({ A: new ort.Tensor('float32', a, [rows, K]) })).Y!.data as Float32Array;
  } finally {
    await session.release();
  }
}

function initializer(model: onnxProto.onnx.ModelProto, suffix: string): Uint8Array {
  const t = model.graph!.initializer!.find((i) => i.name!.endsWith(suffix))!;
  return new Uint8Array(t.rawData!);
}

const w = Float32Array.from({ length: K * N }, (_, i) => Math.sin(i * 0.37) * (1 + (i % 7)) * 0.1);
const a = Float32Array.from({ length: 3 * K }, (_, i) => Math.cos(i * 0.11));

function product(deq: (k: number, n: number) => number): Float32Array {
  const out = new Float32Array(3 * N);
  for (let r = 0; r < 3; r++) for (let n = 0; n < N; n++) for (let k = 0; k < K; k++) out[r * N + n]! += a[r * K + k]! * deq(k, n);
  return out;
}

// Each layout decoded here from the operator's specification, independently of the writer, and ONNX Runtime's
// result compared with the product of the decoded weights: any packing mistake shows as a large difference.
describe('quantised weight layouts as ONNX Runtime reads them', () => {
  it('MatMulNBits: [N, blocks, 16] codes, low nibble first along K, zero point 8, one scale per block', async () => {
    const model = matmulModel(w);
    expect(quantizeToMatMulNBits(model)).toBe(1);
    const codes = initializer(model, '/codes');
    const scales = new Float32Array(initializer(model, '/scales').buffer);
    const blocks = Math.ceil(K / Q4_BLOCK);
    const deq = (k: number, n: number) => {
      const byte = codes[(n * blocks + Math.floor(k / Q4_BLOCK)) * (Q4_BLOCK / 2) + ((k % Q4_BLOCK) >> 1)]!;
      const code = k % 2 ? byte >> 4 : byte & 15;
      return (code - 8) * scales[n * blocks + Math.floor(k / Q4_BLOCK)]!;
    };
    const got = await run(model, a, 3);
    const want = product(deq);
    got.forEach((v, i) => expect(v).toBeCloseTo(want[i]!, 4));
    // And the codes are a close reading of the original weights (scale = block max / 7).
    for (let k = 0; k < K; k++) for (let n = 0; n < N; n++) expect(Math.abs(deq(k, n) - w[k * N + n]!)).toBeLessThanOrEqual(0.7 / 7 / 2 + 1e-6);
  });

  it('MatMulBnb4: the transposed weight in blocks of 64, NF4 codes, high nibble first', async () => {
    const nf4 = [-1, -0.6961928009986877, -0.5250730514526367, -0.39491748809814453, -0.28444138169288635, -0.18477343022823334, -0.09105003625154495, 0, 0.07958029955625534, 0.16093020141124725, 0.24611230194568634, 0.33791524171829224, 0.44070982933044434, 0.5626170039176941, 0.7229568362236023, 1];
    const model = matmulModel(w);
    expect(quantizeToMatMulBnb4(model)).toBe(1);
    const codes = initializer(model, '/codes');
    const absmax = new Float32Array(initializer(model, '/absmax').buffer);
    const deq = (k: number, n: number) => {
      const i = n * K + k;
      const code = i % 2 ? codes[i >> 1]! & 15 : codes[i >> 1]! >> 4;
      return nf4[code]! * absmax[Math.floor(i / BNB4_BLOCK)]!;
    };
    const got = await run(model, a, 3);
    const want = product(deq);
    got.forEach((v, i) => expect(v).toBeCloseTo(want[i]!, 4));
    for (let k = 0; k < K; k++) for (let n = 0; n < N; n++) expect(Math.abs(deq(k, n) - w[k * N + n]!)).toBeLessThanOrEqual(0.7 * 0.17);
  });
});
