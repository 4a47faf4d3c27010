import { publicShard, publicSubmission, redactPaths, viewerToken } from '../../../../lib/public-view.ts';
import { getStore, parseId } from '../../../../lib/store.ts';

export const dynamic = 'force-dynamic';

/** One submission: status, progress, error, its shards and its runs. */
export async function GET(request: Request, { params }: { params: Promise<{ id: string }> }) {
  const { id: idText } = await params;
  const id = parseId(idText);
  const store = await getStore();
  const submission = id === null ? undefined : await store.getSubmission(id);
  if (id === null || !submission) return Response.json({ error: `no submission with id "${idText}"` }, { status: 404 });
  const shards = await store.listShards(id);
  const runIds = [...new Set(shards.map((s) => s.runId))];
  const runs = await Promise.all(runIds.map((runId) => store.getRun(runId)));
  const viewer = await viewerToken(store, request.headers.get('authorization'), request.headers.get('x-forwarded-for'));
  const own = publicSubmission(submission, viewer) === submission;
  return Response.json({
    submission: publicSubmission(submission, viewer),
    shards: own ? shards : shards.map(publicShard),
    runs: runs.filter((r) => r !== undefined).map((r) => (own ? r : { ...r, error: redactPaths(r.error) })),
  });
}
