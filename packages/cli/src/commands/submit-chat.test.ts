/**
 * A submission with chat settings: queued with them (and refused when the checkpoint has no chat template), run
 * by a worker with the rendered prompts, scored, and a separate submission from the same checkpoint run plainly.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { openDb } from '@sciboard/db';

const repo = resolve(import.meta.dirname, '../../../..');
const bin = join(repo, 'packages/cli/bin/sciboard.mjs');
const samples = join(repo, 'packages/eval/samples');
const work = mkdtempSync(join(tmpdir(), 'sciboard-submit-chat-'));
const dbFile = join(work, 'queue.db');
const env = { ...process.env, SCIBOARD_DB: dbFile, DATABASE_URL: '' };
const run = (args: string[]) => spawnSync(process.execPath, [bin, ...args], { cwd: repo, env, encoding: 'utf8', timeout: 180_000 });
const TEMPLATE = "{% for m in messages %}{{ '[' + m.role + '] ' + m.content + '\\n' }}{% endfor %}{% if add_generation_prompt %}{{ '[assistant] ' }}{% endif %}";

describe('submissions with chat settings', () => {
  const model = join(work, 'chat-model');
  beforeAll(() => {
    const made = run(['tiny-model', '--out', model, '--layers', '1']);
    expect(made.status, made.stderr).toBe(0);
  });

  it('is refused without a chat template in the checkpoint, then queued with one and run by a worker as rendered prompts', async () => {
    const args = ['submit', model, '--name', 'chat-tiny', '--tasks', `${samples}/science-mc.yaml`, '--limit', '2', '--apply-chat-template', '--system-instruction', 'Pick one.'];
    const refused = run(args);
    expect(refused.status).not.toBe(0);
    expect(refused.stderr).toMatch(/apply_chat_template: .*tokenizer_config\.json: no chat template/);

    const configPath = join(model, 'tokenizer_config.json');
    writeFileSync(configPath, JSON.stringify({ ...JSON.parse(readFileSync(configPath, 'utf8')), chat_template: TEMPLATE }));
    const queued = run(args);
    expect(queued.status, queued.stderr).toBe(0);
    const plainQueued = run(['submit', model, '--name', 'chat-tiny', '--tasks', `${samples}/science-mc.yaml`, '--limit', '2']);
    expect(plainQueued.status, plainQueued.stderr).toBe(0);
    expect(JSON.parse(plainQueued.stdout)).toMatchObject({ duplicate: false });

    const worked = run(['worker', '--until-idle', '--device', 'cpu', '--batch-size', '2']);
    expect(worked.status, worked.stderr).toBe(0);

    const store = await openDb({ file: dbFile });
    try {
      const runs = await store.listRuns({ modelName: 'chat-tiny' });
      expect(runs).toHaveLength(2);
      const chat = runs.find((r) => r.config['applyChatTemplate'] === true)!;
      const plain = runs.find((r) => r.config['applyChatTemplate'] === undefined)!;
      expect(chat.config).toMatchObject({ applyChatTemplate: true, fewshotAsMultiturn: true, systemInstruction: 'Pick one.', chatTemplateSha: expect.stringMatching(/^[0-9a-f]{64}$/) });
      for (const r of [chat, plain]) expect(r.status).toBe('finished');
      const items = await store.listResults(chat.id);
      expect(items.total).toBe(2);
      const request = items.items[0]!.request as { context: string; continuations: string[] };
      expect(request.context).toMatch(/^\[system\] Pick one\.\n\nThe following are multiple choice questions .*\n\[user\] A ball .*Answer:\n\[assistant\] $/s);
      expect(request.continuations).toEqual(['A', 'B', 'C', 'D']);
      const plainItems = await store.listResults(plain.id);
      expect((plainItems.items[0]!.request as { context: string }).context).toMatch(/^The following are multiple choice questions/);
      expect((await store.scoresForRun(chat.id)).some((s) => s.metric === 'acc')).toBe(true);
      // The board row's cells say whether their run applied a chat template.
      const cells = (await store.boardScores()).filter((r) => r.modelName === 'chat-tiny');
      expect(cells.length).toBeGreaterThan(0);
      for (const c of cells) expect(c.chatTemplate).toBe(c.runId === chat.id);
    } finally {
      await store.close();
    }
  });
});
