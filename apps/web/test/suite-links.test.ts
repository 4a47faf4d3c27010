/**
 * A measured cell says how it was scored and links to its suite: on the math board (the cell's ⓘ and its
 * card), on the model page (a "scored" column) and on /suites, which every link points into. The pages are
 * server-rendered with React in a child process (tsx compiles the JSX the site's tsconfig keeps as written).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { openDb } from '@sciboard/db';
import { boards } from '@sciboard/leaderboard';
import { webRoot } from './server.ts';

const dir = mkdtempSync(join(tmpdir(), 'sciboard-suite-links-'));
const dbFile = join(dir, 'sciboard.db');

const RENDER = `
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
const web = process.env.WEB_ROOT;
const req = createRequire(web + '/package.json');
const load = (m) => import(pathToFileURL(req.resolve(m)).href);
const page = (p) => import(pathToFileURL(web + p).href).then((m) => m.default);
const { renderToReadableStream } = await load('react-dom/server');
const { createElement } = await load('react');
const { AppRouterContext } = await load('next/dist/shared/lib/app-router-context.shared-runtime');
const router = { push() {}, replace() {}, refresh() {}, prefetch() {}, back() {}, forward() {} };
async function html(element) {
  const stream = await renderToReadableStream(createElement(AppRouterContext.Provider, { value: router }, await element));
  await stream.allReady;
  return new Response(stream).text();
}
const none = Promise.resolve({});
process.stdout.write(JSON.stringify({
  board: await html((await page('/app/math/page.tsx'))({ searchParams: Promise.resolve({ source: 'measured' }) })),
  model: await html((await page('/app/models/[id]/page.tsx'))({ params: Promise.resolve({ id: process.env.MODEL_ID }), searchParams: none })),
  suites: await html((await page('/app/suites/page.tsx'))({})),
}));
`;

let pages: { board: string; model: string; suites: string };
const mathColumn = (name: string) => boards.math.columns.find((c) => c.name === name)!;
const escaped = (s: string) => s.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/'/g, '&#x27;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

describe('suite links on measured cells', () => {
  beforeAll(async () => {
    const store = await openDb({ file: dbFile });
    const model = await store.upsertModel({ name: 'suite-link-model', params: 6.5, modelType: 'pretrained' });
    const run = await store.createRun({ modelId: model.id, task: 'mathematics,minerva_math', config: {}, status: 'finished', finishedAt: '2026-11-24T00:00:00.000Z' });
    await store.writeScores(run.id, [
      { subset: 'mathematics', metric: 'acc', filter: 'none', value: 0.3, stderr: 0.05, ciLow: 0.2, ciHigh: 0.4, n: 1120 },
      { subset: 'minerva_math', metric: 'exact_match', filter: 'none', value: 0.25, stderr: 0.1, ciLow: 0.05, ciHigh: 0.45, n: 4 },
    ]);
    await store.close();
    const script = join(dir, 'render.mts');
    const tsconfig = join(dir, 'tsconfig.json');
    writeFileSync(script, RENDER);
    writeFileSync(tsconfig, JSON.stringify({ extends: join(webRoot, 'tsconfig.json'), compilerOptions: { jsx: 'react-jsx' } }));
    const tsx = resolve(webRoot, '../../node_modules/tsx/dist/cli.mjs');
    const env: NodeJS.ProcessEnv = { ...process.env, SCIBOARD_DB: dbFile, SCIBOARD_BOARD_CACHE_MS: '0', WEB_ROOT: webRoot, MODEL_ID: String(model.id) };
    delete env.DATABASE_URL;
    const result = spawnSync(process.execPath, [tsx, '--tsconfig', tsconfig, script], { cwd: webRoot, env, encoding: 'utf8', timeout: 120_000 });
    if (result.status !== 0) throw new Error(`rendering failed:\n${result.stderr}`);
    pages = JSON.parse(result.stdout);
  }, 150_000);

  it('the board links each measured cell to its suite and says how it was scored', () => {
    expect(pages.board).toContain('href="/suites#mathematics"');
    expect(pages.board).toContain('href="/suites#minerva_math"');
    expect(pages.board).toContain(escaped(mathColumn('Mathematics').suite.scoring));
    // Unmeasured columns (no run of this model) get no suite link.
    expect(pages.board).not.toContain('href="/suites#gsm8k"');
  });

  it('the model page shows how each measured score was scored, linked to its suite', () => {
    expect(pages.model).toMatch(/<th scope="col">scored<\/th>/);
    expect(pages.model).toContain(`href="/suites#mathematics">${escaped(mathColumn('Mathematics').suite.scoring)}</a>`);
  });

  it('/suites has an anchor for every column the links point to', () => {
    for (const c of [...boards.science.columns, ...boards.math.columns]) expect(pages.suites).toContain(`id="${c.subset}"`);
    expect(pages.suites).toContain('href="https://github.com/mandyyyyii/scibench/tree/main/eval"');
  });
});
