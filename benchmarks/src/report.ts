import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { INT8_RELATIVE_TOLERANCE, INT8_TEXT_AGREEMENT, speedup, spread } from './analysis.ts';
import { isUnit } from './workloads.ts';
import type { BenchmarkResult, ModelResult } from './result.ts';

const fixed = (v: number | undefined, digits = 1) => (v === undefined || !Number.isFinite(v) ? '–' : v.toFixed(digits));
const pct = (v: number | undefined) => (v === undefined || !Number.isFinite(v) ? '–' : `${(v * 100).toFixed(0)}%`);

const range = (v: { median: number; min: number; max: number }, digits = 2) => `${fixed(v.median, digits)} (${fixed(v.min, digits)}–${fixed(v.max, digits)})`;

function peerTable(model: ModelResult): string[] {
  const lines = [
    '| peer | batch | workload | items | rounds | median s (min–max) | items/s | prompt tok/s | gen tok/s | decode tok/s (min–max) | TTFT s | roofline | decode part | peak RSS MB |',
    '|---|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
  ];
  for (const peer of model.peers) {
    for (const w of peer.workloads.filter((x) => !isUnit(x.workload))) {
      const decode = w.decodeTokensPerSecond ? `${fixed(w.decodeTokensPerSecond.median)} (${fixed(w.decodeTokensPerSecond.min)}–${fixed(w.decodeTokensPerSecond.max)})` : '–';
      lines.push(
        `| ${peer.label} | ${peer.batchSize ?? '–'} | ${w.workload} | ${w.items} | ${w.seconds.n} | ${range(w.seconds)} | ${fixed(w.itemsPerSecond, 2)} | ${fixed(w.promptTokensPerSecond, 0)} | ${fixed(w.generatedTokensPerSecond)} | ${decode} | ${fixed(w.ttftSeconds?.median, 2)} | ${pct(w.rooflineFraction)} | ${pct(w.decodeRooflineFraction)} | ${fixed(peer.maxRssMb.max, 0)} |`,
      );
    }
  }
  return lines;
}

/** The fully timed units side by side: every peer that ran one, its batch, rounds and spread. */
function unitTable(model: ModelResult): string[] {
  const rows = model.peers.flatMap((peer) => peer.workloads.filter((w) => isUnit(w.workload)).map((w) => ({ peer, w })));
  if (rows.length === 0) return [];
  const tjs = (workload: string) => model.peers.find((p) => p.peer === 'transformers')?.workloads.find((x) => x.workload === workload);
  const lines = [
    'Fully timed units (each a single call over the whole unit; transformers.js and the engine in the same rounds):',
    '',
    '| peer | batch | unit | items | rounds | median s (min–max) | items/s | gen tok/s | vs transformers.js | roofline | peak RSS MB |',
    '|---|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|',
  ];
  for (const { peer, w } of rows) {
    const other = tjs(w.workload);
    const s = peer.peer === 'transformers' ? undefined : speedup(w, other);
    const vs = peer.peer === 'transformers' ? '1×' : s?.value != null ? `${fixed(s.value, 2)}×` : `– (${s?.note ?? 'not run'})`;
    const batch = peer.peer === 'sciboard' ? peer.batchSize : (/_b(\d+)$/.exec(w.workload)?.[1] ?? '–');
    lines.push(
      `| ${peer.label} | ${batch ?? '–'} | ${w.workload} | ${w.items} | ${w.seconds.n} | ${range(w.seconds)} | ${fixed(w.itemsPerSecond, 2)} | ${fixed(w.generatedTokensPerSecond)} | ${vs} | ${pct(w.rooflineFraction)} | ${fixed(peer.maxRssMb.max, 0)} |`,
    );
  }
  lines.push('');
  return lines;
}

function unitCheckTable(model: ModelResult): string[] {
  if (model.unitChecks.length === 0) return [];
  const lines = [
    'Projections checked against the fully timed units (the slice-based method applied to the unit; measured / projected above 1 means the projection was optimistic):',
    '',
    '| peer | unit | projected s | measured s | measured / projected | basis |',
    '|---|---|---:|---:|---:|---|',
  ];
  for (const c of model.unitChecks) lines.push(`| ${c.label} | ${c.unit} | ${fixed(c.projectedSeconds)} | ${fixed(c.measuredSeconds)} | ${fixed(c.ratio, 2)} | ${c.basis} |`);
  lines.push('');
  return lines;
}

