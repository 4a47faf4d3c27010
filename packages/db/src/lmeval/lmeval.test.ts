import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportLmEval, importLmEval, openDb, type Store } from '../index.ts';
import { sha256 } from '../hash.ts';
import { toItemRecord } from '../queries/results.ts';
import { allBackends, type TestBackend } from '../test-backends.ts';

const fixture = fileURLToPath(new URL('./fixtures/pythia-160m', import.meta.url));
const resultsName = 'results_2024-05-01T12-30-45.123456.json';
const backends = await allBackends();
const scratch = mkdtempSync(join(tmpdir(), 'sciboard-lmeval-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** A copy of the fixture with one file edited, to check what a malformed file does. */
function editedFixture(name: string, edit: (text: string) => string): string {
  const dir = mkdtempSync(join(scratch, 'edited-'));
  cpSync(fixture, dir, { recursive: true });
  writeFileSync(join(dir, name), edit(readFileSync(join(dir, name), 'utf8')));
  return dir;
}

async function snapshot(store: Store, runId: number) {
  const run = (await store.getRun(runId))!;
  const model = (await store.getModel(run.modelId))!;
  const scores = (await store.scoresForRun(runId)).map(({ id: _id, runId: _run, ...score }) => score);
  const { items } = await store.listResults(runId, { limit: 1000 });
  return { model: model.name, task: run.task, status: run.status, source: run.source, finishedAt: run.finishedAt, scores, items: items.map(toItemRecord) };
}

describe.each(backends.map((b) => [b.name, b] as const))('lm-eval import/export on %s', (_name, backend: TestBackend) => {
  let store: Store;
  beforeAll(async () => {
    store = await openDb(backend.target);
  });
  afterAll(async () => {
    await store?.close();
    await backend.dispose();
  });

  it('imports results and samples as one run per requested task: scores with stderr and n, one item per document with every filter', async () => {
    const imported = await importLmEval(store, { resultsFile: join(fixture, resultsName) });
    // The file holds two requested tasks (gsm8k and the group mmlu_stem): two runs, as `sciboard eval` records.
    expect(imported).toMatchObject({ imported: true, items: 6, scores: 5 });
    expect(imported.runs.map((r) => [r.task, r.items, r.scores])).toEqual([['gsm8k', 3, 2], ['mmlu_stem', 3, 3]]);
    const [gsmRun, stemRun] = imported.runs.map((r) => r.runId);
    const gsmData = await snapshot(store, gsmRun!);
    const stemData = await snapshot(store, stemRun!);
    for (const [data, task] of [[gsmData, 'gsm8k'], [stemData, 'mmlu_stem']] as const) {
      expect(data).toMatchObject({ model: 'EleutherAI/pythia-160m', task, status: 'finished', source: 'imported' });
      expect(data.finishedAt).toBe(new Date(1714566645123).toISOString());
    }
    expect(new Set(gsmData.scores.map((s) => s.subset))).toEqual(new Set(['gsm8k']));
    expect(new Set(stemData.scores.map((s) => s.subset))).toEqual(new Set(['mmlu_stem', 'mmlu_anatomy', 'mmlu_astronomy']));
    expect(new Set(gsmData.items.map((i) => i.task))).toEqual(new Set(['gsm8k']));
    expect(new Set(stemData.items.map((i) => i.task))).toEqual(new Set(['mmlu_anatomy', 'mmlu_astronomy']));
    const strict = gsmData.scores.find((s) => s.subset === 'gsm8k' && s.filter === 'strict-match');
    expect(strict).toMatchObject({ metric: 'exact_match', value: 1 / 3, n: 3 });
    expect(strict?.stderr).toBeCloseTo(Math.sqrt(((1 / 3) * (2 / 3)) / 2), 12);
    expect(stemData.scores.find((s) => s.subset === 'mmlu_astronomy')).toMatchObject({ value: 1, stderr: null, n: 1 });
    expect(stemData.scores.find((s) => s.subset === 'mmlu_stem')).toMatchObject({ value: 2 / 3, n: 3 });

    const gsm = gsmData.items.find((i) => i.task === 'gsm8k' && i.docIndex === 2)!;
    expect(gsm.filtered).toEqual({ 'strict-match': '[invalid]', 'flexible-extract': '5' });
    expect(gsm.scores).toEqual({ 'exact_match,strict-match': 0, 'exact_match,flexible-extract': 1 });
    expect(gsm.request).toEqual({ kind: 'generate_until', context: expect.stringContaining('Betty'), until: ['Question:', '</s>', '<|im_end|>'], maxTokens: 256 });
    const anatomy = stemData.items.find((i) => i.task === 'mmlu_anatomy' && i.docIndex === 0)!;
    expect(anatomy.request.kind === 'loglikelihood' && anatomy.request.continuations).toEqual([' A', ' B', ' C', ' D']);
    expect(anatomy.response).toEqual({
      kind: 'loglikelihood',
      results: [-1.94, -1.71, -1.52, -1.23].map((logprob) => ({ logprob, isGreedy: false })),
    });
    expect(anatomy).toMatchObject({ target: '3', filtered: { none: '3' }, scores: { 'acc,none': 1 } });

    const run = (await store.getRun(gsmRun!))!;
    expect(run.config).toMatchObject({ numFewshot: 0, limit: 3, batchSize: '4', seed: 0, dtype: 'float32', harnessVersion: '0.4.3' });
    // Each run keeps its own task's part of the file.
    expect(run.config.taskVersions).toEqual({ gsm8k: 3 });
    expect(Object.keys((await store.getRun(stemRun!))!.config.taskVersions ?? {}).sort()).toEqual(['mmlu_anatomy', 'mmlu_astronomy', 'mmlu_stem']);
  });

  it('importing the same files twice changes nothing', async () => {
    const before = await store.listRuns();
    const again = await importLmEval(store, { resultsFile: join(fixture, resultsName) });
    expect(again.imported).toBe(false);
    expect(await store.listRuns()).toEqual(before);
    expect(again.runs.map((r) => [r.task, r.items])).toEqual([['gsm8k', 3], ['mmlu_stem', 3]]);
    expect(again.runs.map((r) => r.runId).sort()).toEqual(before.filter((r) => r.modelName === 'EleutherAI/pythia-160m').map((r) => r.id).sort());
  });

  it('imports again, one run per task, a file an earlier version recorded as one run of several tasks', async () => {
    // The state such an import left: one run named after every task, under the hash of the whole file set.
    const modelName = 'legacy-import';
    const files = readdirSync(fixture).filter((f) => f.startsWith('samples_')).sort();
    let contentHash = sha256(`${modelName}\n${sha256(readFileSync(join(fixture, resultsName), 'utf8'))}`);
    for (const f of files) contentHash = sha256(contentHash + sha256(readFileSync(join(fixture, f), 'utf8')));
    const model = await store.upsertModel({ name: modelName });
    const legacy = await store.createRun({ modelId: model.id, task: 'gsm8k,mmlu_stem', config: {}, status: 'finished', source: 'imported' });
    await store.writeScores(legacy.id, [{ subset: 'gsm8k', metric: 'exact_match', filter: 'strict-match', value: 0.25 }]);
    await store.recordImport({ contentHash, kind: 'lm-eval', path: 'old', runId: legacy.id });

    const split = await importLmEval(store, { resultsFile: join(fixture, resultsName), modelName });
    expect(split.imported).toBe(true);
    expect(split.runs.map((r) => r.task)).toEqual(['gsm8k', 'mmlu_stem']);
    // The old run and what it holds stay; a third import finds the per-task runs.
    expect(await store.scoresForRun(legacy.id)).toEqual([expect.objectContaining({ subset: 'gsm8k', value: 0.25 })]);
    const third = await importLmEval(store, { resultsFile: join(fixture, resultsName), modelName });
    expect({ imported: third.imported, runs: third.runs.map((r) => r.runId) }).toEqual({ imported: false, runs: split.runs.map((r) => r.runId) });
  });

  it('rejects a malformed results file naming the field, and writes nothing', async () => {
    const runsBefore = (await store.listRuns()).length;
    const dir = editedFixture(resultsName, (text) => text.replace('"acc,none": 0.5', '"acc,none": "0.5"'));
    const attempt = importLmEval(store, { resultsFile: join(dir, resultsName), modelName: 'broken-model' });
    await expect(attempt).rejects.toThrow(`${join(dir, resultsName)}: results.mmlu_anatomy.acc,none: expected number, got string "0.5"`);
    expect((await store.listRuns()).length).toBe(runsBefore);
    expect(await store.getModel('broken-model')).toBeUndefined();
  });

  it('rejects a malformed samples line naming the file, line and field, and writes nothing', async () => {
    const runsBefore = (await store.listRuns()).length;
    const samples = readdirSync(fixture).find((f) => f.startsWith('samples_gsm8k_'))!;
    const dir = editedFixture(samples, (text) => {
      const lines = text.split('\n');
      lines[3] = lines[3]!.replace('"doc_id": 1', '"doc_id": "one"');
      return lines.join('\n');
    });
    await expect(importLmEval(store, { resultsFile: join(dir, resultsName), modelName: 'broken-samples' })).rejects.toThrow(
      `${join(dir, samples)}:4: doc_id: expected number, got string "one"`,
    );
    expect((await store.listRuns()).length).toBe(runsBefore);
  });

  it('imports scores alone when no samples files are beside the results file', async () => {
    const dir = mkdtempSync(join(scratch, 'results-only-'));
    cpSync(join(fixture, resultsName), join(dir, resultsName));
    const imported = await importLmEval(store, { resultsFile: join(dir, resultsName), modelName: 'scores-only' });
    expect(imported).toMatchObject({ imported: true, scores: 5, items: 0 });
    const stored = await Promise.all(imported.runs.map(async (r) => (await store.scoresForRun(r.runId)).length));
    expect(stored).toEqual([2, 3]);
  });

  it("records lm-eval's chat template and system instruction in the imported runs' configuration", async () => {
    const dir = editedFixture(resultsName, (text) =>
      text
        .replace('"chat_template": null', '"chat_template": "{{ messages }}"')
        .replace('"chat_template_sha": null', '"chat_template_sha": "abc123"')
        .replace('"fewshot_as_multiturn": false', '"fewshot_as_multiturn": true')
        .replace('"system_instruction": null', '"system_instruction": "Be brief."'),
    );
    const imported = await importLmEval(store, { resultsFile: join(dir, resultsName), modelName: 'chat-import' });
    for (const r of imported.runs) {
      expect((await store.getRun(r.runId))!.config).toMatchObject({ applyChatTemplate: true, fewshotAsMultiturn: true, chatTemplateSha: 'abc123', systemInstruction: 'Be brief.' });
    }
    const plain = await importLmEval(store, { resultsFile: join(fixture, resultsName), modelName: 'plain-import' });
    expect((await store.getRun(plain.runs[0]!.runId))!.config['applyChatTemplate']).toBeUndefined();
  });

  it('exports a measured run of a group so that it imports as one run of that group', async () => {
    const model = await store.upsertModel({ name: 'measured-group' });
    const batching = { batchSize: 8, batchSizePickedFrom: '1 MB of weights; CPU cap 32', storeEvery: 4 };
    const run = await store.createRun({ modelId: model.id, task: 'mmlu_stem', config: { numFewshot: 0, ...batching }, status: 'finished', finishedAt: '2026-11-20T10:00:00.000Z' });
    const item = (task: string, docIndex: number) => ({
      task, docIndex, docHash: `d${docIndex}`, promptHash: `p${docIndex}`, doc: {}, target: 0, filtered: { none: '0' }, scores: { 'acc,none': 1 },
      request: { kind: 'loglikelihood' as const, context: 'Q', continuations: [' A', ' B'] },
      response: { kind: 'loglikelihood' as const, results: [{ logprob: -1, isGreedy: true }, { logprob: -2, isGreedy: false }] },
    });
    await store.resultSink(run.id).write([item('mmlu_anatomy', 0), item('mmlu_astronomy', 0)]);
    await store.writeScores(run.id, ['mmlu_stem', 'mmlu_anatomy', 'mmlu_astronomy'].map((subset) => ({ subset, metric: 'acc', value: 1, n: subset === 'mmlu_stem' ? 2 : 1 })));
    const written = await exportLmEval(store, run.id, join(scratch, `measured-${backend.name}`));
    const fresh = await openDb({ file: join(scratch, `measured-${backend.name}.db`) });
    const imported = await importLmEval(fresh, { resultsFile: written.resultsFile });
    expect(imported.runs.map((r) => [r.task, r.items, r.scores])).toEqual([['mmlu_stem', 2, 3]]);
    // lm-eval's batch_size is the engine's rows per forward pass; the items per stored batch travel beside it.
    expect(JSON.parse(readFileSync(written.resultsFile, 'utf8')).config).toMatchObject({ batch_size: 8, batch_size_picked_from: batching.batchSizePickedFrom, store_every: 4 });
    expect((await fresh.getRun(imported.runs[0]!.runId))!.config).toMatchObject(batching);
    await fresh.close();
  });

  it('exports a run that re-imports to the same data', async () => {
    const original = (await store.listRuns({ modelName: 'EleutherAI/pythia-160m' })).find((r) => r.task === 'mmlu_stem');
    const out = join(scratch, `export-${backend.name}`);
    const written = await exportLmEval(store, original!.id, out);
    expect(written.samplesFiles.map((f) => f.slice(out.length + 1)).sort()).toEqual([
      'samples_mmlu_anatomy_2024-05-01T12-30-45.123.jsonl',
      'samples_mmlu_astronomy_2024-05-01T12-30-45.123.jsonl',
    ]);
    const exported = JSON.parse(readFileSync(written.resultsFile, 'utf8')) as Record<string, Record<string, unknown>>;
    expect(exported.results!.mmlu_anatomy).toEqual({ alias: ' - anatomy', 'acc,none': 0.5, 'acc_stderr,none': expect.any(Number) });

    const fresh = await openDb({ file: join(scratch, `reimport-${backend.name}.db`) });
    const reimported = await importLmEval(fresh, { resultsFile: written.resultsFile });
    expect(reimported.runs.map((r) => r.task)).toEqual(['mmlu_stem']);
    const sort = <T extends { subset: string; metric: string; filter: string }>(rows: T[]) =>
      [...rows].sort((a, b) => `${a.subset}${a.metric}${a.filter}`.localeCompare(`${b.subset}${b.metric}${b.filter}`));
    const a = await snapshot(store, original!.id);
    const b = await snapshot(fresh, reimported.runs[0]!.runId);
    expect({ ...b, scores: sort(b.scores) }).toEqual({ ...a, scores: sort(a.scores) });
    await fresh.close();
  });
});
