#!/usr/bin/env node
/**
 * How often does `sciboard gate` fail a build when nothing changed? Each scenario makes 1,000 gate calls on two
 * independent samples of the same underlying accuracy (a retrained checkpoint that is exactly as good) and
 * counts the calls that report a regression. The gate promises at most α; the exact McNemar test is
 * conservative and a regression is one-sided, so the rate should sit well under it.
 *
 *   node benchmarks/gate-false-alarms.mjs [--calls 1000]
 *
 * Writes benchmarks/results/gate-false-alarms.json.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { register } from 'tsx/esm/api';

register();
const { compareRuns, seededRandom, wilsonInterval } = await import('@sciboard/gate');

const callsArg = process.argv.indexOf('--calls');
const CALLS = callsArg > 0 ? Number(process.argv[callsArg + 1]) : 1000;
const ALPHA = 0.05;

function run(label, tasks, { perItem = true, metric = 'acc,none' } = {}) {
  const map = new Map();
  for (const [name, scores] of Object.entries(tasks)) {
    const value = scores.reduce((s, x) => s + x, 0) / scores.length;
    const items = perItem
      ? new Map(scores.map((score, id) => [String(id), { docId: String(id), docHash: `d${id}`, promptHash: `p${id}`, scores: { [metric]: score } }]))
      : null;
    map.set(name, { name, numFewshot: 0, configHash: null, items, aggregates: new Map([[metric, { value, stderr: null, n: scores.length }]]), higherIsBetter: {} });
  }
  return { label, tasks: map, groups: new Map() };
}

/**
 * A scenario draws per-question difficulties once per call, then both runs answer independently with those
 * probabilities: the same underlying accuracy, different samples.
 */
const scenarios = [
  { name: 'one task, 200 items, varied difficulty', tasks: 1, n: 200, difficulty: (r) => r() },
  { name: 'one task, 1000 items, every item 60%', tasks: 1, n: 1000, difficulty: () => 0.6 },
  { name: 'one task, 100 items, varied difficulty, max drop 2', tasks: 1, n: 100, difficulty: (r) => r(), maxDrop: 2 },
  { name: 'five tasks of 300 items (Holm family), varied difficulty', tasks: 5, n: 300, difficulty: (r) => r() },
  { name: 'one task, 200 items, graded scores in [0,1] (paired bootstrap, 500 resamples)', tasks: 1, n: 200, difficulty: (r) => r(), graded: true, bootstrapIterations: 500 },
  { name: 'one task, 500 items, aggregates only (unpaired z fallback)', tasks: 1, n: 500, difficulty: () => 0.55, perItem: false },
  // Not false alarms: a real drop, to show the gate that never cries wolf still bites.
  { name: 'detection: one task, 1000 items, candidate 5 points worse', tasks: 1, n: 1000, difficulty: (r) => r(), trueDrop: 0.05 },
  { name: 'detection: one task, 100 items, candidate 5 points worse', tasks: 1, n: 100, difficulty: (r) => r(), trueDrop: 0.05 },
];

const results = [];
for (const [index, scenario] of scenarios.entries()) {
  // Seeded per scenario so the recorded numbers reproduce.
  const r = seededRandom(1000 + index);
  const started = performance.now();
  let regressions = 0;
  let undecided = 0;
  for (let call = 0; call < CALLS; call++) {
    const baseline = {};
    const candidate = {};
    for (let t = 0; t < scenario.tasks; t++) {
      const difficulty = Array.from({ length: scenario.n }, () => scenario.difficulty(r));
      const draw = (shift) => difficulty.map((p) => (scenario.graded ? Math.min(1, Math.max(0, p + (r() - 0.5) * 0.4)) : r() < p - shift ? 1 : 0));
      baseline[`task${t}`] = draw(0);
      candidate[`task${t}`] = draw(scenario.trueDrop ?? 0);
    }
    const report = compareRuns(run('baseline', baseline, scenario), run('candidate', candidate, scenario), {
      alpha: ALPHA,
      maxDrop: scenario.maxDrop ?? 0,
      bootstrapIterations: scenario.bootstrapIterations ?? 2000,
      seed: call,
    });
    if (report.verdict === 'regression') regressions++;
    if (report.verdict === 'undecided') undecided++;
  }
  const rate = regressions / CALLS;
  const [low, high] = wilsonInterval(regressions, CALLS, 1.959963984540054);
  const seconds = Number(((performance.now() - started) / 1000).toFixed(2));
  const interval = [Number(low.toFixed(4)), Number(high.toFixed(4))];
  const shown = `${(100 * rate).toFixed(1).padStart(4)}% (95% ${(100 * low).toFixed(1)}–${(100 * high).toFixed(1)}%)`;
  if (scenario.trueDrop) {
    results.push({ scenario: scenario.name, calls: CALLS, regressions, undecided, trueDropPoints: 100 * scenario.trueDrop, detectionRate: rate, detectionRate95: interval, seconds });
    console.log(`     ${shown} detected  ${scenario.name}`);
    continue;
  }
  const entry = { scenario: scenario.name, calls: CALLS, regressions, undecided, falseAlarmRate: rate, falseAlarmRate95: interval, alpha: ALPHA, withinAlpha: rate <= ALPHA, seconds };
  results.push(entry);
  console.log(`${entry.withinAlpha ? 'ok  ' : 'OVER'} ${shown} false alarms  ${scenario.name}`);
}

const out = join(dirname(fileURLToPath(import.meta.url)), 'results', 'gate-false-alarms.json');
mkdirSync(dirname(out), { recursive: true });
writeFileSync(out, `${JSON.stringify({ benchmark: 'gate-false-alarms', recordedAt: new Date().toISOString(), node: process.version, alpha: ALPHA, scenarios: results }, null, 2)}\n`);
console.log(`wrote ${out}`);
if (results.some((r) => r.withinAlpha === false)) process.exitCode = 1;
