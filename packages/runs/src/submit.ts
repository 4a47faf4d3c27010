import { canonicalJson, DuplicateSubmissionError, sha256, UNKNOWN_SIZE_BAND, withTransaction, type Model, type RunConfig, type ShardRow, type Store, type SubmissionRow } from '@sciboard/db';
import { checkEvalSettings, ChatTemplateError, loadChatTemplate, SettingsError, type EvalSettings } from '@sciboard/eval';
import type { Dtype } from '@sciboard/onnx/layout';
import type { ShardQueue } from '@sciboard/queue';
import { SubmissionError } from './checkpoint.ts';
import { planSubsets, type SubsetPlan } from './plan.ts';
import { planRanges, type TaskSplit } from './ranges.ts';
import { runConfigOf } from './record.ts';

export interface SubmissionRequest {
  /** Absolute path of the checkpoint folder, as the workers will open it. */
  checkpoint: string;
  contentHash: string;
  name: string;
  /** Billions. */
  params?: number;
  family?: string;
  license?: string;
  revision?: string;
  boards?: string[];
  tasks?: string[];
  limit?: number;
  /** Documents per item-range shard (default: chosen per task from its size and kind, see `DEFAULT_SHARD_SIZE`). */
  shardSize?: number;
  /** Where the tasks' data is read to count their documents (without it, each task is one whole-task shard). */
  dataDir?: string;
  submittedBy?: string;
  /** lm-eval's chat template, system instruction, few-shot turns, generation arguments and seeds. */
  settings?: EvalSettings;
  /** Which published graph of the folder the workers load (transformers.js's precision names); default fp32. */
  dtype?: Dtype;
}

/** What a submission's payload holds: everything a worker needs to run its shards. */
export interface SubmissionPayload {
  model: { id: number; name: string; checkpointPath: string; contentHash: string; params: number | null };
  subsets: (SubsetPlan & { runId: number })[];
  limit: number | null;
  /** The requested documents per range (null: each task's default), and how every task was split. */
  shardSize: number | null;
  splits: TaskSplit[];
  boards: string[] | null;
  tasks: string[] | null;
  submittedBy: string | null;
  /** Prompt and generation settings every shard runs with (absent in submissions made before they existed). */
  settings?: EvalSettings;
  /** The precision the workers load (absent: fp32). */
  dtype?: Dtype;
}

export type EnqueueOutcome =
  | { kind: 'queued'; submission: SubmissionRow; shards: ShardRow[] }
  | { kind: 'duplicate'; submission: SubmissionRow; runIds: number[] };

/**
 * A submission run's configuration, as `sciboard eval` would record it: non-default prompt settings are part of
 * it (and of its identity); shots and batch size are the tasks' and the workers' own.
 */
export function runConfigFor(limit: number | undefined, settings: EvalSettings = {}, dtype?: Dtype): RunConfig {
  return runConfigOf({ limit, prompt: settings, dtype });
}

/**
 * The settings checked as lm-eval would check them, and a chat template asked for found in the checkpoint folder
 * (`checkpoint` already confined by the caller), so a submission that cannot run is refused before it is queued.
 */
export function checkSubmissionSettings(checkpoint: string, settings: EvalSettings | undefined): EvalSettings {
  try {
    const checked = checkEvalSettings(settings ?? {});
    if (checked.applyChatTemplate) loadChatTemplate(checkpoint, typeof checked.applyChatTemplate === 'string' ? checked.applyChatTemplate : undefined);
    return checked;
  } catch (err) {
    if (err instanceof SettingsError) throw new SubmissionError(err.message, err.field);
    if (err instanceof ChatTemplateError) throw new SubmissionError(`apply_chat_template: ${err.message}`, 'apply_chat_template');
    throw err;
  }
}

export function payloadOf(submission: SubmissionRow): SubmissionPayload {
  return submission.payload as unknown as SubmissionPayload;
}

/**
 * Stores a submission with one run per subset and one shard per leaf task, or per document range of a task
 * split into ranges, then publishes its shards; a
 * submission of the same checkpoint content and configuration returns the existing one instead.
 */
