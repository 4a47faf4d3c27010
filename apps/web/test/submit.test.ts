/**
 * Submitting through the site: the API's refusals (each a 4xx with a JSON error, the database untouched),
 * an accepted upload, and a browser submitting through the form, a worker evaluating it, the queue
 * showing it finished and the board listing the model.
 */
import { spawn, spawnSync } from 'node:child_process';
import { request as httpRequest } from 'node:http';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDb, type Store } from '@sciboard/db';
import { writeTinyModel } from '@sciboard/onnx';
import { buildSite, chromiumAvailable, CHROMIUM, startSite, webRoot, type RunningSite } from './server.ts';

const repo = resolve(webRoot, '../..');
const screenshots = resolve(process.env.SCIBOARD_SCREENSHOTS_DIR ?? join(repo, 'test-output/screenshots'));
const dataDir = resolve(process.env.SCIBOARD_SHARED_DIR ?? join(repo, '../shared'), 'data');
const hasData = existsSync(join(dataDir, 'mmlu'));
if (!hasData) console.warn(`submit test: no datasets under ${dataDir}; the form submits a sample suite and the model page is checked instead of the board`);
const hasChromium = chromiumAvailable('submit test, the browser part');

const UPLOAD_LIMIT = 2_000_000;

describe('submitting through the site', () => {
  let dir: string;
  let root: string;
  let dbFile: string;
  let site: RunningSite;
  let token: string;
  let revoked: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'sciboard-submit-'));
    root = join(dir, 'models');
    mkdirSync(root);
    await writeTinyModel(join(root, 'tiny'), { seed: 5 });
    // A symlink that leads out of the allowed root must be refused like a path outside it.
    mkdirSync(join(dir, 'outside'));
    await writeTinyModel(join(dir, 'outside', 'tiny'), { seed: 6 });
    symlinkSync(join(dir, 'outside', 'tiny'), join(root, 'escape'));
    dbFile = join(dir, 'sciboard.db');
    const store = await openDb({ file: dbFile });
    token = (await store.createApiToken('tests')).token;
    const old = await store.createApiToken('old');
    await store.revokeApiToken(old.id);
    revoked = old.token;
    await store.close();
    buildSite();
    site = await startSite(dbFile, { SCIBOARD_MODEL_ROOTS: root, SCIBOARD_UPLOAD_MAX_BYTES: String(UPLOAD_LIMIT), SCIBOARD_BOARD_CACHE_MS: '0' });
  }, 240_000);

  afterAll(async () => {
    await site?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  async function counts(): Promise<Record<string, number>> {
    const store: Store = await openDb({ file: dbFile });
    try {
      return {
        submissions: (await store.listSubmissions()).length,
        models: (await store.listModels()).length,
        runs: (await store.listRuns()).length,
      };
    } finally {
      await store.close();
    }
  }

  /**
   * GETs are idempotent: retried once when the pooled keep-alive connection was closed by the server while
   * the test waited on a child process (Node's server drops idle connections after 5 s).
   */
  const get = (path: string) => fetch(`${site.url}${path}`).catch(() => fetch(`${site.url}${path}`));
  const post = (body: BodyInit, headers: Record<string, string>) => fetch(`${site.url}/api/submissions`, { method: 'POST', body, headers });
  const json = (value: unknown, auth: string | null = token) =>
    post(JSON.stringify(value), { 'content-type': 'application/json', ...(auth ? { authorization: `Bearer ${auth}` } : {}) });

  it('refuses bad tokens, oversized uploads, paths outside the roots and malformed fields, changing nothing', async () => {
    const before = await counts();
    const valid = { checkpoint: 'tiny', name: 'api-model', tasks: ['mmlu_astronomy'], limit: 1 };
    const oversized = new FormData();
    oversized.set('name', 'too-big');
    oversized.append('files', new File([new Uint8Array(UPLOAD_LIMIT + 10)], 'model.onnx'));
    // The server answers 413 without reading the body and drops the connection: send it on a connection
    // of its own, so the keep-alive pool of later requests is not left holding a closed socket.
    const alone = async (form: FormData): Promise<Response> => {
      const request = new Request(`${site.url}/api/submissions`, { method: 'POST', body: form });
      const body = Buffer.from(await request.arrayBuffer());
      return new Promise((resolveResponse, reject) => {
        const req = httpRequest(
          `${site.url}/api/submissions`,
          { method: 'POST', agent: false, headers: { 'content-type': request.headers.get('content-type')!, 'content-length': body.length, authorization: `Bearer ${token}` } },
          (res) => {
            const chunks: Buffer[] = [];
            res.on('data', (c: Buffer) => chunks.push(c));
            res.on('end', () => resolveResponse(new Response(Buffer.concat(chunks), { status: res.statusCode })));
          },
        );
        req.on('error', reject);
        req.end(body);
      });
    };
    const cases: [string, () => Promise<Response>, number, RegExp][] = [
      ['no token', () => json(valid, null), 401, /token is required/],
      ['unknown token', () => json(valid, 'sb_not-a-real-token'), 401, /unknown or revoked/],
      ['revoked token', () => json(valid, revoked), 401, /unknown or revoked/],
      ['oversized upload', () => alone(oversized), 413, /over the limit of 2000000/],
      ['absolute path outside', () => json({ ...valid, checkpoint: join(dir, 'outside', 'tiny') }), 400, /is not a path under the allowed model roots/],
      ['dot-dot escape', () => json({ ...valid, checkpoint: '../outside/tiny' }), 400, /must not contain "\.\." segments/],
      ['symlink out', () => json({ ...valid, checkpoint: 'escape' }), 400, /is not a path under the allowed model roots/],
      ['missing folder', () => json({ ...valid, checkpoint: 'nope' }), 400, /is not a path under the allowed model roots/],
      ['missing name', () => json({ ...valid, name: undefined }), 400, /^name: /],
      ['bad limit', () => json({ ...valid, limit: -3 }), 400, /^limit: /],
      ['unknown field', () => json({ ...valid, owner: 'me' }), 400, /unrecognized key|owner/i],
      ['unknown task', () => json({ ...valid, tasks: ['no_such_task'] }), 400, /unknown task or group "no_such_task"/],
      ['implausible size', () => json({ ...valid, params: '7B' }), 400, /^params: declared 7B parameters/],
      ['boards and tasks', () => json({ ...valid, boards: ['science'] }), 400, /boards or tasks, not both/],
      ['broken JSON', () => post('{"name": ', { 'content-type': 'application/json', authorization: `Bearer ${token}` }), 400, /not valid JSON/],
    ];
    for (const [label, send, status, message] of cases) {
      const response = await send();
      const body = (await response.json()) as { error: string };
      expect({ label, status: response.status }).toEqual({ label, status });
      expect(body.error, label).toMatch(message);
    }
    expect(await counts()).toEqual(before);
  });

  it('serves every page and API answer with the security headers; /api/models/%25 is a 404, not a 500', async () => {
    for (const path of ['/', '/science', '/submit', '/api/boards/science']) {
      const response = await get(path);
      expect(response.status, path).toBe(200);
      expect(response.headers.get('content-security-policy'), path).toMatch(/default-src 'self'.*frame-ancestors 'none'/);
      expect(response.headers.get('x-frame-options'), path).toBe('DENY');
      expect(response.headers.get('x-content-type-options'), path).toBe('nosniff');
      expect(response.headers.get('referrer-policy'), path).toBe('strict-origin-when-cross-origin');
    }
    expect((await get('/api/models/%25')).status).toBe(404);
    expect((await get('/models/%25')).status).toBe(404);
  });

  it('accepts an uploaded checkpoint, reports it by id, and points a repeat to the first submission', async () => {
    const form = () => {
      const f = new FormData();
      f.set('name', 'uploaded-tiny');
      f.set('tasks', 'mmlu_astronomy');
      f.set('limit', '1');
      for (const file of readdirSync(join(root, 'tiny'))) f.append('files', new File([readFileSync(join(root, 'tiny', file))], file));
      return f;
    };
    const first = await post(form(), { authorization: `Bearer ${token}` });
    const created = (await first.json()) as { submission: { id: number }; shards: number };
    expect(first.status, JSON.stringify(created)).toBe(201);
    expect(created.shards).toBe(1);
    const again = (await (await post(form(), { authorization: `Bearer ${token}` })).json()) as { duplicate: boolean; submission: { id: number } };
    expect(again).toMatchObject({ duplicate: true, submission: { id: created.submission.id } });
    const read = await get(`/api/submissions/${created.submission.id}`);
    expect(read.status).toBe(200);
    const body = (await read.json()) as { submission: { status: string }; shards: { task: string }[]; runs: { task: string }[] };
    expect(body.submission.status).toBe('queued');
    expect(body.shards.map((s) => s.task)).toEqual(['mmlu_astronomy']);
    expect((await get('/api/submissions/999999')).status).toBe(404);
  });

  it('takes an upload from sciboard submit --server, and refuses it without a valid token', async () => {
    const local = join(dir, 'local-tiny');
    await writeTinyModel(local, { seed: 7 });
    const submit = (...extra: string[]) =>
      spawnSync(process.execPath, [join(repo, 'packages/cli/bin/sciboard.mjs'), 'submit', local, '--name', 'cli-tiny', '--tasks', 'mmlu_astronomy', '--limit', '1', '--server', site.url, ...extra], {
        encoding: 'utf8',
        env: { ...process.env, SCIBOARD_DB: join(dir, 'unused.db') },
      });
    const refused = submit('--token', revoked);
    expect(refused.status).toBe(1);
    expect(refused.stderr).toMatch(/refused the submission \(401\): the token is unknown or revoked/);
    const accepted = submit('--token', token);
    expect(accepted.status, accepted.stderr).toBe(0);
    const answer = JSON.parse(accepted.stdout) as { duplicate: boolean; submission: { id: number } };
    expect(answer.duplicate).toBe(false);
    // The checkpoint path is the submitter's to see: asked with the token that submitted.
    const own = () => fetch(`${site.url}/api/submissions/${answer.submission.id}`, { headers: { authorization: `Bearer ${token}` } });
    const read = (await (await own().catch(own)).json()) as { submission: { payload: { model: { name: string; checkpointPath: string } } } };
    expect(read.submission.payload.model.name).toBe('cli-tiny');
    expect(read.submission.payload.model.checkpointPath.startsWith(join(root, 'uploads'))).toBe(true);
  });

  it.skipIf(!hasChromium)('submits through the form, watches the queue reach finished, finds the model on the board', async () => {
    const browser: BrowserContext = await chromium.launchPersistentContext(join(dir, 'profile'), {
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    try {
      const page = await browser.newPage();
      await page.goto(`${site.url}/submit`);
      await page.getByLabel('Checkpoint folder').fill('tiny');
      await page.getByLabel('Model name').fill('form-tiny');
      await page.getByLabel('Parameters').fill('125k');
      await page.getByLabel('API token').fill('sb_wrong');
      await page.getByRole('button', { name: 'Submit' }).click();
      await expect.poll(() => page.locator('p.error').innerText()).toMatch(/unknown or revoked/);

      await page.getByLabel('API token').fill(token);
      await page.getByLabel('Tasks').fill(hasData ? 'mmlu-sci' : 'mmlu_astronomy');
      await page.getByLabel('Limit').fill('1');
      mkdirSync(screenshots, { recursive: true });
      await page.screenshot({ path: join(screenshots, 'submit.png'), fullPage: true });
      await page.getByRole('button', { name: 'Submit' }).click();
      await page.waitForURL(/\/queue\?submitted=\d+/);
      const id = new URL(page.url()).searchParams.get('submitted')!;
      const row = page.locator(`tr[data-submission="${id}"]`);
      expect(await row.getAttribute('data-status')).toBe('queued');

      // Workers drain the queue: the form's submission and the uploaded one from the test before.
      const worker = spawn(process.execPath, [join(repo, 'packages/cli/bin/sciboard.mjs'), 'worker', '--until-idle', '--device', 'cpu'], {
        env: { ...process.env, SCIBOARD_DB: dbFile, DATABASE_URL: '', SCIBOARD_DATA_DIR: dataDir },
        stdio: 'ignore',
      });
      const exitCode = await new Promise<number | null>((r) => worker.once('exit', r));
      expect(exitCode).toBe(0);
      await page.reload();
      expect(await row.getAttribute('data-status')).toBe('finished');
      expect(await row.innerText()).toMatch(/form-tiny/);
      await page.screenshot({ path: join(screenshots, 'queue.png'), fullPage: true });

      if (hasData) {
        await page.goto(`${site.url}/science`);
        await expect.poll(() => page.locator('tbody').innerText()).toMatch(/form-tiny/);
      } else {
        await row.getByRole('link', { name: 'form-tiny' }).click();
        await expect.poll(() => page.locator('main').innerText()).toMatch(/form-tiny/);
      }
    } finally {
      await browser.close();
    }
  });
});
