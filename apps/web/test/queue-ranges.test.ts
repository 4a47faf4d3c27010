/** /queue lists a live submission's tasks with their document ranges and item progress. */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDb } from '@sciboard/db';
import { openLeaseQueue } from '@sciboard/queue';
import { enqueueSubmission } from '@sciboard/runs';
import { buildSite, startSite, webRoot, type RunningSite } from './server.ts';

const samples = resolve(webRoot, '../../packages/eval/samples');

describe('the queue page with item-range shards', () => {
  let site: RunningSite | undefined;
  afterAll(async () => site?.stop());

  beforeAll(async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'sciboard-queue-ranges-')), 'sciboard.db');
    const store = await openDb({ file });
    const queue = openLeaseQueue(store, { leaseSeconds: 60, maxAttempts: 2 });
    // science-mc has 8 documents: ranges 0–3, 3–6, 6–8; the first is done, the second half-way.
    await enqueueSubmission(store, queue, { checkpoint: '/m/x', contentHash: 'x', name: 'ranged', tasks: [join(samples, 'science-mc.yaml')], shardSize: 3, dataDir: samples });
    const first = await queue.next('w1');
    await first!.complete();
    const second = await queue.next('w2');
    await store.reportShardProgress(second!.shard.id, 2, 3);
    await store.close();
    buildSite();
    site = await startSite(file);
  }, 600_000);

  it('shows each range and the items done', async () => {
    const html = await (await fetch(`${site!.url}/queue`)).text();
    const text = html.replace(/<!-- -->/g, '').replace(/<[^>]+>/g, '');
    expect(text).toContain('sample_science_mc: 1/3 ranges, 5/8 items');
    expect(html).toMatch(/class="range status-done"[^>]*data-range="0–3"/);
    expect(html).toMatch(/class="range status-running"[^>]*data-range="3–6"/);
    expect(html).toMatch(/class="range status-queued"[^>]*data-range="6–8"/);
  });
});
