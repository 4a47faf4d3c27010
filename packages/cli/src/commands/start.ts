import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import type { Command } from 'commander';
import {
  evaluateIntoStore,
  loadBundledReported,
  loadTaskSpec,
  openDb,
  sampleSuiteFiles,
  type Store,
  type TaskDefinition,
} from '@sciboard/runs';
import { loadModel, writeTinyModel } from '@sciboard/onnx';
import { positiveInt } from '../options.ts';
import { demoData } from '../demoData.ts';
import { cliEnv } from '../env.ts';
import { runWorkerCommand } from './worker.ts';

/** Where the site's package is installed (a workspace member beside this one): `start` builds and serves it. */
function siteDir(): string {
  try {
    return dirname(createRequire(import.meta.url).resolve('@sciboard/web/package.json'));
  } catch {
    throw new Error('the site (@sciboard/web) is not installed beside this command: serve the boards from a checkout of the repository, or pass --no-serve');
  }
}
export const DEMO_MODEL_NAME = 'sciboard-demo-tiny (random weights)';

/** A tiny generated model scored on the sample suites (and small slices of the real ones when present). */
export async function runDemo(store: Store, log: (line: string) => void): Promise<void> {
  const modelDir = resolve('.sciboard/demo-model');
  if (!existsSync(join(modelDir, 'model.onnx'))) {
    log(`writing the demo model to ${modelDir}`);
    await writeTinyModel(modelDir, { seed: 0 });
  }
  const tasks: (string | TaskDefinition)[] = sampleSuiteFiles().map((f) => loadTaskSpec(f));
  // Every measurable column of both boards, as a submission's default plan has them, where the data is there.
  const demo = await demoData(log);
  const dataDir = demo.dir;
  tasks.push(...demo.tasks);
  const model = await loadModel(modelDir, { device: 'auto', batchSize: 8, runtime: cliEnv().engine });
  log(`demo evaluation of ${DEMO_MODEL_NAME} on ${tasks.length} suites, provider ${model.provider}`);
  try {
    await evaluateIntoStore({
      store,
      model,
      modelInfo: { name: DEMO_MODEL_NAME, family: 'sciboard-tiny', params: 0.000125, modelType: 'pretrained', checkpointPath: modelDir },
      tasks,
      dataDir: dataDir ?? '',
      limit: dataDir ? 2 : undefined,
      // The demo batches alike on every machine: 8 rows per forward pass, 8 items per stored batch.
      batchSize: model.batchSize,
      storeEvery: 8,
      device: 'auto',
      provider: model.provider,
      onProgress: (p) => {
        if (p.done === p.total) log(`  ${p.task}: ${p.done}/${p.total} done`);
      },
    });
  } finally {
    await model.dispose();
  }
}

function startLocalWorker(dbFile: string, signal: AbortSignal, log: (line: string) => void): Promise<void> {
  log('evaluating submissions in this process (one worker on the embedded database)');
  return runWorkerCommand({ concurrency: 1, device: 'auto', database: { file: dbFile } }, signal).then(
    () => undefined,
    (err: Error) => log(`submission worker stopped: ${err.message}`),
  );
}

export function register(program: Command): void {
  program
    .command('start')
    .description('Migrate the database, load the reference rows, run the demo if nothing is measured, then serve the boards')
    .option('--port <n>', 'port to listen on (default: $PORT or 3000)', positiveInt('--port'))
    .option('--no-demo', 'skip the demo evaluation')
    .option('--no-serve', 'prepare the database and stop (no site)')
    .action(async (opts: { port?: number; demo: boolean; serve: boolean }) => {
      const log = (line: string) => process.stderr.write(`${line}\n`);
      const env = cliEnv();
      const dbFile = env.database.url ? undefined : resolve(env.database.file ?? '.sciboard/sciboard.db');
      const store = await openDb(dbFile ? { file: dbFile } : env.database);
      try {
        const loaded = await loadBundledReported(store);
        log(`database ready (${env.database.url ? 'PostgreSQL' : dbFile}); reference rows: ${JSON.stringify(loaded)}`);
        const measured = (await store.listRuns({ status: 'finished' })).some((r) => r.source === 'measured');
        if (opts.demo && !measured) await runDemo(store, log);
      } finally {
        await store.close();
      }
      if (!opts.serve) return;
      const siteEnv = { ...env.vars, NEXT_TELEMETRY_DISABLED: '1', ...(dbFile ? { SCIBOARD_DB: dbFile } : {}) };
      // Next's own entry point, run by this node: no npx in between, so a signal reaches the server itself.
      const webDir = siteDir();
      const nextBin = createRequire(join(webDir, 'package.json')).resolve('next/dist/bin/next');
      const built = spawnSync(process.execPath, [join(webDir, 'scripts/build-if-stale.mjs')], { cwd: webDir, env: siteEnv, stdio: 'inherit' });
      if (built.status !== 0) throw new Error('next build failed (see the output above)');
      const port = String(opts.port ?? env.port ?? 3000);
      log(`serving the boards on http://127.0.0.1:${port}/ (Ctrl-C to stop)`);
      const server = spawn(process.execPath, [nextBin, 'start', '-H', '127.0.0.1', '-p', port], { cwd: webDir, env: siteEnv, stdio: 'inherit' });
      // With the embedded database nobody else runs workers: evaluate submissions in this process.
      const worker = new AbortController();
      const working = dbFile ? startLocalWorker(dbFile, worker.signal, log) : Promise.resolve();
      server.on('exit', () => worker.abort());
      const stop = () => server.kill('SIGTERM');
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
      const code = await new Promise<number>((res) => server.on('exit', (c) => res(c ?? 0)));
      await working;
      process.exitCode = code;
    });
}
