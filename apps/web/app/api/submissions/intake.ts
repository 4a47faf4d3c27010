/**
 * Turning a submission request (API or form) into queued shards: token, rate limits, field validation with
 * zod, confinement under SCIBOARD_MODEL_ROOTS of every path the server will read for it (checkpoint folder and
 * its files, the graph's external weights, suite files and their data), and the tasks' data being there.
 * Every check runs before the first write, so a refused request leaves the database as it was. Loading the
 * ONNX graph is left to the worker (the site runs no inference); its failure fails the submission.
 */
import { existsSync, realpathSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import {
  checkSubmission,
  confinePath as confineUnderRoots,
  type EnqueueOutcome,
  enqueueSubmission,
  openShardQueue,
  payloadOf,
  resolveTarget,
  SettingsError,
  type ShardQueue,
  type Store,
  SubmissionError,
  type SubmissionFields,
  type SubmissionRequest,
} from '@sciboard/runs';
import type { z } from 'zod';
import { siteEnv } from '../../../lib/env.ts';
import { IntakeError } from './errors.ts';
import type { StagedUpload } from './upload.ts';

export { IntakeError };

export function modelRoots(): string[] {
  return siteEnv().modelRoots;
}

/**
 * The real path of `given` if it exists under an allowed root once symlinks are resolved; else a 400. A path
 * that is missing and one that exists outside the roots get the same answer, so the answer reveals nothing
 * about the server's files.
 */
export function confinePath(given: string, field = 'checkpoint'): string {
  try {
    return confineUnderRoots(given, modelRoots(), field);
  } catch (err) {
    throw asIntakeError(err);
  }
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
  const perMinute = siteEnv().submitRatePerMinute;
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
  const perMinute = siteEnv().authFailuresPerMinute;
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
  const env = siteEnv();
  const target = resolveTarget(env.database);
  queueOpened ??= openShardQueue(store, { url: target.dialect === 'postgres' ? target.url : undefined, leaseSeconds: env.leaseSeconds });
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
 * Every check a submission of `checkpointDir` must pass (see @sciboard/runs `checkSubmission`), with the site's
 * roots and data folder, its refusals as 400s naming the API's field.
 */
async function checkedRequest(fields: SubmissionFields, checkpointDir: string, submittedBy: string): Promise<SubmissionRequest> {
  const env = siteEnv();
  try {
    return await checkSubmission(fields, checkpointDir, { roots: env.modelRoots, dataDir: env.dataDir, submittedBy });
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
  return siteEnv().uploadMaxBytes;
}
