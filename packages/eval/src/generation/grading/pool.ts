/**
 * A small pool of worker threads that run MATH equivalence checks (minerva's is_equiv, math_verify) under a hard
 * time limit. lm-eval stops a sympy comparison after 5 seconds with SIGALRM; a JavaScript computation cannot be
 * interrupted from inside its own thread, so each check runs in a worker that is terminated, and replaced, when
 * the check outlives the limit. A timed-out check is "not equal" with the reason kept.
 *
 * Workers hold a reference on the event loop only while they have work, so a pool that is never closed does not
 * keep a process alive; `close()` ends them at once.
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { MinervaEquivOptions } from '../mathEquivalence.ts';
import type { CheckVerdict, FromWorker, GradingJob, ToWorker, WorkerSettings } from './protocol.ts';

export type { CheckVerdict, GradingJob } from './protocol.ts';

/** lm-eval's limit for one minerva comparison (and math_verify's own default timeouts). */
export const DEFAULT_TIME_LIMIT_MS = 5000;

/** A worker that has not loaded its graders by then is broken (its start-up, not a check, hangs). */
const STARTUP_LIMIT_MS = 60_000;

/** What MATH scoring needs from a grader: both checks, asynchronously. */
export interface MathGrader {
  minerva(answer: string, gold: string, options?: MinervaEquivOptions): Promise<CheckVerdict>;
  mathVerify(goldSolution: string, completion: string): Promise<CheckVerdict>;
}

export interface GradingPoolOptions {
  /** Worker threads; default one per core. */
  size?: number;
  /** Time limit for one check in milliseconds; default 5000 as lm-eval. */
  timeLimitMs?: number;
  /** Heap ceiling per worker (MB): a check that allocates without bound ends its worker, not the process. */
  maxHeapMb?: number;
  /** Test hook: checks with this exact input string spin forever in the worker (see serve.ts). */
  busyMarker?: string;
}

interface Pending {
  id: number;
  job: GradingJob;
  resolve: (v: CheckVerdict) => void;
  reject: (e: Error) => void;
}

interface Slot {
  worker: Worker;
  ready: boolean;
  current?: { pending: Pending; timer: NodeJS.Timeout };
}

export class GradingPool implements MathGrader {
  readonly size: number;
  readonly timeLimitMs: number;
  private readonly maxHeapMb: number;
  private readonly settings: WorkerSettings;
  private readonly slots = new Set<Slot>();
  private readonly queue: Pending[] = [];
  private nextId = 1;
  private closed = false;
  private startupError: Error | undefined;
  /** Checks stopped at the time limit since the pool was made (for reports and tests). */
  timeouts = 0;

  constructor(options: GradingPoolOptions = {}) {
    const size = options.size ?? availableParallelism();
    if (!Number.isInteger(size) || size < 1) throw new Error(`grading pool: size must be a positive integer, got ${size}`);
    const limit = options.timeLimitMs ?? DEFAULT_TIME_LIMIT_MS;
    if (!Number.isFinite(limit) || limit <= 0) throw new Error(`grading pool: time limit must be a positive number of milliseconds, got ${limit}`);
    this.size = size;
    this.timeLimitMs = limit;
    this.maxHeapMb = options.maxHeapMb ?? 2048;
    this.settings = options.busyMarker === undefined ? {} : { busyMarker: options.busyMarker };
  }

  minerva(answer: string, gold: string, options?: MinervaEquivOptions): Promise<CheckVerdict> {
    return this.check({ kind: 'minerva', answer, gold, ...(options ? { options } : {}) });
  }

  mathVerify(goldSolution: string, completion: string): Promise<CheckVerdict> {
    return this.check({ kind: 'math_verify', goldSolution, completion });
  }

  check(job: GradingJob): Promise<CheckVerdict> {
    if (this.closed) return Promise.reject(new Error('grading pool is closed'));
    if (this.startupError) return Promise.reject(this.startupError);
    return new Promise<CheckVerdict>((resolve, reject) => {
      this.queue.push({ id: this.nextId++, job, resolve, reject });
      this.pump();
    });
  }

