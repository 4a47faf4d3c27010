/**
 * SQLite tables. Must describe the same tables, columns and JS value shapes as `pg.ts`: the query layer is
 * written once against the PostgreSQL types and runs over either (timestamps are ISO-8601 text in both so
 * they compare and sort the same way).
 */
import { sql } from 'drizzle-orm';
import { index, integer, real, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';
import type { ItemRequest, ItemResponse, ModelType, RunConfig, RunStatus, RunSource, ShardStatus, SubmissionStatus } from './shared.ts';

const createdAt = () => text('created_at').notNull().default(sql`(strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))`);

export const models = sqliteTable('models', {
  id: integer('id').primaryKey({ autoIncrement: true }),
  name: text('name').notNull().unique(),
  family: text('family'),
  params: real('params'),
  band: text('band').notNull(),
  checkpointPath: text('checkpoint_path'),
  contentHash: text('content_hash'),
  revision: text('revision'),
  license: text('license'),
  links: text('links', { mode: 'json' }).$type<Record<string, string>>(),
  submittedBy: text('submitted_by'),
  modelType: text('model_type').$type<ModelType>().notNull().default('pretrained'),
  trainingRun: text('training_run'),
  step: integer('step'),
  createdAt: createdAt(),
});

export const runs = sqliteTable(
  'runs',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    modelId: integer('model_id').notNull().references(() => models.id, { onDelete: 'cascade' }),
    task: text('task').notNull(),
    config: text('config', { mode: 'json' }).$type<RunConfig>().notNull(),
    configHash: text('config_hash').notNull(),
    device: text('device'),
    provider: text('provider'),
    status: text('status').$type<RunStatus>().notNull().default('pending'),
    error: text('error'),
    startedAt: text('started_at'),
    finishedAt: text('finished_at'),
    timings: text('timings', { mode: 'json' }).$type<Record<string, number>>(),
    throughput: real('throughput'),
    source: text('source').$type<RunSource>().notNull().default('measured'),
    createdAt: createdAt(),
  },
  (t) => [index('runs_resume_idx').on(t.modelId, t.task, t.configHash)],
);

export const results = sqliteTable(
  'results',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    runId: integer('run_id').notNull().references(() => runs.id, { onDelete: 'cascade' }),
    task: text('task').notNull(),
    docIndex: integer('doc_index').notNull(),
    docHash: text('doc_hash').notNull(),
    promptHash: text('prompt_hash').notNull(),
    doc: text('doc', { mode: 'json' }).$type<Record<string, unknown>>().notNull(),
    request: text('request', { mode: 'json' }).$type<ItemRequest>().notNull(),
    response: text('response', { mode: 'json' }).$type<ItemResponse>().notNull(),
    target: text('target', { mode: 'json' }).$type<string | number>().notNull(),
    filtered: text('filtered', { mode: 'json' }).$type<Record<string, string>>().notNull(),
    scores: text('scores', { mode: 'json' }).$type<Record<string, number>>().notNull(),
    /** `"<metric>,<filter>"` -> why that score is 0 without a verdict (equivalence time limit, grader error). */
    notes: text('notes', { mode: 'json' }).$type<Record<string, string>>(),
    /** Generation tasks: filter -> whether an answer could be extracted (the evaluator's `answerFound`). */
    answerFound: text('answer_found', { mode: 'json' }).$type<Record<string, boolean>>(),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex('results_run_task_doc_uq').on(t.runId, t.task, t.docIndex)],
);

export const scores = sqliteTable(
  'scores',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    runId: integer('run_id').notNull().references(() => runs.id, { onDelete: 'cascade' }),
    subset: text('subset').notNull(),
    metric: text('metric').notNull(),
    filter: text('filter').notNull().default('none'),
    value: real('value').notNull(),
    stderr: real('stderr'),
    ciLow: real('ci_low'),
    ciHigh: real('ci_high'),
    n: integer('n'),
  },
  (t) => [uniqueIndex('scores_run_subset_metric_filter_uq').on(t.runId, t.subset, t.metric, t.filter)],
);

