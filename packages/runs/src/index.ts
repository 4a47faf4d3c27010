// What the CLI and the site both do, written once: record a run, load a board's inputs, check and enqueue a
// submission, plan its shards, evaluate the shards a worker claims.
export { beginRun, evaluateIntoStore, finishRunWithScores, openRunRecords, runConfigOf, HARNESS_VERSION, type EvaluateIntoStoreOptions, type RunRecord, type RunRecords, type RunSettings } from './record.ts';
export { readBoardInputs, type BoardInputs } from './board-inputs.ts';
export { checkCheckpointLayout, checkParamsPlausible, FLAT_GRAPH_FILES, checkpointContentHash, parseParams, SubmissionError, BYTES_PER_PARAM, type CheckpointLayout } from './checkpoint.ts';
export { confineCheckpoint, confinePath, confineSpecData, graphExternalLocations, realPathInside, isInside } from './confine.ts';
export { checkTaskData, defaultDataDir, type DataDirEnv } from './task-data.ts';
export { boardSubsets, planSubsets, DEFAULT_BOARDS, type SubsetPlan } from './plan.ts';
export { DEFAULT_SHARD_SIZE, MAX_SHARD_SIZE, parseShardSize, planRanges, shardSizeProblem, splitRanges, type DocRange, type TaskSplit } from './ranges.ts';
export { checkSubmissionSettings, enqueueSubmission, payloadOf, runConfigFor, type EnqueueOutcome, type SubmissionPayload, type SubmissionRequest } from './submit.ts';
export { checkSubmission, promptSettingsOf, submissionFields, submissionRequest, type SubmissionFields } from './submission-fields.ts';
export { evaluationShardRunner, type EvaluationShardRunnerOptions, type ShardModel } from './shard-runner.ts';
// The site refuses a bad prompt setting by the field @sciboard/eval names, without importing eval itself.
export { SettingsError } from '@sciboard/eval';
