import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { openDb } from '@sciboard/db';
import { writeTinyModel } from '@sciboard/onnx';

const repo = resolve(import.meta.dirname, '../../../..');
const bin = join(repo, 'packages/cli/bin/sciboard.mjs');
const suite = join(repo, 'packages/eval/samples/science-mc.yaml');

describe('sciboard submit', () => {
  let dir: string;
  let env: NodeJS.ProcessEnv;
  const submit = (...args: string[]) => spawnSync(process.execPath, [bin, 'submit', ...args], { env, encoding: 'utf8' });

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'sciboard-submit-cli-'));
    env = { ...process.env, SCIBOARD_DB: join(dir, 'db.sqlite'), DATABASE_URL: '' };
    await writeTinyModel(join(dir, 'tiny'), { seed: 2 });
  });

  it('refuses a checkpoint that does not load, or whose size is implausible, before queueing anything', async () => {
    const broken = join(dir, 'broken');
    cpSync(join(dir, 'tiny'), broken, { recursive: true });
    writeFileSync(join(broken, 'model.onnx'), 'garbage');
    const notLoading = submit(broken, '--name', 'broken', '--tasks', suite);
    expect(notLoading.status).toBe(1);
    expect(notLoading.stderr).toMatch(/^sciboard: checkpoint: .*broken does not load: .*model\.onnx/);
    const tooBig = submit(join(dir, 'tiny'), '--name', 'tiny', '--params', '6.2B', '--tasks', suite);
    expect(tooBig.stderr).toMatch(/^sciboard: params: declared 6\.2B parameters, but the weights take \d+ bytes/);
    const both = submit(join(dir, 'tiny'), '--name', 'tiny', '--board', 'science', '--tasks', suite);
    expect([both.status, both.stderr]).toEqual([2, "sciboard: give --board or --tasks, not both\n(see 'sciboard submit --help')\n"]);
    const store = await openDb({ file: env.SCIBOARD_DB });
    expect([await store.listSubmissions(), await store.listModels(), await store.listRuns()]).toEqual([[], [], []]);
    await store.close();
  });

  it('queues one shard per leaf task, and points a repeat to the first submission', async () => {
    const first = submit(join(dir, 'tiny'), '--name', 'tiny', '--params', '125k', '--tasks', `${suite},mmlu-sci`, '--limit', '2');
    expect(first.status, first.stderr).toBe(0);
    const queued = JSON.parse(first.stdout) as { submission: number; runs: number[]; shards: number; duplicate: boolean };
    expect(queued).toMatchObject({ duplicate: false, shards: 9, runs: [1, 2] });
    const store = await openDb({ file: env.SCIBOARD_DB });
    const shards = await store.listShards(queued.submission);
    expect(shards.map((s) => s.subset)).toEqual(['sample_science_mc', ...Array(8).fill('mmlu-sci')]);
    expect((await store.getModel('tiny'))?.contentHash).toMatch(/^[0-9a-f]{64}$/);

    // A copy elsewhere has the same content: still a duplicate.
    cpSync(join(dir, 'tiny'), join(dir, 'copy'), { recursive: true });
    const repeat = submit(join(dir, 'copy'), '--name', 'tiny', '--tasks', `${suite},mmlu-sci`, '--limit', '2');
    expect(JSON.parse(repeat.stdout)).toEqual({ submission: queued.submission, status: 'queued', duplicate: true, runs: [1, 2] });
    expect(repeat.stderr).toMatch(/already submitted: submission 1/);
    // Another configuration is a new submission; another checkpoint under a taken name is refused.
    expect(JSON.parse(submit(join(dir, 'tiny'), '--name', 'tiny', '--tasks', suite, '--limit', '1').stdout).duplicate).toBe(false);
    await writeTinyModel(join(dir, 'other'), { seed: 9 });
    expect(submit(join(dir, 'other'), '--name', 'tiny', '--tasks', suite).stderr).toMatch(/^sciboard: name: model "tiny" is already listed with a different checkpoint/);
    expect(await store.listSubmissions()).toHaveLength(2);
    await store.close();
  });
});
