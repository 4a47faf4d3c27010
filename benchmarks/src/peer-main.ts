/**
 * One peer in its own process, so that its peak RSS is its own: loads the model once, then runs one round per
 * line on stdin (a PeerRound as JSON), writes that round's PeerReport and answers with a line on stdout. Started
 * by main.ts as `node --import tsx peer-main.ts <job.json>`; it disposes the model and exits when stdin ends.
 * Later rounds run in a process that has already run the same workloads, as a suite's hour-long run does.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import type { PeerJob, PeerReport, PeerRound, PeerRunner, WorkloadMeasurement } from './protocol.ts';
import type { Workload } from './workloads.ts';

async function load(job: PeerJob): Promise<PeerRunner> {
  // Each peer's modules are imported only in its own process: the transformers.js process must not load the
  // engine's ONNX Runtime beside its own.
  if (job.peer === 'transformers') return (await import('./peers/transformers.ts')).loadTransformers(job.modelDir, job.threads);
  if (job.peer === 'naive') return (await import('./peers/naive.ts')).loadNaive(job.modelDir, job.threads);
  if (!job.fast) throw new Error(`${job.label}: a sciboard peer needs its fast-path switches`);
  return (await import('./peers/sciboard.ts')).loadSciboard(job.modelDir, job.threads, job.batchSize, job.fast, job.int8 ?? false);
}

/** Decode workloads this process has run before (see `measure`). */
const warmed = new Set<string>();

const seconds = (from: bigint) => Number(process.hrtime.bigint() - from) / 1e9;

async function measure(runner: PeerRunner, w: Workload, keepOutputs: boolean): Promise<WorkloadMeasurement> {
  runner.forget?.();
  const start = process.hrtime.bigint();
  switch (w.kind) {
    case 'choice': {
      const choices = await runner.choose(w.items);
      return { workload: w.name, seconds: seconds(start), items: w.items.length, ...(keepOutputs ? { choices } : {}) };
    }
    case 'generation': {
      // A slice timed in two calls is the basis of a projection over an hour-long run, which pays the first call
      // at these shapes once: as for decode workloads, an untimed one-token call pays it first, once per process.
      if (w.splitDecode && !warmed.has(w.name)) {
        await runner.generate(w.items.map((i) => ({ ...i, maxTokens: 1 })), w.batchSize);
        warmed.add(w.name);
        runner.forget?.();
      }
      const start = process.hrtime.bigint();
      const { texts, generatedTokens } = await runner.generate(w.items, w.batchSize);
      const fullSeconds = seconds(start);
      if (!w.splitDecode) return { workload: w.name, seconds: fullSeconds, items: w.items.length, generatedTokens, ...(keepOutputs ? { texts } : {}) };
      // The same prompts for one token, from nothing kept: the slice's prompt work. The difference is its decoding.
      runner.forget?.();
      const first = process.hrtime.bigint();
      await runner.generate(w.items.map((i) => ({ ...i, maxTokens: 1 })), w.batchSize);
      const ttftSeconds = seconds(first);
      return { workload: w.name, seconds: fullSeconds, ttftSeconds, items: w.items.length, generatedTokens, ...(keepOutputs ? { texts } : {}) };
    }
    case 'prefill': {
      // Prompt in, first token out: the whole prompt is computed and one token chosen.
      await runner.generate([{ context: w.context, until: [], maxTokens: 1 }], 1);
      return { workload: w.name, seconds: seconds(start), items: 1, generatedTokens: 1 };
    }
    case 'decode': {
      // The decode rate is the difference of a full run and a one-token run of the same prompts. The first time
      // a process meets the workload, an untimed one-token run first pays what the first call at these shapes
      // costs once (arena growth, first touch of new buffers), which a suite's hour-long run pays once, not once
      // per 32 tokens; later rounds find the process warm.
      const rows = (maxTokens: number) => w.contexts.map((context) => ({ context, until: [], maxTokens }));
      // Both timed calls start from nothing kept (the same prompt work in each), so their difference is decoding.
      if (!warmed.has(w.name)) await runner.generate(rows(1), w.batchSize);
      warmed.add(w.name);
      runner.forget?.();
      const full = process.hrtime.bigint();
      const { texts, generatedTokens } = await runner.generate(rows(w.tokens), w.batchSize);
      const fullSeconds = seconds(full);
      runner.forget?.();
      const first = process.hrtime.bigint();
      await runner.generate(rows(1), w.batchSize);
      const ttftSeconds = seconds(first);
      return { workload: w.name, seconds: fullSeconds, ttftSeconds, items: w.contexts.length, generatedTokens, ...(keepOutputs ? { texts } : {}) };
    }
  }
}

async function main(): Promise<void> {
  const jobPath = process.argv[2];
  if (!jobPath) throw new Error('usage: peer-main.ts <job.json>');
  const job = JSON.parse(readFileSync(jobPath, 'utf8')) as PeerJob;
  const start = process.hrtime.bigint();
  const runner = await load(job);
  const loadSeconds = seconds(start);
  for await (const line of createInterface({ input: process.stdin })) {
    if (line.trim() === '') continue;
    const round = JSON.parse(line) as PeerRound;
    const measurements: WorkloadMeasurement[] = [];
    for (const w of round.workloads) measurements.push(await measure(runner, w, round.keepOutputs));
    const report: PeerReport = {
      label: job.label,
      peer: job.peer,
      loadSeconds,
      maxRssMb: process.resourceUsage().maxRSS / 1024,
      measurements,
      details: runner.details(),
    };
    writeFileSync(round.resultPath, JSON.stringify(report));
    process.stdout.write(`${round.resultPath}\n`);
  }
  await runner.dispose();
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? (err.stack ?? err.message) : String(err));
  process.exit(1);
});