function int8Table(model: ModelResult): string[] {
  const checks = model.oracle.filter((o) => o.approximate);
  if (checks.length === 0) return [];
  const lines = [
    '',
    `int8 weights against float32 (the naive oracle, first round, same items). Pass: log-likelihoods within ${INT8_RELATIVE_TOLERANCE * 100}% relative; greedy texts identical in at least ${INT8_TEXT_AGREEMENT * 100}% of the rows. Picked choices are reported:`,
    '',
    '| peer | workload | items | max abs Δ log-likelihood | max relative Δ | same choice picked | same greedy text | pass |',
    '|---|---|---:|---:|---:|---:|---:|---|',
  ];
  for (const o of checks) {
    const rel = o.maxRelLogprobDiff === undefined ? '–' : `${(o.maxRelLogprobDiff * 100).toFixed(2)}%`;
    const abs = o.maxAbsLogprobDiff === undefined ? '–' : o.maxAbsLogprobDiff.toExponential(1);
    const pick = o.sameChoice === undefined ? '–' : `${o.sameChoice} / ${o.compared}`;
    const text = o.sameTexts === undefined ? '–' : `${o.sameTexts} / ${o.compared}`;
    lines.push(`| ${o.label} | ${o.workload} | ${o.compared} | ${abs} | ${rel} | ${pick} | ${text} | ${o.pass ? 'yes' : '**no**'} |`);
  }
  return lines;
}

function oracleTable(model: ModelResult): string[] {
  if (model.oracle.length === 0) return ['(no oracle comparison in this run)'];
  const lines = ['| peer | workload | items | max abs Δ log-likelihood | greedy flags / texts identical | pass |', '|---|---|---:|---:|---|---|'];
  for (const o of model.oracle.filter((x) => !x.approximate)) {
    const same = o.greedyFlagsIdentical ?? o.textsIdentical;
    lines.push(`| ${o.label} | ${o.workload} | ${o.compared} | ${o.maxAbsLogprobDiff === undefined ? '–' : o.maxAbsLogprobDiff.toExponential(1)} | ${same ? 'yes' : 'no'} | ${o.pass ? 'yes' : '**no**'} |`);
  }
  return lines;
}

/** The Markdown summary of one run: machine, versions, roofline, per-model tables, targets. */
function loadLine(result: BenchmarkResult): string {
  const l = result.machine.loadAverageDuringRun;
  if (!l) return 'not recorded';
  return `${fixed(l.atStart, 2)} at the start, median ${fixed(l.median, 2)} (${fixed(l.min, 2)}–${fixed(l.max, 2)}) over ${l.n} samples`;
}

function readLine(result: BenchmarkResult): string {
  const runs = result.roofline.readRuns ?? [];
  if (runs.length === 0) return 'not recorded';
  return runs
    .map((r) => {
      const s = spread(r.bytesPerSecond.map((b) => b / 1e9));
      const what = r.op === 'MatMul' ? `MatMul x[1,${r.shape[0]}]·W[${r.shape[0]},${r.shape[1]}] (${fixed((4 * r.shape[0] * r.shape[1]) / 2 ** 20, 0)} MB weight)` : `ReduceSum over [${r.shape[0]},${r.shape[1]}] (${fixed((4 * r.shape[0] * r.shape[1]) / 2 ** 20, 0)} MB)`;
      return `${what} median ${fixed(s.median)} GB/s (${fixed(s.min)}–${fixed(s.max)}, ${s.n} runs)`;
    })
    .join('; ');
}

/** Load times of the engine's peers: the first load of the run, and the later (warm) ones. */
function loadTable(model: ModelResult): string[] {
  const peers = model.peers.filter((p) => p.peer === 'sciboard' && p.warmLoadSeconds);
  if (peers.length === 0) return [];
  const lines = ['Model load (a fresh process per round; seconds from `loadModel` to ready):', '', '| peer | loads | first s | warm median s (min–max) |', '|---|---:|---:|---:|'];
  for (const p of peers) lines.push(`| ${p.label} | ${p.rounds} | ${fixed(p.firstLoadSeconds, 2)} | ${p.warmLoadSeconds ? range(p.warmLoadSeconds) : '–'} |`);
  lines.push('');
  return lines;
}

