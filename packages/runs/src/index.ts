// What the CLI and the site both do, written once: record a run, load a board's inputs, check and enqueue a
// submission, plan its shards, evaluate the shards a worker claims. The adapters (packages/cli, apps/web) import
// the lower packages only through this package: its own use cases, and the parts of the store, boards, queue,
// evaluator, data and checkpoint layout they show or drive (store.ts, boards.ts, queue.ts, evaluation.ts,
// data.ts, layout.ts). The regression gate is its own entry, `@sciboard/runs/gate`; the boards alone, which read no
// files and so may run in a browser, are `@sciboard/runs/boards`.
export { beginRun, evaluateIntoStore, finishRunWithScores, openRunRecords, runConfigOf, HARNESS_VERSION, type EvaluateIntoStoreOptions, type RunRecord, type RunRecords, type RunSettings } from './record.ts';
export * from './boards.ts';
export { readBoardInputs } from './board-inputs.ts';
export * from './store.ts';
export * from './queue.ts';
export * from './evaluation.ts';
export * from './data.ts';
export * from './layout.ts';
export { checkCheckpointLayout, checkParamsPlausible, FLAT_GRAPH_FILES, checkpointContentHash, parseParams, SubmissionError, BYTES_PER_PARAM, type CheckpointLayout } from './checkpoint.ts';
export { confineCheckpoint, confinePath, confineSpecData, graphExternalLocations, realPathInside, isInside } from './confine.ts';
export { checkTaskData, defaultDataDir, type DataDirEnv } from './task-data.ts';
export { boardSubsets, planSubsets, DEFAULT_BOARDS, type SubsetPlan } from './plan.ts';
export { DEFAULT_SHARD_SIZE, MAX_SHARD_SIZE, parseShardSize, planRanges, shardSizeProblem, splitRanges, type DocRange, type TaskSplit } from './ranges.ts';
export { checkSubmissionSettings, enqueueSubmission, payloadOf, runConfigFor, type EnqueueOutcome, type SubmissionPayload, type SubmissionRequest } from './submit.ts';
export { checkSubmission, promptSettingsOf, submissionFields, submissionRequest, type SubmissionFields } from './submission-fields.ts';
export { evaluationShardRunner, type EvaluationShardRunnerOptions, type ShardModel } from './shard-runner.ts';
