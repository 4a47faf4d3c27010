/**
 * What an attacker holding an API token tried against the submission API and the public reads, each case
 * calling the route handlers in this process against a seeded SQLite file: paths outside the model roots (by
 * suite data files, symlinks, external weights), file contents in messages, unbounded bodies, leftovers of
 * refused uploads, unlimited failed logins, server paths on public reads, and names or data the site should
 * refuse at intake.
 */
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { beforeAll, describe, expect, it } from 'vitest';
import { openDb } from '@sciboard/db';
import { writeTinyModel } from '@sciboard/onnx';
import { seedDatabase } from './seed.ts';

const dir = mkdtempSync(join(tmpdir(), 'sciboard-security-'));
const dbFile = join(dir, 'sciboard.db');
const root = join(dir, 'models');
const emptyData = join(dir, 'no-datasets');
const samples = resolve(import.meta.dirname, '../../../packages/eval/samples');
process.env.SCIBOARD_DB = dbFile;
delete process.env.DATABASE_URL;
process.env.SCIBOARD_MODEL_ROOTS = root;
process.env.SCIBOARD_UPLOAD_MAX_BYTES = String(1024 * 1024);
process.env.SCIBOARD_DATA_DIR = emptyData;
process.env.SCIBOARD_BOARD_CACHE_MS = '0';
const RATE = '1000';
process.env.SCIBOARD_SUBMIT_RATE_PER_MINUTE = RATE;

const submissions = await import('../app/api/submissions/route.ts');
const submissionById = await import('../app/api/submissions/[id]/route.ts');
const { reloadSiteEnv } = await import('../lib/env.ts');
const models = await import('../app/api/models/[id]/route.ts');
const boardsRoute = await import('../app/api/boards/[board]/route.ts');

/** A secret outside the roots that no answer may ever show. */
const SECRET = 'root:x:0:0:SECRET-LINE';

function snapshot(): Record<string, string> {
  const db = new Database(dbFile, { readonly: true });
  try {
    const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all() as { name: string }[];
    return Object.fromEntries(tables.map(({ name }) => [name, JSON.stringify(db.prepare(`SELECT * FROM "${name}" ORDER BY rowid`).all())]));
  } finally {
    db.close();
  }
}

let token = '';
let counter = 0;
/** Each call comes from its own address unless told otherwise, so the failed-login limit stays out of the way. */
const address = () => `10.0.${Math.floor(++counter / 250)}.${counter % 250}`;
const post = (body: BodyInit, headers: Record<string, string>, init: RequestInit = {}) =>
  submissions.POST(new Request('http://127.0.0.1/api/submissions', { method: 'POST', body, headers: { 'x-forwarded-for': address(), ...headers }, ...init }));
const submitJson = (value: unknown, auth: string | null = token, from?: string) =>
  post(JSON.stringify(value), { 'content-type': 'application/json', ...(auth ? { authorization: `Bearer ${auth}` } : {}), ...(from ? { 'x-forwarded-for': from } : {}) });
const params = <T extends object>(p: T) => ({ params: Promise.resolve(p) });
const get = (path: string, headers: Record<string, string> = {}) => new Request(`http://127.0.0.1${path}`, { headers });
const suite = 'suites/science-mc.yaml';
const valid = { checkpoint: 'tiny', name: 'sec-model', tasks: [suite], limit: 1 };

async function refused(response: Response, status: number, error: RegExp): Promise<string> {
  const body = (await response.json()) as { error: string };
  expect(response.status, JSON.stringify(body)).toBe(status);
  expect(body.error).toMatch(error);
  expect(body.error).not.toContain('SECRET');
  return body.error;
}

