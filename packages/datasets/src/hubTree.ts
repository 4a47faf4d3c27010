import { authHeaders, treeUrl, type HubConfig } from './hubConfig.ts';

/** One file of a dataset repository as the tree API lists it. */
export interface HubFile {
  path: string;
  size: number;
  /** Git blob id (sha1 of "blob <size>\0" + bytes) of the file, or of its LFS pointer. */
  oid: string;
  /** For LFS files: sha256 of the real bytes, which is what resolve/ serves. */
  lfsSha256?: string;
}

export class HubError extends Error {
  override name = 'HubError';
}

/** A listing is JSON from the network: bounded, and every field checked before it names a file on disk. */
const MAX_TREE_BYTES = 32 * 1024 * 1024;
const MAX_TREE_PAGES = 100;

export async function listDatasetFiles(config: HubConfig, repo: string, revision: string, signal?: AbortSignal): Promise<HubFile[]> {
  if (config.offline) throw new HubError(`HF_HUB_OFFLINE is set: cannot list ${repo} on the Hub`);
  const files: HubFile[] = [];
  let url: string | undefined = treeUrl(config, repo, revision);
  for (let page = 0; url && page < MAX_TREE_PAGES; page++) {
    let res: Response;
    try {
      res = await fetch(url, { headers: { ...authHeaders(config), accept: 'application/json' }, signal: signal ?? AbortSignal.timeout(60_000) });
    } catch (err) {
      throw new HubError(`cannot reach the Hub at ${config.endpoint} (${networkReason(err)}); set HF_ENDPOINT for a mirror, or HF_HUB_OFFLINE=1 to use the cache only`);
    }
    if (!res.ok) throw new HubError(`${repo}@${revision}: tree listing failed with HTTP ${res.status}${hint(res.status, config)}`);
    const text = await boundedText(res, MAX_TREE_BYTES, `${repo} tree listing`);
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      throw new HubError(`${repo}@${revision}: tree listing is not JSON (expected the Hub's /api/datasets/<repo>/tree answer)`);
    }
    if (!Array.isArray(body)) throw new HubError(`${repo}@${revision}: tree listing is not a JSON array`);
    for (const [i, entry] of body.entries()) {
      const file = parseEntry(entry, `${repo} tree entry ${i}`);
      if (file) files.push(file);
    }
    url = nextLink(res.headers.get('link'), url);
  }
  return files;
}

function parseEntry(entry: unknown, where: string): HubFile | undefined {
  if (typeof entry !== 'object' || entry === null) throw new HubError(`${where}: expected an object`);
  const e = entry as Record<string, unknown>;
  if (e.type === 'directory') return undefined;
  if (typeof e.path !== 'string' || !isSafeRelativePath(e.path)) throw new HubError(`${where}: field "path" must be a relative path inside the repository, got ${JSON.stringify(e.path)}`);
  if (typeof e.size !== 'number' || !Number.isSafeInteger(e.size) || e.size < 0) throw new HubError(`${where} (${e.path}): field "size" must be a byte count`);
  if (typeof e.oid !== 'string' || !/^[0-9a-f]{40}$/.test(e.oid)) throw new HubError(`${where} (${e.path}): field "oid" must be a 40-digit git blob id`);
  const lfs = e.lfs as Record<string, unknown> | undefined;
  if (lfs !== undefined && lfs !== null) {
    const sha = lfs.oid ?? lfs.sha256;
    if (typeof sha !== 'string' || !/^[0-9a-f]{64}$/.test(sha)) throw new HubError(`${where} (${e.path}): field "lfs.oid" must be a sha256`);
    const size = typeof lfs.size === 'number' ? lfs.size : e.size;
    return { path: e.path, size, oid: e.oid, lfsSha256: sha };
  }
  return { path: e.path, size: e.size, oid: e.oid };
}

export function isSafeRelativePath(p: string): boolean {
  if (p.length === 0 || p.length > 1024 || p.startsWith('/') || p.includes('\\') || p.includes('\0')) return false;
  return p.split('/').every((part) => part !== '' && part !== '.' && part !== '..');
}

/** The Hub pages long listings with `Link: <...>; rel="next"`. */
function nextLink(header: string | null, base: string): string | undefined {
  if (!header) return undefined;
  const m = /<([^>]+)>\s*;\s*rel="?next"?/.exec(header);
  return m ? new URL(m[1]!, base).href : undefined;
}

export async function boundedText(res: Response, max: number, what: string): Promise<string> {
  const declared = Number(res.headers.get('content-length'));
  if (declared > max) throw new HubError(`${what}: ${declared} bytes is over the ${max}-byte limit`);
  const chunks: Uint8Array[] = [];
  let total = 0;
  for await (const chunk of bodyChunks(res)) {
    total += chunk.byteLength;
    if (total > max) throw new HubError(`${what}: more than the ${max}-byte limit`);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

export function hint(status: number, config: HubConfig): string {
  if (status === 401 || status === 403) return config.token ? ' (HF_TOKEN was refused)' : ' (a gated dataset: accept its terms on the Hub and set HF_TOKEN)';
  if (status === 404) return ' (no such dataset, revision or file)';
  return '';
}

/** undici says "fetch failed" and keeps the reason (ENOTFOUND, ECONNREFUSED, a timeout) in `cause`. */
export function networkReason(err: unknown): string {
  const e = err as { name?: string; message?: string; cause?: { code?: string; message?: string } };
  if (e?.name === 'TimeoutError' || e?.name === 'AbortError') return 'no answer in time';
  return e?.cause?.code ?? e?.cause?.message ?? e?.message ?? String(err);
}

/** A response body chunk by chunk (through a reader: the DOM typings a site build uses give streams no iterator). */
export async function* bodyChunks(res: Response): AsyncGenerator<Uint8Array> {
  if (!res.body) return;
  const reader = res.body.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      yield value;
    }
  } finally {
    // Stops the transfer when the reader gives up early (a size limit, a write error).
    await reader.cancel().catch(() => undefined);
  }
}
