import { type ChildProcessWithoutNullStreams, spawn, spawnSync } from 'node:child_process';
import { createInterface } from 'node:readline';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { findCheckpointFiles, TextTokenizer } from '@sciboard/onnx';
import { type WorkloadTokens, workloadTokens } from './analysis.ts';
import { prepareModel, type BenchmarkModel } from './models.ts';
import { lastRound, type ModelPlan, type PeerPlan, type RunPlan, workloadsForRound } from './plan.ts';
import type { PeerJob, PeerReport, PeerRound } from './protocol.ts';
import { assembleResult, type BenchmarkResult } from './result.ts';
import { bestRoofline, type Roofline } from './roofline.ts';
import { suiteTokens, type SuiteTokens } from './suite-tokens.ts';
import { buildWorkloads, type Workload } from './workloads.ts';

const here = dirname(fileURLToPath(import.meta.url));
export const benchmarksDir = resolve(here, '..');
const repoRoot = resolve(benchmarksDir, '..');

export interface RunOptions {
  plan: RunPlan;
  threads: number;
  dataDir: string;
  /** Folder holding fixtures/tiny-llm (the Qwen3 tokenizer). */
  sharedDir: string;
  cacheDir: string;
  /** Count the full MMLU / GSM8K prompts' tokens for projections (slow the first time, then cached). */
  projections: boolean;
  /** glibc's malloc asks for transparent huge pages in every child process (see `ALLOCATOR_TUNABLES`). */
  hugePages: boolean;
  log?: (line: string) => void;
}

/**
 * Every peer, the roofline probe included, runs with the same allocator setting. With `glibc.malloc.hugetlb=1`
 * glibc's malloc marks its heap and mmapped chunks for transparent huge pages (madvise), so a fresh buffer is
 * first touched in 2 MB pages instead of 4 KB ones: on this virtual machine a new 1 GB buffer then fills in about
 * 0.1 s rather than 3–7 s. ONNX Runtime's arena, V8's array buffers and the weights read at load all come from
 * malloc. No effect where THP is off or glibc is older than 2.35.
 */
export const ALLOCATOR_TUNABLES = 'glibc.malloc.hugetlb=1';

/** The children's GLIBC_TUNABLES: the caller's own tunables kept, the huge-page one set or removed. */
export function allocatorEnv(hugePages: boolean, inheritedTunables = process.env.GLIBC_TUNABLES): { GLIBC_TUNABLES: string } {
  const inherited = (inheritedTunables ?? '').split(':').filter((t) => t !== '' && !t.startsWith('glibc.malloc.hugetlb='));
  const tunables = hugePages ? [...inherited, ALLOCATOR_TUNABLES] : inherited;
  return { GLIBC_TUNABLES: tunables.join(':') };
}

interface PreparedModel {
  plan: ModelPlan;
  model: BenchmarkModel;
  workloads: Workload[];
  tokens: WorkloadTokens[];
}

function runChild(script: string, args: string[], env: NodeJS.ProcessEnv): Promise<void> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', script, ...args], { cwd: repoRoot, env, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-4000)));
    child.on('error', reject);
    child.on('exit', (code, signal) =>
      code === 0 ? resolvePromise() : reject(new Error(`${script} ${args.join(' ')} exited with ${code ?? signal}:\n${stderr}`)),
    );
  });
}

/** A peer's process, alive from its first round to its last: the model is loaded once. */
class PeerProcess {
  private stderr = '';
  private waiting?: { resolve: () => void; reject: (err: Error) => void };
  /** Settles when the process ends: with its exit code, or rejected if it could not start. */
  private readonly ended: Promise<number | string>;
  private exit?: number | string;

  private constructor(private readonly child: ChildProcessWithoutNullStreams, private readonly name: string) {
    child.stderr.on('data', (chunk: Buffer) => (this.stderr = (this.stderr + chunk.toString()).slice(-4000)));
    createInterface({ input: child.stdout }).on('line', () => this.settle());
    this.ended = new Promise((resolveEnd) => {
      child.on('error', (err) => resolveEnd(`could not start (${err.message})`));
      child.on('exit', (code, signal) => resolveEnd(code ?? signal ?? 'unknown'));
    }).then((exit) => {
      this.exit = exit as number | string;
      this.settle(this.failure());
      return this.exit;
    });
  }

  static start(script: string, jobPath: string, env: NodeJS.ProcessEnv): PeerProcess {
    const child = spawn(process.execPath, ['--import', 'tsx', script, jobPath], { cwd: repoRoot, env, stdio: ['pipe', 'pipe', 'pipe'] });
    return new PeerProcess(child, `${script} ${jobPath}`);
  }

