import { createHash } from 'node:crypto';
import { createReadStream, existsSync, mkdirSync, statSync } from 'node:fs';
import { open, rename, unlink } from 'node:fs/promises';
import { dirname } from 'node:path';
import { authHeaders, resolveUrl, type HubConfig } from './hubConfig.ts';
import { bodyChunks, HubError, hint, networkReason, type HubFile } from './hubTree.ts';

export interface DownloadOptions {
  /** Called as bytes arrive (bytes of this file so far, its size). */
  onProgress?: (done: number, total: number) => void;
  /** Further attempts after a dropped connection; each resumes from the partial file. */
  retries?: number;
  /** Give up on a connection that sends nothing for this long. */
  stallMs?: number;
}

/**
 * Fetches one file into `dest`: bytes go to `dest.part` (resumed with an HTTP Range request when a previous
 * attempt left one), the whole file is checked against the tree's sha256 (LFS) or git blob id, and only then
 * renamed into place. A file that does not match is deleted: nothing half written stays behind.
 */
export async function downloadHubFile(config: HubConfig, repo: string, revision: string, file: HubFile, dest: string, options: DownloadOptions = {}): Promise<void> {
  if (existsSync(dest) && (await matches(dest, file))) return;
  if (config.offline) throw new HubError(`HF_HUB_OFFLINE is set: ${repo}/${file.path} is not in the cache`);
  mkdirSync(dirname(dest), { recursive: true });
  const part = `${dest}.part`;
  const retries = options.retries ?? 3;
  for (let attempt = 0; ; attempt++) {
    try {
      await fetchInto(config, repo, revision, file, part, options);
      break;
    } catch (err) {
      if (err instanceof HubError) throw err;
      if (attempt >= retries) {
        const kept = existsSync(part) ? statSync(part).size : 0;
        throw new HubError(`${repo}/${file.path}: download interrupted (${networkReason(err)}) with ${kept} of ${file.size} bytes kept; pull again to resume`);
      }
      // A dropped connection: what arrived stays in the .part file and the next request asks for the rest.
    }
  }
  const actual = await digest(part, file);
  if (actual !== expectedDigest(file)) {
    await unlink(part).catch(() => undefined);
    throw new HubError(`${repo}/${file.path}: checksum mismatch (expected ${describe(file)}, got ${actual}); the download was discarded`);
  }
  await rename(part, dest);
}

async function fetchInto(config: HubConfig, repo: string, revision: string, file: HubFile, part: string, options: DownloadOptions): Promise<void> {
  let have = existsSync(part) ? statSync(part).size : 0;
  if (have > file.size) have = 0;
  if (have === file.size && file.size > 0) return;
  const controller = new AbortController();
  const stallMs = options.stallMs ?? 60_000;
  let stall = setTimeout(() => controller.abort(), stallMs);
  const headers: Record<string, string> = { ...authHeaders(config) };
  if (have > 0) headers.range = `bytes=${have}-`;
  const url = resolveUrl(config, repo, revision, file.path);
  try {
    const res = await fetch(url, { headers, signal: controller.signal });
    if (res.status === 416) have = 0; // the partial file is not a prefix of what is served now: start over
    else if (!res.ok) throw new HubError(`${repo}/${file.path}: HTTP ${res.status}${hint(res.status, config)}`);
    const resumed = res.status === 206;
    if (!resumed) have = 0;
    const handle = await open(part, resumed ? 'a' : 'w');
    try {
      if (res.status === 416) throw new Error('range not satisfiable; retrying from the start');
      let done = have;
      options.onProgress?.(done, file.size);
      for await (const chunk of bodyChunks(res)) {
        clearTimeout(stall);
        stall = setTimeout(() => controller.abort(), stallMs);
        done += chunk.byteLength;
        // The listing said how big the file is; a server that sends more is not sending that file.
        if (done > file.size) throw new HubError(`${repo}/${file.path}: the server sent more than the listed ${file.size} bytes`);
        await handle.write(chunk);
        options.onProgress?.(done, file.size);
      }
      if (done !== file.size) throw new Error(`connection ended after ${done} of ${file.size} bytes`);
    } finally {
      await handle.close();
    }
  } catch (err) {
    if (err instanceof HubError) await unlink(part).catch(() => undefined);
    throw err;
  } finally {
    clearTimeout(stall);
  }
}

function expectedDigest(file: HubFile): string {
  return file.lfsSha256 ?? file.oid;
}

function describe(file: HubFile): string {
  return file.lfsSha256 ? `sha256 ${file.lfsSha256}` : `git blob ${file.oid}`;
}

async function matches(path: string, file: HubFile): Promise<boolean> {
  return statSync(path).size === file.size && (await digest(path, file)) === expectedDigest(file);
}

/** sha256 of the bytes for LFS files; otherwise git's blob id, sha1 over "blob <size>\0" and the bytes. */
async function digest(path: string, file: HubFile): Promise<string> {
  const hash = file.lfsSha256 ? createHash('sha256') : createHash('sha1').update(`blob ${statSync(path).size}\0`);
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}
