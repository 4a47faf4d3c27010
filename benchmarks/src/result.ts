import { existsSync, readFileSync } from 'node:fs';
import { availableParallelism, loadavg, totalmem } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  compareWithOracle,
  floorSeconds,
  projectSuite,
  spread,
  summarise,
  type OracleCheck,
  type Projection,
  type Spread,
  type WorkloadSummary,
  type WorkloadTokens,
} from './analysis.ts';
import type { BenchmarkModel, ModelShape } from './models.ts';
import type { ModelPlan, RunPlan } from './plan.ts';
import type { FastSwitches, PeerKind, PeerReport } from './protocol.ts';
import type { bestRoofline, Roofline } from './roofline.ts';
import type { SuiteTokens } from './suite-tokens.ts';
import type { Workload } from './workloads.ts';

const benchmarksDir = resolve(dirname(fileURLToPath(import.meta.url)), '..');

export interface PeerResult {
  label: string;
  peer: PeerKind;
  fast?: FastSwitches;
  rounds: number;
  loadSeconds: Spread;
  maxRssMb: Spread;
  details: Record<string, string | number | boolean>;
  workloads: WorkloadSummary[];
}

export interface ModelResult {
  name: string;
  shape: ModelShape;
  workloads: (WorkloadTokens & { floorSeconds: number })[];
  peers: PeerResult[];
  oracle: OracleCheck[];
  projections: Projection[];
}

export interface Target {
  model: string;
  target: string;
  value: number | null;
  goal: string;
  met: boolean | null;
}

export interface BenchmarkResult {
  date: string;
  mode: 'quick' | 'full';
  rounds: number;
  threads: number;
  /** The allocator setting every peer process ran with. */
  allocator: string;
  wallSeconds: number;
  machine: { cpu: string; cores: number; memoryGb: number; loadAverageAtEnd: number[] };
  versions: { node: string; onnxruntime: string; transformersJs: string; transformersJsOnnxruntime: string };
  roofline: ReturnType<typeof bestRoofline>;
  /** Assumed generated tokens per GSM8K item in projections (lm-eval's max_gen_toks; random weights never stop early). */
  generatedTokensPerGsm8kItem: number;
  models: ModelResult[];
  targets: Target[];
}

function packageVersion(path: string): string {
  return existsSync(path) ? (JSON.parse(readFileSync(path, 'utf8')) as { version: string }).version : 'not installed';
}

