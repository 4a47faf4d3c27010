/** A stand-in for the Hugging Face Hub on 127.0.0.1: the tree API and resolve/ URLs over in-memory files. */
import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeFile {
  path: string;
  bytes: Buffer;
  /** Listed as an LFS file (sha256 in `lfs.oid`), as the Hub lists Parquet files. */
  lfs?: boolean;
  /** Served instead of `bytes` (same length), while the listing describes `bytes`. */
  servedBytes?: Buffer;
}

export interface FakeHubRequest {
  url: string;
  range?: string;
  authorization?: string;
}

export interface FakeHub {
  endpoint: string;
  requests: FakeHubRequest[];
  /** The next download of this path sends this many bytes, then drops the connection. */
  dropOnce(path: string, afterBytes: number): void;
  close(): Promise<void>;
}

const gitBlobId = (b: Buffer) => createHash('sha1').update(`blob ${b.length}\0`).update(b).digest('hex');

export async function startFakeHub(repos: Record<string, FakeFile[]>, pageSize = 3): Promise<FakeHub> {
  const requests: FakeHubRequest[] = [];
  const drops = new Map<string, number>();
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    requests.push({ url: req.url ?? '', range: req.headers.range, authorization: req.headers.authorization });
    const tree = /^\/api\/datasets\/([^/]+\/[^/]+)\/tree\/main$/.exec(url.pathname);
    if (tree) {
      const files = repos[tree[1]!];
      if (!files) return void res.writeHead(404).end('{"error":"Repository not found"}');
      // Paged like the Hub: a Link header points at the next page.
      const start = Number(url.searchParams.get('cursor') ?? 0);
      const page = files.slice(start, start + pageSize).map((f) => ({
        type: 'file',
        path: f.path,
        size: f.bytes.length,
        oid: f.lfs ? createHash('sha1').update(`pointer ${f.path}`).digest('hex') : gitBlobId(f.bytes),
        ...(f.lfs ? { lfs: { oid: createHash('sha256').update(f.bytes).digest('hex'), size: f.bytes.length, pointerSize: 134 } } : {}),
      }));
      const headers: Record<string, string> = { 'content-type': 'application/json' };
      if (start + pageSize < files.length) headers.link = `<${url.pathname}?recursive=true&cursor=${start + pageSize}>; rel="next"`;
      return void res.writeHead(200, headers).end(JSON.stringify(page));
    }
    const resolve = /^\/datasets\/([^/]+\/[^/]+)\/resolve\/main\/(.+)$/.exec(url.pathname);
    const file = resolve ? repos[resolve[1]!]?.find((f) => f.path === decodeURIComponent(resolve[2]!)) : undefined;
    if (!file) return void res.writeHead(404).end('not found');
    const body = file.servedBytes ?? file.bytes;
    let from = 0;
    const range = /^bytes=(\d+)-$/.exec(req.headers.range ?? '');
    if (range) from = Number(range[1]);
    if (from >= body.length) return void res.writeHead(416).end();
    const slice = body.subarray(from);
    res.writeHead(range ? 206 : 200, {
      'content-length': String(slice.length),
      ...(range ? { 'content-range': `bytes ${from}-${body.length - 1}/${body.length}` } : {}),
    });
    const drop = drops.get(file.path);
    if (drop !== undefined) {
      drops.delete(file.path);
      res.write(slice.subarray(0, drop), () => setTimeout(() => res.destroy(), 20));
      return;
    }
    res.end(slice);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    requests,
    dropOnce: (path, afterBytes) => void drops.set(path, afterBytes),
    close: () =>
      new Promise((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

/** A GSM8K-shaped Parquet shard (question, answer), for tests of code that pulls data. */
export async function gsm8kParquet(rows: Array<[string, string]>): Promise<Buffer> {
  const { parquetWriteBuffer } = await import('hyparquet-writer');
  return Buffer.from(
    parquetWriteBuffer({
      columnData: [
        { name: 'question', data: rows.map((r) => r[0]), type: 'STRING' },
        { name: 'answer', data: rows.map((r) => r[1]), type: 'STRING' },
      ],
    }),
  );
}
