/**
 * The machine's ceilings, probed in the benchmark's own run with the same ONNX Runtime, the same intra-op thread
 * count and the same allocator setting as the peers:
 *
 * - compute: a large fp32 MatMul (FLOP/s);
 * - read bandwidth, the way a decode step uses memory: ONNX Runtime reducing a buffer far larger than the caches,
 *   counting the bytes read only. Two reductions: a vector times a weight matrix held as an initializer (the LM
 *   head's shape, 896 × 151,936 fp32 = 544 MB: exactly what a batch-1 decode step does with each of its weights,
 *   prepacked by ORT as the model's weights are) and a ReduceSum over the rows of a 512 MB input. Both graphs are
 *   written with the tiny-model writer (`writeOnnxModel`), weights streamed to an external-data file.
 *
 * Every timed run is kept, so the report can give the spread; the ceiling is the fastest run of any probe (other
 * work on shared cores only slows a run down). Runs in its own process:
 * `node --import tsx roofline.ts <threads> <out.json> [quick|full] [probe cache dir]`.
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeOnnxModel } from '@sciboard/onnx';
import onnxProto from 'onnx-proto';
import ort from 'onnxruntime-node';

const { onnx } = onnxProto;
const FLOAT = onnx.TensorProto.DataType.FLOAT;
const INT64 = onnx.TensorProto.DataType.INT64;

/** One read probe: what it reduces and the read rate of each timed run. */
export interface ReadProbe {
  op: 'MatMul' | 'ReduceSum';
  /** The buffer read per run: [k, n] weight of x[1, k]·W[k, n], or [rows, cols] input reduced over cols. */
  shape: [number, number];
  /** Bytes read per run (the buffer only; the vector and the output are under 1 MB). */
  bytes: number;
  /** Bytes read per second, one entry per timed run. */
  bytesPerSecond: number[];
}

export interface Roofline {
  threads: number;
  /** From the fastest run: a ceiling is what the machine can do, and other work on the shared cores only slows runs down. */
  matmul: { m: number; k: number; n: number; flopsPerSecond: number; medianFlopsPerSecond: number; bestSeconds: number };
  /**
   * Read bandwidth through ONNX Runtime: `bytesPerSecond` is the fastest run of any read probe (the ceiling the
   * decode floors use), `probes` every run of each.
   */
  bandwidth: { bytesPerSecond: number; bufferBytes: number; kind: 'read'; probes: ReadProbe[] };
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

const valueInfo = (name: string, elemType: number, dims: (number | string)[]) =>
  onnx.ValueInfoProto.create({
    name,
    type: { tensorType: { elemType, shape: { dim: dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) } } },
  });

