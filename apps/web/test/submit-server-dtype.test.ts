/**
 * `sciboard submit --server --dtype`: a checkpoint published in several precisions (the transformers.js layout,
 * weights split over several external-data files) is uploaded with the chosen graph only, under its flat name, and
 * the site queues it for that precision (upload-names.test.ts checks the names an upload may hold).
 */
import { spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeTinyModel } from '@sciboard/onnx';
import { repo, startSubmissionRoute, submissionEnv, type SubmissionRoute } from './submission-route.ts';

const env = submissionEnv('sciboard-submit-server-dtype-');
const { dir, root } = env;
const local = join(dir, 'community');

function submit(args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
  // Asynchronously: the server answering it runs in this process.
  return new Promise((done) => {
    const child = spawn(process.execPath, [join(repo, 'packages/cli/bin/sciboard.mjs'), 'submit', local, ...args], { env: { ...process.env, SCIBOARD_DB: join(dir, 'unused.db') } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (status) => done({ status, stdout, stderr }));
  });
}

describe('submit --server --dtype', () => {
  let route: SubmissionRoute;

  beforeAll(async () => {
    await writeTinyModel(local, { seed: 5, dtypes: ['fp32', 'q4'], externalData: true, externalDataChunkBytes: 64 * 1024 });
    route = await startSubmissionRoute(env, async () => {});
  }, 120_000);

  afterAll(async () => {
    await route?.close();
  });

  it('uploads the chosen graph and its weights and queues the submission for that precision', async () => {
    const published = readdirSync(join(local, 'onnx'));
    expect(published.filter((f) => f.startsWith('model_q4.onnx_data')).length, published.join(' ')).toBeGreaterThan(1);

    const out = await submit(['--name', 'community-q4', '--dtype', 'q4', '--tasks', 'suites/arithmetic.yaml', '--server', route.url, '--token', route.token]);
    expect(out.status, out.stderr).toBe(0);
    const answer = JSON.parse(out.stdout) as { submission: { id: number }; duplicate: boolean };
    expect(answer.duplicate).toBe(false);

    const submission = await route.store.getSubmission(answer.submission.id);
    const payload = submission?.payload as { dtype?: string; model: { checkpointPath: string }; subsets: { runId: number }[] };
    expect(payload.dtype).toBe('q4');
    const uploaded = readdirSync(payload.model.checkpointPath).sort();
    expect(payload.model.checkpointPath.startsWith(join(root, 'uploads'))).toBe(true);
    // Only the q4 variant travels: its graph and every one of its weight files, flat; no fp32 graph.
    expect(uploaded.filter((f) => f.startsWith('model'))).toEqual(published.filter((f) => f.startsWith('model_q4.onnx')).sort());
    expect(uploaded).toContain('config.json');
    const run = await route.store.getRun(payload.subsets[0]!.runId);
    expect(run?.config).toMatchObject({ dtype: 'q4' });

    // The same folder at fp32 uploads other files: another checkpoint, so another submission (under its own name).
    const fp32 = await submit(['--name', 'community-fp32', '--tasks', 'suites/arithmetic.yaml', '--server', route.url, '--token', route.token]);
    expect(fp32.status, fp32.stderr).toBe(0);
    const second = JSON.parse(fp32.stdout) as { submission: { id: number }; duplicate: boolean };
    expect(second.duplicate).toBe(false);
    const plain = (await route.store.getSubmission(second.submission.id))?.payload as { dtype?: string; model: { checkpointPath: string } };
    expect(plain.dtype).toBeUndefined();
    expect(readdirSync(plain.model.checkpointPath).filter((f) => f.startsWith('model'))).toEqual(published.filter((f) => /^model\.onnx/.test(f)).sort());
  }, 180_000);
});