  /** Ends every worker; checks still queued or running are rejected. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const err = new Error('grading pool is closed');
    for (const p of this.queue.splice(0)) p.reject(err);
    const ending: Promise<number>[] = [];
    for (const slot of this.slots) {
      if (slot.current) {
        clearTimeout(slot.current.timer);
        slot.current.pending.reject(err);
        slot.current = undefined;
      }
      // An idle worker is unref'd; the process must stay up until it has exited, or `await close()` never returns
      // (an awaiting top-level module would end the process with code 13).
      slot.worker.ref();
      ending.push(slot.worker.terminate());
    }
    this.slots.clear();
    await Promise.all(ending);
  }

  private pump(): void {
    if (this.closed) return;
    for (const slot of this.slots) {
      if (this.queue.length === 0) break;
      if (slot.ready && !slot.current) this.dispatch(slot, this.queue.shift()!);
    }
    // Start workers for the checks that no starting worker will take, up to the pool size.
    let starting = [...this.slots].filter((s) => !s.ready).length;
    while (this.queue.length > starting && this.slots.size < this.size) {
      this.spawn();
      starting++;
    }
  }

  private spawn(): void {
    const worker = new Worker(new URL('./entry.mjs', import.meta.url), {
      workerData: this.settings,
      resourceLimits: { maxOldGenerationSizeMb: this.maxHeapMb },
    });
    const slot: Slot = { worker, ready: false };
    this.slots.add(slot);
    const startup = setTimeout(() => {
      this.lost(slot, new Error(`no grader loaded within ${STARTUP_LIMIT_MS / 1000} s`));
      void worker.terminate();
    }, STARTUP_LIMIT_MS);
    startup.unref();
    worker.on('message', (m: FromWorker) => {
      // After close() the worker is being terminated: a late `ready` or verdict must not unref it again.
      if (this.closed) return;
      if (m.type === 'ready') {
        clearTimeout(startup);
        slot.ready = true;
        this.pump();
        if (!slot.current) worker.unref();
        return;
      }
      const current = slot.current;
      if (!current || current.pending.id !== m.id) return;
      clearTimeout(current.timer);
      slot.current = undefined;
      current.pending.resolve(m.verdict);
      this.pump();
      if (!slot.current) worker.unref();
    });
    worker.on('error', (err: Error) => {
      clearTimeout(startup);
      this.lost(slot, err);
    });
    worker.on('exit', (code) => {
      clearTimeout(startup);
      this.lost(slot, new Error(`grading worker exited with code ${code}`));
    });
  }

  /** A worker ended on its own: its check (if any) is not equal; a worker that never started stops the pool. */
  private lost(slot: Slot, err: Error): void {
    if (!this.slots.delete(slot)) return;
    if (!slot.ready) {
      this.startupError = new Error(`grading worker failed to start: ${err.message}`);
      for (const p of this.queue.splice(0)) p.reject(this.startupError);
      return;
    }
    const current = slot.current;
    if (current) {
      clearTimeout(current.timer);
      slot.current = undefined;
      current.pending.resolve({ equal: false, reason: `grading worker stopped during the check (${err.message})` });
    }
    this.pump();
  }

  private dispatch(slot: Slot, pending: Pending): void {
    slot.worker.ref();
    const timer = setTimeout(() => this.expire(slot), this.timeLimitMs);
    slot.current = { pending, timer };
    slot.worker.postMessage({ type: 'check', id: pending.id, job: pending.job } satisfies ToWorker);
  }

  private expire(slot: Slot): void {
    const current = slot.current;
    if (!current || !this.slots.delete(slot)) return;
    slot.current = undefined;
    this.timeouts++;
    void slot.worker.terminate();
    current.pending.resolve({ equal: false, timedOut: true, reason: `time limit: no verdict within ${this.timeLimitMs / 1000} s` });
    this.pump();
  }
}

let shared: GradingPool | undefined;

/**
 * A process-wide pool with lm-eval's settings, for scoring outside `evaluate` (tests, library use). Its idle
 * workers do not keep the process alive; `evaluate` and `sciboard grade` make and close their own pools.
 */
export function sharedGradingPool(): GradingPool {
  shared ??= new GradingPool();
  return shared;
}
