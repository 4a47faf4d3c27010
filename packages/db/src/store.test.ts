import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadBundledReported, openDb, runConfigHash, type ItemRecord, type Store } from './index.ts';
import { allBackends, type TestBackend } from './test-backends.ts';

const backends = await allBackends();

function item(task: string, docIndex: number, correct: boolean): ItemRecord {
  return {
    task,
    docIndex,
    docHash: `doc-${docIndex}`,
    promptHash: `prompt-${docIndex}`,
    doc: { question: `What is ${docIndex} + 1?`, answer: docIndex + 1 },
    request: { kind: 'generate_until', context: `Q: ${docIndex} + 1`, until: ['\n\n'], maxTokens: 32 },
    response: { kind: 'generate_until', text: `#### ${correct ? docIndex + 1 : 0}`, finishReason: 'stop' },
    target: String(docIndex + 1),
    filtered: { 'strict-match': String(correct ? docIndex + 1 : 0) },
    scores: { 'exact_match,strict-match': correct ? 1 : 0 },
  };
}

describe.each(backends.map((b) => [b.name, b] as const))('store on %s', (_name, backend: TestBackend) => {
  let store: Store;
  beforeAll(async () => {
    store = await openDb(backend.target);
  });
  afterAll(async () => {
    await store?.close();
    await backend.dispose();
  });

  it('creates the SQLite folder / migrates a fresh database on first open', async () => {
    if (backend.target.file) expect(existsSync(backend.target.file)).toBe(true);
    expect(await store.listModels()).toEqual([]);
  });

  it('upserts models by name, keeps fields not given, derives the band from size and type', async () => {
    const created = await store.upsertModel({ name: 'llama-7b', params: 6.7, family: 'llama', links: { hf: 'https://x' } });
    expect(created.band).toBe('6B-7B');
    expect(created.modelType).toBe('pretrained');
    const updated = await store.upsertModel({ name: 'llama-7b', revision: 'abc123' });
    expect(updated.id).toBe(created.id);
    expect(updated).toMatchObject({ family: 'llama', revision: 'abc123', band: '6B-7B', links: { hf: 'https://x' } });
    const api = await store.upsertModel({ name: 'gpt-4', modelType: 'api' });
    expect(api.band).toBe('API');
    expect((await store.getModel('llama-7b'))?.id).toBe(created.id);
    expect((await store.getModel(created.id))?.name).toBe('llama-7b');
    expect(await store.getModel('nope')).toBeUndefined();
    expect((await store.listModels()).map((m) => m.name)).toEqual(['gpt-4', 'llama-7b']);
    await expect(store.upsertModel({ name: ' ' })).rejects.toThrow(/name/);
  });

  it('creates, finds (by config hash), updates and lists runs', async () => {
    const model = await store.upsertModel({ name: 'run-model', params: 1 });
    const config = { numFewshot: 5, limit: 10, seed: 1234 };
    const run = await store.createRun({ modelId: model.id, task: 'gsm8k', config });
    expect(run.status).toBe('pending');
    expect(run.configHash).toBe(runConfigHash({ seed: 1234, limit: 10, numFewshot: 5 }));
    expect((await store.findRun(model.id, 'gsm8k', run.configHash))?.id).toBe(run.id);
    expect(await store.findRun(model.id, 'gsm8k', runConfigHash({ numFewshot: 0 }))).toBeUndefined();

    const finished = await store.updateRun(run.id, { status: 'failed', error: 'out of memory', timings: { total: 1.5 } });
    expect(finished).toMatchObject({ status: 'failed', error: 'out of memory', timings: { total: 1.5 } });
    expect((await store.getRun(run.id))?.status).toBe('failed');
    await expect(store.updateRun(999_999, { status: 'running' })).rejects.toThrow(/999999/);

    const other = await store.createRun({ modelId: model.id, task: 'mmlu', config: {}, status: 'running' });
    const listed = await store.listRuns({ modelName: 'run-model' });
    expect(listed.map((r) => r.id)).toEqual([other.id, run.id]);
    expect(listed[0]!.modelName).toBe('run-model');
    expect((await store.listRuns({ modelName: 'run-model', status: 'failed' })).map((r) => r.id)).toEqual([run.id]);
  });

  it('finds a run whatever engine batch size or stored-batch size it is resumed with, and keeps what was recorded', async () => {
    const model = await store.upsertModel({ name: 'batch-model', params: 1 });
    const identity = { numFewshot: 0, limit: 4, dtype: 'float32', harnessVersion: 'test' };
    const run = await store.createRun({ modelId: model.id, task: 'gsm8k', config: { ...identity, batchSize: 4, batchSizePickedFrom: 'memory', storeEvery: 2 } });
    const again = await store.findRun(model.id, 'gsm8k', runConfigHash({ ...identity, batchSize: 32, storeEvery: 16 }));
    expect(again?.id).toBe(run.id);
    expect(again?.config).toMatchObject({ batchSize: 4, batchSizePickedFrom: 'memory', storeEvery: 2 });
    expect(await store.findRun(model.id, 'gsm8k', runConfigHash({ ...identity, batchSize: 4, limit: 5 }))).toBeUndefined();
  });

  it('stores items through the result sink idempotently and resumes from what is stored', async () => {
    const model = await store.upsertModel({ name: 'sink-model', params: 13 });
    const run = await store.createRun({ modelId: model.id, task: 'gsm8k', config: {} });
    const sink = store.resultSink(run.id);
    await sink.write([item('gsm8k', 0, true), item('gsm8k', 1, false), item('gsm8k', 2, true)]);
    await sink.write([item('gsm8k', 1, false), item('gsm8k', 3, false), item('gsm8k', 1, true)]);
    const done = await sink.completed('gsm8k');
    expect([...done.keys()].sort()).toEqual([0, 1, 2, 3]);
    expect(done.get(1)).toEqual(item('gsm8k', 1, true));
    expect((await sink.completed('mmlu')).size).toBe(0);

    const page = await store.listResults(run.id, { task: 'gsm8k', limit: 2, offset: 1 });
    expect(page.total).toBe(4);
    expect(page.items.map((r) => r.docIndex)).toEqual([1, 2]);
    const wrong = await store.listResults(run.id, { onlyWrong: 'exact_match,strict-match' });
    expect(wrong.items.map((r) => r.docIndex)).toEqual([3]);
    expect(wrong.total).toBe(1);
    expect((await store.getResult(run.id, 'gsm8k', 3))?.response).toEqual(item('gsm8k', 3, false).response);
    expect(await store.getResult(run.id, 'gsm8k', 99)).toBeUndefined();
  });

  it('stores every field the evaluator produces, answerFound and notes included, and resumes with them', async () => {
    const model = await store.upsertModel({ name: 'contract-model' });
    const run = await store.createRun({ modelId: model.id, task: 'minerva_math', config: {} });
    const sink = store.resultSink(run.id);
    const found: ItemRecord = { ...item('minerva_math', 0, true), answerFound: { 'strict-match': true } };
    const missing: ItemRecord = { ...item('minerva_math', 1, false), answerFound: { 'strict-match': false }, notes: { 'exact_match,strict-match': 'time limit' } };
    const multipleChoice = item('minerva_math', 2, true);
    await sink.write([found, missing, multipleChoice]);
    const done = await sink.completed('minerva_math');
    expect(done.get(0)).toEqual(found);
    expect(done.get(1)).toEqual(missing);
    // Absent stays absent (multiple choice has no extraction step).
    expect(done.get(2)).toEqual(multipleChoice);
    expect(done.get(2)).not.toHaveProperty('answerFound');
    // A rewrite replaces it, as it does every other field.
    await sink.write([{ ...missing, answerFound: { 'strict-match': true } }]);
    expect((await sink.completed('minerva_math')).get(1)?.answerFound).toEqual({ 'strict-match': true });
  });

  it('writes a batch all or nothing', async () => {
    const model = await store.upsertModel({ name: 'atomic-model' });
    const run = await store.createRun({ modelId: model.id, task: 'gsm8k', config: {} });
    const broken = { ...item('gsm8k', 1, true), docHash: null } as unknown as ItemRecord;
    await expect(store.resultSink(run.id).write([item('gsm8k', 0, true), broken])).rejects.toThrow();
    expect((await store.listResults(run.id)).total).toBe(0);
  });

  it('a failed batch never takes down writes made meanwhile by other async work of the same process', async () => {
    const model = await store.upsertModel({ name: 'bystander-host' });
    const run = await store.createRun({ modelId: model.id, task: 'gsm8k', config: {} });
    const broken = { ...item('gsm8k', 9999, true), doc: null } as unknown as ItemRecord;
    const batch = [...Array.from({ length: 600 }, (_, i) => item('gsm8k', i, true)), broken];
    // Each round starts the bystander's write a few microtasks later, to land at every point of the batch.
    for (let delay = 0; delay < 12; delay++) {
      const bystander = (async () => {
        for (let tick = 0; tick < delay; tick++) await null;
        await store.upsertModel({ name: `bystander-${delay}` });
      })();
      const [write] = await Promise.allSettled([store.resultSink(run.id).write(batch), bystander]);
      expect(write.status).toBe('rejected');
      expect(await store.getModel(`bystander-${delay}`)).toBeDefined();
    }
    expect((await store.listResults(run.id)).total).toBe(0);
  });

  it('writes scores once per run × subset × metric × filter and serves the latest finished run to boards', async () => {
    const model = await store.upsertModel({ name: 'board-model', params: 7, revision: 'r1' });
    const older = await store.createRun({ modelId: model.id, task: 'gsm8k', config: { numFewshot: 5, harnessVersion: '0.4.5', taskVersions: { gsm8k: 3 }, dtype: 'q4' } });
    const newer = await store.createRun({ modelId: model.id, task: 'gsm8k', config: { numFewshot: 8 } });
    const unfinished = await store.createRun({ modelId: model.id, task: 'gsm8k', config: { numFewshot: 1 } });
    await store.writeScores(older.id, [{ subset: 'gsm8k', metric: 'exact_match', filter: 'strict-match', value: 0.1, stderr: 0.01, n: 100 }]);
    await store.writeScores(older.id, [{ subset: 'gsm8k', metric: 'exact_match', filter: 'strict-match', value: 0.2, stderr: 0.02, n: 100 }]);
    await store.writeScores(newer.id, [
      { subset: 'gsm8k', metric: 'exact_match', filter: 'strict-match', value: 0.3, n: 100 },
      { subset: 'gsm8k', metric: 'exact_match', filter: 'flexible-extract', value: 0.35, n: 100 },
    ]);
    await store.writeScores(unfinished.id, [{ subset: 'gsm8k', metric: 'exact_match', filter: 'strict-match', value: 0.9 }]);
    expect(await store.scoresForRun(older.id)).toHaveLength(1);
    expect((await store.scoresForRun(older.id))[0]).toMatchObject({ value: 0.2, stderr: 0.02, filter: 'strict-match' });

    await store.updateRun(older.id, { status: 'finished', finishedAt: '2024-01-01T00:00:00.000Z' });
    let board = (await store.boardScores()).filter((r) => r.modelName === 'board-model');
    expect(board).toHaveLength(1);
    expect(board[0]).toMatchObject({ runId: older.id, value: 0.2, numFewshot: 5, harnessVersion: '0.4.5', taskVersion: 3, dtype: 'q4', revision: 'r1', band: '6B-7B' });

    await store.updateRun(newer.id, { status: 'finished', finishedAt: '2024-02-01T00:00:00.000Z' });
    board = (await store.boardScores()).filter((r) => r.modelName === 'board-model');
    expect(board.map((r) => [r.filter, r.runId, r.value]).sort()).toEqual([
      ['flexible-extract', newer.id, 0.35],
      ['strict-match', newer.id, 0.3],
    ]);
  });

  it('loads reported numbers idempotently and rejects a bad row naming its line and field', async () => {
    const first = await loadBundledReported(store);
    expect(first.rows).toBe(202);
    await loadBundledReported(store);
    const rows = await store.listReported();
    expect(rows).toHaveLength(202);
    const gpt4 = rows.find((r) => r.model === 'GPT-4' && r.column === 'CEval-Hard');
    expect(gpt4).toMatchObject({ board: 'science', band: 'API', score: 54.96, rerunByAuthors: false, sourceTable: 'Table 3', sourceYear: 2024 });
    expect(rows.filter((r) => r.band === '30B-32B').length).toBeGreaterThan(0);

    const bad = 'board,params_band,model,column,score,rerun_by_authors\nmath,6B-7B,X,GSM8K,12.5,false\nmath,6B-7B,Y,GSM8K,twelve,false\n';
    await expect(store.loadReportedCsv(bad, { paper: 'P' })).rejects.toThrow('<reported csv>:3: score: expected a number, got "twelve"');
    expect((await store.listReported()).filter((r) => r.sourcePaper === 'P')).toHaveLength(0);
  });

  it('flags a model or a cell with a reason', async () => {
    const model = await store.upsertModel({ name: 'flagged-model' });
    const flag = await store.addFlag({ modelId: model.id, subset: 'gsm8k', metric: 'exact_match', reason: 'test set contamination' });
    expect(flag.createdAt).toMatch(/^\d{4}-\d{2}-\d{2}T/);
    expect(await store.listFlags({ modelId: model.id })).toEqual([flag]);
    await expect(store.addFlag({ modelId: model.id, reason: '' })).rejects.toThrow(/reason/);
    await expect(store.addFlag({ reason: 'dangling' })).rejects.toThrow(/modelId or a runId/);
  });
});
