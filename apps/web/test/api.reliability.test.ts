/**
 * The JSON API's bad-input table, calling the route handlers in this process against a seeded SQLite file:
 * unknown ids, malformed queries and refused submissions each answer 4xx with a JSON `error` naming the
 * problem, and leave every row of the database as it was.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { beforeAll, describe, expect, it } from 'vitest';
import { openDb } from '@sciboard/db';
import { writeTinyModel } from '@sciboard/onnx';
import { seedDatabase, type Seeded } from './seed.ts';

const dir = mkdtempSync(join(tmpdir(), 'sciboard-api-reliability-'));
const dbFile = join(dir, 'sciboard.db');
const modelRoot = join(dir, 'models');
process.env.SCIBOARD_DB = dbFile;
delete process.env.DATABASE_URL;
process.env.SCIBOARD_MODEL_ROOTS = modelRoot;
process.env.SCIBOARD_UPLOAD_MAX_BYTES = '100000';

const runs = await import('../app/api/runs/[id]/route.ts');
const models = await import('../app/api/models/[id]/route.ts');
const boardsRoute = await import('../app/api/boards/[board]/route.ts');
const submissionById = await import('../app/api/submissions/[id]/route.ts');
const submissions = await import('../app/api/submissions/route.ts');
const { reloadSiteEnv } = await import('../lib/env.ts');

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
let revoked = '';
let seeded: Seeded;

type Call = () => Promise<Response>;
const params = <T extends object>(p: T) => ({ params: Promise.resolve(p) });
const get = (path: string) => new Request(`http://127.0.0.1${path}`);
const post = (body: BodyInit, headers: Record<string, string>) => new Request('http://127.0.0.1/api/submissions', { method: 'POST', body, headers });
const submitJson = (value: unknown, auth: string | null = token) =>
  submissions.POST(post(JSON.stringify(value), { 'content-type': 'application/json', ...(auth === null ? {} : { authorization: `Bearer ${auth}` }) }));
const valid = { checkpoint: 'tiny', name: 'api-model', tasks: ['mmlu_astronomy'], limit: 1 };

interface BadRequest {
  name: string;
  call: Call;
  status: number;
  error: RegExp;
}

const cases: BadRequest[] = [
  { name: 'run id that does not exist', call: () => runs.GET(get('/api/runs/987654'), params({ id: '987654' })), status: 404, error: /no run with id "987654"/ },
  { name: 'run id that is not a number', call: () => runs.GET(get('/api/runs/abc'), params({ id: 'abc' })), status: 404, error: /no run with id "abc"/ },
  { name: 'run id beyond 2^53', call: () => runs.GET(get('/api/runs/99999999999999999999'), params({ id: '99999999999999999999' })), status: 404, error: /no run/ },
  { name: 'run id with a path traversal', call: () => runs.GET(get('/api/runs/..%2F..%2Fetc'), params({ id: '../../etc' })), status: 404, error: /no run/ },
  { name: 'run results limit of 10000', call: () => runs.GET(get(`/api/runs/${seeded.mathRunAlpha}?results=1&limit=10000`), params({ id: String(seeded.mathRunAlpha) })), status: 400, error: /"limit"/ },
  { name: 'run results offset -1', call: () => runs.GET(get(`/api/runs/${seeded.mathRunAlpha}?results=1&offset=-1`), params({ id: String(seeded.mathRunAlpha) })), status: 400, error: /"offset"/ },
  { name: 'model that does not exist', call: () => models.GET(get('/api/models/nobody'), params({ id: 'nobody' })), status: 404, error: /no model with id or name "nobody"/ },
  { name: 'model name with markup', call: () => models.GET(get('/api/models/x'), params({ id: '<script>alert(1)</script>' })), status: 404, error: /no model/ },
  { name: 'board that does not exist', call: () => boardsRoute.GET(get('/api/boards/chemistry'), params({ board: 'chemistry' })), status: 404, error: /unknown board "chemistry"/ },
  { name: 'board in format xml', call: () => boardsRoute.GET(get('/api/boards/science?format=xml'), params({ board: 'science' })), status: 400, error: /"format"/ },
  { name: 'submission id that does not exist', call: () => submissionById.GET(get('/api/submissions/424242'), params({ id: '424242' })), status: 404, error: /no submission with id "424242"/ },
  { name: 'submission id that is not a number', call: () => submissionById.GET(get('/api/submissions/1;drop'), params({ id: '1;drop' })), status: 404, error: /no submission/ },
  { name: 'submission without a token', call: () => submitJson(valid, null), status: 401, error: /token is required/ },
  { name: 'submission with a wrong token', call: () => submitJson(valid, 'sb_wrong_token_0000000000'), status: 401, error: /unknown or revoked/ },
  { name: 'submission with a revoked token', call: () => submitJson(valid, revoked), status: 401, error: /unknown or revoked/ },
  { name: 'submission body that is not JSON', call: () => submissions.POST(post('{"name": ', { 'content-type': 'application/json', authorization: `Bearer ${token}` })), status: 400, error: /not valid JSON/ },
  { name: 'submission body that is a list', call: () => submitJson([valid]), status: 400, error: /JSON object/ },
  { name: 'submission as text/plain', call: () => submissions.POST(post('name=x', { 'content-type': 'text/plain', authorization: `Bearer ${token}` })), status: 415, error: /application\/json/ },
  { name: 'submission without a name', call: () => submitJson({ ...valid, name: undefined }), status: 400, error: /^name/ },
  { name: 'submission with a 5000-character name', call: () => submitJson({ ...valid, name: 'x'.repeat(5000) }), status: 400, error: /^name/ },
  { name: 'submission with a name that is a number', call: () => submitJson({ ...valid, name: 42 }), status: 400, error: /^name/ },
  { name: 'submission with control characters in the name', call: () => submitJson({ ...valid, name: 'a\u0007b\u001b[31m' }), status: 400, error: /name.*control/ },
  { name: 'submission with HTML in the name', call: () => submitJson({ ...valid, name: '<img src=x onerror=alert(1)>' }), status: 400, error: /name/ },
  { name: 'submission with an unknown field', call: () => submitJson({ ...valid, admin: true }), status: 400, error: /admin|Unrecognized/ },
  { name: 'submission with limit -1', call: () => submitJson({ ...valid, limit: -1 }), status: 400, error: /^limit/ },
  { name: 'submission with limit 1e12', call: () => submitJson({ ...valid, limit: 1e12 }), status: 400, error: /^limit/ },
  { name: 'submission checkpoint ../../etc', call: () => submitJson({ ...valid, checkpoint: '../../etc' }), status: 400, error: /checkpoint.*"\.\."/ },
  { name: 'submission checkpoint /etc (absolute, outside the roots)', call: () => submitJson({ ...valid, checkpoint: '/etc' }), status: 400, error: /checkpoint.*not a path under the allowed model roots/ },
  { name: 'submission checkpoint that does not exist', call: () => submitJson({ ...valid, checkpoint: 'nothing-here' }), status: 400, error: /checkpoint.*not a path under the allowed model roots/ },
  { name: 'submission of an unknown board', call: () => submitJson({ ...valid, tasks: undefined, boards: ['astrology'] }), status: 400, error: /astrology/ },
  { name: 'submission with boards and tasks', call: () => submitJson({ ...valid, boards: ['science'] }), status: 400, error: /boards or tasks/ },
  {
    name: 'submission upload over the size limit',
    call: () => {
      const form = new FormData();
      form.set('name', 'too-big');
      form.append('files', new File([new Uint8Array(200_000)], 'model.onnx'));
      return submissions.POST(new Request('http://127.0.0.1/api/submissions', { method: 'POST', body: form, headers: { authorization: `Bearer ${token}` } }));
    },
    status: 413,
    error: /limit/,
  },
];

describe('API bad input: a 4xx with a JSON error and an unchanged database', () => {
  beforeAll(async () => {
    seeded = await seedDatabase(dbFile);
    const store = await openDb({ file: dbFile });
    token = (await store.createApiToken('tests')).token;
    const old = await store.createApiToken('old');
    await store.revokeApiToken(old.id);
    revoked = old.token;
    await store.close();
    mkdirSync(modelRoot, { recursive: true });
    await writeTinyModel(join(modelRoot, 'tiny'), { seed: 5, layers: 1 });
    // A checkpoint whose graph is damaged: accepted by the field checks, refused at the layout check.
    await writeTinyModel(join(modelRoot, 'broken'), { seed: 5, layers: 1 });
    writeFileSync(join(modelRoot, 'broken', 'config.json'), '{"vocab_size": ');
  }, 120_000);

  it('has at least 30 cases', () => expect(cases.length).toBeGreaterThanOrEqual(30));

  it.each(cases.map((c) => [c.name, c] as const))('%s', async (_, c) => {
    const before = snapshot();
    const response = await c.call();
    const body = (await response.json()) as { error?: unknown };
    expect(response.status, JSON.stringify(body)).toBe(c.status);
    expect(response.headers.get('content-type')).toMatch(/application\/json/);
    expect(typeof body.error, JSON.stringify(body)).toBe('string');
    expect(body.error).toMatch(c.error);
    const after = snapshot();
    expect(Object.keys({ ...before, ...after }).filter((t) => before[t] !== after[t])).toEqual([]);
  });

  it('stores a name full of SQL verbatim, as data: every table still there and the name unchanged', async () => {
    const name = `x'); DROP TABLE models; --`;
    const response = await submitJson({ ...valid, name });
    expect(response.status).toBe(201);
    const { submission } = (await response.json()) as { submission: { id: number } };
    const stored = (await (await submissionById.GET(get(`/api/submissions/${submission.id}`), params({ id: String(submission.id) }))).json()) as { submission: { payload: { model: { name: string } } } };
    expect(stored.submission.payload.model.name).toBe(name);
    expect(Object.keys(snapshot())).toEqual(expect.arrayContaining(['models', 'runs', 'results', 'scores', 'submissions', 'api_tokens']));
  });

  it('refuses a token past its rate, each refusal leaving the database as it was', async () => {
    process.env.SCIBOARD_SUBMIT_RATE_PER_MINUTE = '2';
    reloadSiteEnv();
    try {
      const store = await openDb({ file: dbFile });
      const fresh = (await store.createApiToken('rate')).token;
      await store.close();
      const before = snapshot();
      const broken = { ...valid, checkpoint: 'broken', name: 'rate' };
      const statuses: number[] = [];
      for (let i = 0; i < 4; i++) statuses.push((await submitJson(broken, fresh)).status);
      // The first two reach the checkpoint check (400); past the rate the token is refused before it.
      expect(statuses).toEqual([400, 400, 429, 429]);
      const refused = (await (await submitJson(broken, fresh)).json()) as { error: string };
      expect(refused.error).toMatch(/rate limit: at most 2 submissions per minute per token/);
      expect(snapshot()).toEqual(before);
    } finally {
      delete process.env.SCIBOARD_SUBMIT_RATE_PER_MINUTE;
      reloadSiteEnv();
    }
  });
});
