import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDb, type Store } from '@sciboard/db';
import { DEFAULT_STORE_EVERY } from '@sciboard/eval';
import { beginRun, runConfigOf } from './record.ts';

describe('a run\'s batching', () => {
  let store: Store;
  beforeAll(async () => {
    store = await openDb({ file: join(mkdtempSync(join(tmpdir(), 'sciboard-batching-')), 'runs.db') });
  });
  afterAll(async () => {
    await store?.close();
  });

  it('is recorded with the run, and another engine batch size or stored-batch size resumes the same run', async () => {
    const model = await store.upsertModel({ name: 'batching-model' });
    const first = await beginRun(store, model.id, 'gsm8k', { limit: 4, batchSize: 4, storeEvery: 2 });
    expect((await store.getRun(first.runId))?.config).toMatchObject({ batchSize: 4, storeEvery: 2 });

    // Interrupted, then rerun on another machine: the engine picks 32 rows, the evaluator stores the default.
    const resumed = await beginRun(store, model.id, 'gsm8k', { limit: 4, batchSize: 32, batchSizePickedFrom: '120 MB of weights; CPU cap 32' });
    expect(resumed.runId).toBe(first.runId);
    const config = (await store.getRun(first.runId))?.config;
    expect(config).toMatchObject({ batchSize: 32, batchSizePickedFrom: '120 MB of weights; CPU cap 32', storeEvery: DEFAULT_STORE_EVERY });

    // What changes results still makes another run.
    const other = await beginRun(store, model.id, 'gsm8k', { limit: 5, batchSize: 32 });
    expect(other.runId).not.toBe(first.runId);
    expect((await store.listRuns({ modelName: 'batching-model' })).map((r) => r.id).sort()).toEqual([first.runId, other.runId].sort());
  });

  it('leaves a submission\'s configuration (and its duplicate key) as it was when no batching is given', () => {
    expect(runConfigOf({ limit: 3 })).toEqual({ numFewshot: null, limit: 3, batchSize: null, dtype: 'float32', harnessVersion: 'sciboard-0.1.0' });
  });
});
