/**
 * Item-range shards: one task split into document ranges and shared by several workers gives the same
 * per-item results and scores, byte for byte, as one worker running the whole task, whatever the split.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { openDb, type Store } from '@sciboard/db';
import { writeTinyModel } from '@sciboard/onnx';
import { openLeaseQueue, openPgBossQueue, runWorker, type ShardQueue, type ShardRunner } from '@sciboard/queue';
import { enqueueSubmission } from '@sciboard/runs';
import { skipOrFail } from '../../../db/src/test-backends.ts';
import { onnxShardRunner } from './worker.ts';

const pgAvailable = spawnSync('psql', ['-h', '127.0.0.1', '-U', 'postgres', '-Atc', 'select 1'], { encoding: 'utf8' }).stdout.trim() === '1';
if (!pgAvailable) skipOrFail('worker ranges test, the pg-boss part: no PostgreSQL at 127.0.0.1:5432');

const MC_DOCS = 15;
const GEN_DOCS = 9;

/** Two generated suites: multiple choice with two sampled exemplars (so prompts depend on the few-shot seed), and short generations. */
function writeSuites(dir: string): string[] {
  const mc = Array.from({ length: MC_DOCS }, (_, i) => ({ question: `What is ${i} plus ${i + 2}?`, choices: [`${2 * i + 2}`, `${i}`, `${i + 7}`, `${3 * i}`], answer: i % 4 }));
  const shots = Array.from({ length: 5 }, (_, i) => ({ question: `What is ${i} times 2?`, choices: [`${2 * i}`, `${i}`, `${i + 1}`, `${i + 3}`], answer: 0 }));
  writeFileSync(join(dir, 'mc.jsonl'), mc.map((d) => JSON.stringify(d)).join('\n'));
  writeFileSync(join(dir, 'shots.jsonl'), shots.map((d) => JSON.stringify(d)).join('\n'));
  writeFileSync(
    join(dir, 'mc.yaml'),
    [
      'task: ranges_mc',
      'output_type: multiple_choice',
      'data_files: mc.jsonl',
      'fewshot_data_files: shots.jsonl',
      'num_fewshot: 2',
      'doc_to_text: "{{ question }}\\nA. {{ choices[0] }}\\nB. {{ choices[1] }}\\nC. {{ choices[2] }}\\nD. {{ choices[3] }}\\nAnswer:"',
      'doc_to_choice: ["A", "B", "C", "D"]',
      'doc_to_target: "{{ answer }}"',
      'metric_list:',
      '  - metric: acc',
      '  - metric: acc_norm',
      'metadata:',
      '  version: 1.0',
    ].join('\n'),
  );
  const gen = Array.from({ length: GEN_DOCS }, (_, i) => ({ question: `Tom has ${i} apples and buys ${i + 1} more. How many now?`, answer: `${2 * i + 1}` }));
  writeFileSync(join(dir, 'gen.jsonl'), gen.map((d) => JSON.stringify(d)).join('\n'));
  writeFileSync(
    join(dir, 'gen.yaml'),
    [
      'task: ranges_gen',
      'output_type: generate_until',
      'data_files: gen.jsonl',
      'num_fewshot: 0',
      'doc_to_text: "Question: {{ question }}\\nAnswer:"',
      'doc_to_target: "{{ answer }}"',
      'generation_kwargs:',
      '  until: ["\\n\\n", "Question:"]',
      '  max_gen_toks: 12',
      'metric_list:',
      '  - metric: exact_match',
      'metadata:',
      '  version: 1.0',
    ].join('\n'),
  );
  return [join(dir, 'mc.yaml'), join(dir, 'gen.yaml')];
}

const strip = (row: object) => Object.fromEntries(Object.entries(row).filter(([k]) => !['id', 'runId', 'createdAt'].includes(k)));