function cpuModel(): string {
  try {
    return /model name\s*:\s*(.+)/.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1]?.trim() ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

const GSM8K_GENERATED_TOKENS = 256;

function modelResult(
  input: { model: BenchmarkModel; plan: ModelPlan; workloads: Workload[]; tokens: WorkloadTokens[]; reports: Map<string, PeerReport[]> },
  roofline: Roofline,
  suites: SuiteTokens[],
): ModelResult {
  const { model, plan, tokens, reports } = input;
  const floors = new Map(tokens.map((t) => [t.workload, floorSeconds(t, model.shape, roofline)]));
  const choicesOf = (name: string) => {
    const w = input.workloads.find((x) => x.name === name);
    return w?.kind === 'choice' ? (w.items[0]?.continuations.length ?? 4) : 1;
  };
  const peers: PeerResult[] = [];
  for (const peerPlan of plan.peers) {
    const runs = reports.get(peerPlan.label) ?? [];
    if (runs.length === 0) continue;
    const workloads: WorkloadSummary[] = [];
    for (const m of runs[0]!.measurements) {
      const t = tokens.find((x) => x.workload === m.workload)!;
      // The oracle's cut slices hold fewer items than the workload: rates use the items it actually ran.
      const ran = m.items === t.items ? t : scaled(t, m.items);
      // First-round-only workloads have one measurement; the others one per round.
      const measured = runs.flatMap((r) => r.measurements.filter((x) => x.workload === m.workload));
      workloads.push(summarise(measured, ran, floorSeconds(ran, model.shape, roofline)));
    }
    peers.push({
      label: peerPlan.label,
      peer: peerPlan.peer,
      fast: peerPlan.fast,
      rounds: runs.length,
      loadSeconds: spread(runs.map((r) => r.loadSeconds)),
      maxRssMb: spread(runs.map((r) => r.maxRssMb)),
      details: runs[0]!.details,
      workloads,
    });
  }
  const oracleRun = reports.get('naive')?.[0];
  const oracle: OracleCheck[] = [];
  if (oracleRun) {
    for (const [label, runs] of reports) {
      if (label === 'naive') continue;
      for (const o of oracleRun.measurements) {
        const p = runs[0]!.measurements.find((x) => x.workload === o.workload);
        const int8 = plan.peers.find((x) => x.label === label)?.int8 ?? false;
        if (p && (o.choices || o.texts)) oracle.push(compareWithOracle(label, o, p, int8));
      }
    }
  }
  const projections: Projection[] = [];
  for (const peer of peers) {
    const peerReport = reports.get(peer.label)![0]!;
    // GSM8K decodes after ~770-token prompts: the rate measured at that cache length when the peer has one, else
    // its best decode rate (short prompts: an optimistic bound).
    const decodes = peer.workloads.filter((w) => w.decodeTokensPerSecond);
    const decodeSource =
      decodes.find((w) => w.workload.endsWith('_gsm8k')) ?? [...decodes].sort((x, y) => y.decodeTokensPerSecond!.median - x.decodeTokensPerSecond!.median)[0];
    const decodeRate = decodeSource?.decodeTokensPerSecond!.median ?? 0;
    for (const suite of suites) {
      const isGsm8k = suite.suite.startsWith('gsm8k');
      const sliceName = isGsm8k ? 'gsm8k_cot_8shot' : 'mmlu_5shot';
      const summary = peer.workloads.find((w) => w.workload === sliceName);
      if (!summary || (isGsm8k && decodeRate === 0)) continue;
      const t = tokens.find((x) => x.workload === sliceName)!;
      const sliceTokens = summary.items === t.items ? t : scaled(t, summary.items);
      // A generation slice's time includes its own short decode: only the rest is charged to its prompt tokens.
      const generated = (summary.generatedTokensPerSecond ?? 0) * summary.seconds.median;
      const promptSeconds = isGsm8k ? Math.max(1e-3, summary.seconds.median - generated / decodeRate) : summary.seconds.median;
      const promptSummary = { ...summary, seconds: { ...summary.seconds, median: promptSeconds } };
      const projection = projectSuite(peerReport, peer.fast, suite, { tokens: sliceTokens, summary: promptSummary, choices: choicesOf(sliceName) }, isGsm8k ? decodeRate : undefined, GSM8K_GENERATED_TOKENS);
      if (isGsm8k) projection.basis += ` (${decodeSource!.workload})`;
      projections.push(projection);
    }
  }
  return { name: model.name, shape: model.shape, workloads: tokens.map((t) => ({ ...t, floorSeconds: floors.get(t.workload)!.total })), peers, oracle, projections };
}

/** Token facts of a slice's first `items` items, in proportion (the oracle runs a prefix of each slice). */
function scaled(t: WorkloadTokens, items: number): WorkloadTokens {
  const f = items / t.items;
  return { ...t, items, promptTokens: t.promptTokens * f, contextTokens: t.contextTokens * f, idealTokens: t.idealTokens * f, scoredPositions: t.scoredPositions * f };
}

function targets(models: ModelResult[]): Target[] {
  const out: Target[] = [];
  const small = models.find((m) => m.name === 'cli_small');
  if (small) out.push(...cliSmallTargets(small));
  const big = models.find((m) => m.name === 'qwen2_5_0_5b') ?? models.filter((m) => m !== small).at(-1);
  if (!big) return out;
  const w = (label: string, workload: string) => big.peers.find((p) => p.label === label)?.workloads.find((x) => x.workload === workload);
  const ratio = (a?: number, b?: number) => (a && b ? a / b : null);
  const add = (target: string, value: number | null, goal: string, ok: (v: number) => boolean) => out.push({ model: big.name, target, value, goal, met: value === null ? null : ok(value) });
  add('multiple choice items/s vs transformers.js (mmlu_5shot)', ratio(w('sciboard', 'mmlu_5shot')?.itemsPerSecond, w('transformers.js', 'mmlu_5shot')?.itemsPerSecond), '≥ 5×', (v) => v >= 5);
  add('GSM8K-style generation end to end vs transformers.js', ratio(w('transformers.js', 'gsm8k_cot_8shot')?.seconds.median, w('sciboard', 'gsm8k_cot_8shot')?.seconds.median), '≥ 3×', (v) => v >= 3);
  const prefill = big.peers.find((p) => p.label === 'sciboard')?.workloads.find((x) => x.workload.startsWith('prefill_'));
  add('prefill share of the MatMul roofline', prefill?.rooflineFraction ?? null, '≥ 60%', (v) => v >= 0.6);
  const decode = big.peers.find((p) => p.label === 'sciboard')?.workloads.find((x) => /^decode_\d+_b1$/.test(x.workload));
  add('batch-1 decode share of the bandwidth roofline', decode?.rooflineFraction ?? null, '≥ 50%', (v) => v >= 0.5);
  const hours = (suite: string) => big.projections.find((p) => p.label === 'sciboard' && p.suite.startsWith(suite))?.hours ?? null;
  add('projected full MMLU (hours)', hours('mmlu'), '≤ 4 h', (v) => v <= 4);
  add('projected full GSM8K (hours)', hours('gsm8k'), '≤ 1.5 h', (v) => v <= 1.5);
  const checks = models.flatMap((m) => m.oracle.filter((o) => o.label.startsWith('sciboard') && !o.approximate));
  add('engine results identical to the naive oracle (checks passed)', checks.length ? checks.filter((c) => c.pass).length / checks.length : null, '100%', (v) => v === 1);
  return out;
}

/**
 * The small model a new user tries first, scoring 5-shot MMLU requests: there the engine's overhead, not the
 * model's arithmetic, would set the speed, so the targets are against transformers.js, against the compute floor
 * and between batch sizes.
 */
function cliSmallTargets(m: ModelResult): Target[] {
  const w = (label: string) => m.peers.find((p) => p.label === label)?.workloads.find((x) => x.workload.startsWith('mmlu_'));
  const ratio = (a?: number, b?: number) => (a && b ? a / b : null);
  const target = (name: string, value: number | null, goal: string, ok: (v: number) => boolean): Target => ({ model: m.name, target: name, value, goal, met: value === null ? null : ok(value) });
  const workload = w('sciboard')?.workload ?? 'mmlu';
  return [
    target(`score items/s vs transformers.js (${workload}, batch 8)`, ratio(w('sciboard')?.itemsPerSecond, w('transformers.js')?.itemsPerSecond), '≥ 5×', (v) => v >= 5),
    target(`score share of the compute floor (${workload}, batch 8; within 3× is ≥ 33%)`, w('sciboard')?.rooflineFraction ?? null, '≥ 33%', (v) => v >= 1 / 3),
    target(`score items/s at batch 8 vs batch 1 (${workload})`, ratio(w('sciboard')?.itemsPerSecond, w('sciboard:b1')?.itemsPerSecond), '≥ 1×', (v) => v >= 1),
    target(`score items/s at batch 32 vs batch 1 (${workload})`, ratio(w('sciboard:b32')?.itemsPerSecond, w('sciboard:b1')?.itemsPerSecond), '≥ 1×', (v) => v >= 1),
  ];
}

export function assembleResult(input: {
  plan: RunPlan;
  threads: number;
  allocator: string;
  roofline: ReturnType<typeof bestRoofline>;
  suites: SuiteTokens[];
  models: { model: BenchmarkModel; plan: ModelPlan; workloads: Workload[]; tokens: WorkloadTokens[]; reports: Map<string, PeerReport[]> }[];
  wallSeconds: number;
}): BenchmarkResult {
  const models = input.models.map((m) => modelResult(m, input.roofline, input.suites));
  return {
    date: new Date().toISOString(),
    mode: input.plan.mode,
    rounds: input.plan.rounds,
    threads: input.threads,
    allocator: input.allocator,
    wallSeconds: input.wallSeconds,
    machine: { cpu: cpuModel(), cores: availableParallelism(), memoryGb: Math.round(totalmem() / 2 ** 30), loadAverageAtEnd: loadavg().map((x) => Math.round(x * 100) / 100) },
    versions: {
      node: process.version,
      onnxruntime: packageVersion(join(benchmarksDir, '..', 'node_modules', 'onnxruntime-node', 'package.json')),
      transformersJs: packageVersion(join(benchmarksDir, 'node_modules', '@huggingface', 'transformers', 'package.json')),
      transformersJsOnnxruntime: packageVersion(join(benchmarksDir, 'node_modules', 'onnxruntime-node', 'package.json')),
    },
    roofline: input.roofline,
    generatedTokensPerGsm8kItem: GSM8K_GENERATED_TOKENS,
    models,
    targets: targets(models),
  };
}
