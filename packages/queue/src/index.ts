export { isTaskSpecPath } from '@sciboard/eval';
// The precisions a checkpoint may be submitted in, for the site's form and API (which import nothing of onnx).
export { DTYPES, type Dtype } from '@sciboard/onnx/layout';
export { checkCheckpointLayout, checkParamsPlausible, checkpointContentHash, parseParams, SubmissionError, BYTES_PER_PARAM, type CheckpointLayout } from './checkpoint.ts';
export { confineCheckpoint, confineSpecData, graphExternalLocations, realPathInside, isInside } from './confine.ts';
export { checkTaskData, defaultDataDir } from './task-data.ts';
export { boardSubsets, planSubsets, DEFAULT_BOARDS, type SubsetPlan } from './plan.ts';
export {
  openShardQueue,
  openLeaseQueue,
  openPgBossQueue,
  SHARD_QUEUE,
  DEFAULT_QUEUE_SETTINGS,
  type QueueSettings,
  type ShardLease,
  type ShardQueue,
} from './shard-queue.ts';
export { checkEvalSettings, checkGenKwargs, parseGenKwargs, parseSeed, settingsFromConfig, SettingsError, type EvalSettings, type GenKwargs, type Seeds } from '@sciboard/eval';
export { checkSubmissionSettings, enqueueSubmission, payloadOf, runConfigFor, HARNESS_VERSION, type EnqueueOutcome, type SubmissionPayload, type SubmissionRequest } from './submit.ts';
export { DEFAULT_SHARD_SIZE, MAX_SHARD_SIZE, parseShardSize, planRanges, shardSizeProblem, splitRanges, type DocRange, type TaskSplit } from './ranges.ts';
export { runWorker, type ShardRunner, type WorkerOptions, type WorkerSummary } from './worker.ts';
