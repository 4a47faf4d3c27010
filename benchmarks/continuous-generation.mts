/**
 * Generation across a whole task against generation in chunks of the batch size, on one loaded model.
 *
 *   npx sciboard requests --tasks gsm8k --limit 32 --data-dir ../shared/data > /tmp/gsm8k-32.jsonl
 *   npx tsx benchmarks/continuous-generation.mts --model DIR --requests /tmp/gsm8k-32.jsonl [--batch 8] [--rounds 3] [--threads 2]
 *
 * `chunked` asks the model for `--batch` prompts at a time, as the evaluator did before it handed a task's
 * generations over in one call; `continuous` asks for all of them in one call (the engine refills a slot as soon
 * as its row ends). A checkpoint with random weights never stops on its own, so each request's token limit is set
 * from a fixed spread (32 to 256 tokens, lm-eval's GSM8K maximum) standing in for where a real model stops.
 * Rounds alternate the two modes; prints one JSON line per round and the medians with min–max. Greedy texts of both
 * modes are compared and must be identical.
 */
import { readFileSync } from 'node:fs';
import { loadModel, type GenerateRequest, type GenerateResult } from '../packages/onnx/src/index.ts';

const args = process.argv.slice(2);
const arg = (name: string, fallback?: string): string => {
  const i = args.indexOf(`--${name}`);
  if (i >= 0 && args[i + 1] !== undefined) return args[i + 1]!;
  if (fallback === undefined) throw new Error(`--${name} is required`);
  return fallback;
};
const batch = Number(arg('batch', '8'));
const rounds = Number(arg('rounds', '3'));
const threads = Number(arg('threads', '2'));
const lines = readFileSync(arg('requests'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { context: string; until: string[]; max_gen_toks?: number });
/** Token limits from 32 to 256 in a fixed, scrambled order (i·97 mod 225). */
const limit = (i: number, max: number) => Math.min(max, 32 + ((i * 97) % 225));
const requests: GenerateRequest[] = lines.map((r, i) => ({ context: r.context, until: r.until, maxTokens: limit(i, r.max_gen_toks ?? 256) }));
const tokens = requests.reduce((n, r) => n + r.maxTokens, 0);

const model = await loadModel(arg('model'), { device: 'cpu', batchSize: batch, threads });
console.error(`model ${model.name}, ${requests.length} requests, ${tokens} generated tokens in all, batch ${batch}, ${threads} threads, optimised graph ${model.optimizedGraph?.outcome}`);

async function chunked(): Promise<GenerateResult[]> {
  const out: GenerateResult[] = [];
  for (let i = 0; i < requests.length; i += batch) out.push(...(await model.generate(requests.slice(i, i + batch))));
  return out;
}
const continuous = (): Promise<GenerateResult[]> => model.generate(requests);

const times: Record<string, number[]> = { chunked: [], continuous: [] };
const texts: Record<string, string> = {};
// One untimed call at the batch's shapes first (what the first call of a run pays once).
await model.generate(requests.slice(0, batch).map((r) => ({ ...r, maxTokens: 2 })));
for (let round = 0; round < rounds; round++) {
  for (const [name, run] of round % 2 === 0 ? ([['chunked', chunked], ['continuous', continuous]] as const) : ([['continuous', continuous], ['chunked', chunked]] as const)) {
    model.clearPrefixCache();
    const t0 = performance.now();
    const results = await run();
    const s = (performance.now() - t0) / 1000;
    times[name]!.push(s);
    texts[name] = JSON.stringify(results.map((r) => r.text));
    console.log(JSON.stringify({ round, mode: name, seconds: +s.toFixed(2), tokensPerSecond: +(tokens / s).toFixed(1) }));
  }
}
if (texts.chunked !== texts.continuous) throw new Error('chunked and continuous generation gave different texts');
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
for (const [name, xs] of Object.entries(times)) {
  console.log(`${name}: median ${median(xs).toFixed(2)} s (${Math.min(...xs).toFixed(2)}–${Math.max(...xs).toFixed(2)}), ${(tokens / median(xs)).toFixed(1)} tokens/s`);
}
console.log(`continuous / chunked (medians): ${(median(times.continuous!) / median(times.chunked!)).toFixed(3)}`);
await model.dispose();
