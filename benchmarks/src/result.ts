import { existsSync, readFileSync } from 'node:fs';
import { availableParallelism, loadavg, totalmem } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  ceilingViolations,
  checkAgainstUnit,
  compareWithOracle,
  computedSliceTokens,
  describeBasis,
  floorSeconds,
  projectionBasis,
  projectSeconds,
  speedup,
  spread,
  suiteTarget,
  summarise,
  targetStatus,
  workloadTarget,
  type OracleCheck,
  type Projection,
  type ProjectionBasis,
  type Spread,
  type TargetStatus,
  type UnitCheck,
  type WorkloadSummary,
  type WorkloadTokens,
} from './analysis.ts';
import type { BenchmarkModel, ModelShape } from './models.ts';
import { SIDE_BY_SIDE_BATCH, type ModelPlan, type RunPlan } from './plan.ts';
import type { FastSwitches, PeerKind, PeerReport } from './protocol.ts';
import type { bestRoofline, Roofline } from './roofline.ts';
import type { SuiteTokens } from './suite-tokens.ts';
import { isUnit, type Workload } from './workloads.ts';

const benchmarksDir = resolve(dirname(fileURLToPath(import.meta.url)), '..');

export interface PeerResult {
  label: string;
  peer: PeerKind;
  fast?: FastSwitches;
  /** The engine's rows per forward. */
  batchSize?: number;
  rounds: number;
  loadSeconds: Spread;
  /** The run's first load of this peer (it may write graph caches the later loads read). */
  firstLoadSeconds: number;
  /** Loads after the first (a fresh process every round): the page cache and graph caches warm. */
  warmLoadSeconds?: Spread;
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
  /** Each projection method applied to a fully timed unit, beside the unit's measured time. */
  unitChecks: UnitCheck[];
  /** `sciboard eval`'s default batch in this run. */
  evalBatch: number;
  /** Shares of the roofline above 100% (each means a ceiling is wrong): the run fails when any is found. */
  ceilingViolations: string[];
}

export interface Target {
  model: string;
  target: string;
  value: number | null;
  goal: string;
  met: boolean | null;
  /** met / not met for measured values; a projection is only ever "projected within/over goal". */
  status: TargetStatus;
  /** How the value was obtained (rounds, the unit check, the spread). */
  note?: string;
}

