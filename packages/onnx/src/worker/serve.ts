import { parentPort } from 'node:worker_threads';
import { loadModel, type OnnxLanguageModel } from '../model.ts';
import type { GenerateResult } from '../generate.ts';
import type { HostMessage, WorkerMessage } from './protocol.ts';

const port = parentPort!;
const post = (m: WorkerMessage) => port.postMessage(m);
let model: OnnxLanguageModel | undefined;
const running = new Map<number, AbortController>();

function errorMessage(err: unknown, id?: number): WorkerMessage {
  const e = err instanceof Error ? err : new Error(String(err));
  return { type: 'error', id, name: e.name, message: e.message };
}

port.on('message', async (msg: HostMessage) => {
  switch (msg.type) {
    case 'load':
      try {
        model = await loadModel(msg.dir, msg.options);
        const { name, provider, fallbackReason, maxLength, batchSize, batchSizeReason, slicedLogits, graphFile, dtype } = model;
        post({ type: 'loaded', info: { name, provider, fallbackReason, maxLength, batchSize, batchSizeReason, slicedLogits, graphFile, dtype } });
      } catch (err) {
        post(errorMessage(err));
      }
      return;
    case 'loglikelihood':
    case 'generate': {
      const controller = new AbortController();
      running.set(msg.id, controller);
      try {
        const options = {
          signal: controller.signal,
          onProgress: (p: { done: number; total: number }) => post({ type: 'progress', id: msg.id, ...p }),
          ...(msg.type === 'generate' && msg.streamResults
            ? { onResult: (index: number, result: GenerateResult) => post({ type: 'item', id: msg.id, index, result }) }
            : {}),
        };
        const results =
          msg.type === 'loglikelihood' ? await model!.loglikelihood(msg.requests, options) : await model!.generate(msg.requests, options);
        post({ type: 'result', id: msg.id, results });
      } catch (err) {
        post(errorMessage(err, msg.id));
      } finally {
        running.delete(msg.id);
      }
      return;
    }
    case 'abort':
      running.get(msg.id)?.abort();
      return;
    case 'dispose':
      await model?.dispose();
      post({ type: 'disposed' });
      port.close();
  }
});
