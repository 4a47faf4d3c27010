/**
 * Submitting the same checkpoint and configuration several times at once gives one submission: the losers of
 * the race answer with the winner's, on SQLite (one connection shared by concurrent calls) and on PostgreSQL
 * (one connection per submitter, as separate processes would have).
 */
import { afterAll, describe, expect, it } from 'vitest';
import { openDb, type Store } from '@sciboard/db';
import { allBackends } from '../../db/src/test-backends.ts';
import type { ShardQueue } from '@sciboard/queue';
import { enqueueSubmission, type EnqueueOutcome } from './submit.ts';

const backends = await allBackends();
afterAll(async () => {
  for (const backend of backends) await backend.dispose();
});

const published: number[] = [];
const queue = { publish: async (ids: number[]) => void published.push(...ids) } as unknown as ShardQueue;
const request = { checkpoint: '/models/x', contentHash: 'c0ffee', name: 'raced', tasks: ['mmlu_astronomy'], limit: 1 };

describe.each(backends.map((b) => [b.name, b] as const))('concurrent duplicate submissions on %s', (name, backend) => {
  it('three at once make one submission; the others are told it is a duplicate', async () => {
    const stores: Store[] = name === 'sqlite' ? [await openDb(backend.target)] : await Promise.all([0, 1, 2].map(() => openDb(backend.target)));
    try {
      published.length = 0;
      const outcomes: EnqueueOutcome[] = await Promise.all([0, 1, 2].map((i) => enqueueSubmission(stores[i % stores.length]!, queue, request)));
      expect(outcomes.map((o) => o.kind).sort()).toEqual(['duplicate', 'duplicate', 'queued']);
      expect(new Set(outcomes.map((o) => o.submission.id)).size).toBe(1);
      expect(await stores[0]!.listSubmissions()).toHaveLength(1);
      expect(published).toHaveLength(1);
      // The losers' runs were rolled back with their submissions.
      expect((await stores[0]!.listRuns()).filter((r) => r.modelName === 'raced')).toHaveLength(1);
    } finally {
      for (const s of stores) await s.close();
    }
  });
});