export function renderSummary(result: BenchmarkResult, name: string): string {
  const r = result.roofline;
  const out = [
    `### Run \`${name}\` — ${result.date.slice(0, 16).replace('T', ' ')} UTC (${result.mode}, ${result.rounds} interleaved rounds, ${result.threads} threads, ${Math.round(result.wallSeconds)} s wall)`,
    '',
    `- Machine: ${result.machine.cpu}, ${result.machine.cores} cores, ${result.machine.memoryGb} GB RAM; allocator ${result.allocator ?? 'not recorded'}.`,
    `- Load average (1 min) during the run: ${loadLine(result)}; at the end ${result.machine.loadAverageAtEnd.join(' / ')} (1 / 5 / 15 min).`,
    `- Versions: Node ${result.versions.node}, onnxruntime-node ${result.versions.onnxruntime} (engine, naive, roofline), transformers.js ${result.versions.transformersJs} with onnxruntime-node ${result.versions.transformersJsOnnxruntime}.`,
    `- \`sciboard eval\`'s default batch: ${result.evalBatch ?? '–'}${result.evalBatchReason ? ` (${result.evalBatchReason})` : ''}; fully timed units in ${result.unitRounds ?? 0} round(s).`,
    `- Roofline (${result.roofline.probes.length} probes, one per round): MatMul ${r.matmul.m}×${r.matmul.k}·${r.matmul.k}×${r.matmul.n} ${fixed(r.matmul.flopsPerSecond / 1e9, 0)} GFLOP/s best (median ${fixed(r.matmul.medianFlopsPerSecond / 1e9, 0)} in the best probe).`,
    `- Read bandwidth through ONNX Runtime (${result.threads} intra-op threads, bytes read only), every timed run of every probe: ${readLine(result)}; ceiling used by the decode floors: ${fixed(r.bandwidth.bytesPerSecond / 1e9)} GB/s (the fastest run)${r.firstTouch ? `; fresh memory first touched at ${fixed(r.firstTouch.bytesPerSecond / 1e9, 2)} GB/s (median probe)` : ''}.`,
    `- Results: \`benchmarks/results/${name}.json\`.`,
    '',
  ];
  if ((result.ceilingViolations ?? []).length > 0) {
    out.push(`**Ceiling check failed**: shares above 100% — ${result.ceilingViolations.join('; ')}. A ceiling is wrong; these figures are not a valid record.`, '');
  }
  if (result.targets.length > 0) {
    out.push('**Targets** (recorded, not asserted):', '', '| model | target | value | goal | status | how |', '|---|---|---:|---|---|---|');
    for (const t of result.targets) {
      const value =
        t.value === null
          ? '–'
          : t.target.includes('share') || t.target.includes('identical')
            ? pct(t.value)
            : t.target.includes('hours')
              ? `${fixed(t.value, 2)} h`
              : t.target.includes('load')
                ? `${fixed(t.value, 2)} s`
                : `${fixed(t.value, 2)}×`;
      const status = t.status ?? (t.met === null ? 'not measured' : t.met ? 'met' : 'not met');
      out.push(`| ${t.model} | ${t.target} | ${value} | ${t.goal} | ${status} | ${t.note ?? ''} |`);
    }
    out.push('');
  }
  for (const model of result.models) {
    const s = model.shape;
    out.push(
      `#### Model \`${model.name}\`: ${s.layers} layers, hidden ${s.hidden}, ${s.heads} heads / ${s.kvHeads} KV heads, vocab ${s.vocab}, ${fixed(s.parameters / 1e6, 0)}M parameters (fp32 weights; int8 rows quantise them at load)`,
      '',
      ...peerTable(model),
      '',
      ...unitTable(model),
      ...loadTable(model),
      'Agreement with the naive oracle (first round, same items):',
      '',
      ...oracleTable(model),
      ...int8Table(model),
      '',
    );
    if (model.projections.length > 0) {
      out.push('Projected full suites (not measured):', '', '| peer | suite | hours | from | basis |', '|---|---|---:|---|---|');
      for (const p of model.projections) out.push(`| ${p.label} | ${p.suite} | ${fixed(p.hours, 2)} | ${p.from ?? 'slice'} | ${p.basis} |`);
      out.push('');
    }
    out.push(...unitCheckTable(model));
  }
  return out.join('\n');
}

export function writeResultJson(path: string, result: BenchmarkResult): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, `${JSON.stringify(result, null, 2)}\n`);
}

/** Replaces (or appends) the run's section between its markers, leaving the hand-written text alone. */
export function updateReadme(path: string, name: string, markdown: string): void {
  const start = `<!-- results:${name}:start -->`;
  const end = `<!-- results:${name}:end -->`;
  const block = `${start}\n${markdown}\n${end}`;
  const text = existsSync(path) ? readFileSync(path, 'utf8') : '# Benchmarks\n';
  const from = text.indexOf(start);
  const to = text.indexOf(end);
  const next = from >= 0 && to > from ? text.slice(0, from) + block + text.slice(to + end.length) : `${text.trimEnd()}\n\n${block}\n`;
  writeFileSync(path, next);
}
