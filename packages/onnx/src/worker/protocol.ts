import type { GenerateRequest, GenerateResult } from '../generate.ts';
import type { LoglikelihoodRequest, LoglikelihoodResult } from '../loglikelihood.ts';
import type { Dtype } from '../layout.ts';
import type { LoadOptions } from '../model.ts';

export type HostMessage =
  | { type: 'load'; dir: string; options: LoadOptions }
  | { type: 'loglikelihood'; id: number; requests: LoglikelihoodRequest[] }
  | { type: 'generate'; id: number; requests: GenerateRequest[]; streamResults?: boolean }
  | { type: 'abort'; id: number }
  | { type: 'dispose' };

export type WorkerMessage =
  | { type: 'loaded'; info: { name: string; provider: 'cuda' | 'cpu'; fallbackReason?: string; maxLength: number; batchSize: number; batchSizeReason?: string; slicedLogits: boolean; graphFile: string; dtype: Dtype } }
  | { type: 'progress'; id: number; done: number; total: number }
  | { type: 'item'; id: number; index: number; result: GenerateResult }
  | { type: 'result'; id: number; results: LoglikelihoodResult[] | GenerateResult[] }
  | { type: 'error'; id?: number; name: string; message: string }
  | { type: 'disposed' };
