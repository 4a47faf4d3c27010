import { boardFormat, boards, findBoard } from '@sciboard/runs';
import { filteredBoard, parseBoardQuery, QueryError } from '../../../../lib/board-query.ts';
import { getStore, loadBoardInputs } from '../../../../lib/store.ts';

export const dynamic = 'force-dynamic';

/** The downloads the API serves: the CLI's formats except its plain-text table. */
const API_FORMATS: readonly string[] = ['json', 'csv', 'latex'];

/** The board as JSON (default), CSV or LaTeX, with the same view parameters as the page. */
export async function GET(request: Request, { params }: { params: Promise<{ board: string }> }) {
  const { board: boardId } = await params;
  const board = findBoard(boardId);
  if (!board) return Response.json({ error: `unknown board "${boardId}": expected one of ${Object.keys(boards).join(', ')}` }, { status: 404 });
  const url = new URL(request.url);
  const search = Object.fromEntries([...url.searchParams.keys()].map((k) => [k, url.searchParams.getAll(k)]));
  const formatName = url.searchParams.get('format') ?? 'json';
  const format = API_FORMATS.includes(formatName) ? boardFormat(formatName) : undefined;
  if (!format) return Response.json({ error: `query parameter "format": expected json, csv or latex, got "${formatName}"` }, { status: 400 });
  delete search.format;
  try {
    const query = parseBoardQuery(search, board);
    const { view } = filteredBoard(board, await loadBoardInputs(await getStore()), query);
    const headers: Record<string, string> = { 'content-type': format.contentType };
    if (formatName !== 'json') headers['content-disposition'] = `attachment; filename="${board.id}.${format.ext}"`;
    return new Response(format.write(view), { headers });
  } catch (err) {
    if (err instanceof QueryError) return Response.json({ error: err.message }, { status: 400 });
    throw err;
  }
}
