/**
 * Speed of math_verify over the 5,000 MATH test items: each graded against a minerva-style completion (the first
 * half of its own solution, then "Final Answer: The final answer is $<gold answer>$. I hope it is correct.") and
 * against the bare solution. Run: `npx tsx packages/eval/src/generation/mathVerify/bench.ts [path/to/test.jsonl]`.
 * Prints total time, mean and tail per call; no assertion (speed is recorded in README.md, not tested).
 */
import { readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { sharedDataDir } from '../../testing/sharedData.ts';
import { boxedContents } from './boxed.ts';
import { mathVerify } from './index.ts';

const path = process.argv[2] ?? join(sharedDataDir, 'math/test.jsonl');
const items = readFileSync(path, 'utf8')
  .split('\n')
  .filter((l) => l.trim() !== '')
  .map((l) => JSON.parse(l) as { solution: string });

const calls: Array<[string, string]> = [];
for (const { solution } of items) {
  const answer = boxedContents(solution.slice(solution.lastIndexOf('\\boxed')), 'last');
  const completion = `${solution.slice(0, solution.length >> 1)}\nFinal Answer: The final answer is $${answer}$. I hope it is correct.`;
  calls.push([solution, completion], [solution, solution.replace(/\\boxed/g, '')]);
}

const times: number[] = [];
let correct = 0;
const start = performance.now();
for (const [gold, completion] of calls) {
  const t = performance.now();
  if (mathVerify(gold, completion).correct) correct++;
  times.push(performance.now() - t);
}
const total = performance.now() - start;
times.sort((a, b) => a - b);
const at = (q: number): string => times[Math.min(times.length - 1, Math.floor(q * times.length))]!.toFixed(2);
console.log(`${items.length} items, ${calls.length} calls (${correct} correct) in ${(total / 1000).toFixed(1)} s on ${cpus()[0]?.model ?? 'unknown CPU'}, node ${process.version}`);
console.log(`per call: mean ${(total / calls.length).toFixed(2)} ms, median ${at(0.5)} ms, p99 ${at(0.99)} ms, max ${at(1)} ms`);
