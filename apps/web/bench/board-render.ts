/**
 * How fast a big board renders: (1) the builder alone on 1,000 models × 20 columns, and (2) the site's first
 * page of /science and /math served from a SQLite file holding 1,000 measured models plus the paper's rows.
 * Run: `npx tsx apps/web/bench/board-render.ts [--no-build]` from the repository root. Prints medians.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { type BoardDefinition, boards, buildBoard, loadBundledReported, type MeasuredScore, openDb } from '@sciboard/runs';
import { buildSite, startSite } from '../test/server.ts';

const MODELS = 1000;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const p90 = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length * 0.9)]!;
// A fixed pseudo-random sequence, so every run benchmarks the same board.
let seed = 42;
const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);

function builderBenchmark(): void {
  const wide: BoardDefinition = {
    id: 'wide', title: 'Twenty columns', averageName: 'Avg.', reportedOnlyColumns: [],
    columns: Array.from({ length: 20 }, (_, i) => ({ name: `C${i}`, subset: `subset-${i}`, metric: 'acc', filter: 'none', choices: 4, description: '', suite: { url: 'https://github.com/example/suite', scoring: 'synthetic column for the render benchmark' } })),
  };
  const bands = ['≤3B', '6B-7B', '12B-13B', '30B-34B'];
  const measured: MeasuredScore[] = [];
  for (let m = 0; m < MODELS; m++) {
    for (let c = 0; c < 20; c++) {
      const value = random();
      measured.push({ modelId: m, modelName: `model-${m}`, band: bands[m % 4]!, runId: m, subset: `subset-${c}`, metric: 'acc', filter: 'none', value, ciLow: value - 0.03, ciHigh: value + 0.03, finishedAt: '2026-11-01T00:00:00Z' });
    }
  }
  const times: number[] = [];
  for (let i = 0; i < 9; i++) {
    const start = performance.now();
    buildBoard(wide, { measured, normalise: i % 2 === 1 });
    times.push(performance.now() - start);
  }
  console.log(`buildBoard, ${MODELS} models × 20 columns (${measured.length} scores): median ${median(times).toFixed(1)} ms, max ${Math.max(...times).toFixed(1)} ms`);
}

async function siteBenchmark(build: boolean): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'sciboard-bench-'));
  const file = join(dir, 'bench.db');
  const store = await openDb({ file });
  const seedStart = performance.now();
  await loadBundledReported(store);
  const columns = Object.values(boards).flatMap((b) => b.columns);
  for (let m = 0; m < MODELS; m++) {
    const model = await store.upsertModel({ name: `bench-model-${m}`, params: [1.5, 6.5, 13, 32][m % 4]!, modelType: m % 3 === 0 ? 'fine-tuned' : 'pretrained' });
    const run = await store.createRun({ modelId: model.id, task: 'board', config: { numFewshot: 5, harnessVersion: '0.4.9' }, status: 'finished', finishedAt: `2026-11-${String(1 + (m % 28)).padStart(2, '0')}T00:00:00.000Z` });
    await store.writeScores(run.id, columns.map((c) => {
      const value = random();
      return { subset: c.subset, metric: c.metric, filter: c.filter, value, ciLow: Math.max(0, value - 0.03), ciHigh: Math.min(1, value + 0.03), n: 1000 };
    }));
  }
  await store.close();
  console.log(`seeded ${MODELS} models × ${columns.length} columns in ${((performance.now() - seedStart) / 1000).toFixed(1)} s`);

  if (build) buildSite();
  for (const [label, env] of [
    ['every request reads the database', { SCIBOARD_BOARD_CACHE_MS: '0' }],
    ['board inputs cached for 5 s (default)', {}],
  ] as const) {
    console.log(label);
    const site = await startSite(file, env);
    try {
      for (const path of ['/science', '/math', '/science?sort=SciEval:desc', '/api/boards/science']) {
        await fetch(`${site.url}${path}`); // warm-up: module loading and the first database connection
        const times: number[] = [];
        let bytes = 0;
        for (let i = 0; i < 15; i++) {
          const start = performance.now();
          const response = await fetch(`${site.url}${path}`);
          bytes = (await response.arrayBuffer()).byteLength;
          times.push(performance.now() - start);
        }
        console.log(`  GET ${path}: median ${median(times).toFixed(0)} ms, p90 ${p90(times).toFixed(0)} ms, ${(bytes / 1024).toFixed(0)} KiB`);
      }
    } finally {
      await site.stop();
    }
  }
  rmSync(dir, { recursive: true, force: true });
}

builderBenchmark();
try {
  await siteBenchmark(!process.argv.includes("--no-build"));
} catch (err) {
  console.error(err);
  process.exitCode = 1;
}