/** Every stored item and score of every run, as JSON text: what must not depend on the split. */
async function snapshot(store: Store): Promise<{ items: string; scores: string }> {
  const items: unknown[] = [];
  const scores: unknown[] = [];
  for (const run of (await store.listRuns()).sort((a, b) => a.task.localeCompare(b.task))) {
    for (const task of ['ranges_mc', 'ranges_gen']) {
      const { items: rows } = await store.listResults(run.id, { task, limit: 1000 });
      items.push(...rows.map(strip).sort((a, b) => Number(a.docIndex) - Number(b.docIndex)));
    }
    scores.push(...(await store.scoresForRun(run.id)).map(strip));
  }
  return { items: JSON.stringify(items), scores: JSON.stringify(scores) };
}

/** The runner, noting before each shard what the database holds for the submission's runs. */
function watched(store: Store, runner: ShardRunner, seen: { task: string; runs: Record<string, string>; submission: string }[]): ShardRunner {
  return {
    ...runner,
    async run(shard, context) {
      const runs: Record<string, string> = {};
      for (const run of await store.listRuns()) runs[run.task] = `${run.status}, ${(await store.scoresForRun(run.id)).length > 0 ? 'scored' : 'no scores'}`;
      seen.push({ task: shard.task, runs, submission: (await store.getSubmission(shard.submissionId))!.status });
      return runner.run(shard, context);
    },
  };
}

/** With one worker the multiple-choice task's shards come first: its run is scored and finished before the generation task starts. */
function expectFirstRunScoredEarly(seen: { task: string; runs: Record<string, string>; submission: string }[]) {
  expect(seen.find((s) => s.task === 'ranges_gen')).toEqual({
    task: 'ranges_gen',
    runs: { ranges_mc: 'finished, scored', ranges_gen: 'pending, no scores' },
    submission: 'running',
  });
}

