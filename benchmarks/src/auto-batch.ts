/**
 * The batch `sciboard eval` picks by itself for a checkpoint on this machine now: loads it as the command does
 * (`batchSize: 'auto'`) in its own process and prints `{ batchSize, reason }` as JSON on stdout.
 * `node --import tsx auto-batch.ts <model dir> <threads>`.
 */
import { loadModel } from '@sciboard/onnx';

const [dir, threads] = process.argv.slice(2);
if (!dir || !threads) throw new Error('usage: auto-batch.ts <model dir> <threads>');
const model = await loadModel(dir, { device: 'cpu', threads: Number(threads), batchSize: 'auto' } as Parameters<typeof loadModel>[1]);
process.stdout.write(`${JSON.stringify({ batchSize: model.batchSize, reason: (model as { batchSizeReason?: string }).batchSizeReason ?? 'not stated' })}\n`);
await model.dispose();
