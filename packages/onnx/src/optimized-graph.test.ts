import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadModel, writeTinyModel, type GenerateRequest, type LoglikelihoodRequest } from './index.ts';
import { OPTIMIZED_MARKER } from './optimized-graph.ts';

const fixture = join(process.env.SCIBOARD_SHARED_DIR ?? resolve(import.meta.dirname, '../../../../shared'), 'fixtures/tiny-llm');
const scoring: LoglikelihoodRequest[] = [
  { context: 'Question: what is two plus two?\nAnswer:', continuation: ' four' },
  { context: 'The capital of France is', continuation: ' Paris' },
  { context: '', continuation: 'Hello' },
];
const generation: GenerateRequest[] = [
  { context: 'Question: what is two plus two?\nAnswer:', until: ['\n\n'], maxTokens: 12 },
  { context: 'Once upon a time', until: ['.'], maxTokens: 20 },
];

/** The folder of optimised graphs the loads below are given (none: the cache is off). */
let root: string | undefined;

async function answers(dir: string) {
  const model = await loadModel(dir, { device: 'cpu', batchSize: 2, ...(root ? { runtime: { optimizedGraphDir: root } } : {}) });
  try {
    return { outcome: model.optimizedGraph?.outcome, entry: model.optimizedGraph?.dir, ll: await model.loglikelihood(scoring), gen: await model.generate(generation) };
  } finally {
    await model.dispose();
  }
}

describe('the cache of optimised graphs', () => {
  let model = '';
  beforeAll(async () => {
    root = join(mkdtempSync(join(tmpdir(), 'ort-cache-')), 'ort-optimized');
    model = join(mkdtempSync(join(tmpdir(), 'ort-cache-model-')), 'm');
    // Tied embeddings and external weights: the folded LM head and the data file beside the optimised graph.
    await writeTinyModel(model, { seed: 3, layers: 2, hidden: 64, heads: 4, kvHeads: 2, vocab: 300, externalData: true });
  });
  afterAll(() => {
    root = undefined;
  });

  it('writes the optimised graph on the first load, opens it on the next, and both answer as without it', async () => {
    const folder = root;
    root = undefined; // off by default
    const plain = await answers(model);
    root = folder;
    expect(plain.outcome).toBe('off');
    const first = await answers(model);
    expect(first.outcome).toBe('built');
    expect(first.entry!.startsWith(root!)).toBe(true);
    expect(readdirSync(first.entry!).sort()).toEqual([OPTIMIZED_MARKER, 'model.onnx', 'model.onnx.data']);
    const second = await answers(model);
    expect(second.outcome).toBe('hit');
    expect(second.entry).toBe(first.entry);
    for (const run of [first, second]) {
      expect(run.gen).toEqual(plain.gen);
      run.ll.forEach((r, i) => {
        expect(r.isGreedy).toBe(plain.ll[i]!.isGreedy);
        expect(Math.abs(r.logprob - plain.ll[i]!.logprob)).toBeLessThan(1e-5);
      });
    }
  });

  it('rebuilds an entry whose data file was cut short, or whose graph is damaged, and leaves no temporary folder', async () => {
    const { entry } = await answers(model);
    const data = join(entry!, 'model.onnx.data');
    truncateSync(data, statSync(data).size - 100);
    const afterCut = await answers(model);
    expect(afterCut.outcome).toBe('built');
    expect(afterCut.entry).toBe(entry);
    // Same size, garbage inside: the marker matches, ONNX Runtime refuses it, the entry is rebuilt.
    const graph = join(entry!, 'model.onnx');
    writeFileSync(graph, Buffer.alloc(statSync(graph).size, 0x5a));
    const afterDamage = await answers(model);
    expect(afterDamage.outcome).toBe('built');
    expect((await answers(model)).outcome).toBe('hit');
    // A folder a crashed build left behind (no marker) is not read.
    expect(readdirSync(root!).filter((f) => f.includes('.tmp-'))).toEqual([]);
    const stray = join(root!, `${entry!.split('/').pop()}.tmp-1-dead`);
    mkdirSync(stray);
    writeFileSync(join(stray, 'model.onnx'), 'partial');
    expect((await answers(model)).outcome).toBe('hit');
  });

  it('a cache folder that cannot be made leaves loading as it was', async () => {
    const folder = root;
    const file = join(mkdtempSync(join(tmpdir(), 'ort-cache-file-')), 'not-a-folder');
    writeFileSync(file, '');
    root = join(file, 'ort-optimized');
    try {
      const run = await answers(model);
      expect(run.outcome).toBe('off');
      expect(run.gen).toEqual((await answers(model)).gen);
    } finally {
      root = folder;
    }
  });

  it('a changed graph gets its own entry', async () => {
    const { entry } = await answers(model);
    const other = join(mkdtempSync(join(tmpdir(), 'ort-cache-model-')), 'm');
    await writeTinyModel(other, { seed: 4, layers: 2, hidden: 64, heads: 4, kvHeads: 2, vocab: 300, externalData: true });
    const run = await answers(other);
    expect(run.outcome).toBe('built');
    expect(run.entry).not.toBe(entry);
  });

  it.skipIf(!existsSync(join(fixture, 'model.onnx')))('the reference checkpoint answers the same from the cache', async () => {
    const cases = readFileSync(join(fixture, 'greedy.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .slice(0, 6)
      .map((l) => JSON.parse(l) as { prompt: string; stop: string[]; max_new_tokens: number; output_text: string });
    for (const expected of ['built', 'hit']) {
      const m = await loadModel(fixture, { device: 'cpu', batchSize: 3, runtime: { optimizedGraphDir: root! } });
      expect(m.optimizedGraph?.outcome).toBe(expected);
      const out = await m.generate(cases.map((c) => ({ context: c.prompt, until: c.stop, maxTokens: c.max_new_tokens })));
      expect(out.map((r) => r.text)).toEqual(cases.map((c) => c.output_text));
      await m.dispose();
    }
  });
});