  run(round: PeerRound): Promise<void> {
    if (this.exit !== undefined) return Promise.reject(this.failure());
    return new Promise((resolvePromise, reject) => {
      this.waiting = { resolve: resolvePromise, reject };
      this.child.stdin.write(`${JSON.stringify(round)}\n`);
    });
  }

  /** Ends its input: it disposes the model and exits. */
  async close(): Promise<void> {
    this.child.stdin.end();
    if ((await this.ended) !== 0) throw this.failure();
  }

  kill(): void {
    if (this.exit === undefined) this.child.kill('SIGKILL');
  }

  private failure(): Error {
    return new Error(`${this.name} ${typeof this.exit === 'number' ? `exited with ${this.exit}` : this.exit}:\n${this.stderr}`);
  }

  /** Answers the round in flight: done (a line on stdout) or failed (the process ended first). */
  private settle(err?: Error): void {
    const w = this.waiting;
    this.waiting = undefined;
    if (err) w?.reject(err);
    else w?.resolve();
  }
}

function jobWorkloads(peer: PeerPlan, workloads: Workload[], round: number, unitRounds: number): Workload[] {
  const names = workloadsForRound(peer, workloads.map((w) => w.name), round, unitRounds);
  return workloads
    .filter((w) => names.includes(w.name))
    .map((w) => {
      if (peer.itemLimit === undefined || (w.kind !== 'choice' && w.kind !== 'generation')) return w;
      // The oracle's cut slice: its outputs are what matter, its timing is informative, so one call suffices.
      const cut = { ...w, items: w.items.slice(0, peer.itemLimit) } as Workload;
      if (cut.kind === 'generation') delete cut.splitDecode;
      return cut;
    });
}

/** The 1-minute load average sampled every few seconds while the benchmark runs. */
export class LoadSampler {
  readonly samples: number[] = [];
  private readonly timer: NodeJS.Timeout;
  constructor(everyMs = 5000) {
    this.samples.push(loadavg()[0]!);
    this.timer = setInterval(() => this.samples.push(loadavg()[0]!), everyMs);
    this.timer.unref();
  }
  stop(): number[] {
    clearInterval(this.timer);
    this.samples.push(loadavg()[0]!);
    return this.samples;
  }
}