export const reported = sqliteTable(
  'reported',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    board: text('board').notNull(),
    column: text('column').notNull(),
    model: text('model').notNull(),
    band: text('band').notNull(),
    score: real('score').notNull(),
    rerunByAuthors: integer('rerun_by_authors', { mode: 'boolean' }).notNull().default(false),
    sourcePaper: text('source_paper').notNull(),
    sourceTable: text('source_table'),
    sourceYear: integer('source_year'),
    sourceUrl: text('source_url'),
  },
  (t) => [uniqueIndex('reported_board_column_model_paper_uq').on(t.board, t.column, t.model, t.sourcePaper)],
);

export const flags = sqliteTable('flags', {
  id: integer('id').primaryKey({ autoIncrement: true }),
  modelId: integer('model_id').references(() => models.id, { onDelete: 'cascade' }),
  runId: integer('run_id').references(() => runs.id, { onDelete: 'cascade' }),
  subset: text('subset'),
  metric: text('metric'),
  reason: text('reason').notNull(),
  createdAt: createdAt(),
});

export const submissions = sqliteTable(
  'submissions',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    status: text('status').$type<SubmissionStatus>().notNull().default('queued'),
    payload: text('payload', { mode: 'json' }).$type<Record<string, unknown>>().notNull(),
    progress: real('progress'),
    error: text('error'),
    createdAt: createdAt(),
    startedAt: text('started_at'),
    finishedAt: text('finished_at'),
    /** Checkpoint content hash + run configuration: a second submission with the same key is a duplicate. */
    dedupeKey: text('dedupe_key'),
  },
  // At most one live (not failed) submission per key, however many processes submit at once; a failed one
  // leaves the index, so the same checkpoint can be submitted again.
  (t) => [uniqueIndex('submissions_dedupe_key_live_idx').on(t.dedupeKey).where(sql`${t.status} <> 'failed'`)],
);

/** One unit of a submission's work (a leaf task) and its lease; see docs/submissions.md. */
export const submissionShards = sqliteTable(
  'submission_shards',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    submissionId: integer('submission_id').notNull().references(() => submissions.id, { onDelete: 'cascade' }),
    runId: integer('run_id').notNull().references(() => runs.id, { onDelete: 'cascade' }),
    subset: text('subset').notNull(),
    task: text('task').notNull(),
    /** First document of the task's range (item-range shards); null with doc_end null: the whole task. */
    docStart: integer('doc_start'),
    /** One past the range's last document. */
    docEnd: integer('doc_end'),
    /** Position among its submission's shards: claims take turn 0 of every submission before any turn 1 (fair sharing). */
    turn: integer('turn').notNull().default(0),
    status: text('status').$type<ShardStatus>().notNull().default('queued'),
    attempts: integer('attempts').notNull().default(0),
    leaseOwner: text('lease_owner'),
    leaseExpiresAt: text('lease_expires_at'),
    itemsDone: integer('items_done').notNull().default(0),
    itemsTotal: integer('items_total'),
    error: text('error'),
    startedAt: text('started_at'),
    finishedAt: text('finished_at'),
  },
  (t) => [index('submission_shards_claim_idx').on(t.status, t.leaseExpiresAt), index('submission_shards_submission_idx').on(t.submissionId)],
);

/**
 * The scoring step of a submission run whose shards are all done: the worker holding the lease computes the
 * run's scores from its stored items, so they are computed once; a scorer that died is replaced after `expires_at`.
 */
export const runScoring = sqliteTable('run_scoring', {
  runId: integer('run_id')
    .primaryKey()
    .references(() => runs.id, { onDelete: 'cascade' }),
  expiresAt: text('expires_at').notNull(),
});

export const apiTokens = sqliteTable('api_tokens', {
  id: integer('id').primaryKey({ autoIncrement: true }),
  name: text('name').notNull(),
  sha256: text('sha256').notNull().unique(),
  createdAt: createdAt(),
  revokedAt: text('revoked_at'),
});

export const imports = sqliteTable('imports', {
  id: integer('id').primaryKey({ autoIncrement: true }),
  contentHash: text('content_hash').notNull().unique(),
  kind: text('kind').notNull(),
  path: text('path'),
  runId: integer('run_id').references(() => runs.id, { onDelete: 'set null' }),
  createdAt: createdAt(),
});
