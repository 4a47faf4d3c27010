#!/usr/bin/env node
/**
 * How long does one minerva `is_equiv` verdict take on one core? Every MATH test gold answer (as lm-eval's
 * process_docs derives it) is compared with itself, with a decimal or `\dfrac` rewrite, and with a wrong value
 * (`+1` appended), on the main thread, no worker pool. Reports comparisons per second and the slowest verdict.
 *
 *   node benchmarks/minerva-equivalence.mjs [--limit 5000] [--data-dir ../shared/data]
 *
 * Writes benchmarks/results/minerva-equivalence.json.
 */
import { execSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, platform, release, totalmem } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { register } from 'tsx/esm/api';

register();
const { minervaGoldAnswer, minervaEquivalence } = await import('@sciboard/eval');

const here = dirname(fileURLToPath(import.meta.url));
const arg = (name, fallback) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1] : fallback;
};
const LIMIT = Number(arg('--limit', '5000'));
const dataDir = resolve(arg('--data-dir', process.env.SCIBOARD_DATA_DIR ?? join(here, '../../shared/data')));

const golds = readFileSync(join(dataDir, 'math/test.jsonl'), 'utf8')
  .split('\n')
  .filter((l) => l.trim())
  .slice(0, LIMIT)
  .map((l) => minervaGoldAnswer(JSON.parse(l).solution));

const rewrite = (g) => (/^-?\d+$/.test(g) ? `${g}.0` : g.replaceAll('\\frac', '\\dfrac'));
const pairs = golds.flatMap((g) => [[g, g], [rewrite(g), g], [`${g}+1`, g]]);

let slowest = { ms: 0, pair: null };
let equal = 0;
const t0 = performance.now();
for (const [a, b] of pairs) {
  const s = performance.now();
  if (minervaEquivalence(a, b).equal) equal++;
  const ms = performance.now() - s;
  if (ms > slowest.ms) slowest = { ms, pair: [a.slice(0, 60), b.slice(0, 60)] };
}
const seconds = (performance.now() - t0) / 1000;

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
  comparisons: pairs.length,
  seconds: Number(seconds.toFixed(2)),
  ms_per_comparison: Number(((seconds * 1000) / pairs.length).toFixed(3)),
  slowest: { ms: Number(slowest.ms.toFixed(1)), pair: slowest.pair },
  counted_equal: equal,
};
mkdirSync(join(here, 'results'), { recursive: true });
writeFileSync(join(here, 'results/minerva-equivalence.json'), `${JSON.stringify(report, null, 2)}\n`);
console.log(JSON.stringify(report, null, 2));
