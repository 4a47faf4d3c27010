/**
 * What each published precision costs in accuracy, measured on the seeded tiny model (not a trained model: the
 * numbers show how far each variant's arithmetic moves the scores, not what a real checkpoint loses).
 *
 *   npx tsx benchmarks/variant-accuracy.mts [--layers 4 --hidden 256 --seed 1] [--json benchmarks/results/variant-accuracy.json]
 *
 * Writes the tiny model in every precision the writer makes (onnx/model.onnx, model_fp16.onnx, …), then against
 * fp32: the largest and mean |Δ log-prob| of single next-token predictions, the relative difference of multi-token
 * continuations' summed log-probs, how often the top-1 next token agrees, and how many greedy generations are
 * identical. Every variant is scored at batch size 1, so dynamic 8-bit quantisation sees one row per call.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { loadModel, TINY_DTYPES, writeTinyModel } from '../packages/onnx/src/index.ts';

const { values } = parseArgs({
  options: { layers: { type: 'string', default: '4' }, hidden: { type: 'string', default: '256' }, seed: { type: 'string', default: '1' }, json: { type: 'string' } },
});
const shape = { layers: Number(values.layers), hidden: Number(values.hidden), heads: 4, kvHeads: 2, seed: Number(values.seed) };

const texts = [
  'Question: A car travels 60 km in 1.5 hours. What is its average speed?\nAnswer: 40 km/h',
  'The mitochondria is the powerhouse of the cell, producing ATP through oxidative phosphorylation.',
  'Solve for x: 2x + 3 = 11. Subtract 3 from both sides: 2x = 8, so x = 4.',
  'Newton\'s second law states that force equals mass times acceleration, F = ma.',
  'Water boils at 100 degrees Celsius at sea level; at higher altitudes it boils at a lower temperature.',
  'The derivative of sin(x) is cos(x), and the integral of 1/x is ln|x| + C.',
];
// Next-token requests (and, generated one token long, the top-1 prediction after each prefix): each prefix of each text predicts its next character (one byte-level token).
const nextToken = texts.flatMap((t) => Array.from({ length: t.length - 1 }, (_, i) => ({ context: t.slice(0, i + 1), continuation: t[i + 1]! })));
const spans = texts.map((t) => ({ context: t.slice(0, 20), continuation: t.slice(20) }));
const prompts = texts.map((t) => ({ context: t.slice(0, 24), until: [] as string[], maxTokens: 32 }));

const dir = mkdtempSync(join(tmpdir(), 'sciboard-variant-accuracy-'));
try {
  await writeTinyModel(dir, { ...shape, dtypes: [...TINY_DTYPES] });
  const measured: Record<string, { nextToken: number[]; top1: string[]; spans: number[]; greedy: string[] }> = {};
  for (const dtype of TINY_DTYPES) {
    const model = await loadModel(dir, { device: 'cpu', dtype, batchSize: 1, threads: 1 });
    measured[dtype] = {
      nextToken: (await model.loglikelihood(nextToken)).map((r) => r.logprob),
      top1: (await model.generate(nextToken.map((r) => ({ context: r.context, until: [], maxTokens: 1 })))).map((r) => r.text),
      spans: (await model.loglikelihood(spans)).map((r) => r.logprob),
      greedy: (await model.generate(prompts)).map((r) => r.text),
    };
    await model.dispose();
  }
  const base = measured.fp32!;
  const rows = TINY_DTYPES.filter((d) => d !== 'fp32').map((dtype) => {
    const m = measured[dtype]!;
    const deltas = m.nextToken.map((v, i) => Math.abs(v - base.nextToken[i]!));
    const rel = m.spans.map((v, i) => Math.abs(v - base.spans[i]!) / Math.abs(base.spans[i]!));
    const top1 = m.top1.filter((t, i) => t === base.top1[i]).length / m.top1.length;
    const sameText = m.greedy.filter((t, i) => t === base.greedy[i]).length;
    const sharedChars = m.greedy.map((t, i) => {
      let k = 0;
      while (k < t.length && t[k] === base.greedy[i]![k]) k++;
      return k / Math.max(1, base.greedy[i]!.length);
    });
    return {
      dtype,
      nextTokens: deltas.length,
      maxAbsDeltaLogprob: Math.max(...deltas),
      meanAbsDeltaLogprob: deltas.reduce((a, b) => a + b, 0) / deltas.length,
      maxRelativeDeltaSpan: Math.max(...rel),
      top1Agreement: top1,
      greedyIdentical: `${sameText}/${m.greedy.length}`,
      greedySharedPrefix: sharedChars.reduce((a, b) => a + b, 0) / sharedChars.length,
    };
  });
  const ortVersion = JSON.parse(readFileSync(join(import.meta.dirname, '../node_modules/onnxruntime-node/package.json'), 'utf8')).version as string;
  const report = { model: { ...shape, note: 'seeded random tiny model (sciboard tiny-model), not a trained checkpoint' }, node: process.version, onnxruntime: ortVersion, rows };
  console.table(rows.map((r) => ({ ...r, maxAbsDeltaLogprob: r.maxAbsDeltaLogprob.toFixed(4), meanAbsDeltaLogprob: r.meanAbsDeltaLogprob.toFixed(4), maxRelativeDeltaSpan: r.maxRelativeDeltaSpan.toFixed(4), top1Agreement: r.top1Agreement.toFixed(3), greedySharedPrefix: r.greedySharedPrefix.toFixed(2) })));
  if (values.json) writeFileSync(values.json, `${JSON.stringify(report, null, 2)}\n`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