export interface BenchmarkResult {
  date: string;
  mode: 'quick' | 'full';
  rounds: number;
  threads: number;
  /** The allocator setting every peer process ran with. */
  allocator: string;
  wallSeconds: number;
  machine: { cpu: string; cores: number; memoryGb: number; loadAverageAtEnd: number[]; loadAverageDuringRun: Spread & { atStart: number } };
  evalBatch: number;
  evalBatchReason?: string;
  unitRounds: number;
  ceilingViolations: string[];
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

type ModelInput = { model: BenchmarkModel; plan: ModelPlan; workloads: Workload[]; tokens: WorkloadTokens[]; reports: Map<string, PeerReport[]> };

function modelResult(input: ModelInput, roofline: Roofline, suites: SuiteTokens[], evalBatch: number): ModelResult {
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
    const seen = new Set<string>();
    for (const m of runs.flatMap((r) => r.measurements)) {
      if (seen.has(m.workload)) continue;
      seen.add(m.workload);
      const t = tokens.find((x) => x.workload === m.workload)!;
      // The oracle's cut slices hold fewer items than the workload: rates use the items it actually ran.
      const ran = m.items === t.items ? t : scaled(t, m.items);
      // Once-only workloads have one measurement; the others one per round they ran in.
      const measured = runs.flatMap((r) => r.measurements.filter((x) => x.workload === m.workload));
      // The ceilings are fp32's: int8 weights move a quarter of the bytes through other kernels.
      workloads.push(summarise(measured, ran, floorSeconds(ran, model.shape, roofline), { ceilingApplies: !peerPlan.int8, label: peerPlan.label }));
    }
    peers.push({
      label: peerPlan.label,
      peer: peerPlan.peer,
      fast: peerPlan.fast,
      ...(peerPlan.peer === 'sciboard' ? { batchSize: peerPlan.batchSize ?? Math.max(plan.sizes.generationBatch, ...plan.sizes.decodeBatches) } : {}),
      rounds: runs.length,
      loadSeconds: spread(runs.map((r) => r.loadSeconds)),
      firstLoadSeconds: runs[0]!.loadSeconds,
      // Only a fresh process per round loads again; a process kept alive reports its one load every round.
      ...(plan.freshProcessPerRound && runs.length > 1 ? { warmLoadSeconds: spread(runs.slice(1).map((r) => r.loadSeconds)) } : {}),
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
  const { projections, unitChecks } = plan.projections ? projectModel(input, peers, suites, choicesOf) : { projections: [], unitChecks: [] };
  const ceilings = ceilingViolations(peers.flatMap((p) => p.workloads.flatMap((w) => [
    { label: p.label, workload: w.workload, share: w.rooflineFraction },
    { label: p.label, workload: `${w.workload} (decode part)`, share: w.decodeRooflineFraction },
  ])));
  return {
    name: model.name,
    shape: model.shape,
    evalBatch,
    workloads: tokens.map((t) => ({ ...t, floorSeconds: floors.get(t.workload)!.total })),
    peers,
    oracle,
    projections,
    unitChecks,
    ceilingViolations: ceilings,
  };
}

/**
 * Projections of the full suites, each checked against a fully timed unit where the peer ran one:
 * - MMLU from the one-question slice (prompt tokens at its computed-token rate), checked by projecting the whole
 *   college-physics subject the same way; and MMLU from the whole subject's own rate.
 * - GSM8K from the slice timed in two calls at the peer's batch (prompt tokens at the one-token call's rate, 255
 *   decoded tokens per question at the slice's own decode rate), checked against the 32 × 256 unit at the same
 *   batch; and GSM8K from the unit's time per question.
 */
function projectModel(input: ModelInput, peers: PeerResult[], suites: SuiteTokens[], choicesOf: (name: string) => number): { projections: Projection[]; unitChecks: UnitCheck[] } {
  const projections: Projection[] = [];
  const unitChecks: UnitCheck[] = [];
  const tokensOf = (name: string) => input.tokens.find((t) => t.workload === name);
  const mmluSuite = suites.find((s) => s.suite.startsWith('mmlu'));
  const gsm8kSuite = suites.find((s) => s.suite.startsWith('gsm8k'));
  for (const peer of peers) {
    const w = (name: string) => peer.workloads.find((x) => x.workload === name);
    const mmluUnit = peer.workloads.find((x) => isUnit(x.workload) && tokensOf(x.workload)?.kind === 'choice');
    const gsm8kUnit = peer.workloads.find((x) => isUnit(x.workload) && tokensOf(x.workload)?.kind === 'generation' && (peer.batchSize === undefined || x.workload.endsWith(`_b${peer.batchSize}`)));
    const slice = w('mmlu_5shot');
    const sliceTokens = tokensOf('mmlu_5shot');
    if (slice && sliceTokens && slice.items === sliceTokens.items) {
      const basis = projectionBasis(sliceTokens, slice, computedSliceTokens(sliceTokens, choicesOf('mmlu_5shot'), peer.fast), peer.batchSize);
      if (mmluSuite) projections.push(projection(peer.label, mmluSuite.suite, projectSeconds(basis, suiteTarget(mmluSuite, peer.fast)), basis, 'slice', slice.seconds.n));
      if (mmluUnit) {
        const ut = tokensOf(mmluUnit.workload)!;
        unitChecks.push(checkAgainstUnit(peer.label, mmluUnit.workload, basis, workloadTarget(ut, choicesOf(mmluUnit.workload), peer.fast), mmluUnit.seconds.median));
      }
    }
    if (mmluUnit && mmluSuite) {
      const ut = tokensOf(mmluUnit.workload)!;
      const basis = projectionBasis(ut, mmluUnit, computedSliceTokens(ut, choicesOf(mmluUnit.workload), peer.fast), peer.batchSize);
      projections.push(projection(peer.label, mmluSuite.suite, projectSeconds(basis, suiteTarget(mmluSuite, peer.fast)), basis, 'unit', mmluUnit.seconds.n));
    }
    const gen = w('gsm8k_cot_8shot');
    const genTokens = tokensOf('gsm8k_cot_8shot');
    if (gen?.ttftSeconds && gen.decodeSeconds && genTokens && gen.items === genTokens.items) {
      const basis = projectionBasis(genTokens, gen, computedSliceTokens(genTokens, 1, peer.fast), peer.batchSize);
      if (gsm8kSuite) projections.push(projection(peer.label, gsm8kSuite.suite, projectSeconds(basis, suiteTarget(gsm8kSuite, peer.fast, GSM8K_GENERATED_TOKENS)), basis, 'slice', gen.seconds.n));
      if (gsm8kUnit) {
        const ut = tokensOf(gsm8kUnit.workload)!;
        unitChecks.push(checkAgainstUnit(peer.label, gsm8kUnit.workload, basis, workloadTarget(ut, 1, peer.fast), gsm8kUnit.seconds.median));
      }
    }
    if (gsm8kUnit && gsm8kSuite) {
      const ut = tokensOf(gsm8kUnit.workload)!;
      const hours = (gsm8kUnit.seconds.median / ut.items) * gsm8kSuite.items / 3600;
      projections.push({
        label: peer.label,
        suite: gsm8kSuite.suite,
        hours,
        from: 'unit',
        basis: `${gsm8kUnit.workload}: ${(gsm8kUnit.seconds.median / ut.items).toFixed(2)} s per question × ${gsm8kSuite.items} (median of ${gsm8kUnit.seconds.n})`,
      });
    }
  }
  return { projections, unitChecks };
}

function projection(label: string, suite: string, seconds: number, basis: ProjectionBasis, from: 'slice' | 'unit', rounds: number): Projection {
  return { label, suite, hours: seconds / 3600, from, basis: `${describeBasis(basis)} (median of ${rounds})` };
}

/** Token facts of a slice's first `items` items, in proportion (the oracle runs a prefix of each slice). */
function scaled(t: WorkloadTokens, items: number): WorkloadTokens {
  const f = items / t.items;
  return {
    ...t,
    items,
    promptTokens: t.promptTokens * f,
    contextTokens: t.contextTokens * f,
    idealTokens: t.idealTokens * f,
    scoredPositions: t.scoredPositions * f,
    decodeGroups: t.decodeGroups.map((g) => ({ ...g, rows: g.rows * f, cachedTokens: g.cachedTokens * f })),
  };
}

export function targets(models: ModelResult[]): Target[] {
  const out: Target[] = [];
  const small = models.find((m) => m.name === 'cli_small');
  if (small) out.push(...cliSmallTargets(small));
  const big = models.find((m) => m.name === 'qwen2_5_0_5b') ?? models.filter((m) => m !== small).at(-1);
  if (!big) return out;
  const peer = (label: string) => big.peers.find((p) => p.label === label);
  const w = (label: string, workload: string) => peer(label)?.workloads.find((x) => x.workload === workload);
  const unitOf = (label: string, kind: 'mmlu' | 'gsm8k', batch?: number) =>
    peer(label)?.workloads.find((x) => isUnit(x.workload) && x.workload.includes(kind === 'mmlu' ? 'mmlu' : 'gsm8k') && (batch === undefined || x.workload.endsWith(`_b${batch}`)));
  const add = (target: string, value: number | null, goal: string, ok: (v: number) => boolean, extra: { note?: string; projected?: boolean } = {}) =>
    out.push({ model: big.name, target, value, goal, met: value === null ? null : ok(value), status: targetStatus(value, ok, extra.projected), ...(extra.note ? { note: extra.note } : {}) });

  const mmluUnit = unitOf('sciboard', 'mmlu');
  const mmlu = speedup(mmluUnit, unitOf('transformers.js', 'mmlu'));
  add(`timed MMLU subject (${mmluUnit?.workload ?? 'unit'}, ${mmluUnit?.items ?? '?'} questions) vs transformers.js`, mmlu.value, '≥ 6×', (v) => v >= 6, { note: mmlu.note });
  const sideBatch = SIDE_BY_SIDE_BATCH;
  const gsmEngine = peer(`sciboard:b${sideBatch}`) ? unitOf(`sciboard:b${sideBatch}`, 'gsm8k', sideBatch) : unitOf('sciboard', 'gsm8k', sideBatch);
  const gsm = speedup(gsmEngine, unitOf('transformers.js', 'gsm8k', sideBatch));
  add(`GSM8K unit (${gsmEngine?.workload ?? 'unit'}) vs transformers.js, both at batch ${sideBatch}`, gsm.value, '≥ 3×', (v) => v >= 3, { note: gsm.note });
  const engine = peer('sciboard');
  const warm = engine?.warmLoadSeconds;
  add('model load, warm (sciboard, 0.5B fp32; median of the rounds after the first)', warm ? warm.median : null, '≤ 3 s', (v) => v <= 3, {
    note: warm ? `${fixed2(warm.min)}–${fixed2(warm.max)} s over ${warm.n} loads, each in a fresh process; the run's first load ${fixed2(engine!.firstLoadSeconds)} s` : 'one load only',
  });
  const hours = (suite: string, from: 'slice' | 'unit') => big.projections.find((p) => p.label === 'sciboard' && p.from === from && p.suite.startsWith(suite))?.hours ?? null;
  const check = (kind: 'mmlu' | 'gsm8k') => big.unitChecks.find((c) => c.label === 'sciboard' && c.unit.includes(kind));
  const mmluCheck = check('mmlu');
  add('full MMLU (hours), projected from the timed subject — not measured', hours('mmlu', 'unit'), '≤ 1 h', (v) => v <= 1, {
    projected: true,
    note: mmluCheck ? `the slice's projection of the subject was ${fixed2(mmluCheck.projectedSeconds)} s against ${fixed2(mmluCheck.measuredSeconds)} s measured (×${fixed2(mmluCheck.ratio)}); from the slice the full suite projects to ${fixed2(hours('mmlu', 'slice') ?? NaN)} h` : 'no unit check',
  });
  const gsmCheck = check('gsm8k');
  add('full GSM8K (hours), projected from the timed unit at the default batch — not measured', hours('gsm8k', 'unit'), '≤ 1.5 h', (v) => v <= 1.5, {
    projected: true,
    note: gsmCheck ? `the slice's projection of the unit was ${fixed2(gsmCheck.projectedSeconds)} s against ${fixed2(gsmCheck.measuredSeconds)} s measured (×${fixed2(gsmCheck.ratio)}); from the slice the full suite projects to ${fixed2(hours('gsm8k', 'slice') ?? NaN)} h` : 'no unit check',
  });
  const micro = peer('sciboard:b16') ? 'sciboard:b16' : 'sciboard';
  const prefill = peer(micro)?.workloads.find((x) => x.workload.startsWith('prefill_'));
  add('prefill share of the MatMul roofline', prefill?.rooflineFraction ?? null, '≥ 60%', (v) => v >= 0.6);
  const decode = w(micro, 'decode_32_b1');
  add('batch-1 decode share of the read-bandwidth roofline', decode?.rooflineFraction ?? null, '≥ 50%', (v) => v >= 0.5);
  const checks = models.flatMap((m) => m.oracle.filter((o) => o.label.startsWith('sciboard') && !o.approximate));
  add('engine results identical to the naive oracle (checks passed)', checks.length ? checks.filter((c) => c.pass).length / checks.length : null, '100%', (v) => v === 1);
  return out;
}

const fixed2 = (v: number) => (Number.isFinite(v) ? v.toFixed(2) : '–');

/**
 * The small model a new user tries first, scoring 5-shot MMLU requests: there the engine's overhead, not the
 * model's arithmetic, would set the speed, so the targets are against transformers.js, against the compute floor
 * and between batch sizes.
 */
function cliSmallTargets(m: ModelResult): Target[] {
  const w = (label: string) => m.peers.find((p) => p.label === label)?.workloads.find((x) => x.workload.startsWith('mmlu_'));
  const target = (name: string, value: number | null, goal: string, ok: (v: number) => boolean, note?: string): Target => ({
    model: m.name,
    target: name,
    value,
    goal,
    met: value === null ? null : ok(value),
    status: targetStatus(value, ok),
    ...(note ? { note } : {}),
  });
  const workload = w('sciboard')?.workload ?? 'mmlu';
  const ratio = (a: string, b: string) => {
    const s = speedup(w(a), w(b));
    return [s.value, s.note] as const;
  };
  const [vsTjs, vsTjsNote] = ratio('sciboard', 'transformers.js');
  const [b8, b8Note] = ratio('sciboard', 'sciboard:b1');
  const [b32, b32Note] = ratio('sciboard:b32', 'sciboard:b1');
  return [
    target(`score items/s vs transformers.js (${workload}, batch 8)`, vsTjs, '≥ 5×', (v) => v >= 5, vsTjsNote),
    target(`score share of the compute floor (${workload}, batch 8; within 3× is ≥ 33%)`, w('sciboard')?.rooflineFraction ?? null, '≥ 33%', (v) => v >= 1 / 3),
    target(`score items/s at batch 8 vs batch 1 (${workload})`, b8, '≥ 1×', (v) => v >= 1, b8Note),
    target(`score items/s at batch 32 vs batch 1 (${workload})`, b32, '≥ 1×', (v) => v >= 1, b32Note),
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
  /** The 1-minute load average sampled through the run. */
  loadSamples: number[];
}): BenchmarkResult {
  const models = input.models.map((m) => modelResult(m, input.roofline, input.suites, input.plan.evalBatch));
  const load = spread(input.loadSamples);
  return {
    date: new Date().toISOString(),
    mode: input.plan.mode,
    rounds: input.plan.rounds,
    threads: input.threads,
    allocator: input.allocator,
    wallSeconds: input.wallSeconds,
    machine: {
      cpu: cpuModel(),
      cores: availableParallelism(),
      memoryGb: Math.round(totalmem() / 2 ** 30),
      loadAverageAtEnd: loadavg().map((x) => Math.round(x * 100) / 100),
      loadAverageDuringRun: { ...load, atStart: input.loadSamples[0] ?? NaN },
    },
    evalBatch: input.plan.evalBatch,
    ...(input.plan.evalBatchReason ? { evalBatchReason: input.plan.evalBatchReason } : {}),
    unitRounds: input.plan.unitRounds,
    ceilingViolations: models.flatMap((m) => m.ceilingViolations.map((v) => `${m.name}: ${v}`)),
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
