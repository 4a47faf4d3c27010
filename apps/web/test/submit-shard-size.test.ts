/**
 * `shardSize` through the site's submission API, as JSON, as multipart form fields and from
 * `sciboard submit --server --shard-size`: accepted values split the task into ranges, refused ones get the
 * command line's rule and message with the field named and leave the database as it was. The route handler is
 * the site's own (`app/api/submissions/route.ts`), served here by a plain HTTP server over a SQLite file.
 */
import { spawn, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Store } from '@sciboard/db';
import { writeTinyModel } from '@sciboard/onnx';
import { MAX_SHARD_SIZE } from '@sciboard/runs';
import { repo, startSubmissionRoute, submissionEnv, type SubmissionRoute } from './submission-route.ts';

const env = submissionEnv('sciboard-shard-size-');
const { dir, root } = env;

describe('shardSize through the submission API', () => {
  let route: SubmissionRoute;
  let url: string;
  let token: string;
  let store: Store;

  beforeAll(async () => {
    route = await startSubmissionRoute(env, async (root) => {
      for (const seed of [1, 2, 3, 4]) await writeTinyModel(join(root, `tiny${seed}`), { seed });
    });
    ({ url, token, store } = route);
  }, 120_000);

  afterAll(async () => {
    await route?.close();
  });

  const post: SubmissionRoute['post'] = (body, headers) => route.post(body, headers);
  const json = (value: unknown) => route.json(value);
  const valid = { checkpoint: 'tiny1', name: 'ranged', tasks: ['suites/arithmetic.yaml'] };

  async function ranges(submissionId: number): Promise<string[]> {
    return (await store.listShards(submissionId)).map((s) => `${s.task}[${s.docStart},${s.docEnd})`);
  }

  it('refuses an unusable shard size by the command line rule, naming the field and changing nothing', async () => {
    const before = (await store.listSubmissions()).length;
    for (const shardSize of [0, -2, 1.5, 'abc', '1e3', '', MAX_SHARD_SIZE + 1, true]) {
      const response = await json({ ...valid, shardSize });
      const body = (await response.json()) as { error: string; field?: string };
      expect({ shardSize, status: response.status, field: body.field }).toEqual({ shardSize, status: 400, field: 'shardSize' });
      expect(body.error).toBe(`shardSize: expected a positive integer of at most ${MAX_SHARD_SIZE}, got ${JSON.stringify(shardSize)}`);
    }
    expect((await store.listSubmissions()).length).toBe(before);
    // The command line refuses the same value with the same words.
    const cli = spawnSync(process.execPath, [join(repo, 'packages/cli/bin/sciboard.mjs'), 'submit', join(root, 'tiny1'), '--name', 'x', '--shard-size', '1e3'], { encoding: 'utf8' });
    expect(cli.status).toBe(2);
    expect(cli.stderr).toContain(`--shard-size expected a positive integer of at most ${MAX_SHARD_SIZE}, got "1e3"`);
  });

  it('splits the task into ranges of the given size, from JSON and from form fields', async () => {
    const fromJson = await json({ ...valid, shardSize: 2 });
    const created = (await fromJson.json()) as { submission: { id: number }; shards: number };
    expect(fromJson.status, JSON.stringify(created)).toBe(201);
    expect(created.shards).toBe(3);
    expect(await ranges(created.submission.id)).toEqual(['sample_arithmetic[0,2)', 'sample_arithmetic[2,4)', 'sample_arithmetic[4,6)']);
    expect((await store.getSubmission(created.submission.id))?.payload).toMatchObject({ shardSize: 2 });

    const form = new FormData();
    form.set('checkpoint', 'tiny2');
    form.set('name', 'ranged-form');
    form.set('tasks', 'suites/arithmetic.yaml');
    form.set('shardSize', '4');
    const fromForm = await post(form);
    const formCreated = (await fromForm.json()) as { submission: { id: number }; shards: number };
    expect(fromForm.status, JSON.stringify(formCreated)).toBe(201);
    expect(await ranges(formCreated.submission.id)).toEqual(['sample_arithmetic[0,4)', 'sample_arithmetic[4,6)']);

    // Left out: each task's default (64 generations), so these six documents stay one whole-task shard.
    const plain = await json({ ...valid, checkpoint: 'tiny3', name: 'unranged' });
    const plainCreated = (await plain.json()) as { submission: { id: number }; shards: number };
    expect(plain.status, JSON.stringify(plainCreated)).toBe(201);
    expect(await ranges(plainCreated.submission.id)).toEqual(['sample_arithmetic[null,null)']);
    expect((await store.getSubmission(plainCreated.submission.id))?.payload).toMatchObject({ shardSize: null });
  });

  it('takes --shard-size from sciboard submit --server', async () => {
    // Asynchronously: the server answering it runs in this process.
    const out = await new Promise<{ status: number | null; stdout: string; stderr: string }>((done) => {
      const args = [join(repo, 'packages/cli/bin/sciboard.mjs'), 'submit', join(root, 'tiny4'), '--name', 'ranged-cli', '--tasks', 'suites/arithmetic.yaml', '--shard-size', '3', '--server', url, '--token', token];
      const child = spawn(process.execPath, args, { env: { ...process.env, SCIBOARD_DB: join(dir, 'unused.db') } });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      child.on('close', (status) => done({ status, stdout, stderr }));
    });
    expect(out.status, out.stderr).toBe(0);
    const answer = JSON.parse(out.stdout) as { submission: { id: number }; shards: number };
    expect(answer.shards).toBe(2);
    expect(await ranges(answer.submission.id)).toEqual(['sample_arithmetic[0,3)', 'sample_arithmetic[3,6)']);
  });
});
