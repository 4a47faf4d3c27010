/**
 * Where the evaluator writes each item's result as soon as it is known, so a crash loses at most one batch
 * and a rerun skips what is stored. `packages/db` provides the database sink; a JSONL sink serves `--output`.
 */
// The item record and the sink are shared with packages/db, declared once in @sciboard/contracts.
export type { ItemRecord, ResultSink } from '@sciboard/contracts';
