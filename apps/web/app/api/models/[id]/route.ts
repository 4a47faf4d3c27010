import { loadModelPage } from '../../../../lib/model-data.ts';
import { viewerToken } from '../../../../lib/public-view.ts';
import { getStore } from '../../../../lib/store.ts';

export const dynamic = 'force-dynamic';

export async function GET(request: Request, { params }: { params: Promise<{ id: string }> }) {
  // Next.js has already decoded the segment once: decoding again broke names holding '%'.
  const { id } = await params;
  const store = await getStore();
  const data = await loadModelPage(store, id, await viewerToken(store, request.headers.get('authorization'), request.headers.get('x-forwarded-for')));
  if (!data) return Response.json({ error: `no model with id or name "${id}"` }, { status: 404 });
  return Response.json(data);
}