/** A body that hands out `total` bytes in 64 KiB chunks and counts what was taken. */
function countedStream(total: number, prefix = ''): { stream: ReadableStream<Uint8Array>; pulled: () => number } {
  let sent = 0;
  const head = new TextEncoder().encode(prefix);
  const chunk = new Uint8Array(64 * 1024).fill(0x61);
  return {
    stream: new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent === 0 && head.length) {
          sent += head.length;
          controller.enqueue(head);
        } else if (sent >= total) controller.close();
        else {
          sent += chunk.length;
          controller.enqueue(chunk.slice());
        }
      },
    }),
    pulled: () => sent,
  };
}

describe('security: what an attacker with a token tried', () => {
  beforeAll(async () => {
    await seedDatabase(dbFile);
    const store = await openDb({ file: dbFile });
    token = (await store.createApiToken('sec-tests')).token;
    await store.close();
    mkdirSync(emptyData, { recursive: true });
    mkdirSync(join(root, 'suites'), { recursive: true });
    for (const f of ['science-mc.yaml', 'science-mc.jsonl', 'science-mc-shots.jsonl']) copyFileSync(join(samples, f), join(root, 'suites', f));
    writeFileSync(join(dir, 'secret.jsonl'), `{"question": "${SECRET}", "choices": ["a","b","c","d"], "answer": 0}\n`);
    writeFileSync(join(dir, 'passwd'), `${SECRET}\ndaemon:x:1:1\n`);
    await writeTinyModel(join(root, 'tiny'), { seed: 5, layers: 1 });
  }, 120_000);

  describe('1. every file a submission makes the server read lies under the roots', () => {
    const specWith = (name: string, dataLine: string, key = 'data_files') => {
      const text = readFileSync(join(samples, 'science-mc.yaml'), 'utf8').replace(new RegExp(`^${key}: .*$`, 'm'), dataLine);
      writeFileSync(join(root, 'suites', name), text);
      return `suites/${name}`;
    };
    it.each([
      ['an absolute data_files path', () => specWith('abs.yaml', `data_files: ${join(dir, 'secret.jsonl')}`)],
      ['a ../../ data_files path', () => specWith('up.yaml', 'data_files: ../../secret.jsonl')],
      ['a fewshot_data_files path outside', () => specWith('shots.yaml', 'fewshot_data_files: ../../secret.jsonl', 'fewshot_data_files')],
      [
        'a data file symlinked out of the roots',
        () => {
          symlinkSync(join(dir, 'secret.jsonl'), join(root, 'suites', 'linked.jsonl'));
          return specWith('linked.yaml', 'data_files: linked.jsonl');
        },
      ],
    ])('a suite naming %s is refused with 400 and nothing queued', async (_, make) => {
      const before = snapshot();
      await refused(await submitJson({ ...valid, tasks: [make()] }), 400, /^tasks: suite .* names a data file that is not a file under the allowed model roots/);
      expect(snapshot()).toEqual(before);
    });

    it('a graph whose external weights lie outside the roots is refused with 400', async () => {
      const model = join(root, 'ext');
      await writeTinyModel(model, { seed: 5, layers: 1, externalData: true });
      // Same length as "model.onnx_data", so the protobuf stays well formed: two levels up, out of the roots.
      const graph = readFileSync(join(model, 'model.onnx'));
      const patched = Buffer.from(graph.toString('latin1').split('model.onnx_data').join('../../passwd.bi'), 'latin1');
      expect(patched.equals(graph)).toBe(false);
      writeFileSync(join(model, 'model.onnx'), patched);
      writeFileSync(join(dir, 'passwd.bi'), SECRET);
      const before = snapshot();
      await refused(await submitJson({ ...valid, checkpoint: 'ext', name: 'ext' }), 400, /^checkpoint: model\.onnx names external weights "\.\.\/\.\.\/passwd\.bi"/);
      expect(snapshot()).toEqual(before);
    });
  });

  describe('6. symlinks inside a checkpoint, and messages that never echo a file', () => {
    it('a checkpoint file symlinked out of the roots is refused, and the message quotes nothing of the target', async () => {
      const model = join(root, 'linked');
      await writeTinyModel(model, { seed: 5, layers: 1 });
      const { rmSync } = await import('node:fs');
      rmSync(join(model, 'config.json'));
      symlinkSync(join(dir, 'passwd'), join(model, 'config.json'));
      const error = await refused(await submitJson({ ...valid, checkpoint: 'linked', name: 'linked' }), 400, /^checkpoint: config\.json leads outside the allowed model roots/);
      expect(error).not.toContain('root:x');
    });

    it('a checkpoint file that is not JSON is named with the place of the error, not its text', async () => {
      const model = join(root, 'garbled');
      await writeTinyModel(model, { seed: 5, layers: 1 });
      writeFileSync(join(model, 'tokenizer.json'), `${SECRET}\n`);
      const error = await refused(await submitJson({ ...valid, checkpoint: 'garbled', name: 'garbled' }), 400, /tokenizer\.json is not valid JSON \(syntax error/);
      expect(error).not.toContain('root:x');
    });
  });

  describe('7. limits on failed logins; path errors that reveal nothing', () => {
    it('a missing path and an existing one outside the roots get the same answer', async () => {
      const outside = join(dir, 'no-datasets');
      const missing = join(dir, 'not-there');
      const a = await refused(await submitJson({ ...valid, checkpoint: outside }), 400, /^checkpoint: /);
      const b = await refused(await submitJson({ ...valid, checkpoint: missing }), 400, /^checkpoint: /);
      expect(a.replace(outside, 'P')).toBe(b.replace(missing, 'P'));
    });

    it('failed token checks are limited per client address, before the token is looked at', async () => {
      process.env.SCIBOARD_AUTH_FAILURES_PER_MINUTE = '3';
      reloadSiteEnv();
      try {
        const from = '198.51.100.7';
        const statuses: number[] = [];
        for (let i = 0; i < 4; i++) statuses.push((await submitJson(valid, `sb_guess_${i}`, from)).status);
        expect(statuses).toEqual([401, 401, 401, 429]);
        // Even the right token waits out the minute from that address; another address is not affected.
        await refused(await submitJson({ ...valid, name: 'late' }, token, from), 429, /failed token checks per minute/);
        expect((await submitJson({ ...valid, checkpoint: 'nope' }, token, '198.51.100.8')).status).toBe(400);
      } finally {
        delete process.env.SCIBOARD_AUTH_FAILURES_PER_MINUTE;
        reloadSiteEnv();
      }
    });

    it('the per-token rate counts every authenticated request, including ones refused for their path', async () => {
      process.env.SCIBOARD_SUBMIT_RATE_PER_MINUTE = '2';
      reloadSiteEnv();
      try {
        const store = await openDb({ file: dbFile });
        const fresh = (await store.createApiToken('rate-paths')).token;
        await store.close();
        const statuses = [];
        for (const checkpoint of ['/etc', '../x', 'tiny']) statuses.push((await submitJson({ ...valid, checkpoint, name: 'rated' }, fresh)).status);
        expect(statuses).toEqual([400, 400, 429]);
      } finally {
        process.env.SCIBOARD_SUBMIT_RATE_PER_MINUTE = RATE;
        reloadSiteEnv();
      }
    });
  });

  describe('3. bodies are counted as they stream, and the rate is checked before reading them', () => {
    it('a chunked JSON body of 8 MiB is refused after about its 1 MiB limit', async () => {
      const body = countedStream(8 * 1024 * 1024, '{"name": "');
      const response = await post(body.stream, { 'content-type': 'application/json', authorization: `Bearer ${token}` }, { duplex: 'half' } as RequestInit);
      await refused(response, 413, /over the limit of 1048576 bytes/);
      expect(body.pulled()).toBeLessThan(3 * 1024 * 1024);
    });

    it('a chunked 64 MiB upload against a 1 MiB limit is refused without reading it all, leaving no files', async () => {
      const boundary = 'sciboardboundary';
      const head = `--${boundary}\r\nContent-Disposition: form-data; name="name"\r\n\r\nbig\r\n--${boundary}\r\nContent-Disposition: form-data; name="files"; filename="model.onnx"\r\nContent-Type: application/octet-stream\r\n\r\n`;
      const body = countedStream(64 * 1024 * 1024, head);
      const response = await post(body.stream, { 'content-type': `multipart/form-data; boundary=${boundary}`, authorization: `Bearer ${token}` }, { duplex: 'half' } as RequestInit);
      await refused(response, 413, /over the limit of 1048576 bytes/);
      expect(body.pulled()).toBeLessThan(4 * 1024 * 1024);
      expect(leftovers()).toEqual([]);
    });

    it('a token past its rate is refused before its body is read', async () => {
      process.env.SCIBOARD_SUBMIT_RATE_PER_MINUTE = '0';
      reloadSiteEnv();
      try {
        const body = countedStream(4 * 1024 * 1024, '{"name": "');
        const response = await post(body.stream, { 'content-type': 'application/json', authorization: `Bearer ${token}` }, { duplex: 'half' } as RequestInit);
        await refused(response, 429, /rate limit/);
        expect(body.pulled()).toBeLessThan(256 * 1024);
      } finally {
        process.env.SCIBOARD_SUBMIT_RATE_PER_MINUTE = RATE;
        reloadSiteEnv();
      }
    });
  });

  /** Everything under <root>/uploads except the (empty) staging folder. */
  function leftovers(): string[] {
    const uploads = join(root, 'uploads');
    if (!existsSync(uploads)) return [];
    const staging = join(uploads, '.incoming');
    return [...readdirSync(uploads).filter((n) => n !== '.incoming'), ...(existsSync(staging) ? readdirSync(staging).map((n) => `.incoming/${n}`) : [])];
  }

  describe('4. refused uploads leave nothing on disk', () => {
    const upload = (fields: Record<string, string>) => {
      const form = new FormData();
      for (const [k, v] of Object.entries(fields)) form.set(k, v);
      for (const file of readdirSync(join(root, 'tiny'))) form.append('files', new File([readFileSync(join(root, 'tiny', file))], file));
      return post(form, { authorization: `Bearer ${token}` });
    };

    it('an upload refused by a check after the files arrived (an implausible size, a bad name) leaves no folder behind', async () => {
      await refused(await upload({ name: 'up-big', params: '70B', tasks: suite }), 400, /^params: declared 70B/);
      expect(leftovers()).toEqual([]);
      await refused(await upload({ name: 'up\u202ename', tasks: suite }), 400, /^name: must not contain control characters/);
      expect(leftovers()).toEqual([]);
    });

    it('an accepted upload is moved into place under uploads/<hash>/', async () => {
      const response = await upload({ name: 'up-ok', tasks: suite, limit: '1' });
      expect(response.status, await response.clone().text()).toBe(201);
      const placed = leftovers();
      expect(placed).toHaveLength(1);
      expect(placed[0]).toMatch(/^[0-9a-f]{24}$/);
      expect(readdirSync(join(root, 'uploads', placed[0]!)).sort()).toEqual(readdirSync(join(root, 'tiny')).sort());
    });
  });

  describe('9. model names holding %', () => {
    it('/api/models/%25 is a 404 and a model named 50% is found by its name', async () => {
      const none = await models.GET(get('/api/models/%25'), params({ id: '%' }));
      expect(none.status).toBe(404);
      const store = await openDb({ file: dbFile });
      await store.upsertModel({ name: '50%', params: 1 });
      await store.close();
      const found = await models.GET(get('/api/models/50%25'), params({ id: '50%' }));
      expect(found.status).toBe(200);
      expect(((await found.json()) as { model: { name: string } }).model.name).toBe('50%');
    });
  });

  describe('11. public reads show no server paths or token names', () => {
    it('/api/submissions, /api/submissions/:id and /api/models/:id hide them from the public and show them to the submitter', async () => {
      const response = await submitJson({ ...valid, name: 'private-paths', limit: 2 });
      expect(response.status).toBe(201);
      const { submission } = (await response.json()) as { submission: { id: number } };
      const reads = async (headers: Record<string, string>) =>
        [
          await (await submissions.GET(get('/api/submissions', headers))).text(),
          await (await submissionById.GET(get(`/api/submissions/${submission.id}`, headers), params({ id: String(submission.id) }))).text(),
          await (await models.GET(get('/api/models/private-paths', headers), params({ id: 'private-paths' }))).text(),
        ].join('\n');
      const publicView = await reads({});
      expect(publicView).toContain('private-paths');
      expect(publicView).not.toContain(root);
      expect(publicView).not.toContain('sec-tests');
      const own = await reads({ authorization: `Bearer ${token}` });
      expect(own).toContain(join(root, 'tiny'));
      expect(own).toContain('token:sec-tests');
    });
  });

  describe('12. intake refuses what would only fail later', () => {
    it('a task whose data this server lacks is refused at intake, nothing queued', async () => {
      const before = snapshot();
      await refused(await submitJson({ ...valid, tasks: ['mmlu_astronomy'] }), 400, /^tasks: the data of task "mmlu_astronomy" cannot be loaded on this server/);
      expect(snapshot()).toEqual(before);
    });

    it('names with bidirectional controls are refused like other control characters', async () => {
      for (const name of ['evil\u202Egnp.exe', 'a\u2066b', 'x\u200Fy']) {
        await refused(await submitJson({ ...valid, name }), 400, /^name: must not contain control characters/);
      }
    });

    it('a checkpoint submitted without params is not listed in the API band', async () => {
      expect((await submitJson({ ...valid, name: 'no-size', limit: 3 })).status).toBe(201);
      const store = await openDb({ file: dbFile });
      const model = await store.getModel('no-size');
      await store.close();
      expect(model?.band).not.toBe('API');
      expect(model?.band).toBe('Unknown size');
    });
  });

  describe('8. security headers', () => {
    it('every path gets a CSP that allows the pages (inline scripts and KaTeX styles) and nothing from elsewhere, no framing, nosniff, a referrer policy', async () => {
      const config = (await import('../next.config.ts')).default;
      const rules = await config.headers!();
      expect(rules.map((r) => r.source)).toEqual(['/:path*']);
      const headers = Object.fromEntries(rules[0]!.headers.map((h) => [h.key.toLowerCase(), h.value]));
      expect(headers['x-frame-options']).toBe('DENY');
      expect(headers['x-content-type-options']).toBe('nosniff');
      expect(headers['referrer-policy']).toBe('strict-origin-when-cross-origin');
      const csp = Object.fromEntries(headers['content-security-policy']!.split(/;\s*/).map((d) => [d.split(' ')[0], d.split(' ').slice(1)]));
      expect(csp['default-src']).toEqual(["'self'"]);
      expect(csp['script-src']).toEqual(["'self'", "'unsafe-inline'"]);
      expect(csp['style-src']).toEqual(["'self'", "'unsafe-inline'"]);
      expect(csp['frame-ancestors']).toEqual(["'none'"]);
      expect(csp['object-src']).toEqual(["'none'"]);
      expect(csp['base-uri']).toEqual(["'self'"]);
      expect(csp['form-action']).toEqual(["'self'"]);
    });
  });

  describe('2. one bad stored reported row', () => {
    it('does not take the board down', async () => {
      const store = await openDb({ file: dbFile });
      await store.loadReportedCsv('board,params_band,model,column,score,rerun_by_authors\nscience,6B-7B,Bad,Astrology,99,false\n', { paper: 'stray' });
      await store.close();
      const response = await boardsRoute.GET(get('/api/boards/science'), params({ board: 'science' }));
      expect(response.status).toBe(200);
      expect(await response.text()).not.toContain('Astrology');
    });
  });
});
