#!/usr/bin/env node
/**
 * How far does adding workers shorten one large task? N in-process workers (each with its own store and its
 * own pg-boss instance, as N worker processes have) drain one submission of item-range shards on PostgreSQL;
 * a model stand-in takes a fixed time per item, so everything beyond items × time / N is the queue's cost.
 * Reports, per N: wall time against the ideal, queue time per job (fetch + claim + complete, measured around
 * the queue calls), database transactions per second and the most connections open at once.
 *
 *   node benchmarks/queue-scaling.mjs [--workers 1,2,4,8,16,32,64] [--items 2048] [--shard-size 32] [--item-ms 10] [--slots 1]
 *
 * --slots k groups the N workers into N/k processes of k slots (`sciboard worker --concurrency k`), which
 * share their process's store and pg-boss connections.
 *
 * Needs PostgreSQL at 127.0.0.1:5432 (trust auth); each N gets a fresh database, dropped afterwards.
 * Writes benchmarks/results/queue-scaling.json.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, platform, release, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { register } from 'tsx/esm/api';

register();
const { openDb } = await import('@sciboard/db');
const { openPgBossQueue, runWorker } = await import('@sciboard/queue');
const { splitRanges } = await import('@sciboard/runs');
const pg = (await import('pg')).default;

const here = dirname(fileURLToPath(import.meta.url));
const arg = (name, fallback) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1] : fallback;
};
const WORKERS = arg('--workers', '1,2,4,8,16,32,64').split(',').map(Number);
const ITEMS = Number(arg('--items', '2048'));
const SHARD = Number(arg('--shard-size', '32'));
const ITEM_MS = Number(arg('--item-ms', '10'));
const SLOTS = Number(arg('--slots', '1'));
const LEASE_S = 30;
const PG = 'postgres://postgres@127.0.0.1:5432';
const psql = (args) => spawnSync(args[0], ['-h', '127.0.0.1', '-U', 'postgres', ...args.slice(1)], { encoding: 'utf8' });
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** The model stand-in: a fixed time per item, progress after each, stoppable like the real runner. */
const standIn = (store) => ({
  async run(shard, { signal, progress }) {
    const n = shard.docEnd - shard.docStart;
    for (let i = 0; i < n; i++) {
      signal.throwIfAborted();
      await sleep(ITEM_MS);
      progress(i + 1, n);
    }
  },
  // No scores to compute: the run is marked finished, so the submission finishes as with the real runner.
  finishRun: async (_submission, runId) => void (await store.updateRun(runId, { status: 'finished' })),
  close: async () => undefined,
});

/** Times every queue call a worker makes for a job: fetch + claim (next) and complete. */
function timed(queue, stats) {
  return {
    ...queue,
    async next(owner) {
      const t = performance.now();
      const lease = await queue.next(owner);
      if (!lease) {
        stats.emptyPolls++;
        return lease;
      }
      stats.queueMs += performance.now() - t;
      return {
        ...lease,
        heartbeat: () => (stats.heartbeats++, lease.heartbeat()),
        async complete() {
          const c = performance.now();
          const out = await lease.complete();
          stats.queueMs += performance.now() - c;
          stats.jobs++;
          return out;
        },
      };
    },
  };
}

async function dbCounters(client, database) {
  const { rows } = await client.query('SELECT xact_commit + xact_rollback AS xacts, tup_returned + tup_fetched AS reads, tup_inserted + tup_updated + tup_deleted AS writes FROM pg_stat_database WHERE datname = $1', [database]);
  return { xacts: Number(rows[0].xacts), reads: Number(rows[0].reads), writes: Number(rows[0].writes) };
}

