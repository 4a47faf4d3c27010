import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parquetWriteBuffer } from 'hyparquet-writer';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadCevalSubject, loadMmluSubject } from '@sciboard/eval';
import { pullSuites } from './pull.ts';
import { suiteById, type SuiteSource } from './suites.ts';
import { startFakeHub, type FakeFile, type FakeHub } from './testing/fakeHub.ts';

// Questions written for these tests; the columns are those of the Hub datasets lm-eval reads.
function mmluShard(rows: Array<{ q: string; choices: string[]; answer: number }>): Buffer {
  return Buffer.from(
    parquetWriteBuffer({
      columnData: [
        { name: 'question', data: rows.map((r) => r.q), type: 'STRING' },
        { name: 'subject', data: rows.map(() => 'x'), type: 'STRING' },
        { name: 'choices', data: rows.map((r) => r.choices) },
        { name: 'answer', data: rows.map((r) => BigInt(r.answer)), type: 'INT64' },
      ],
    }),
  );
}

function gsm8kShard(rows: Array<[string, string]>): Buffer {
  return Buffer.from(
    parquetWriteBuffer({
      columnData: [
        { name: 'question', data: rows.map((r) => r[0]), type: 'STRING' },
        { name: 'answer', data: rows.map((r) => r[1]), type: 'STRING' },
      ],
    }),
  );
}

function cevalShard(withExplanation: boolean): Buffer {
  const cols = [
    { name: 'id', data: [0n, 1n], type: 'INT64' as const },
    { name: 'question', data: ['光速约为____', '水的化学式是____'], type: 'STRING' as const },
    { name: 'A', data: ['3×10^8 m/s', 'H2O'], type: 'STRING' as const },
    { name: 'B', data: ['340 m/s', 'CO2'], type: 'STRING' as const },
    { name: 'C', data: ['1 m/s', 'NaCl'], type: 'STRING' as const },
    { name: 'D', data: ['"无穷", 大', 'O2'], type: 'STRING' as const },
    { name: 'answer', data: ['A', 'A'], type: 'STRING' as const },
    ...(withExplanation ? [{ name: 'explanation', data: ['1. 常识\n2. 记住', ''], type: 'STRING' as const }] : []),
  ];
  return Buffer.from(parquetWriteBuffer({ columnData: cols }));
}

const shard = (split: string) => `${split}-00000-of-00001.parquet`;

function hubRepos(): Record<string, FakeFile[]> {
  return {
    'openai/gsm8k': [
      { path: 'README.md', bytes: Buffer.from('# gsm8k\n') },
      { path: `main/${shard('train')}`, bytes: gsm8kShard([['Ann has 2 apples and buys 3. How many?', '2+3=<<2+3=5>>5\n#### 5']]), lfs: true },
      { path: `main/${shard('test')}`, bytes: gsm8kShard([['A box holds 4 pens. How many in 3 boxes?', '4*3=<<4*3=12>>12\n#### 12'], ['What is 10 less 7?', '#### 3']]), lfs: true },
      { path: `socratic/${shard('test')}`, bytes: gsm8kShard([['not wanted', '#### 0']]), lfs: true },
    ],
    'cais/mmlu': [
      { path: `anatomy/${shard('test')}`, bytes: mmluShard([{ q: 'Which organ, "the pump", moves blood?', choices: ['Heart', 'Lung', 'Liver', 'Skin'], answer: 0 }, { q: 'Bones of the arm?', choices: ['a', 'b', 'c', 'd'], answer: 3 }]), lfs: true },
      { path: `anatomy/${shard('dev')}`, bytes: mmluShard([{ q: 'Line one\nline two?', choices: ['w', 'x', 'y', 'z'], answer: 2 }]), lfs: true },
      { path: `anatomy/${shard('validation')}`, bytes: mmluShard([{ q: 'V?', choices: ['1', '2', '3', '4'], answer: 1 }]), lfs: true },
      { path: `all/${shard('test')}`, bytes: mmluShard([{ q: 'not wanted', choices: ['1', '2', '3', '4'], answer: 1 }]), lfs: true },
    ],
    'ceval/ceval-exam': [
      { path: `college_physics/${shard('val')}`, bytes: cevalShard(false), lfs: true },
      { path: `college_physics/${shard('dev')}`, bytes: cevalShard(true), lfs: true },
      { path: `college_physics/${shard('test')}`, bytes: cevalShard(false), lfs: true },
    ],
  };
}

