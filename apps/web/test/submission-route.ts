/**
 * The site's own submission route (`app/api/submissions/route.ts`) served by a plain HTTP server over a SQLite file
 * in a scratch folder, for tests that post to it as JSON, as form fields or from `sciboard submit --server`. The
 * environment the site's modules read when they first open the store and the queue is set when this module is
 * imported, so import it before anything that opens them.
 */
import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Readable } from 'node:stream';
import { openDb, type Store } from '@sciboard/db';
import { webRoot } from './server.ts';

export interface SubmissionRoute {
  /** Scratch folder holding the model roots and the database. */
  dir: string;
  /** The model roots (`SCIBOARD_MODEL_ROOTS`); `suites/arithmetic.yaml` is under them. */
  root: string;
  dbFile: string;
  url: string;
  token: string;
  store: Store;
  /** POST to `/api/submissions` with the token. */
  post(body: BodyInit, headers?: Record<string, string>): Promise<Response>;
  /** POST a JSON body. */
  json(value: unknown): Promise<Response>;
  close(): Promise<void>;
}

export const repo = resolve(webRoot, '../..');

/** Scratch folder and environment, set at import time of the calling test (see the module comment). */
export function submissionEnv(prefix: string): { dir: string; root: string; dbFile: string } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  const root = join(dir, 'models');
  const dbFile = join(dir, 'sciboard.db');
  Object.assign(process.env, { SCIBOARD_DB: dbFile, SCIBOARD_MODEL_ROOTS: root, SCIBOARD_SUBMIT_RATE_PER_MINUTE: '1000' });
  delete process.env.DATABASE_URL;
  return { dir, root, dbFile };
}

/**
 * Copies the sample arithmetic suite under the roots, lets `prepare` write checkpoints there, creates an API token
 * and serves the route.
 */
export async function startSubmissionRoute(
  env: { dir: string; root: string; dbFile: string },
  prepare: (root: string) => Promise<void>,
): Promise<SubmissionRoute> {
  const { dir, root, dbFile } = env;
  mkdirSync(join(root, 'suites'), { recursive: true });
  // sample_arithmetic: six generation documents, a suite file under the model roots as the site requires.
  for (const f of ['arithmetic.yaml', 'arithmetic.jsonl']) copyFileSync(join(repo, 'packages/eval/samples', f), join(root, 'suites', f));
  await prepare(root);
  const store = await openDb({ file: dbFile });
  const token = (await store.createApiToken('tests')).token;
  const { POST } = await import('../app/api/submissions/route.ts');
  const server: Server = createServer((req, res) => {
    const request = new Request(`http://127.0.0.1${req.url}`, {
      method: req.method,
      headers: req.headers as Record<string, string>,
      body: Readable.toWeb(req) as ReadableStream,
      duplex: 'half',
    } as RequestInit);
    POST(request).then(
      async (response) => {
        res.writeHead(response.status, { 'content-type': 'application/json' });
        res.end(Buffer.from(await response.arrayBuffer()));
      },
      (err: Error) => {
        res.writeHead(500);
        res.end(err.message);
      },
    );
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const address = server.address();
  const url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  const post = (body: BodyInit, headers: Record<string, string> = {}) =>
    fetch(`${url}/api/submissions`, { method: 'POST', body, headers: { authorization: `Bearer ${token}`, ...headers } });
  return {
    dir,
    root,
    dbFile,
    url,
    token,
    store,
    post,
    json: (value: unknown) => post(JSON.stringify(value), { 'content-type': 'application/json' }),
    async close() {
      await new Promise((r) => server.close(r));
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