async function runOnce(n) {
  const database = `sciboard_scaling_${process.pid}_${n}`;
  psql(['createdb', database]);
  const url = `${PG}/${database}`;
  const setup = await openDb({ url });
  const monitor = new pg.Client({ connectionString: `${PG}/postgres` });
  await monitor.connect();
  const workers = [];
  try {
    const model = await setup.upsertModel({ name: 'stand-in' });
    const run = await setup.createRun({ modelId: model.id, task: 'sim', config: {} });
    const ranges = splitRanges(ITEMS, SHARD);
    const { shards } = await setup.createSubmission({
      payload: {},
      dedupeKey: 'sim',
      shards: ranges.map((r, turn) => ({ runId: run.id, subset: 'sim', task: 'sim', docStart: r.start, docEnd: r.end, turn })),
    });
    const settings = { leaseSeconds: LEASE_S, maxAttempts: 3 };
    const publisher = await openPgBossQueue(setup, url, settings);
    await publisher.publish(shards);
    await publisher.close();
    // Opened one after another: pg-boss's start can deadlock with itself when many start at the same instant.
    for (let i = 0; i < n; i += SLOTS) {
      const store = await openDb({ url });
      const stats = { jobs: 0, queueMs: 0, emptyPolls: 0, heartbeats: 0 };
      workers.push({ store, stats, slots: Math.min(SLOTS, n - i), queue: timed(await openPgBossQueue(store, url, settings), stats) });
    }
    let maxConnections = 0;
    const sampling = setInterval(async () => {
      const { rows } = await monitor.query('SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = $1', [database]).catch(() => ({ rows: [{ n: 0 }] }));
      maxConnections = Math.max(maxConnections, rows[0].n);
    }, 200);
    const before = await dbCounters(monitor, database);
    const started = performance.now();
    await Promise.all(
      workers.map((w) => runWorker({ store: w.store, queue: w.queue, runner: standIn(w.store), concurrency: w.slots, untilIdle: true, heartbeatMs: (LEASE_S * 1000) / 3, pollMs: 1000 })),
    );
    const wallS = (performance.now() - started) / 1000;
    clearInterval(sampling);
    const after = await dbCounters(monitor, database);
    const sum = (k) => workers.reduce((t, w) => t + w.stats[k], 0);
    const done = Number((await monitor.query(`SELECT 1`)).rowCount) && (await setup.listShards(shards[0].submissionId)).filter((s) => s.status === 'done').length;
    const idealS = (ITEMS * ITEM_MS) / 1000 / n;
    return {
      workers: n,
      processes: workers.length,
      jobs: sum('jobs'),
      shardsDone: done,
      wallS: +wallS.toFixed(2),
      idealS: +idealS.toFixed(2),
      efficiency: +(idealS / wallS).toFixed(3),
      queueMsPerJob: +(sum('queueMs') / Math.max(1, sum('jobs'))).toFixed(1),
      emptyPolls: sum('emptyPolls'),
      xactsPerS: Math.round((after.xacts - before.xacts) / wallS),
      rowReadsPerS: Math.round((after.reads - before.reads) / wallS),
      rowWritesPerS: Math.round((after.writes - before.writes) / wallS),
      maxConnections,
    };
  } finally {
    for (const w of workers) {
      await w.queue.close().catch(() => undefined);
      await w.store.close().catch(() => undefined);
    }
    await setup.close();
    await monitor.end();
    psql(['dropdb', '--force', database]);
  }
}

const rows = [];
for (const n of WORKERS) {
  try {
    const row = await runOnce(n);
    rows.push(row);
    console.log(JSON.stringify(row));
  } catch (err) {
    // drizzle wraps the driver's error: its cause says why (e.g. the server's connection limit).
    const error = err.cause?.message ?? err.message;
    rows.push({ workers: n, error });
    console.log(JSON.stringify({ workers: n, error }));
  }
}
const maxConnections = psql(['psql', '-Atc', 'show max_connections']).stdout.trim();
const report = {
  date: new Date().toISOString(),
  commit: execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: here, encoding: 'utf8' }).trim(),
  machine: { cpu: cpus()[0]?.model, cores: cpus().length, memoryGb: Math.round(totalmem() / 2 ** 30), os: `${platform()} ${release()}`, node: process.version },
  postgres: psql(['psql', '-Atc', 'show server_version']).stdout.trim(),
  maxConnections: Number(maxConnections),
  settings: { items: ITEMS, shardSize: SHARD, itemMs: ITEM_MS, leaseSeconds: LEASE_S, pollMs: 1000, slotsPerProcess: SLOTS },
  rows,
};
mkdirSync(join(here, 'results'), { recursive: true });
writeFileSync(join(here, `results/queue-scaling${SLOTS > 1 ? `-slots${SLOTS}` : ''}.json`), `${JSON.stringify(report, null, 2)}\n`);
console.log('| workers (processes) | wall | ideal | efficiency | queue ms/job | empty polls | transactions/s | row reads/s | row writes/s | max connections |');
console.log('|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
for (const r of rows) {
  if (r.error) console.log(`| ${r.workers} | failed: ${r.error} |`);
  else console.log(`| ${r.workers} (${r.processes}) | ${r.wallS} s | ${r.idealS} s | ${r.efficiency} | ${r.queueMsPerJob} | ${r.emptyPolls} | ${r.xactsPerS} | ${r.rowReadsPerS} | ${r.rowWritesPerS} | ${r.maxConnections} |`);
}
