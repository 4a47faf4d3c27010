import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { INT8_RELATIVE_TOLERANCE } from './analysis.ts';
import type { BenchmarkResult, ModelResult } from './result.ts';

const fixed = (v: number | undefined, digits = 1) => (v === undefined || !Number.isFinite(v) ? '–' : v.toFixed(digits));
const pct = (v: number | undefined) => (v === undefined || !Number.isFinite(v) ? '–' : `${(v * 100).toFixed(0)}%`);

function peerTable(model: ModelResult): string[] {
  const lines = [
    '| peer | workload | items | median s (min–max) | items/s | prompt tok/s | gen tok/s | decode tok/s | TTFT s | roofline | peak RSS MB |',
    '|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
  ];
  for (const peer of model.peers) {
    for (const w of peer.workloads) {
      lines.push(
        `| ${peer.label} | ${w.workload} | ${w.items} | ${fixed(w.seconds.median, 2)} (${fixed(w.seconds.min, 2)}–${fixed(w.seconds.max, 2)}) | ${fixed(w.itemsPerSecond, 2)} | ${fixed(w.promptTokensPerSecond, 0)} | ${fixed(w.generatedTokensPerSecond)} | ${fixed(w.decodeTokensPerSecond?.median)} | ${fixed(w.ttftSeconds?.median, 2)} | ${pct(w.rooflineFraction)} | ${fixed(peer.maxRssMb.max, 0)} |`,
      );
    }
  }
  return lines;
}

function int8Table(model: ModelResult): string[] {
  const checks = model.oracle.filter((o) => o.approximate);
  if (checks.length === 0) return [];
  const lines = [
    '',
    `int8 weights against float32 (the naive oracle, first round, same items; log-likelihoods within ${INT8_RELATIVE_TOLERANCE * 100}% relative pass, picks and texts are reported):`,
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
export function renderSummary(result: BenchmarkResult, name: string): string {
  const r = result.roofline;
  const out = [
    `### Run \`${name}\` — ${result.date.slice(0, 16).replace('T', ' ')} UTC (${result.mode}, ${result.rounds} interleaved rounds, ${result.threads} threads, ${Math.round(result.wallSeconds)} s wall)`,
    '',
    `- Machine: ${result.machine.cpu}, ${result.machine.cores} cores, ${result.machine.memoryGb} GB RAM; load average at the end ${result.machine.loadAverageAtEnd.join(' / ')}; allocator ${result.allocator ?? 'not recorded'}.`,
    `- Versions: Node ${result.versions.node}, onnxruntime-node ${result.versions.onnxruntime} (engine, naive, roofline), transformers.js ${result.versions.transformersJs} with onnxruntime-node ${result.versions.transformersJsOnnxruntime}.`,
    `- Roofline (best of ${result.roofline.probes.length} probes, one per round): MatMul ${r.matmul.m}×${r.matmul.k}·${r.matmul.k}×${r.matmul.n} ${fixed(r.matmul.flopsPerSecond / 1e9, 0)} GFLOP/s (median ${fixed(r.matmul.medianFlopsPerSecond / 1e9, 0)}); memory ${fixed(r.bandwidth.bytesPerSecond / 1e9)} GB/s read+write${r.firstTouch ? `; fresh memory first touched at ${fixed(r.firstTouch.bytesPerSecond / 1e9, 2)} GB/s (median probe)` : ''}.`,
    `- Results: \`benchmarks/results/${name}.json\`.`,
    '',
  ];
  if (result.targets.length > 0) {
    out.push('**Targets** (recorded, not asserted):', '', '| model | target | measured | goal | met |', '|---|---|---:|---|---|');
    for (const t of result.targets) {
      const value = t.value === null ? '–' : t.target.includes('share') || t.target.includes('identical') ? pct(t.value) : t.target.includes('hours') ? `${fixed(t.value, 2)} h` : `${fixed(t.value, 2)}×`;
      out.push(`| ${t.model} | ${t.target} | ${value} | ${t.goal} | ${t.met === null ? 'not measured' : t.met ? 'yes' : 'no'} |`);
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
      'Agreement with the naive oracle (first round, same items):',
      '',
      ...oracleTable(model),
      ...int8Table(model),
      '',
    );
    if (model.projections.length > 0) {
      out.push('Projected full suites:', '', '| peer | suite | hours | basis |', '|---|---|---:|---|');
      for (const p of model.projections) out.push(`| ${p.label} | ${p.suite} | ${fixed(p.hours, 2)} | ${p.basis} |`);
      out.push('');
    }
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