export async function enqueueSubmission(store: Store, queue: ShardQueue, request: SubmissionRequest): Promise<EnqueueOutcome> {
  if (!request.name.trim()) throw new SubmissionError('name: must be a non-empty string', 'name');
  // A name is printed on terminals and in CSV exports, where control characters rewrite what is shown.
  // Bidirectional controls (U+202E and kin) reorder what is shown just as well: a name could display as another.
  if (/[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/.test(request.name)) {
    throw new SubmissionError(`name: must not contain control characters, got ${JSON.stringify(request.name)}`, 'name');
  }
  // Pages escape names anyway; refusing markup keeps it out of CSV/LaTeX exports and other sites' embeds too.
  if (/[<>]/.test(request.name)) throw new SubmissionError(`name: must not contain < or >, got ${JSON.stringify(request.name)}`, 'name');
  if (request.limit !== undefined && !(Number.isInteger(request.limit) && request.limit > 0)) {
    throw new SubmissionError(`limit: expected a positive integer, got ${request.limit}`, 'limit');
  }
  const settings = checkSubmissionSettings(request.checkpoint, request.settings);
  const plans = planSubsets(request);
  // The split is not part of the key: the results do not depend on it, so another shard size is the same work.
  const dedupeKey = sha256(
    canonicalJson({ contentHash: request.contentHash, subsets: plans.map((p) => [p.subset, p.tasks]), config: runConfigFor(request.limit, settings, request.dtype) }),
  );
  const existing = await store.findSubmissionByDedupeKey(dedupeKey);
  if (existing) return { kind: 'duplicate', submission: existing, runIds: payloadOf(existing).subsets.map((s) => s.runId) };
  const splits = planRanges(plans, { dataDir: request.dataDir, limit: request.limit, shardSize: request.shardSize });

  const known = await store.getModel(request.name);
  if (known?.contentHash && known.contentHash !== request.contentHash) {
    throw new SubmissionError(
      `name: model "${request.name}" is already listed with a different checkpoint (content hash ${known.contentHash.slice(0, 12)}…); choose another name`,
      'name',
    );
  }
  // Model, runs, submission and shards commit together: a failure leaves nothing half-queued behind, and a
  // submitter that lost the race for this key (the unique index refused its row) rolls back and answers with
  // the winner's submission.
  let created: { submission: SubmissionRow; shards: ShardRow[] };
  try {
    created = await insertSubmission(store, { ...request, settings }, plans, splits, dedupeKey, known);
  } catch (err) {
    const winner = err instanceof DuplicateSubmissionError ? await store.findSubmissionByDedupeKey(dedupeKey) : undefined;
    if (winner) return { kind: 'duplicate', submission: winner, runIds: payloadOf(winner).subsets.map((s) => s.runId) };
    throw err;
  }
  const { submission, shards } = created;
  await queue.publish(shards);
  return { kind: 'queued', submission, shards };
}

function insertSubmission(store: Store, request: SubmissionRequest, plans: SubsetPlan[], splits: TaskSplit[], dedupeKey: string, known: Model | undefined) {
  return withTransaction(store, async (tx) => {
    const model = await tx.upsertModel({
      name: request.name,
      params: request.params,
      // A checkpoint runs here, so it is never an API model: without a declared size it is listed as of unknown size.
      ...(request.params === undefined && !known ? { band: UNKNOWN_SIZE_BAND } : {}),
      family: request.family,
      license: request.license,
      revision: request.revision,
      checkpointPath: request.checkpoint,
      contentHash: request.contentHash,
      submittedBy: request.submittedBy,
    });
    const config = runConfigFor(request.limit, request.settings, request.dtype);
    const subsets = [];
    for (const plan of plans) {
      const run = await tx.createRun({ modelId: model.id, task: plan.subset, config, status: 'pending', source: 'measured' });
      subsets.push({ ...plan, runId: run.id });
    }
    const payload: SubmissionPayload = {
      model: { id: model.id, name: model.name, checkpointPath: request.checkpoint, contentHash: request.contentHash, params: model.params },
      subsets,
      limit: request.limit ?? null,
      shardSize: request.shardSize ?? null,
      splits,
      boards: request.boards ?? null,
      tasks: request.tasks ?? null,
      submittedBy: request.submittedBy ?? null,
      ...(request.settings && Object.keys(request.settings).length ? { settings: request.settings } : {}),
      ...(request.dtype && request.dtype !== 'fp32' ? { dtype: request.dtype } : {}),
    };
    return tx.createSubmission({
      payload: payload as unknown as Record<string, unknown>,
      dedupeKey,
      // Turns number the shards in order, so claims alternate between submissions (see claimShard).
      shards: subsets
        .flatMap((s) =>
          s.tasks.flatMap((task) => {
            const ranges = splits.find((x) => x.subset === s.subset && x.task === task)?.ranges ?? [];
            const base = { runId: s.runId, subset: s.subset, task };
            return ranges.length === 0 ? [base] : ranges.map((r) => ({ ...base, docStart: r.start, docEnd: r.end }));
          }),
        )
        .map((shard, turn) => ({ ...shard, turn })),
    });
  });
}
