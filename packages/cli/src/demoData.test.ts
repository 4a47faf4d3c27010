import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { gsm8kParquet, startFakeHub, type FakeHub } from '@sciboard/datasets/testing';
import { demoData } from './demoData.ts';

describe('the demo data of sciboard start', () => {
  let hub: FakeHub | undefined;
  afterEach(() => hub?.close());

  it('fills the cache from the Hub when it answers, and evaluates the columns whose data arrived', async () => {
    const test = await gsm8kParquet([['A shelf has 3 rows of 4 books. How many books?', '3*4=12\n#### 12']]);
    const train = await gsm8kParquet([['Tom has 1 cat and gets 1 more. How many?', '1+1=2\n#### 2']]);
    hub = await startFakeHub({
      'openai/gsm8k': [
        { path: 'main/test-00000-of-00001.parquet', bytes: test, lfs: true },
        { path: 'main/train-00000-of-00001.parquet', bytes: train, lfs: true },
      ],
    });
    const cache = mkdtempSync(join(tmpdir(), 'sciboard-demo-cache-'));
    const lines: string[] = [];
    const env = { SCIBOARD_CACHE: cache, HF_ENDPOINT: hub.endpoint, PATH: process.env.PATH };
    const demo = await demoData((l) => lines.push(l), env, []);
    expect(demo.dir).toBe(join(cache, 'data'));
    expect(demo.tasks).toEqual(['gsm8k']);
    expect(existsSync(join(cache, 'data/gsm8k/test.jsonl'))).toBe(true);
    // The suites this Hub lacks are named, each on its own, and their columns left to reported numbers.
    expect(lines.some((l) => /could not fetch mmlu: .*cais\/mmlu/.test(l))).toBe(true);
    expect(lines.some((l) => /no data for .*mmlu-sci/.test(l))).toBe(true);
  });

  it('offline or in CI it keeps to the sample suites and says why, without a request', async () => {
    hub = await startFakeHub({});
    for (const extra of [{ HF_HUB_OFFLINE: '1' }, { CI: 'true' }]) {
      const lines: string[] = [];
      const env = { SCIBOARD_CACHE: mkdtempSync(join(tmpdir(), 'sciboard-demo-cache-')), HF_ENDPOINT: hub.endpoint, ...extra };
      expect(await demoData((l) => lines.push(l), env, [])).toEqual({ tasks: [] });
      expect(lines.join('\n')).toMatch(extra.CI ? /CI: not fetching ceval, mmlu/ : /HF_HUB_OFFLINE is set: not fetching ceval, mmlu/);
      expect(lines.join('\n')).toMatch(/the demo uses the bundled sample suites only/);
    }
    expect(hub.requests).toEqual([]);
  });

  it('a Hub that cannot be reached leaves the demo to the sample suites', async () => {
    const lines: string[] = [];
    const env = { SCIBOARD_CACHE: mkdtempSync(join(tmpdir(), 'sciboard-demo-cache-')), HF_ENDPOINT: 'http://127.0.0.1:9' };
    expect(await demoData((l) => lines.push(l), env, [])).toEqual({ tasks: [] });
    expect(lines[0]).toMatch(/the Hugging Face Hub \(http:\/\/127\.0\.0\.1:9\) cannot be reached: not fetching/);
  });
});
