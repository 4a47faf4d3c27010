/**
 * The store as the adapters open and read it: opening the database (SQLite file or PostgreSQL), the bundled
 * reference rows, and lm-eval results files in and out. The adapters reach @sciboard/db through here.
 */
export { exportLmEval, importLmEval, loadBundledReported, openDb, resolveTarget, SCIGLM_SOURCE } from '@sciboard/db';
export type { Model, OpenDbOptions, ReportedSource, ResultRow, RunStatus, RunWithModel, Score, ShardRow, Store, SubmissionSummary } from '@sciboard/db';
