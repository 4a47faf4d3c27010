/**
 * Turning a submission request (API or form) into queued shards: token, rate limits, field validation with
 * zod, confinement under SCIBOARD_MODEL_ROOTS of every path the server will read for it (checkpoint folder and
 * its files, the graph's external weights, suite files and their data), and the tasks' data being there.
 * Every check runs before the first write, so a refused request leaves the database as it was. Loading the
 * ONNX graph is left to the worker (the site runs no inference); its failure fails the submission.
 */
import { existsSync, realpathSync, renameSync, rmSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import { resolveTarget, type Store } from '@sciboard/db';
import {
  checkCheckpointLayout,
  checkpointContentHash,
  checkTaskData,
  confineCheckpoint,
  confineSpecData,
  defaultDataDir,
  DTYPES,
  enqueueSubmission,
  isTaskSpecPath,
  openShardQueue,
  parseParams,
  payloadOf,
  planSubsets,
  checkGenKwargs,
  parseGenKwargs,
  parseSeed,
  realPathInside,
  SettingsError,
  shardSizeProblem,
  SubmissionError,
  type EnqueueOutcome,
  type EvalSettings,
  type ShardQueue,
  type SubmissionRequest,
} from '@sciboard/queue';
import { z } from 'zod';
import { IntakeError } from './errors.ts';
import type { StagedUpload } from './upload.ts';

export { IntakeError };

const optionalText = z.string().trim().max(200).optional().transform((v) => (v ? v : undefined));
const list = z
  .union([z.array(z.string().trim().min(1).max(300)).max(100), z.string().max(5000)])
  .optional()
  .transform((v) => (typeof v === 'string' ? v.split(',').map((s) => s.trim()).filter(Boolean) : v))
  .transform((v) => (v && v.length > 0 ? v : undefined));

export const submissionFields = z
  .object({
    checkpoint: z.string().trim().min(1, 'give the checkpoint folder as a path under the model roots').max(1000).optional(),
    name: z.string().trim().min(1, 'must not be empty').max(200),
    params: optionalText,
    family: optionalText,
    license: optionalText,
    revision: optionalText,
    boards: list,
    tasks: list,
    limit: z.coerce.number().int().positive().max(1_000_000).optional(),
    // Which published graph of the folder the workers load, as `sciboard submit --dtype` (default fp32).
    dtype: z.enum(DTYPES, { message: `must be one of ${DTYPES.join(', ')}` }).optional(),
    // lm-eval's prompt options; values are checked by @sciboard/eval's rules, as `sciboard submit` checks them.
    applyChatTemplate: z.union([z.boolean(), z.string().trim().max(200)]).optional(),
    systemInstruction: z.string().max(20_000).optional(),
    fewshotAsMultiturn: z.union([z.boolean(), z.enum(['true', 'false'])]).optional(),
    genKwargs: z.union([z.string().max(5000), z.record(z.string(), z.unknown())]).optional(),
    seed: z.union([z.number().int(), z.string().max(200)]).optional(),
    // The rule `sciboard submit --shard-size` applies, from @sciboard/queue.
    shardSize: z
      .unknown()
      .superRefine((v, ctx) => {
        const problem = v === undefined ? undefined : shardSizeProblem(v);
        if (problem) ctx.addIssue({ code: 'custom', message: problem });
      })
      .transform((v) => (v === undefined ? undefined : Number(v)))
      // Without it zod 4 makes the transformed key required, refusing every submission that leaves shardSize out.
      .optional(),
  })
  .strict()
  .refine((f) => !(f.boards && f.tasks), { message: 'give boards or tasks, not both', path: ['tasks'] });

export type SubmissionFields = z.infer<typeof submissionFields>;

export function modelRoots(): string[] {
  return (process.env.SCIBOARD_MODEL_ROOTS ?? '')
    .split(':')
    .map((r) => r.trim())
    .filter(Boolean)
    .map((r) => resolve(r));
}

/**
 * The real path of `given` if it exists under an allowed root once symlinks are resolved; else a 400. A path
 * that is missing and one that exists outside the roots get the same answer, so the answer reveals nothing
 * about the server's files.
 */
export function confinePath(given: string, field = 'checkpoint'): string {
  const roots = modelRoots();
  if (roots.length === 0) throw new IntakeError(400, `${field}: this site accepts no checkpoint paths (SCIBOARD_MODEL_ROOTS is not set)`, field);
  if (given.split(/[\\/]/).includes('..')) throw new IntakeError(400, `${field}: "${given}" must not contain ".." segments`, field);
  const candidates = isAbsolute(given) ? [resolve(given)] : roots.map((r) => resolve(r, given));
  for (const candidate of candidates) {
    const real = realPathInside(roots, candidate);
    if (real) return real;
  }
  throw new IntakeError(400, `${field}: "${given}" is not a path under the allowed model roots`, field);
}

export function formatZodError(error: z.ZodError): IntakeError {
  const first = error.issues[0]!;
  const field = first.path.join('.') || 'body';
  return new IntakeError(400, `${field}: ${first.message}`, field);
}

/** Times of recent events per key, forgetting those older than a minute. */
function recentTimes(map: Map<string, number[]>, key: string, now: number): number[] {
  const times = (map.get(key) ?? []).filter((t) => now - t < 60_000);
  if (times.length === 0) map.delete(key);
  else map.set(key, times);
  return times;
}

/**
 * Submissions per token per minute (env SCIBOARD_SUBMIT_RATE_PER_MINUTE, default 20), counted as soon as the
 * token is known: before the body is read and whether or not the later checks pass.
 */
const recent = new Map<string, number[]>();
export function checkRate(tokenId: number): void {
  const perMinute = Number(process.env.SCIBOARD_SUBMIT_RATE_PER_MINUTE ?? 20);
  const now = Date.now();
  const times = recentTimes(recent, String(tokenId), now);
  if (times.length >= perMinute) throw new IntakeError(429, `rate limit: at most ${perMinute} submissions per minute per token`);
  recent.set(String(tokenId), [...times, now]);
}

/**
 * The client's address: the last `X-Forwarded-For` entry, which is what the reverse proxy in front of the site
 * saw (Next.js fills the header with the socket's address when no proxy set it).
 */
export function clientAddress(forwardedFor: string | null | undefined): string {
  return forwardedFor?.split(',').at(-1)?.trim() || 'unknown';
}

/** Failed token checks per client address per minute (env SCIBOARD_AUTH_FAILURES_PER_MINUTE, default 10). */
const failures = new Map<string, number[]>();

export async function authenticate(store: Store, header: string | null | undefined, client = 'unknown'): Promise<{ id: number; name: string }> {
  const perMinute = Number(process.env.SCIBOARD_AUTH_FAILURES_PER_MINUTE ?? 10);
  const now = Date.now();
  // Many addresses failing once each must not grow the map for ever: past a size, forget the stale ones.
  if (failures.size > 10_000) for (const key of [...failures.keys()]) recentTimes(failures, key, now);
  // Refused before the token is even looked at: guessing tokens from one address is slowed to this rate.
  if (recentTimes(failures, client, now).length >= perMinute) {
    throw new IntakeError(429, `rate limit: at most ${perMinute} failed token checks per minute from one address`);
  }
  const failed = (message: string) => {
    failures.set(client, [...recentTimes(failures, client, now), now]);
    return new IntakeError(401, message);
  };
  const secret = header?.match(/^Bearer\s+(\S+)$/i)?.[1] ?? (header && !header.includes(' ') ? header : undefined);
  if (!secret) throw failed('a token is required: send "Authorization: Bearer <token>" (create one with `sciboard token create`)');
  const token = await store.verifyApiToken(secret);
  if (!token) throw failed('the token is unknown or revoked');
  return token;
}

let queueOpened: Promise<ShardQueue> | undefined;
function queueFor(store: Store): Promise<ShardQueue> {
  const target = resolveTarget();
  queueOpened ??= openShardQueue(store, { url: target.dialect === 'postgres' ? target.url : undefined });
  return queueOpened;
}

/** The API's names of the settings fields that @sciboard/eval's messages name as lm-eval does. */
const SETTINGS_FIELDS: Record<string, string> = {
  apply_chat_template: 'applyChatTemplate',
  system_instruction: 'systemInstruction',
  fewshot_as_multiturn: 'fewshotAsMultiturn',
  gen_kwargs: 'genKwargs',
  seed: 'seed',
};

function asIntakeError(err: unknown): unknown {
  if (err instanceof SubmissionError) return new IntakeError(400, err.message, err.field && (SETTINGS_FIELDS[err.field] ?? err.field));
  if (err instanceof SettingsError) return new IntakeError(400, err.message, SETTINGS_FIELDS[err.field] ?? err.field);
  return err;
}

/**
 * The prompt settings of a submission: `applyChatTemplate` true (or "true"/"yes") for the checkpoint's template
 * or a template's name; form fields arrive as text, JSON bodies may use booleans, numbers and an object.
 */
function promptSettingsOf(fields: SubmissionFields): EvalSettings {
  const apply = fields.applyChatTemplate;
  const applyValue = apply === undefined || apply === false || apply === '' || apply === 'false' ? undefined : apply === true || apply === 'true' || apply === 'yes' ? true : apply;
  const multiturn = fields.fewshotAsMultiturn;
  return {
    ...(applyValue !== undefined ? { applyChatTemplate: applyValue } : {}),
    ...(fields.systemInstruction ? { systemInstruction: fields.systemInstruction } : {}),
    ...(multiturn !== undefined ? { fewshotAsMultiturn: multiturn === true || multiturn === 'true' } : {}),
    ...(fields.genKwargs !== undefined ? { genKwargs: typeof fields.genKwargs === 'string' ? parseGenKwargs(fields.genKwargs) : checkGenKwargs(fields.genKwargs) } : {}),
    ...(fields.seed !== undefined ? { seed: parseSeed(String(fields.seed)) } : {}),
  };
}

/**
 * Every check a submission of `checkpointDir` must pass, in the order that reads nothing outside the roots:
 * the folder's files and the graph's external weights are confined before any is opened, suite files and their
 * data files before the suite is loaded, and then each task's data is loaded once to see that it is there.
 */
async function checkedRequest(fields: SubmissionFields, checkpointDir: string, submittedBy: string): Promise<SubmissionRequest> {
  const roots = modelRoots();
  try {
    const params = fields.params === undefined ? undefined : parseParams(fields.params);
    const settings = promptSettingsOf(fields);
    confineCheckpoint(checkpointDir, roots);
    checkCheckpointLayout(checkpointDir, params, fields.dtype);
    const tasks = fields.tasks?.map((t) => {
      if (!isTaskSpecPath(t)) return t;
      const spec = confinePath(t, 'tasks');
      confineSpecData(spec, roots);
      return spec;
    });
    checkTaskData(planSubsets({ boards: fields.boards, tasks }), defaultDataDir());
    const contentHash = await checkpointContentHash(checkpointDir);
    return {
      checkpoint: checkpointDir,
      contentHash,
      name: fields.name,
      params,
      family: fields.family,
      license: fields.license,
      revision: fields.revision,
      boards: fields.boards,
      tasks,
      limit: fields.limit,
      settings,
      shardSize: fields.shardSize,
      submittedBy,
      ...(fields.dtype ? { dtype: fields.dtype } : {}),
    };
  } catch (err) {
    throw asIntakeError(err);
  }
}

/** Validated fields plus the checkpoint folder (already confined) → queued submission or the duplicate. */
export async function intake(store: Store, fields: SubmissionFields, checkpointDir: string, submittedBy: string): Promise<EnqueueOutcome> {
  const request = await checkedRequest(fields, checkpointDir, submittedBy);
  try {
    return await enqueueSubmission(store, await queueFor(store), request);
  } catch (err) {
    throw asIntakeError(err);
  }
}

/** Where uploads are staged before their checks pass: beside their final place, so moving them is a rename. */
export function uploadStaging(): string {
  const roots = modelRoots();
  if (roots.length === 0) throw new IntakeError(400, 'checkpoint: this site accepts no uploads (SCIBOARD_MODEL_ROOTS is not set)', 'checkpoint');
  return join(roots[0]!, 'uploads', '.incoming');
}

/**
 * An uploaded checkpoint: checked in its staging folder, moved to `<first root>/uploads/<content hash>/` only
 * once every check has passed, and removed again if queueing it is refused, so a refusal leaves no files.
 */
export async function intakeUpload(store: Store, fields: SubmissionFields, staged: StagedUpload, submittedBy: string): Promise<EnqueueOutcome> {
  if (staged.files.length === 0) throw new IntakeError(400, 'checkpoint: the upload holds no files', 'checkpoint');
  const request = await checkedRequest(fields, staged.dir, submittedBy);
  const final = join(modelRoots()[0]!, 'uploads', staged.hash.slice(0, 24));
  let placedHere = false;
  if (!existsSync(final)) {
    try {
      renameSync(staged.dir, final);
      placedHere = true;
    } catch (err) {
      // The same content arriving at once from elsewhere was placed first: use that copy.
      if (!existsSync(final)) throw err;
    }
  }
  try {
    const outcome = await enqueueSubmission(store, await queueFor(store), { ...request, checkpoint: realpathSync(final) });
    // Already submitted from another folder: that submission's files are the ones its workers read.
    if (outcome.kind === 'duplicate' && placedHere && payloadOf(outcome.submission).model.checkpointPath !== realpathSync(final)) {
      rmSync(final, { recursive: true, force: true });
    }
    return outcome;
  } catch (err) {
    if (placedHere) rmSync(final, { recursive: true, force: true });
    throw asIntakeError(err);
  }
}

export function uploadLimitBytes(): number {
  return Number(process.env.SCIBOARD_UPLOAD_MAX_BYTES ?? 512 * 1024 * 1024);
}
