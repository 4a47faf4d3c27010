/** PostgreSQL tables: the same tables, columns and JS value shapes as `sqlite.ts` (see there). */
import { sql } from 'drizzle-orm';
import { boolean, customType, doublePrecision, index, integer, pgTable, serial, text, uniqueIndex } from 'drizzle-orm/pg-core';
import { escapeNul, jsonForPostgres, jsonFromPostgres, unescapeNul } from '../nul.ts';
import type { ItemRequest, ItemResponse, ModelType, RunConfig, RunStatus, RunSource, ShardStatus, SubmissionStatus } from './shared.ts';

/**
 * jsonb that trusts node-postgres's own parsing: Drizzle's built-in jsonb parses the parsed value again,
 * which turns a stored JSON string such as "2" into the number 2. U+0000, which jsonb refuses, is escaped in
 * every string on the way in and restored on the way out (see `nul.ts`).
 */
const jsonb = customType<{ data: unknown; driverData: unknown }>({
  dataType: () => 'jsonb',
  toDriver: (value) => jsonForPostgres(value),
  fromDriver: (value) => jsonFromPostgres(value),
});

/** text for messages that may quote model output or input files: U+0000, which text refuses, escaped as in jsonb. */
const messageText = customType<{ data: string; driverData: string }>({
  dataType: () => 'text',
  toDriver: (value) => escapeNul(value),
  fromDriver: (value) => unescapeNul(value),
});

const createdAt = () =>
  text('created_at').notNull().default(sql`to_char(now() at time zone 'utc', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`);

export const models = pgTable('models', {
  id: serial('id').primaryKey(),
  name: text('name').notNull().unique(),
  family: text('family'),
  params: doublePrecision('params'),
  band: text('band').notNull(),
  checkpointPath: text('checkpoint_path'),
  contentHash: text('content_hash'),
  revision: text('revision'),
  license: text('license'),
  links: jsonb('links').$type<Record<string, string>>(),
  submittedBy: text('submitted_by'),
  modelType: text('model_type').$type<ModelType>().notNull().default('pretrained'),
  trainingRun: text('training_run'),
  step: integer('step'),
  createdAt: createdAt(),
});

export const runs = pgTable(
  'runs',
  {
    id: serial('id').primaryKey(),
    modelId: integer('model_id').notNull().references(() => models.id, { onDelete: 'cascade' }),
    task: text('task').notNull(),
    config: jsonb('config').$type<RunConfig>().notNull(),
    configHash: text('config_hash').notNull(),
    device: text('device'),
    provider: text('provider'),
    status: text('status').$type<RunStatus>().notNull().default('pending'),
    error: messageText('error'),
    startedAt: text('started_at'),
    finishedAt: text('finished_at'),
    timings: jsonb('timings').$type<Record<string, number>>(),
    throughput: doublePrecision('throughput'),
    source: text('source').$type<RunSource>().notNull().default('measured'),
    createdAt: createdAt(),
  },
  (t) => [index('runs_resume_idx').on(t.modelId, t.task, t.configHash)],
);

export const results = pgTable(
  'results',
  {
    id: serial('id').primaryKey(),
    runId: integer('run_id').notNull().references(() => runs.id, { onDelete: 'cascade' }),
    task: text('task').notNull(),
    docIndex: integer('doc_index').notNull(),
    docHash: text('doc_hash').notNull(),
    promptHash: text('prompt_hash').notNull(),
    doc: jsonb('doc').$type<Record<string, unknown>>().notNull(),
    request: jsonb('request').$type<ItemRequest>().notNull(),
    response: jsonb('response').$type<ItemResponse>().notNull(),
    target: jsonb('target').$type<string | number>().notNull(),
    filtered: jsonb('filtered').$type<Record<string, string>>().notNull(),
    scores: jsonb('scores').$type<Record<string, number>>().notNull(),
    /** `"<metric>,<filter>"` -> why that score is 0 without a verdict (equivalence time limit, grader error). */
    notes: jsonb('notes').$type<Record<string, string>>(),
    /** Generation tasks: filter -> whether an answer could be extracted (the evaluator's `answerFound`). */
    answerFound: jsonb('answer_found').$type<Record<string, boolean>>(),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex('results_run_task_doc_uq').on(t.runId, t.task, t.docIndex)],
);

export const scores = pgTable(
  'scores',
  {
    id: serial('id').primaryKey(),
    runId: integer('run_id').notNull().references(() => runs.id, { onDelete: 'cascade' }),
    subset: text('subset').notNull(),
    metric: text('metric').notNull(),
    filter: text('filter').notNull().default('none'),
    value: doublePrecision('value').notNull(),
    stderr: doublePrecision('stderr'),
    ciLow: doublePrecision('ci_low'),
    ciHigh: doublePrecision('ci_high'),
    n: integer('n'),
  },
  (t) => [uniqueIndex('scores_run_subset_metric_filter_uq').on(t.runId, t.subset, t.metric, t.filter)],
);

export const reported = pgTable(
  'reported',
  {
    id: serial('id').primaryKey(),
    board: text('board').notNull(),
    column: text('column').notNull(),
    model: text('model').notNull(),
    band: text('band').notNull(),
    score: doublePrecision('score').notNull(),
    rerunByAuthors: boolean('rerun_by_authors').notNull().default(false),
    sourcePaper: text('source_paper').notNull(),
    sourceTable: text('source_table'),
    sourceYear: integer('source_year'),
    sourceUrl: text('source_url'),
  },
  (t) => [uniqueIndex('reported_board_column_model_paper_uq').on(t.board, t.column, t.model, t.sourcePaper)],
);

export const flags = pgTable('flags', {
  id: serial('id').primaryKey(),
  modelId: integer('model_id').references(() => models.id, { onDelete: 'cascade' }),
  runId: integer('run_id').references(() => runs.id, { onDelete: 'cascade' }),
  subset: text('subset'),
  metric: text('metric'),
  reason: text('reason').notNull(),
  createdAt: createdAt(),
});

export const submissions = pgTable(
  'submissions',
  {
    id: serial('id').primaryKey(),
    status: text('status').$type<SubmissionStatus>().notNull().default('queued'),
    payload: jsonb('payload').$type<Record<string, unknown>>().notNull(),
    progress: doublePrecision('progress'),
    error: messageText('error'),
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
export const submissionShards = pgTable(
  'submission_shards',
  {
    id: serial('id').primaryKey(),
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
    error: messageText('error'),
    startedAt: text('started_at'),
    finishedAt: text('finished_at'),
  },
  (t) => [index('submission_shards_claim_idx').on(t.status, t.leaseExpiresAt), index('submission_shards_submission_idx').on(t.submissionId)],
);

/**
 * The scoring step of a submission run whose shards are all done: the worker holding the lease computes the
 * run's scores from its stored items, so they are computed once; a scorer that died is replaced after `expires_at`.
 */
export const runScoring = pgTable('run_scoring', {
  runId: integer('run_id')
    .primaryKey()
    .references(() => runs.id, { onDelete: 'cascade' }),
  expiresAt: text('expires_at').notNull(),
});

export const apiTokens = pgTable('api_tokens', {
  id: serial('id').primaryKey(),
  name: text('name').notNull(),
  sha256: text('sha256').notNull().unique(),
  createdAt: createdAt(),
  revokedAt: text('revoked_at'),
});

export const imports = pgTable('imports', {
  id: serial('id').primaryKey(),
  contentHash: text('content_hash').notNull().unique(),
  kind: text('kind').notNull(),
  path: text('path'),
  runId: integer('run_id').references(() => runs.id, { onDelete: 'set null' }),
  createdAt: createdAt(),
});