const suites = (...ids: string[]): SuiteSource[] => ids.map((id) => suiteById(id)!);
const sha256 = (b: Buffer | string) => createHash('sha256').update(b).digest('hex');

function listFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name).slice(dir.length + 1))
    .sort();
}

describe('data pull from the Hub layout', () => {
  let hub: FakeHub;
  let cache: string;
  let env: NodeJS.ProcessEnv;
  let repos: Record<string, FakeFile[]>;

  beforeEach(async () => {
    repos = hubRepos();
    hub = await startFakeHub(repos);
    cache = mkdtempSync(join(tmpdir(), 'sciboard-cache-'));
    env = { SCIBOARD_CACHE: cache, HF_ENDPOINT: hub.endpoint, HF_TOKEN: 'hf_test_token' };
  });
  afterEach(() => hub.close());

  it('writes the release layout the loaders read, with a checksum per file, and sends the token', async () => {
    const result = await pullSuites(suites('gsm8k', 'mmlu', 'ceval'), { env });
    expect(result.pulled).toEqual(['gsm8k', 'mmlu', 'ceval']);
    const data = join(cache, 'data');
    expect(listFiles(data)).toEqual([
      'CHECKSUMS.json',
      'ceval/dev/college_physics_dev.csv',
      'ceval/val/college_physics_val.csv',
      'gsm8k/test.jsonl',
      'gsm8k/train.jsonl',
      'mmlu/dev/anatomy_dev.csv',
      'mmlu/test/anatomy_test.csv',
      'mmlu/val/anatomy_val.csv',
    ]);
    // The same loaders as for the release files.
    const test = loadMmluSubject(data, 'anatomy', 'test');
    expect(test.map((d) => [d.question, d.choices, d.answer])).toEqual([
      ['Which organ, "the pump", moves blood?', ['Heart', 'Lung', 'Liver', 'Skin'], 0],
      ['Bones of the arm?', ['a', 'b', 'c', 'd'], 3],
    ]);
    expect(loadMmluSubject(data, 'anatomy', 'dev')[0]).toMatchObject({ question: 'Line one\nline two?', answer: 2 });
    const dev = loadCevalSubject(data, 'college_physics', 'dev');
    expect(dev[0]).toMatchObject({ question: '光速约为____', A: '3×10^8 m/s', D: '"无穷", 大', answer: 'A', explanation: '1. 常识\n2. 记住' });
    expect(loadCevalSubject(data, 'college_physics', 'val')).toHaveLength(2);
    expect(readFileSync(join(data, 'gsm8k/test.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l).answer)).toEqual(['4*3=<<4*3=12>>12\n#### 12', '#### 3']);

    const checksums = JSON.parse(readFileSync(join(data, 'CHECKSUMS.json'), 'utf8'));
    for (const [id, entry] of Object.entries(checksums) as Array<[string, { files: Record<string, string>; repo: string }]>) {
      expect(entry.repo).toBe(suiteById(id)!.repo);
      for (const [path, sum] of Object.entries(entry.files)) expect(sha256(readFileSync(join(data, path)))).toBe(sum);
    }
    expect(Object.keys(checksums.mmlu.files)).toHaveLength(3);
    // Files that are not the suite's (other configs, READMEs, the ceval test split) are never fetched.
    const fetched = hub.requests.filter((r) => r.url.includes('/resolve/')).map((r) => r.url);
    expect(fetched.some((u) => u.includes('socratic') || u.includes('/all/') || u.includes('README') || u.includes('test-00000') && u.includes('ceval'))).toBe(false);
    expect(hub.requests.every((r) => r.authorization === 'Bearer hf_test_token')).toBe(true);
    // Listings longer than a page were followed through their Link header.
    expect(hub.requests.some((r) => r.url.includes('cursor=3'))).toBe(true);

    // A second pull finds every file verified in the cache and downloads nothing.
    const before = hub.requests.length;
    await pullSuites(suites('gsm8k', 'mmlu', 'ceval'), { env });
    expect(hub.requests.slice(before).filter((r) => r.url.includes('/resolve/'))).toEqual([]);
  });

  it('resumes a file from its partial download with an HTTP Range request after the connection drops', async () => {
    const path = `main/${shard('test')}`;
    const size = repos['openai/gsm8k']!.find((f) => f.path === path)!.bytes.length;
    hub.dropOnce(path, 100);
    await expect(pullSuites(suites('gsm8k'), { env, retries: 0 })).rejects.toThrow();
    const part = join(cache, 'hub/datasets/openai/gsm8k/main', `${path}.part`);
    expect(statSync(part).size).toBe(100);
    expect(existsSync(join(cache, 'data/gsm8k/test.jsonl'))).toBe(false);

    await pullSuites(suites('gsm8k'), { env, retries: 0 });
    const resumed = hub.requests.filter((r) => r.url.endsWith(path));
    expect(resumed.map((r) => r.range)).toEqual([undefined, 'bytes=100-']);
    expect(statSync(join(cache, 'hub/datasets/openai/gsm8k/main', path)).size).toBe(size);
    expect(existsSync(part)).toBe(false);
    expect(readFileSync(join(cache, 'data/gsm8k/test.jsonl'), 'utf8')).toContain('A box holds 4 pens');
  });

  it('retries a dropped connection within one pull, from where it stopped', async () => {
    const path = `main/${shard('train')}`;
    hub.dropOnce(path, 50);
    await pullSuites(suites('gsm8k'), { env, retries: 2 });
    expect(hub.requests.filter((r) => r.url.endsWith(path)).map((r) => r.range)).toEqual([undefined, 'bytes=50-']);
  });

  it('refuses a file whose bytes do not match the listed sha256 and leaves nothing half written', async () => {
    const file = repos['cais/mmlu']!.find((f) => f.path === `anatomy/${shard('dev')}`)!;
    const tampered = Buffer.from(file.bytes);
    tampered.writeUInt8(tampered.readUInt8(tampered.length - 20) ^ 0xff, tampered.length - 20);
    file.servedBytes = tampered;
    await expect(pullSuites(suites('mmlu'), { env })).rejects.toThrow(/anatomy\/dev-00000-of-00001\.parquet: checksum mismatch \(expected sha256 [0-9a-f]{64}, got [0-9a-f]{64}\)/);
    const hubFiles = listFiles(join(cache, 'hub'));
    expect(hubFiles.some((f) => f.includes('dev-00000'))).toBe(false);
    expect(hubFiles.some((f) => f.endsWith('.part'))).toBe(false);
    expect(listFiles(join(cache, 'data'))).toEqual([]);
  });

  it('offline, uses the cache only and names what is missing without touching the network', async () => {
    const offline = { ...env, HF_HUB_OFFLINE: '1' };
    await expect(pullSuites(suites('gsm8k', 'mmlu'), { env: offline })).rejects.toThrow(/HF_HUB_OFFLINE is set and the cache \(.*\) lacks gsm8k \(openai\/gsm8k, gsm8k\/test\.jsonl\), mmlu \(cais\/mmlu/);
    expect(hub.requests).toEqual([]);
    await pullSuites(suites('gsm8k'), { env });
    const before = hub.requests.length;
    expect(await pullSuites(suites('gsm8k'), { env: offline })).toMatchObject({ cached: ['gsm8k'], pulled: [] });
    await expect(pullSuites(suites('gsm8k', 'mmlu'), { env: offline })).rejects.toThrow(/lacks mmlu \(cais\/mmlu/);
    expect(hub.requests.length).toBe(before);
  });

  it('says which suites the Hub cannot supply instead of failing the others', async () => {
    const result = await pullSuites(suites('gsm8k', 'mathematics'), { env });
    expect(result.pulled).toEqual(['gsm8k']);
    expect(result.skipped.map((s) => s.id)).toEqual(['mathematics']);
  });
});
