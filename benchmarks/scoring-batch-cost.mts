/**
 * What a scoring batch saves per row, by the length of the cache its rows follow: the measurements behind the
 * engine's CPU cost model for scoring batches (`cpuScoringCost` in packages/onnx/src/scoring-cost.ts).
 *
 *   npx tsx benchmarks/scoring-batch-cost.mts [--layers 8 --hidden 512 --seed 1] [--past 16,200,400,600,750]
 *       [--lengths 64,128,160] [--rows 1,2,3,4,6,8] [--reps 7] [--threads 2] [--json FILE]
 *
 * Writes the seeded tiny model (the shape of the issue workload's `sciboard tiny-model --layers 8 --hidden 512`),
 * computes a cache of P positions once, then times one forward pass of n right-padded rows of S tokens after it,
 * as scoring runs them (the prefix's rows repeated through `SharedPrefix.lease`, only the last position's logits
 * kept): the median of `--reps` calls after one untimed call at each new shape. Reports ms per row and each batch's
 * cost per row relative to one row alone. Run it on a quiet machine; the figures are medians, not assertions.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { rightPadded, SharedPrefix } from '../packages/onnx/src/batch.ts';
import type { Decoder } from '../packages/onnx/src/decoder.ts';
import { loadModel, tinyModelPresets, writeTinyModel } from '../packages/onnx/src/index.ts';

const { values } = parseArgs({
  options: {
    layers: { type: 'string', default: '8' },
    hidden: { type: 'string', default: '512' },
    seed: { type: 'string', default: '1' },
    past: { type: 'string', default: '16,200,400,600,750' },
    lengths: { type: 'string', default: '64,128,160' },
    rows: { type: 'string', default: '1,2,3,4,6,8' },
    reps: { type: 'string', default: '7' },
    threads: { type: 'string', default: '2' },
    json: { type: 'string' },
  },
});
const list = (s: string) => s.split(',').map((x) => Number(x.trim()));
const reps = Number(values.reps);

const dir = mkdtempSync(join(tmpdir(), 'sciboard-batch-cost-'));
try {
  await writeTinyModel(dir, { ...tinyModelPresets.test, layers: Number(values.layers), hidden: Number(values.hidden), seed: Number(values.seed) });
  const model = await loadModel(dir, { device: 'cpu', threads: Number(values.threads), batchSize: 8 });
  const decoder = (model as unknown as { decoder: Decoder }).decoder;
  // Token ids spread over the byte-level vocabulary, different for every row.
  const tokens = (n: number, seed: number) => Array.from({ length: n }, (_, i) => 3 + ((i * 7919 + seed * 104729) % 250));
  const rows: { past: number; length: number; rows: number; msPerRow: number; relative: number }[] = [];
  for (const past of list(values.past)) {
    const shared = tokens(past, 1);
    model.clearPrefixCache();
    const prefix = await SharedPrefix.compute(decoder, [[...shared, 1], [...shared, 2]], past, true);
    if (!prefix || prefix.length !== past) throw new Error(`could not compute a ${past}-position prefix (at least 16 are needed)`);
    for (const length of list(values.lengths)) {
      let alone = NaN;
      for (const n of list(values.rows)) {
        const batchRows = Array.from({ length: n }, (_, b) => tokens(length, b + 2));
        const times: number[] = [];
        for (let r = 0; r <= reps; r++) {
          const input = rightPadded(batchRows, past, length);
          const start = performance.now();
          const lease = prefix.lease(decoder, n);
          try {
            await decoder.forward(input, lease.cache, 1, false);
          } finally {
            lease.release();
          }
          if (r > 0) times.push(performance.now() - start);
        }
        times.sort((a, b) => a - b);
        const msPerRow = times[Math.floor(times.length / 2)]! / n;
        if (n === 1) alone = msPerRow;
        const row = { past, length, rows: n, msPerRow, relative: msPerRow / alone };
        rows.push(row);
        console.log(`P=${past} S=${length} n=${n}: ${msPerRow.toFixed(2)} ms/row, ${Number.isNaN(row.relative) ? '–' : row.relative.toFixed(2)} of one row alone`);
      }
    }
  }
  await model.dispose();
  if (values.json) {
    const machine = { cpu: cpus()[0]?.model.trim(), cores: cpus().length, node: process.version };
    writeFileSync(values.json, JSON.stringify({ date: new Date().toISOString(), machine, reps, threads: Number(values.threads), rows }, null, 2) + '\n');
    console.log(`wrote ${values.json}`);
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
