#!/usr/bin/env node
/**
 * How fast does sciboard grade MATH? The 5,000 MATH test solutions are rewritten as minerva-style completions
 * (the solution, then "Final Answer: The final answer is $<its boxed answer>$. I hope it is correct."), plus a
 * wrong-answer variant of each (the answer with "+1" appended), and graded as lm-eval's tasks do: minerva_math
 * exact_match and math_verify through the grading pool's worker threads (5 s limit per check), and
 * hendrycks_math on the main thread. Reports items per second per scorer, with machine and versions.
 *
 *   node benchmarks/math-grading.mjs [--threads 2] [--limit 5000] [--data-dir ../shared/data]
 *
 * Writes benchmarks/results/math-grading.json.
 */
import { execSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, platform, release, totalmem } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { register } from 'tsx/esm/api';

register();
const { GradingPool, hendrycksGoldAnswer, lastBoxedOnlyString, minervaGoldAnswer, removeBoxed, scoreHendrycks, scoreMinerva } = await import('@sciboard/eval');

const here = dirname(fileURLToPath(import.meta.url));
const arg = (name, fallback) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1] : fallback;
};
const THREADS = Number(arg('--threads', String(availableParallelism())));
const LIMIT = Number(arg('--limit', '5000'));
const dataDir = resolve(arg('--data-dir', process.env.SCIBOARD_DATA_DIR ?? join(here, '../../shared/data')));

const docs = readFileSync(join(dataDir, 'math/test.jsonl'), 'utf8')
  .split('\n')
  .filter((l) => l.trim())
  .slice(0, LIMIT)
  .map((l) => JSON.parse(l));

const completion = (solution, answer) => `${solution}\nFinal Answer: The final answer is $${answer}$. I hope it is correct.`;
const items = docs.flatMap((d) => {
  const answer = removeBoxed(lastBoxedOnlyString(d.solution));
  const gold = { minerva: minervaGoldAnswer(d.solution), hendrycks: hendrycksGoldAnswer(d.solution), solution: d.solution };
  return [
    { variant: 'right', text: completion(d.solution, answer), gold },
    { variant: 'wrong', text: completion(d.solution, `${answer}+1`), gold },
  ];
});

function tally(scored, key) {
  const out = { right: 0, wrong: 0 };
  scored.forEach((s, i) => (out[items[i].variant] += s.scores[key]));
  return { credited_right_variant: out.right / (items.length / 2), credited_wrong_variant: out.wrong / (items.length / 2) };
}

// minerva_math: both checks per item through the pool (its workers start inside the timed span).
const pool = new GradingPool({ size: THREADS });
let t0 = performance.now();
const minerva = await Promise.all(items.map((it) => scoreMinerva(it.text, { answer: it.gold.minerva, solution: it.gold.solution }, { grader: pool })));
const minervaSeconds = (performance.now() - t0) / 1000;
const timeouts = pool.timeouts;
const notes = minerva.filter((s) => s.notes).length;
await pool.close();

t0 = performance.now();
const hendrycks = items.map((it) => scoreHendrycks(it.text, it.gold.hendrycks));
const hendrycksSeconds = (performance.now() - t0) / 1000;

const git = (cmd) => {
  try {
    return execSync(cmd, { cwd: here, encoding: 'utf8' }).trim();
  } catch {
    return null;
  }
};
const report = {
  date: new Date().toISOString(),
  commit: git('git rev-parse --short HEAD'),
  machine: { cpu: cpus()[0]?.model ?? 'unknown', cores: availableParallelism(), memory_gb: Math.round(totalmem() / 2 ** 30), os: `${platform()} ${release()}`, node: process.version },
  grader_threads: THREADS,
  items: items.length,
  minerva_math: {
    seconds: Number(minervaSeconds.toFixed(2)),
    items_per_second: Number((items.length / minervaSeconds).toFixed(1)),
    checks: items.length * 2,
    timeouts,
    items_with_notes: notes,
    exact_match: tally(minerva, 'exact_match,none'),
    math_verify: tally(minerva, 'math_verify,none'),
  },
  hendrycks_math: {
    seconds: Number(hendrycksSeconds.toFixed(3)),
    items_per_second: Math.round(items.length / hendrycksSeconds),
    exact_match: tally(hendrycks, 'exact_match,none'),
  },
};
mkdirSync(join(here, 'results'), { recursive: true });
writeFileSync(join(here, 'results/math-grading.json'), `${JSON.stringify(report, null, 2)}\n`);
console.log(JSON.stringify(report, null, 2));
