import { rmSync } from 'node:fs';
import { submissionFields } from '@sciboard/runs';
import { getStore, type Store } from '../../../lib/store.ts';
import { publicSubmission, viewerToken } from '../../../lib/public-view.ts';
import { authenticate, checkRate, clientAddress, confinePath, formatZodError, intake, intakeUpload, IntakeError, uploadLimitBytes, uploadStaging } from './intake.ts';
import { readBoundedText, receiveUpload, type StagedUpload } from './upload.ts';

export const dynamic = 'force-dynamic';

/**
 * Submissions, newest first (public, like every read). Checkpoint paths and token names are the submitter's
 * own: they are shown only to a request carrying the token that submitted.
 */
export async function GET(request: Request) {
  const store = await getStore();
  const viewer = await viewerToken(store, request.headers.get('authorization'), request.headers.get('x-forwarded-for'));
  return Response.json({ submissions: (await store.listSubmissions({ limit: 200 })).map((s) => publicSubmission(s, viewer)) });
}

function refuse(err: unknown): Response {
  if (err instanceof IntakeError) return Response.json({ error: err.message, ...(err.field ? { field: err.field } : {}) }, { status: err.status });
  throw err;
}

const JSON_LIMIT = 1024 * 1024;

/**
 * Queues a checkpoint. JSON body `{checkpoint, name, params?, family?, license?, revision?, boards?|tasks?,
 * limit?, shardSize?}` with `checkpoint` a folder under SCIBOARD_MODEL_ROOTS, or multipart form data with the same
 * fields and the checkpoint's files under `files`. Needs `Authorization: Bearer <token>`. The token and its
 * rate are checked before the body is read; the body is then read as it streams, up to its limit.
 */
export async function POST(request: Request) {
  let store: Store;
  let staged: StagedUpload | undefined;
  try {
    store = await getStore();
    const token = await authenticate(store, request.headers.get('authorization'), clientAddress(request.headers.get('x-forwarded-for')));
    checkRate(token.id);
    const length = Number(request.headers.get('content-length') ?? NaN);
    if (Number.isFinite(length) && length > uploadLimitBytes() + 1024 * 1024) {
      throw new IntakeError(413, `request body is ${length} bytes, over the limit of ${uploadLimitBytes()}`);
    }
    const type = request.headers.get('content-type') ?? '';
    let body: Record<string, unknown>;
    if (type.startsWith('multipart/form-data')) {
      staged = await receiveUpload(request, uploadLimitBytes(), uploadStaging());
      body = staged.fields;
    } else if (type.startsWith('application/json')) {
      const text = await readBoundedText(request, JSON_LIMIT, 'body: a JSON submission (upload files as multipart form data)');
      try {
        body = JSON.parse(text) as Record<string, unknown>;
      } catch {
        throw new IntakeError(400, 'body: not valid JSON');
      }
      if (!body || typeof body !== 'object' || Array.isArray(body)) throw new IntakeError(400, 'body: expected a JSON object');
    } else {
      throw new IntakeError(415, 'body: send application/json or multipart/form-data');
    }
    const parsed = submissionFields.safeParse(body);
    if (!parsed.success) throw formatZodError(parsed.error);
    const fields = parsed.data;
    const uploaded = staged !== undefined && staged.files.length > 0;
    if (uploaded && fields.checkpoint) throw new IntakeError(400, 'checkpoint: give a path or upload files, not both', 'checkpoint');
    if (!uploaded && !fields.checkpoint) throw new IntakeError(400, 'checkpoint: give a path under the model roots or upload the files', 'checkpoint');
    const submittedBy = `token:${token.name}`;
    const outcome = staged && uploaded ? await intakeUpload(store, fields, staged, submittedBy) : await intake(store, fields, confinePath(fields.checkpoint!), submittedBy);
    const { submission } = outcome;
    if (outcome.kind === 'duplicate') {
      return Response.json(
        { duplicate: true, submission: { id: submission.id, status: submission.status }, runs: outcome.runIds, message: `already submitted as submission ${submission.id}` },
        { status: 200 },
      );
    }
    return Response.json(
      { duplicate: false, submission: { id: submission.id, status: submission.status }, shards: outcome.shards.length, url: `/api/submissions/${submission.id}` },
      { status: 201 },
    );
  } catch (err) {
    return refuse(err);
  } finally {
    if (staged) rmSync(staged.dir, { recursive: true, force: true });
  }
}
