/**
 * Chat settings through the site's submission API (the route handler `app/api/submissions/route.ts`, served by a
 * plain HTTP server over a SQLite file): as JSON and as form fields, refused with the field named when the value is
 * one lm-eval would refuse or the checkpoint has no chat template, and sent by `sciboard submit --server` together
 * with the checkpoint's chat_template.jinja.
 */
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Store } from '@sciboard/db';
import { writeTinyModel } from '@sciboard/onnx';
import { repo, startSubmissionRoute, submissionEnv, type SubmissionRoute } from './submission-route.ts';

const env = submissionEnv('sciboard-submit-chat-');
const { dir, root } = env;
const TEMPLATE = "{% for m in messages %}{{ '<' + m.role + '>' + m.content }}{% endfor %}{% if add_generation_prompt %}<assistant>{% endif %}";

describe('chat settings through the submission API', () => {
  let route: SubmissionRoute;
  let url: string;
  let token: string;
  let store: Store;

  beforeAll(async () => {
    route = await startSubmissionRoute(env, async (root) => {
      await writeTinyModel(join(root, 'plain'), { seed: 1 });
      await writeTinyModel(join(root, 'chat'), { seed: 2 });
      writeFileSync(join(root, 'chat', 'chat_template.jinja'), TEMPLATE);
    });
    ({ url, token, store } = route);
  }, 120_000);

  afterAll(async () => {
    await route?.close();
  });

  const post: SubmissionRoute['post'] = (body, headers) => route.post(body, headers);
  const json = (value: unknown) => route.json(value);
  const valid = { checkpoint: 'chat', name: 'chatty', tasks: ['suites/arithmetic.yaml'] };

  it('refuses what lm-eval refuses, and a template the checkpoint lacks, naming the field and queueing nothing', async () => {
    const before = (await store.listSubmissions()).length;
    const cases: Array<[Record<string, unknown>, string, RegExp]> = [
      [{ ...valid, genKwargs: 'temperature=0.8' }, 'genKwargs', /^gen_kwargs: temperature=0.8 is not supported/],
      [{ ...valid, genKwargs: { top_p: 0.9 } }, 'genKwargs', /"top_p" is not supported/],
      [{ ...valid, seed: '1,2' }, 'seed', /^seed: expected one integer or 3-4/],
      [{ ...valid, fewshotAsMultiturn: true }, 'fewshotAsMultiturn', /needs a chat template/],
      [{ ...valid, checkpoint: 'plain', applyChatTemplate: true }, 'applyChatTemplate', /tokenizer_config\.json: no chat template/],
    ];
    for (const [body, field, message] of cases) {
      const response = await json(body);
      const answer = (await response.json()) as { error: string; field?: string };
      expect({ status: response.status, field: answer.field }).toEqual({ status: 400, field });
      expect(answer.error).toMatch(message);
    }
    expect((await store.listSubmissions()).length).toBe(before);
  });

  it('queues the settings from JSON and from form fields; they are part of the runs and of the duplicate key', async () => {
    const fromJson = await json({ ...valid, applyChatTemplate: true, systemInstruction: 'Be exact.', genKwargs: { max_gen_toks: 16 }, seed: 5 });
    const created = (await fromJson.json()) as { submission: { id: number } };
    expect(fromJson.status, JSON.stringify(created)).toBe(201);
    const payload = (await store.getSubmission(created.submission.id))!.payload as { subsets: Array<{ runId: number }>; settings: unknown };
    const settings = { applyChatTemplate: true, fewshotAsMultiturn: true, systemInstruction: 'Be exact.', genKwargs: { max_gen_toks: 16 }, seed: { random_seed: 5, numpy_seed: 5, torch_seed: 5, fewshot_seed: 5 } };
    expect(payload.settings).toEqual(settings);
    expect((await store.getRun(payload.subsets[0]!.runId))!.config).toMatchObject(settings);

    const form = new FormData();
    for (const [k, v] of Object.entries({ checkpoint: 'chat', name: 'chatty', tasks: 'suites/arithmetic.yaml', applyChatTemplate: 'yes', systemInstruction: 'Be exact.', genKwargs: 'max_gen_toks=16', seed: '5' })) form.set(k, v);
    const again = (await (await post(form)).json()) as { duplicate: boolean; submission: { id: number } };
    expect(again).toMatchObject({ duplicate: true, submission: { id: created.submission.id } });

    const plain = (await (await json(valid)).json()) as { duplicate: boolean };
    expect(plain.duplicate).toBe(false);
  });

  it('takes the settings and chat_template.jinja from sciboard submit --server', async () => {
    const out = await new Promise<{ status: number | null; stdout: string; stderr: string }>((done) => {
      const args = [join(repo, 'packages/cli/bin/sciboard.mjs'), 'submit', join(root, 'chat'), '--name', 'chat-upload', '--tasks', 'suites/arithmetic.yaml', '--apply-chat-template', '--fewshot-as-multiturn', 'false', '--gen-kwargs', 'until=Q:', '--server', url, '--token', token];
      const child = spawn(process.execPath, args, { env: { ...process.env, SCIBOARD_DB: join(dir, 'unused.db') } });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      child.on('close', (status) => done({ status, stdout, stderr }));
    });
    expect(out.status, out.stderr).toBe(0);
    const answer = JSON.parse(out.stdout) as { submission: { id: number } };
    const payload = (await store.getSubmission(answer.submission.id))!.payload as { settings: unknown; model: { checkpointPath: string } };
    expect(payload.settings).toEqual({ applyChatTemplate: true, fewshotAsMultiturn: false, genKwargs: { until: ['Q:'] } });
    // The uploaded folder holds the template the worker will render.
    expect(payload.model.checkpointPath).toContain(join(root, 'uploads'));
    const { readFileSync } = await import('node:fs');
    expect(readFileSync(join(payload.model.checkpointPath, 'chat_template.jinja'), 'utf8')).toBe(TEMPLATE);
  });
});