/** A one-node graph file (opset 13) with optional float weights drawn by the writer into external data. */
async function writeProbeGraph(
  path: string,
  node: { opType: string; inputs: string[] },
  inputs: { name: string; dims: number[] }[],
  output: number[],
  weights: { name: string; dims: number[] }[] = [],
  constants: onnxProto.onnx.ITensorProto[] = [],
): Promise<void> {
  if (existsSync(path)) return;
  const graph: onnxProto.onnx.IGraphProto = {
    name: `probe_${node.opType}`,
    node: [{ opType: node.opType, input: node.inputs, output: ['y'], name: node.opType }],
    input: inputs.map((i) => valueInfo(i.name, FLOAT, i.dims)),
    output: [valueInfo('y', FLOAT, output)],
    initializer: constants,
  };
  const location = `${path.split('/').pop()}_data`;
  await writeOnnxModel(
    path,
    graph,
    weights.map((w) => ({ ...w, mean: 0, std: 0.02 })),
    7,
    13,
    weights.length ? { path: `${path}_data`, location } : undefined,
  );
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

export async function probeRoofline(threads: number, options: { quick?: boolean; dir?: string } = {}): Promise<Roofline> {
  ort.env.logLevel = 'fatal';
  const dir = options.dir ?? join(tmpdir(), 'sciboard-roofline-probes');
  mkdirSync(dir, { recursive: true });
  const sessionOptions = { executionProviders: ['cpu'], intraOpNumThreads: threads, interOpNumThreads: 1, graphOptimizationLevel: 'all' as const };
  const repeats = options.quick ? 5 : 12;

  // A prefill-sized product: 1024 positions through the 0.5B model's MLP up-projection.
  const m = options.quick ? 256 : 1024;
  const k = 896;
  const n = 4864;
  const matmulPath = join(dir, `matmul-${m}x${k}x${n}.onnx`);
  await writeProbeGraph(matmulPath, { opType: 'MatMul', inputs: ['a', 'b'] }, [{ name: 'a', dims: [m, k] }, { name: 'b', dims: [k, n] }], [m, n]);
  const matmul = await ort.InferenceSession.create(matmulPath, sessionOptions);
  const a = new ort.Tensor('float32', Float32Array.from({ length: m * k }, (_, i) => ((i * 7919) % 1000) / 1000 - 0.5), [m, k]);
  const b = new ort.Tensor('float32', Float32Array.from({ length: k * n }, (_, i) => ((i * 104729) % 1000) / 1000 - 0.5), [k, n]);
  const matmulTimes = await timeRuns(() => matmul.run({ a, b }), options.quick ? 5 : 8);
  const matmulBest = Math.min(...matmulTimes);
  const flops = 2 * m * k * n;
  await matmul.release();

  const probes: ReadProbe[] = [];
  // x[1, 896] · W[896, 151936]: the LM head at batch 1, a weight read once per run as a decode step reads it.
  const vocab = options.quick ? 37984 : 151936;
  const gemvPath = join(dir, `gemv-${k}x${vocab}.onnx`);
  await writeProbeGraph(gemvPath, { opType: 'MatMul', inputs: ['x', 'w'] }, [{ name: 'x', dims: [1, k] }], [1, vocab], [{ name: 'w', dims: [k, vocab] }]);
  const gemv = await ort.InferenceSession.create(gemvPath, sessionOptions);
  const x = new ort.Tensor('float32', Float32Array.from({ length: k }, (_, i) => ((i * 31) % 17) / 17 - 0.5), [1, k]);
  const gemvTimes = await timeRuns(() => gemv.run({ x }), repeats);
  const gemvBytes = 4 * k * vocab;
  probes.push({ op: 'MatMul', shape: [k, vocab], bytes: gemvBytes, bytesPerSecond: gemvTimes.map((t) => gemvBytes / t) });
  await gemv.release();

  // ReduceSum over the columns of a [rows, cols] input: ORT splits the rows over its threads.
  const rows = 4096;
  const cols = (options.quick ? 8 : 32) * 1024;
  const reducePath = join(dir, `reducesum-${rows}x${cols}.onnx`);
  const axes = { name: 'axes', dims: [1], dataType: INT64, int64Data: [1] };
  await writeProbeGraph(reducePath, { opType: 'ReduceSum', inputs: ['x', 'axes'] }, [{ name: 'x', dims: [rows, cols] }], [rows, 1], [], [axes]);
  const reduce = await ort.InferenceSession.create(reducePath, sessionOptions);
  const bufferBytes = rows * cols * 4;
  // Filled before timing: the first write to fresh memory is measured apart (firstTouch).
  const touchStart = process.hrtime.bigint();
  const buffer = new Float32Array(rows * cols).fill(1);
  const touchSeconds = Number(process.hrtime.bigint() - touchStart) / 1e9;
  const input = new ort.Tensor('float32', buffer, [rows, cols]);
  const reduceTimes = await timeRuns(() => reduce.run({ x: input }), repeats);
  probes.push({ op: 'ReduceSum', shape: [rows, cols], bytes: bufferBytes, bytesPerSecond: reduceTimes.map((t) => bufferBytes / t) });
  await reduce.release();

  return {
    threads,
    matmul: { m, k, n, flopsPerSecond: flops / matmulBest, medianFlopsPerSecond: flops / median(matmulTimes), bestSeconds: matmulBest },
    bandwidth: { bytesPerSecond: Math.max(...probes.flatMap((p) => p.bytesPerSecond)), bufferBytes: Math.min(...probes.map((p) => p.bytes)), kind: 'read', probes },
    firstTouch: { bytesPerSecond: bufferBytes / touchSeconds, bufferBytes },
  };
}

if (process.argv[1]?.endsWith('roofline.ts')) {
  const [threads, out, mode, dir] = process.argv.slice(2);
  if (!threads || !out) throw new Error('usage: roofline.ts <threads> <out.json> [quick|full] [probe cache dir]');
  probeRoofline(Number(threads), { quick: mode === 'quick', ...(dir ? { dir } : {}) })
    .then((r) => writeFileSync(out, JSON.stringify(r)))
    .catch((err: unknown) => {
      console.error(err);
      process.exit(1);
    });
}

export interface RooflineSummary extends Roofline {
  /** Per probe round: its best MatMul and read rates. */
  probes: { flopsPerSecond: number; bytesPerSecond: number; firstTouchBytesPerSecond?: number }[];
  /** Every timed read run of every round, per probe kind: the spread the ceiling was taken from. */
  readRuns: { op: ReadProbe['op']; shape: [number, number]; bytesPerSecond: number[] }[];
}

/** The best of several probes (one per round): on shared cores a probe can only underestimate the machine. */
export function bestRoofline(probes: Roofline[]): RooflineSummary {
  const bestFlops = probes.reduce((a, b) => (b.matmul.flopsPerSecond > a.matmul.flopsPerSecond ? b : a));
  const bestBandwidth = probes.reduce((a, b) => (b.bandwidth.bytesPerSecond > a.bandwidth.bytesPerSecond ? b : a));
  // A condition, not a ceiling: the median probe says what the peers met.
  const touches = probes.flatMap((p) => (p.firstTouch ? [p.firstTouch] : [])).sort((a, b) => a.bytesPerSecond - b.bytesPerSecond);
  const readRuns: RooflineSummary['readRuns'] = [];
  for (const p of probes.flatMap((r) => r.bandwidth.probes ?? [])) {
    const same = readRuns.find((r) => r.op === p.op && r.shape[0] === p.shape[0] && r.shape[1] === p.shape[1]);
    if (same) same.bytesPerSecond.push(...p.bytesPerSecond);
    else readRuns.push({ op: p.op, shape: p.shape, bytesPerSecond: [...p.bytesPerSecond] });
  }
  return {
    threads: bestFlops.threads,
    matmul: bestFlops.matmul,
    bandwidth: bestBandwidth.bandwidth,
    ...(touches.length ? { firstTouch: touches[Math.floor(touches.length / 2)]! } : {}),
    probes: probes.map((p) => ({ flopsPerSecond: p.matmul.flopsPerSecond, bytesPerSecond: p.bandwidth.bytesPerSecond, firstTouchBytesPerSecond: p.firstTouch?.bytesPerSecond })),
    readRuns,
  };
}
