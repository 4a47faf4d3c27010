import { Worker } from 'node:worker_threads';
import { DeviceError, CheckpointError } from '../errors.ts';
import type { GenerateRequest, GenerateResult } from '../generate.ts';
import type { LoglikelihoodRequest, LoglikelihoodResult } from '../loglikelihood.ts';
import type { LoadOptions, RequestOptions } from '../model.ts';
import type { HostMessage, WorkerMessage } from './protocol.ts';

type Info = Extract<WorkerMessage, { type: 'loaded' }>['info'];

function rebuildError(m: { name: string; message: string }): Error {
  const Ctor = m.name === 'DeviceError' ? DeviceError : m.name === 'CheckpointError' ? CheckpointError : Error;
  const err = new Ctor(m.message);
  if (Ctor === Error && m.name === 'AbortError') err.name = 'AbortError';
  return err;
}

/**
 * The same model, run in a worker thread: `session.run()` blocks its thread for a whole batch, so a server or
 * a queue worker keeps its event loop (heartbeats, cancellation, HTTP) free by inferring here.
 */
export class WorkerLanguageModel {
  /** Generation results come back one message per finished row (see `RequestOptions.onResult`). */
  readonly streamsGenerations = true;
  private nextId = 1;
  private readonly pending = new Map<
    number,
    { resolve: (r: unknown) => void; reject: (e: Error) => void; onProgress?: RequestOptions['onProgress']; onResult?: RequestOptions['onResult'] }
  >();

  private constructor(
    private readonly worker: Worker,
    readonly info: Info,
  ) {
    worker.on('message', (m: WorkerMessage) => {
      if (m.type === 'progress') this.pending.get(m.id)?.onProgress?.({ done: m.done, total: m.total });
      else if (m.type === 'item') this.pending.get(m.id)?.onResult?.(m.index, m.result);
      else if (m.type === 'result') this.settle(m.id, (p) => p.resolve(m.results));
      else if (m.type === 'error' && m.id !== undefined) this.settle(m.id, (p) => p.reject(rebuildError(m)));
    });
    worker.on('error', (err: Error) => this.failAll(err));
    worker.on('exit', (code) => this.failAll(new Error(`inference worker exited with code ${code}`)));
  }

  get name(): string {
    return this.info.name;
  }
  get provider(): 'cuda' | 'cpu' {
    return this.info.provider;
  }
  get fallbackReason(): string | undefined {
    return this.info.fallbackReason;
  }
  /** The graph file loaded, relative to the checkpoint folder. */
  get graphFile(): string {
    return this.info.graphFile;
  }
  get dtype(): Info['dtype'] {
    return this.info.dtype;
  }
  /** Rows per forward pass. */
  get batchSize(): number {
    return this.info.batchSize;
  }
  /** With `batchSize: 'auto'`: what the batch size was picked from (one line). */
  get batchSizeReason(): string | undefined {
    return this.info.batchSizeReason;
  }

  static async load(dir: string, options: LoadOptions = {}): Promise<WorkerLanguageModel> {
    const worker = new Worker(new URL('./entry.mjs', import.meta.url));
    const info = await new Promise<Info>((resolve, reject) => {
      const onMessage = (m: WorkerMessage) => {
        if (m.type === 'loaded') resolve(m.info);
        else if (m.type === 'error') reject(rebuildError(m));
        else return;
        worker.off('message', onMessage);
      };
      worker.on('message', onMessage);
      worker.once('error', reject);
      worker.postMessage({ type: 'load', dir, options } satisfies HostMessage);
    }).catch(async (err: unknown) => {
      await worker.terminate();
      throw err;
    });
    return new WorkerLanguageModel(worker, info);
  }

  private settle(id: number, f: (p: { resolve: (r: unknown) => void; reject: (e: Error) => void }) => void): void {
    const p = this.pending.get(id);
    if (!p) return;
    this.pending.delete(id);
    f(p);
  }

  private failAll(err: Error): void {
    for (const [id, p] of this.pending) {
      this.pending.delete(id);
      p.reject(err);
    }
  }

  private call<T>(type: 'loglikelihood' | 'generate', requests: unknown[], options: RequestOptions): Promise<T> {
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      options.signal?.throwIfAborted();
      this.pending.set(id, { resolve: resolve as (r: unknown) => void, reject, onProgress: options.onProgress, onResult: options.onResult });
      options.signal?.addEventListener('abort', () => this.worker.postMessage({ type: 'abort', id } satisfies HostMessage), { once: true });
      this.worker.postMessage({ type, id, requests, ...(type === 'generate' && options.onResult ? { streamResults: true } : {}) } as HostMessage);
    });
  }

  loglikelihood(requests: LoglikelihoodRequest[], options: RequestOptions = {}): Promise<LoglikelihoodResult[]> {
    return this.call('loglikelihood', requests, options);
  }

  generate(requests: GenerateRequest[], options: RequestOptions = {}): Promise<GenerateResult[]> {
    return this.call('generate', requests, options);
  }

  async dispose(): Promise<void> {
    const exited = new Promise<void>((resolve) => this.worker.once('exit', () => resolve()));
    this.worker.postMessage({ type: 'dispose' } satisfies HostMessage);
    await exited;
  }
}

export function loadModelInWorker(dir: string, options: LoadOptions = {}): Promise<WorkerLanguageModel> {
  return WorkerLanguageModel.load(dir, options);
}