describe('one task shared by many workers', () => {
  let work: string;
  let modelDir: string;
  let suites: string[];
  let whole: { items: string; scores: string };
  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'sciboard-ranges-'));
    modelDir = join(work, 'model');
    await writeTinyModel(modelDir, { seed: 5 });
    suites = writeSuites(work);
  });

  /** Submits with `shardSize`, runs `workers` in-process workers to idle, returns the stored items and scores. */
  async function evaluateWith(o: { shardSize?: number; workers: number; db: { file: string } | { url: string } }) {
    // PostgreSQL: a store per worker, as separate processes have. SQLite: one store for all (a process's
    // connection serialises its calls; a second connection in the same thread would wait on itself).
    const stores = 'url' in o.db ? await Promise.all(Array.from({ length: o.workers }, () => openDb(o.db))) : Array(o.workers).fill(await openDb(o.db));
    const queues: ShardQueue[] = [];
    // One after another: pg-boss's start creates its schema and queue, which concurrent starts can deadlock on.
    for (const s of stores) queues.push('url' in o.db ? await openPgBossQueue(s, o.db.url, { leaseSeconds: 10, maxAttempts: 2 }) : openLeaseQueue(s, { leaseSeconds: 10, maxAttempts: 2 }));
    const logs: string[] = [];
    // What each shard found when it started: every run's status and score count, and the submission's status.
    const seen: { task: string; runs: Record<string, string>; submission: string }[] = [];
    try {
      const outcome = await enqueueSubmission(stores[0]!, queues[0]!, { checkpoint: modelDir, contentHash: 'tiny', name: 'tiny', tasks: suites, shardSize: o.shardSize, dataDir: work });
      if (outcome.kind !== 'queued') throw new Error('expected a new submission');
      const summaries = await Promise.all(
        stores.map((store, i) =>
          runWorker({
            store,
            queue: queues[i]!,
            runner: watched(store, onnxShardRunner(store, { device: 'cpu', dataDir: work, batchSize: 4, storeEvery: 4, log: (l) => logs.push(l) }), seen),
            untilIdle: true,
            heartbeatMs: 3000,
            pollMs: 100,
            log: (l) => logs.push(l),
          }),
        ),
      );
      const submission = await stores[0]!.getSubmission(outcome.submission.id);
      expect(submission?.status, logs.join('\n')).toBe('finished');
      // Each run's scores computed once, by one worker, however many saw its last range land; the submission
      // finished once, after both runs.
      const scored = logs.filter((l) => /^run \d+ \(ranges_(mc|gen)\) of submission \d+ finished: scores stored$/.test(l));
      expect(scored.map((l) => l.match(/\((ranges_\w+)\)/)![1]).sort(), logs.join('\n')).toEqual(['ranges_gen', 'ranges_mc']);
      expect(logs.filter((l) => l === `submission ${outcome.submission.id} finished: every run scored`)).toHaveLength(1);
      return { shards: outcome.shards, summaries, logs, seen, ...(await snapshot(stores[0]!)) };
    } finally {
      for (const q of queues) await q.close();
      for (const s of new Set(stores)) await s.close();
    }
  }

  it('gives the same items and scores for shard sizes 1, 7 and the whole task, with 1, 2 or 4 workers (SQLite)', async () => {
    const one = await evaluateWith({ workers: 1, db: { file: join(work, 'whole.db') } });
    expect(one.shards.map((s) => [s.task, s.docStart, s.docEnd])).toEqual([
      ['ranges_mc', null, null],
      ['ranges_gen', null, null],
    ]);
    whole = one;
    expectFirstRunScoredEarly(one.seen);
    expect(JSON.parse(whole.items)).toHaveLength(MC_DOCS + GEN_DOCS);

    const sevens = await evaluateWith({ shardSize: 7, workers: 2, db: { file: join(work, 'seven.db') } });
    expect(sevens.shards.map((s) => `${s.task}[${s.docStart},${s.docEnd})`)).toEqual([
      'ranges_mc[0,7)',
      'ranges_mc[7,14)',
      'ranges_mc[14,15)',
      'ranges_gen[0,7)',
      'ranges_gen[7,9)',
    ]);
    expect(sevens.logs.some((l) => /shard \d+ \(.*\/ ranges_mc\[7,14\)\) attempt 1/.test(l))).toBe(true);
    expect(sevens.items).toBe(whole.items);
    expect(sevens.scores).toBe(whole.scores);

    const ones = await evaluateWith({ shardSize: 1, workers: 4, db: { file: join(work, 'one.db') } });
    expect(ones.shards).toHaveLength(MC_DOCS + GEN_DOCS);
    // Four workers shared the ranges: more than one of them completed some.
    expect(ones.summaries.filter((s) => s.shardsDone > 0).length).toBeGreaterThan(1);
    expect(ones.items).toBe(whole.items);
    expect(ones.scores).toBe(whole.scores);
  }, 240_000);

  it.skipIf(!pgAvailable)('gives the same items and scores with ranges of 7 on pg-boss with 4 workers as one worker with the whole task', async () => {
    // jsonb stores keys in its own order, so PostgreSQL runs are compared with each other, not with SQLite's.
    const databases = ['whole', 'sevens'].map((d) => `sciboard_ranges_${d}_${process.pid}_${Date.now()}`);
    for (const d of databases) spawnSync('createdb', ['-h', '127.0.0.1', '-U', 'postgres', d]);
    try {
      const [wholeUrl, sevensUrl] = databases.map((d) => `postgres://postgres@127.0.0.1:5432/${d}`);
      const one = await evaluateWith({ workers: 1, db: { url: wholeUrl! } });
      expectFirstRunScoredEarly(one.seen);
      const sevens = await evaluateWith({ shardSize: 7, workers: 4, db: { url: sevensUrl! } });
      expect(sevens.shards).toHaveLength(5);
      expect(JSON.parse(sevens.items)).toHaveLength(MC_DOCS + GEN_DOCS);
      expect(sevens.items).toBe(one.items);
      expect(sevens.scores).toBe(one.scores);
    } finally {
      for (const d of databases) spawnSync('dropdb', ['-h', '127.0.0.1', '-U', 'postgres', '--force', d]);
    }
  }, 240_000);
});
