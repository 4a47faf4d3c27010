/**
 * `dtype` through the site's submission API: a checkpoint folder under the model roots holding several precisions
 * (the transformers.js layout) is queued for the graph asked for, with the precision in its runs' configuration and
 * duplicate key; an unknown or absent precision is refused with the field named. The route handler is the site's
 * own (`app/api/submissions/route.ts`), served by a plain HTTP server over a SQLite file.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Store } from '@sciboard/db';
import { writeTinyModel } from '@sciboard/onnx';
import { repo, startSubmissionRoute, submissionEnv, type SubmissionRoute } from './submission-route.ts';

const env = submissionEnv('sciboard-submit-dtype-');

describe('dtype through the submission API', () => {
  let route: SubmissionRoute;
  let store: Store;

  beforeAll(async () => {
    route = await startSubmissionRoute(env, async (root) => {
      await writeTinyModel(join(root, 'community'), { seed: 1, dtypes: ['fp32', 'fp16', 'q4'] });
    });
    ({ store } = route);
  }, 120_000);

  afterAll(async () => {
    await route?.close();
  });

  const json = (value: unknown) => route.json(value);
  const valid = { checkpoint: 'community', name: 'community', tasks: ['suites/arithmetic.yaml'] };

  it('queues the asked precision, recorded in the runs and the payload; another precision is another submission', async () => {
    const q4 = await json({ ...valid, dtype: 'q4' });
    const created = (await q4.json()) as { submission: { id: number }; duplicate?: boolean };
    expect(q4.status, JSON.stringify(created)).toBe(201);
    const submission = await store.getSubmission(created.submission.id);
    expect(submission?.payload).toMatchObject({ dtype: 'q4' });
    const runs = await store.listRuns({ modelName: 'community' });
    expect(runs.map((r) => r.config.dtype)).toEqual(['q4']);

    const fp16 = await json({ ...valid, dtype: 'fp16' });
    expect(fp16.status).toBe(201);
    const plain = await json(valid);
    expect(plain.status).toBe(201);
    expect((await store.listRuns({ modelName: 'community' })).map((r) => r.config.dtype).sort()).toEqual(['float16', 'float32', 'q4']);
    // The same precision again is the first submission.
    const again = await json({ ...valid, dtype: 'q4' });
    expect(((await again.json()) as { duplicate?: boolean }).duplicate).toBe(true);
  });

  it('refuses an unknown precision, and one the folder lacks, naming the field', async () => {
    const before = (await store.listSubmissions()).length;
    const unknown = await json({ ...valid, dtype: 'fp8' });
    const unknownBody = (await unknown.json()) as { error: string; field?: string };
    expect([unknown.status, unknownBody.field]).toEqual([400, 'dtype']);
    expect(unknownBody.error).toMatch(/dtype: must be one of fp32, fp16, q4, q4f16, q8, int8, uint8, bnb4/);
    const absent = await json({ ...valid, dtype: 'int8' });
    const absentBody = (await absent.json()) as { error: string; field?: string };
    expect([absent.status, absentBody.field]).toEqual([400, 'dtype']);
    expect(absentBody.error).toMatch(/no int8 graph for --dtype int8 .*found onnx\/model\.onnx \(--dtype fp32\), onnx\/model_fp16\.onnx \(--dtype fp16\), onnx\/model_q4\.onnx \(--dtype q4\)/);
    expect((await store.listSubmissions()).length).toBe(before);
  });
});
