/**
 * What the public may see of submissions and models. Checkpoint paths, suite paths and the name of the token
 * that submitted are the submitter's own: shown only to a request carrying that token. Error messages keep
 * their text, with absolute server paths cut to their last segment.
 */
import type { Model, Store } from '@sciboard/runs';
import { authenticate, clientAddress } from '../app/api/submissions/intake.ts';

/** `/srv/models/x/model.onnx` → `…/model.onnx`, wherever an absolute path appears in a message. */
export function redactPaths(text: string): string;
export function redactPaths(text: string | null): string | null;
export function redactPaths(text: string | null): string | null {
  if (text === null) return null;
  return text.replace(/(^|[\s"'(=:,[])((?:\/[^\s"'()/,\]]+)+)/g, (_m, before: string, path: string) => `${before}…/${path.split('/').at(-1)}`);
}

/** The token behind an Authorization header, or null (a wrong token counts as a failed attempt all the same). */
export async function viewerToken(store: Store, header: string | null, forwardedFor?: string | null): Promise<string | null> {
  if (!header) return null;
  try {
    return (await authenticate(store, header, clientAddress(forwardedFor))).name;
  } catch {
    return null;
  }
}

const ownedBy = (submittedBy: unknown, viewer: string | null | undefined) => viewer != null && submittedBy === `token:${viewer}`;

interface PayloadShape {
  model?: Record<string, unknown>;
  subsets?: Array<Record<string, unknown>>;
  submittedBy?: unknown;
  [key: string]: unknown;
}

/** A submission (or its summary) as its viewer may see it. */
export function publicSubmission<T extends { payload: Record<string, unknown>; error?: string | null }>(submission: T, viewer?: string | null): T {
  const payload = submission.payload as PayloadShape;
  if (ownedBy(payload.submittedBy, viewer)) return submission;
  const { checkpointPath: _path, ...model } = payload.model ?? {};
  const subsets = payload.subsets?.map(({ spec, ...rest }) => (typeof spec === 'string' ? { ...rest, spec: spec.split('/').at(-1) } : rest));
  const tasks = Array.isArray(payload.tasks) ? payload.tasks.map((t) => (typeof t === 'string' ? t.split('/').at(-1) : t)) : payload.tasks;
  const { submittedBy: _by, ...rest } = payload;
  return {
    ...submission,
    payload: { ...rest, model, ...(subsets ? { subsets } : {}), tasks },
    ...('error' in submission ? { error: redactPaths(submission.error ?? null) } : {}),
  };
}

/** A shard row as the public sees it: its error without server paths. */
export function publicShard<T extends { error: string | null }>(shard: T): T {
  return { ...shard, error: redactPaths(shard.error) };
}

/** A model row without its checkpoint path and submitter, unless the viewer submitted it. */
export function publicModel(model: Model, viewer?: string | null): Model {
  if (ownedBy(model.submittedBy, viewer)) return model;
  return { ...model, checkpointPath: null, submittedBy: null };
}
