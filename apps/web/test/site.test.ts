/**
 * Browser tests: the built site against a seeded SQLite file, driven with Debian's chromium.
 * Skipped, with the reason printed, where /usr/bin/chromium is absent (CI installs it).
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedDatabase, type Seeded } from './seed.ts';
import { buildSite, chromiumAvailable, CHROMIUM, startSite, webRoot, type RunningSite } from './server.ts';

const hasChromium = chromiumAvailable('browser tests');

// The README's screenshots are refreshed on purpose (SCIBOARD_SCREENSHOTS_DIR=docs/screenshots); test runs keep theirs apart.
const screenshots = resolve(process.env.SCIBOARD_SCREENSHOTS_DIR ?? resolve(webRoot, '../../test-output/screenshots'));

describe.skipIf(!hasChromium)('the site in a browser', () => {
  let dir: string;
  let site: RunningSite;
  let browser: BrowserContext;
  let page: Page;
  let seeded: Seeded;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'sciboard-web-'));
    seeded = await seedDatabase(join(dir, 'sciboard.db'));
    buildSite();
    site = await startSite(join(dir, 'sciboard.db'));
    // A fresh profile per run: playwright passes it to chromium as --user-data-dir.
    browser = await chromium.launchPersistentContext(join(dir, 'profile'), {
      executablePath: CHROMIUM,
      viewport: { width: 1360, height: 900 },
      args: [
        '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
        '--disable-component-update', '--disable-sync',
      ],
    });
    page = await browser.newPage();
    mkdirSync(screenshots, { recursive: true });
  }, 240_000);

  afterAll(async () => {
    await browser?.close();
    await site?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const go = (path: string) => page.goto(`${site.url}${path}`, { waitUntil: 'networkidle' });
  const rowOf = (model: string) => page.locator('tbody tr[data-row]').filter({ has: page.locator('td.model', { hasText: new RegExp(`^${model.replace(/[()+]/g, '\\$&')}(measured|reported)$`) }) });
  const cellText = async (model: string, columnIndex: number) => (await rowOf(model).first().locator('td').nth(columnIndex).innerText()).trim();

  it("shows the paper's values, marks and daggers on the reported-only science board", async () => {
    await go('/science?source=reported');
    // Columns: pin, Model, Band, CEval-Hard, CEval-Sci, MMLU-Sci, SciEval, SciBench, Avg. Sci
    expect(await cellText('SciGLM (ChatGLM3-6B-Base)', 3)).toBe('51.97');
    expect(await rowOf('SciGLM (ChatGLM3-6B-Base)').first().locator('td').nth(3).locator('.mark-best').count()).toBe(1);
    expect(await rowOf('ChatGLM3-6B-Base').first().locator('td').nth(3).locator('.mark-second').count()).toBe(1);
    expect(await cellText('LLaMA-2-7B', 3)).toBe('28.29†');
    expect(await cellText('SciGLM (ChatGLM3-6B-Base)', 8)).toBe('43.85');
    expect(await cellText('GPT-4', 5)).toBe('-');
    expect(await page.locator('tr.band-row td').allInnerTexts()).toEqual(['API', '6B-7B', '12B-13B', '30B-32B']);
    await page.screenshot({ path: join(screenshots, 'science.png'), fullPage: true });
  });

  it("shows the math board's averages and marks", async () => {
    await go('/math?source=reported');
    // pin, Model, Band, GSM8K, MATH, Mathematics, SAT-Math, MMLU-Math, CEval-Math, Avg. Math
    expect(await cellText('SciGLM (ChatGLM3-32B-Base)', 9)).toBe('57.46');
    expect(await rowOf('SciGLM (ChatGLM3-32B-Base)').first().locator('td').nth(9).locator('.mark-best').count()).toBe(1);
    expect(await cellText('ChatGLM2-6B', 4)).toBe('6.90†');
    expect(await rowOf('GPT-4').first().locator('td').nth(6).locator('.mark-best').count()).toBe(1);
    await page.screenshot({ path: join(screenshots, 'math.png'), fullPage: true });
  });

  it('normalises to the random-guess baseline and moves between cells with the arrow keys', async () => {
    await go('/science?source=reported');
    await page.getByLabel('Score').selectOption('1');
    await page.getByRole('button', { name: 'Apply' }).click();
    await page.waitForURL(/norm=1/);
    // (54.96 − 25) / (100 − 25): four choices; SciBench is free-response and keeps its raw value.
    expect(await cellText('GPT-4', 3)).toBe('39.95');
    expect(await cellText('GPT-4', 7)).toBe('28.52');

    await rowOf('GPT-4').locator('td').nth(3).locator('[tabindex]').focus();
    await page.keyboard.press('ArrowDown');
    expect(await page.evaluate(() => document.activeElement?.closest('tr')?.getAttribute('data-row'))).toContain('GPT-3.5-turbo');
    await page.keyboard.press('ArrowRight');
    expect(await page.evaluate(() => (document.activeElement?.closest('td') as HTMLTableCellElement | null)?.cellIndex)).toBe(4);
  });

  it('sorts by a column through the URL and filters by band and search', async () => {
    await go('/science');
    await page.getByRole('button', { name: 'SciEval', exact: true }).click();
    await page.waitForURL(/sort=SciEval/);
    const firstSort = new URL(page.url()).searchParams.get('sort')!;
    if (firstSort.endsWith(':asc')) {
      await page.getByRole('button', { name: /^SciEval/ }).click();
      await page.waitForURL(/sort=SciEval%3Adesc|sort=SciEval:desc/);
    }
    const values = (await page.locator('tbody tr[data-row] td:nth-child(7)').allInnerTexts())
      .map((t) => Number.parseFloat(t))
      .filter((v) => !Number.isNaN(v));
    expect(values.length).toBeGreaterThan(10);
    expect(values).toEqual([...values].sort((a, b) => b - a));
    expect(await page.locator('th[aria-sort="descending"]').innerText()).toContain('SciEval');

    await go('/science');
    await page.getByLabel('Search').fill('glm3');
    await page.locator('fieldset', { hasText: 'Band' }).getByLabel('30B-32B').check();
    await page.getByRole('button', { name: 'Apply' }).click();
    await page.waitForURL(/band=30B-32B/);
    const models = await page.locator('tbody tr[data-row] td.model').allInnerTexts();
    expect(models).toEqual(['ChatGLM3-32B-Basereported', 'SciGLM (ChatGLM3-32B-Base)reported']);
  });

  it('pins a row, hides a flagged one and keeps it all in a shareable URL', async () => {
    await go('/math');
    await page.getByRole('button', { name: 'Pin GPT-4' }).click();
    await page.waitForURL(/pin=/);
    expect(await page.locator('tbody tr[data-row]').first().locator('td.model').innerText()).toContain('GPT-4');
    const flagged = page.locator('tbody tr.flagged');
    expect(await flagged.count()).toBe(1);
    expect(await flagged.getAttribute('title')).toContain('suspected contamination');
    await page.getByLabel('Flagged rows').selectOption('hide');
    await page.getByRole('button', { name: 'Apply' }).click();
    await page.waitForURL(/flagged=hide/);
    expect(await page.locator('tbody tr.flagged').count()).toBe(0);
    expect(page.url()).toContain('pin=');
    const csv = await (await fetch(`${site.url}/api/boards/math?flagged=hide&format=csv`)).text();
    expect(csv.split('\n')[0]).toMatch(/^band,model,kind,GSM8K/);
    expect(csv).not.toMatch(/^6B-7B,ChatGLM3-6B-Base,measured/m);
  });

  it('shows a measured cell’s interval and provenance, follows it to its run and to one question', async () => {
    await go('/science?source=measured');
    const cell = rowOf('tiny-sci-step200').locator('td').nth(3);
    await cell.hover();
    const tip = cell.locator('.tip');
    await expect.poll(() => tip.isVisible()).toBe(true);
    const tipText = await tip.innerText();
    expect(tipText).toContain('95% interval');
    expect(tipText).toContain('52.00 – 68.00');
    expect(tipText).toContain('ph-tiny-sci-step200');
    await page.screenshot({ path: join(screenshots, 'science-measured-hover.png') });

    await cell.locator('a.value').click();
    await page.waitForURL(new RegExp(`/runs/${seeded.scienceRunAlpha}`));
    expect(await page.locator('h1').innerText()).toContain('tiny-sci-step200');
    expect(await page.locator('body').innerText()).toContain('CPUExecutionProvider');
    expect(await page.locator('article.item').count()).toBe(10);
    // Chinese text intact, formulas through KaTeX.
    expect(await page.locator('article.item').first().innerText()).toContain('一个质量为');
    expect(await page.locator('article.item .katex').count()).toBeGreaterThan(0);

    await page.getByLabel('only wrong answers').check();
    await page.getByRole('button', { name: 'Show' }).click();
    await page.waitForURL(/wrong=1/);
    expect(await page.locator('article.item').count()).toBe(4);
    expect(await page.locator('article.item.right').count()).toBe(0);

    await page.locator('article.item header a').first().click();
    await page.waitForURL(/doc=\d+/);
    expect(await page.locator('article.item').count()).toBe(1);
  });

  it('renders a generated answer with KaTeX and never runs its HTML', async () => {
    await go(`/runs/${seeded.mathRunAlpha}`);
    const first = page.locator('article.item').first();
    expect(await first.innerText()).toContain('<script>alert(1)</script>');
    expect(await page.locator('article.item script').count()).toBe(0);
    expect(await first.locator('.katex').count()).toBeGreaterThan(0);
    await page.screenshot({ path: join(screenshots, 'run.png'), fullPage: false });
  });

  it('draws the model page charts and compares two models', async () => {
    await go(`/models/${seeded.alphaId}`);
    expect(await page.locator('h1').innerText()).toBe('tiny-sci-step200');
    await expect.poll(() => page.locator('svg.recharts-surface').count()).toBeGreaterThanOrEqual(3);
    expect(await page.locator('body').innerText()).toContain('step 100');
    await page.screenshot({ path: join(screenshots, 'model.png'), fullPage: true });

    await go(`/compare?a=${seeded.alphaId}&b=${seeded.betaId}`);
    const row = page.locator('tr', { hasText: 'science · CEval-Hard' });
    expect(await row.locator('td').nth(3).innerText()).toBe('+20.00');
    expect(await row.locator('td').nth(4).innerText()).toContain('(paired)');
    expect(await row.locator('td').nth(5).innerText()).toBe('10 (2)');
    await page.screenshot({ path: join(screenshots, 'compare.png'), fullPage: true });
  });

  it('serves the JSON API in the documented shape, rejects bad views, and works in dark mode on a phone', async () => {
    const body = (await (await fetch(`${site.url}/api/boards/science`)).json()) as {
      board: string; columns: string[]; rows: Array<{ model: string; band: string; cells: Record<string, { value: number; source: string; rerun: boolean; mark: string | null; ci95: unknown }>; average: { value: number; complete: boolean } }>;
    };
    expect(body.board).toBe('science');
    expect(body.columns).toEqual(['CEval-Hard', 'CEval-Sci', 'MMLU-Sci', 'SciEval', 'SciBench']);
    const gap = body.rows.find((r) => r.model === 'ChatGLM3-6B-Base' && r.cells['SciEval']?.source === 'measured')!.cells['SciEval'] as unknown as { gap: { reported: number; difference: number } };
    expect(gap.gap).toEqual({ reported: 61.69, source: 'SciGLM, Table 3', rerun: true, difference: -1.69 });
    const bad = await fetch(`${site.url}/api/boards/science?cols=Chemistry`);
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: string }).error).toContain('unknown column "Chemistry"');
    expect((await fetch(`${site.url}/api/models/999`)).status).toBe(404);

    const phone = await browser.newPage();
    await phone.setViewportSize({ width: 390, height: 844 });
    await phone.emulateMedia({ colorScheme: 'dark' });
    await phone.goto(`${site.url}/science`, { waitUntil: 'networkidle' });
    const background = await phone.evaluate(() => getComputedStyle(document.body).backgroundColor);
    expect(background).toBe('rgb(17, 21, 26)');
    await phone.screenshot({ path: join(screenshots, 'science-phone-dark.png') });
    await phone.close();

    await go('/');
    await page.screenshot({ path: join(screenshots, 'overview.png') });
    await page.keyboard.press('Tab');
    await page.keyboard.press('Enter');
    expect(page.url().endsWith('#main')).toBe(true);
  });
});
