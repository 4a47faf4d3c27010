/**
 * A model's output may hold U+0000 (a random or broken checkpoint emits any byte). PostgreSQL's jsonb and text
 * refuse it; the store keeps such values anyway and gives them back exactly as written, on both databases.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDb, type ItemRecord, type Store } from './index.ts';
import { escapeNul, unescapeNul } from './nul.ts';
import { allBackends, type TestBackend } from './test-backends.ts';

const backends = await allBackends();

/** Text that would be mangled by a careless escape: NUL, the escape mark itself, and JSON's own spelling of NUL. */
const awkward = ['\u0000', 'a\u0000b\u0000\u0000c', '\uFDD0', '\uFDD00', '\uFDD0\uFDD0\u0000', 'literal \\u0000 text', '\\\u0000', 'plain'];

function item(docIndex: number, text: string): ItemRecord {
  return {
    task: 'gsm8k_cot',
    docIndex,
    docHash: `doc-${docIndex}`,
    promptHash: `prompt-${docIndex}`,
    doc: { question: `Q${text}`, [`key${text}`]: [text, { nested: text }], answer: docIndex },
    request: { kind: 'generate_until', context: `Q: ${text}`, until: [text, 'Q:'], maxTokens: 16 },
    response: { kind: 'generate_until', text: ` The answer is ${text}`, finishReason: 'length' },
    target: text,
    filtered: { 'strict-match': text, 'flexible-extract': '[invalid]' },
    scores: { 'exact_match,strict-match': 0, 'exact_match,flexible-extract': 0 },
    notes: { 'exact_match,strict-match': `grader said ${text}` },
  };
}

describe('the NUL escape', () => {
  it('round-trips every string and leaves strings without NUL or the mark as they are', () => {
    for (const text of awkward) {
      expect(escapeNul(text)).not.toContain('\u0000');
      expect(unescapeNul(escapeNul(text))).toBe(text);
    }
    expect(escapeNul('plain')).toBe('plain');
    expect(escapeNul('literal \\u0000 text')).toBe('literal \\u0000 text');
  });
});

describe.each(backends.map((b) => [b.name, b] as const))('model output with NUL characters on %s', (_name, backend: TestBackend) => {
  let store: Store;
  beforeAll(async () => {
    store = await openDb(backend.target);
  });
  afterAll(async () => {
    await store?.close();
    await backend.dispose();
  });

  it('stores per-item results holding U+0000 and reads them back unchanged', async () => {
    const model = await store.upsertModel({ name: 'nul-model' });
    const run = await store.createRun({ modelId: model.id, task: 'gsm8k_cot', config: { note: 'x\u0000y' } });
    const items = awkward.map((text, i) => item(i, text));
    const sink = store.resultSink(run.id);
    await sink.write(items);
    // Written again (a resumed run rewrites a batch): the upsert path takes the same values.
    await sink.write(items.slice(0, 2));

    const back = await sink.completed('gsm8k_cot');
    expect([...back.keys()].sort((a, b) => a - b)).toEqual(awkward.map((_, i) => i));
    for (const original of items) expect(back.get(original.docIndex)).toEqual(original);

    const { items: listed } = await store.listResults(run.id, { task: 'gsm8k_cot', limit: 100 });
    expect(listed.map((r) => (r.response as { text: string }).text)).toEqual(items.map((i) => (i.response as { text: string }).text));
    expect((await store.getResult(run.id, 'gsm8k_cot', 1))?.filtered['strict-match']).toBe('a\u0000b\u0000\u0000c');
    expect((await store.getRun(run.id))?.config).toMatchObject({ note: 'x\u0000y' });
  });

  it('keeps an error message holding U+0000 on a failed run', async () => {
    const model = await store.upsertModel({ name: 'nul-model-2' });
    const run = await store.createRun({ modelId: model.id, task: 't', config: {} });
    await store.updateRun(run.id, { status: 'failed', error: 'bad output "\u0000\uFDD0"' });
    expect((await store.getRun(run.id))?.error).toBe('bad output "\u0000\uFDD0"');
  });
});