export async function runBenchmark(options: RunOptions): Promise<BenchmarkResult> {
  const log = options.log ?? ((line: string) => console.log(line));
  const started = Date.now();
  const loadSampler = new LoadSampler();
  // Per process, so a smoke test and a benchmark run side by side do not share job files.
  const workDir = join(options.cacheDir, 'run', String(process.pid));
  mkdirSync(workDir, { recursive: true });
  const graphCache = join(options.cacheDir, 'graphs');
  const env = { ...process.env, SCIBOARD_CACHE_DIR: graphCache, ...allocatorEnv(options.hugePages) };
  const qwenDir = join(options.sharedDir, 'fixtures', 'tiny-llm');

  const prepared: PreparedModel[] = [];
  for (const plan of options.plan.models) {
    const t = Date.now();
    const model = await prepareModel(plan.shape, options.cacheDir, qwenDir);
    const tok = new TextTokenizer(findCheckpointFiles(model.dir));
    const encode = (s: string) => tok.encode(s);
    const workloads = buildWorkloads(options.dataDir, plan.sizes, { encode, decode: (ids) => tok.decode(ids) });
    prepared.push({ plan, model, workloads, tokens: workloads.map((w) => workloadTokens(w, encode)) });
    log(`model ${plan.shape}: ${(model.shape.parameters / 1e6).toFixed(0)}M parameters, ready in ${((Date.now() - t) / 1000).toFixed(1)} s`);
  }

  let suites: SuiteTokens[] = [];
  if (options.projections) {
    const t = Date.now();
    const tokenizerPath = join(qwenDir, 'tokenizer.json');
    const tok = new TextTokenizer(findCheckpointFiles(qwenDir));
    suites = suiteTokens(options.dataDir, options.cacheDir, tokenizerPath, (s) => tok.encode(s));
    log(`suite token counts: ${suites.map((s) => `${s.suite} ${s.items} items`).join(', ')} (${((Date.now() - t) / 1000).toFixed(1)} s)`);
  }

  const probes: Roofline[] = [];
  const probeRooflineNow = async (round: number) => {
    const path = join(workDir, `roofline-${round}.json`);
    await runChild(join(here, 'roofline.ts'), [String(options.threads), path, options.plan.mode === 'quick' ? 'quick' : 'full', join(options.cacheDir, 'probes')], env);
    const probe = JSON.parse(readFileSync(path, 'utf8')) as Roofline;
    probes.push(probe);
    const reads = probe.bandwidth.probes.map((p) => `${p.op} ${(Math.max(...p.bytesPerSecond) / 1e9).toFixed(1)}`).join(', ');
    log(`roofline probe ${round + 1}: ${(probe.matmul.flopsPerSecond / 1e9).toFixed(0)} GFLOP/s MatMul, read GB/s (best run) ${reads}`);
  };

  // reports[model][label] = one report per round. Rounds run model by model, so that only one model's peers
  // hold their weights at a time; within a model every round runs every peer, in an order rotated per round.
  const reports = prepared.map(() => new Map<string, PeerReport[]>());
  const { rounds, unitRounds } = options.plan;
  for (const [m, p] of prepared.entries()) {
    const live = new Map<string, PeerProcess>();
    const names = p.workloads.map((w) => w.name);
    try {
      for (let round = 0; round < rounds; round++) {
        // Probed every round of the first model's rounds, interleaved with its peers, so that the best probe is
        // not one that met a busy moment.
        if (m === 0) await probeRooflineNow(round);
        const peers = p.plan.peers.filter((peer) => workloadsForRound(peer, names, round, unitRounds).length > 0 && round <= lastRound(peer, names, rounds, unitRounds));
        const order = peers.map((_, i) => peers[(i + round) % peers.length]!);
        for (const peer of order) {
          const t = Date.now();
          const name = `${p.plan.shape}-${peer.label.replace(/[^a-z0-9.+-]/gi, '_')}`;
          let proc = live.get(peer.label);
          if (!proc) {
            const job: PeerJob = {
              peer: peer.peer,
              label: peer.label,
              modelDir: p.model.dir,
              threads: options.threads,
              fast: peer.fast,
              int8: peer.int8,
              batchSize: peer.batchSize ?? Math.max(p.plan.sizes.generationBatch, ...p.plan.sizes.decodeBatches),
            };
            const jobPath = join(workDir, `${name}.job.json`);
            writeFileSync(jobPath, JSON.stringify(job));
            proc = PeerProcess.start(join(here, 'peer-main.ts'), jobPath, env);
            live.set(peer.label, proc);
          }
          const resultPath = join(workDir, `${name}-${round}.json`);
          await proc.run({ workloads: jobWorkloads(peer, p.workloads, round, unitRounds), keepOutputs: round === 0, resultPath });
          if (p.plan.freshProcessPerRound || round >= lastRound(peer, names, rounds, unitRounds)) {
            await proc.close();
            live.delete(peer.label);
          }
          const report = JSON.parse(readFileSync(resultPath, 'utf8')) as PeerReport;
          const list = reports[m]!.get(peer.label) ?? [];
          list.push(report);
          reports[m]!.set(peer.label, list);
          const loaded = round === 0 || p.plan.freshProcessPerRound ? ` (load ${report.loadSeconds.toFixed(1)} s)` : '';
          log(`round ${round + 1}/${rounds} ${p.plan.shape} ${peer.label}: ${((Date.now() - t) / 1000).toFixed(1)} s${loaded}, load average ${loadavg()[0]!.toFixed(2)}`);
        }
      }
    } finally {
      for (const proc of live.values()) proc.kill();
    }
  }

  return assembleResult({
    plan: options.plan,
    threads: options.threads,
    allocator: env.GLIBC_TUNABLES ? `GLIBC_TUNABLES=${env.GLIBC_TUNABLES}` : 'glibc malloc defaults (4 KB pages unless THP is always on)',
    roofline: bestRoofline(probes),
    suites,
    models: prepared.map((p, i) => ({ model: p.model, plan: p.plan, workloads: p.workloads, tokens: p.tokens, reports: reports[i]! })),
    wallSeconds: (Date.now() - started) / 1000,
    loadSamples: loadSampler.stop(),
  });
}

export interface CliOptions {
  mode: 'quick' | 'full';
  rounds?: number;
  name: string;
  threads: number;
  dataDir: string;
  sharedDir: string;
  readme: boolean;
  hugePages: boolean;
  /** Only these models of the plan (`--models cli_small`); all when absent. */
  models?: string[];
  /** Only these peers (labels, `--peers sciboard,sciboard:b4`); all when absent. */
  peers?: string[];
  /** `--skip-units`: leave out the fully timed units; `--units-only`: run only them. */
  units: 'with' | 'skip' | 'only';
  unitRounds?: number;
  /** `--eval-batch N`: the batch `sciboard eval` uses by default, when its help cannot tell. */
  evalBatch?: number;
  /** Wait (up to 30 minutes) until the 1-minute load average is below this before starting. */
  maxLoad?: number;
}

