/**
 * The machine's ceilings, probed in the benchmark's own run with the same ONNX Runtime and thread count as the
 * peers: a large fp32 MatMul for FLOP/s and a large copy for memory bandwidth. (An ORT element-wise pass was
 * tried for bandwidth too; it allocates its output every run and measured far below the copy.) Runs in its own
 * process (`node --import tsx roofline.ts <threads> <out.json>`).
 */
import { writeFileSync } from 'node:fs';
import onnxProto from 'onnx-proto';
import ort from 'onnxruntime-node';

const { onnx } = onnxProto;
const FLOAT = onnx.TensorProto.DataType.FLOAT;

export interface Roofline {
  threads: number;
  /** From the fastest run: a ceiling is what the machine can do, and other work on the shared cores only slows runs down. */
  matmul: { m: number; k: number; n: number; flopsPerSecond: number; medianFlopsPerSecond: number; bestSeconds: number };
  /** Bytes read plus written per second by a large typed-array copy (fastest run). */
  bandwidth: { bytesPerSecond: number; bufferBytes: number };
  /**
   * Bytes per second written into freshly allocated memory (first touch: the kernel, or a VM's host, has to supply
   * every page). Not a ceiling but a condition of the machine: peers that allocate large outputs on every forward
   * (full-vocabulary logits, a new KV cache per step) slow down with it, engines that reuse buffers much less.
   */
  firstTouch?: { bytesPerSecond: number; bufferBytes: number };
}

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/** A one-node graph (ONNX 1.10 schema via onnx-proto: IR version 8, opset 13). */
function oneNodeModel(opType: string, inputs: { name: string; dims: (number | string)[] }[], initializers: onnxProto.onnx.ITensorProto[] = []): Uint8Array {
  const info = (name: string, dims: (number | string)[]) =>
    onnx.ValueInfoProto.create({
      name,
      type: { tensorType: { elemType: FLOAT, shape: { dim: dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) } } },
    });
  const model = onnx.ModelProto.create({
    irVersion: 8,
    opsetImport: [{ domain: '', version: 13 }],
    producerName: 'sciboard-benchmark',
    graph: {
      name: `probe_${opType}`,
      node: [{ opType, input: [...inputs.map((i) => i.name), ...initializers.map((t) => t.name!)], output: ['y'], name: opType }],
      input: inputs.map((i) => info(i.name, i.dims)),
      initializer: initializers,
      output: [info('y', inputs[0]!.dims)],
    },
  });
  return onnx.ModelProto.encode(model).finish();
}

async function timeRuns(run: () => Promise<unknown>, repeats: number): Promise<number[]> {
  await run();
  const times: number[] = [];
  for (let i = 0; i < repeats; i++) {
    const start = process.hrtime.bigint();
    await run();
    times.push(Number(process.hrtime.bigint() - start) / 1e9);
  }
  return times;
}

export async function probeRoofline(threads: number, options: { quick?: boolean } = {}): Promise<Roofline> {
  ort.env.logLevel = 'fatal';
  const sessionOptions = { executionProviders: ['cpu'], intraOpNumThreads: threads, interOpNumThreads: 1, graphOptimizationLevel: 'all' as const };
  // A prefill-sized product: 1024 positions through the 0.5B model's MLP up-projection.
  const m = options.quick ? 256 : 1024;
  const k = 896;
  const n = 4864;
  const matmul = await ort.InferenceSession.create(
    oneNodeModel('MatMul', [
      { name: 'a', dims: [m, k] },
      { name: 'b', dims: [k, n] },
    ]),
    sessionOptions,
  );
  const a = new ort.Tensor('float32', Float32Array.from({ length: m * k }, (_, i) => ((i * 7919) % 1000) / 1000 - 0.5), [m, k]);
  const b = new ort.Tensor('float32', Float32Array.from({ length: k * n }, (_, i) => ((i * 104729) % 1000) / 1000 - 0.5), [k, n]);
  const matmulTimes = await timeRuns(() => matmul.run({ a, b }), options.quick ? 5 : 8);
  const matmulBest = Math.min(...matmulTimes);
  const flops = 2 * m * k * n;
  await matmul.release();

  // Far larger than any cache, like the 2 GB of weights a decode step streams.
  const elements = (options.quick ? 32 : 128) * 1024 * 1024;
  const bufferBytes = elements * 4;
  const touchStart = process.hrtime.bigint();
  const source = new Float32Array(elements).fill(1);
  const touchSeconds = Number(process.hrtime.bigint() - touchStart) / 1e9;
  const target = new Float32Array(elements);
  const copyTimes = await timeRuns(async () => target.set(source), 3);
  return {
    threads,
    matmul: { m, k, n, flopsPerSecond: flops / matmulBest, medianFlopsPerSecond: flops / median(matmulTimes), bestSeconds: matmulBest },
    bandwidth: { bytesPerSecond: (2 * bufferBytes) / Math.min(...copyTimes), bufferBytes },
    firstTouch: { bytesPerSecond: bufferBytes / touchSeconds, bufferBytes },
  };
}

if (process.argv[1]?.endsWith('roofline.ts')) {
  const [threads, out, quick] = process.argv.slice(2);
  if (!threads || !out) throw new Error('usage: roofline.ts <threads> <out.json> [quick]');
  probeRoofline(Number(threads), { quick: quick === 'quick' })
    .then((r) => writeFileSync(out, JSON.stringify(r)))
    .catch((err: unknown) => {
      console.error(err);
      process.exit(1);
    });
}

/** The best of several probes (one per round): on shared cores a probe can only underestimate the machine. */
export function bestRoofline(
  probes: Roofline[],
): Roofline & { probes: { flopsPerSecond: number; bytesPerSecond: number; firstTouchBytesPerSecond?: number }[] } {
  const bestFlops = probes.reduce((a, b) => (b.matmul.flopsPerSecond > a.matmul.flopsPerSecond ? b : a));
  const bestBandwidth = probes.reduce((a, b) => (b.bandwidth.bytesPerSecond > a.bandwidth.bytesPerSecond ? b : a));
  // A condition, not a ceiling: the median probe says what the peers met.
  const touches = probes.flatMap((p) => (p.firstTouch ? [p.firstTouch] : [])).sort((a, b) => a.bytesPerSecond - b.bytesPerSecond);
  return {
    threads: bestFlops.threads,
    matmul: bestFlops.matmul,
    bandwidth: bestBandwidth.bandwidth,
    ...(touches.length ? { firstTouch: touches[Math.floor(touches.length / 2)]! } : {}),
    probes: probes.map((p) => ({ flopsPerSecond: p.matmul.flopsPerSecond, bytesPerSecond: p.bandwidth.bytesPerSecond, firstTouchBytesPerSecond: p.firstTouch?.bytesPerSecond })),
  };
}