export function parseArgs(argv: string[]): CliOptions {
  const sharedDir = resolve(process.env.SCIBOARD_SHARED_DIR ?? join(repoRoot, '..', 'shared'));
  const options: CliOptions = { mode: 'full', name: '', threads: availableParallelism(), dataDir: join(sharedDir, 'data'), sharedDir, readme: true, hugePages: true, units: 'with' };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const value = () => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${arg} needs a value`);
      return v;
    };
    const positive = (v: string) => {
      const n = Number(v);
      if (!Number.isInteger(n) || n < 1) throw new Error(`${arg} must be a positive integer, got "${v}"`);
      return n;
    };
    if (arg === '--quick') options.mode = 'quick';
    else if (arg === '--rounds') options.rounds = positive(value());
    else if (arg === '--threads') options.threads = positive(value());
    else if (arg === '--name') options.name = value();
    else if (arg === '--data-dir') options.dataDir = resolve(value());
    else if (arg === '--no-readme') options.readme = false;
    else if (arg === '--no-huge-pages') options.hugePages = false;
    else if (arg === '--models') options.models = value().split(',');
    else if (arg === '--peers') options.peers = value().split(',');
    else if (arg === '--skip-units') options.units = 'skip';
    else if (arg === '--units-only') options.units = 'only';
    else if (arg === '--unit-rounds') options.unitRounds = positive(value());
    else if (arg === '--eval-batch') options.evalBatch = positive(value());
    else if (arg === '--max-load') {
      const v = Number(value());
      if (!(v > 0)) throw new Error(`--max-load must be a positive number, got "${argv[i]}"`);
      options.maxLoad = v;
    } else
      throw new Error(
        `unknown option ${arg} (expected --quick, --rounds N, --threads N, --name NAME, --data-dir DIR, --no-readme, --no-huge-pages, --models A,B, --peers A,B, --skip-units, --units-only, --unit-rounds N, --eval-batch N, --max-load L)`,
      );
  }
  if (options.units === 'skip' && options.unitRounds !== undefined) throw new Error('--unit-rounds and --skip-units contradict each other');
  if (options.name === '') options.name = options.units === 'only' ? `${options.mode}-units` : options.mode;
  if (!/^[\w.-]+$/.test(options.name)) throw new Error(`--name must be letters, digits, dot, dash or underscore, got "${options.name}"`);
  if (!existsSync(options.dataDir)) throw new Error(`${options.dataDir}: data directory not found (set SCIBOARD_SHARED_DIR or pass --data-dir)`);
  return options;
}

/**
 * The batch `sciboard eval` uses when none is given, for the 0.5B checkpoint on this machine now: the number its
 * help states as `--batch-size`'s default, or, when the command picks it from the model and the free memory, what
 * it picks — the checkpoint loaded with `batchSize: 'auto'` in a child process, as the command loads it.
 */
export async function evalDefaultBatch(options: { cacheDir: string; sharedDir: string; threads: number; hugePages: boolean }): Promise<{ batchSize: number; reason: string }> {
  const bin = join(repoRoot, 'packages', 'cli', 'bin', 'sciboard.mjs');
  const help = spawnSync(process.execPath, [bin, 'eval', '--help'], { encoding: 'utf8', cwd: repoRoot });
  const text = `${help.stdout ?? ''}`.replace(/\s+/g, ' ');
  const option = /--batch-size <n>(.*?)(?= --[a-z])/.exec(text)?.[1] ?? '';
  const fixed = /\(default: (\d+)\)/.exec(option);
  if (fixed) return { batchSize: Number(fixed[1]), reason: `sciboard eval --help: --batch-size default ${fixed[1]}` };
  if (!/default: picked/.test(option)) throw new Error(`${bin} eval --help: --batch-size states no default this benchmark understands ("${option.trim()}"); pass --eval-batch N`);
  const model = await prepareModel('qwen2_5_0_5b', options.cacheDir, join(options.sharedDir, 'fixtures', 'tiny-llm'));
  const child = spawnSync(process.execPath, ['--import', 'tsx', join(here, 'auto-batch.ts'), model.dir, String(options.threads)], {
    encoding: 'utf8',
    cwd: repoRoot,
    env: { ...process.env, ...allocatorEnv(options.hugePages) },
  });
  if (child.status !== 0) throw new Error(`auto-batch.ts ${model.dir} exited with ${child.status}: ${child.stderr.slice(-2000)}`);
  const picked = JSON.parse(child.stdout.trim().split('\n').at(-1)!) as { batchSize: number; reason: string };
  return { batchSize: picked.batchSize, reason: `picked by the engine for ${model.name} at the start of the run: ${picked.reason}` };
}

/** Waits until the 1-minute load average is below `max` (checked every 15 s), for at most `timeoutMs`. */
export async function waitForQuiet(max: number, log: (line: string) => void, timeoutMs = 30 * 60_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (loadavg()[0]! >= max) {
    if (Date.now() > until) throw new Error(`load average stayed at or above ${max} for ${timeoutMs / 60_000} minutes (now ${loadavg()[0]!.toFixed(2)})`);
    log(`load average ${loadavg()[0]!.toFixed(2)} ≥ ${max}: waiting`);
    await new Promise((r) => setTimeout(r, 15_000));
  }
}
