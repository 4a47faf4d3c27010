import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import onnxProto from 'onnx-proto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findCheckpointFiles } from './checkpoint.ts';
import { Decoder, type KvCache } from './decoder.ts';
import { prepareGraph } from './graph.ts';
import { addDecodeLoop } from './loop.ts';
import { discoverLayout, openSession } from './session.ts';
import { writeTinyModel } from './tiny/index.ts';

const { onnx } = onnxProto;

function argmaxRows(logits: Float32Array, batch: number, vocab: number): number[] {
  return Array.from({ length: batch }, (_, b) => {
    let best = 0;
    for (let v = 1; v < vocab; v++) if (logits[b * vocab + v]! > logits[b * vocab + best]!) best = v;
    return best;
  });
}

describe('decode loop graph rewrite', () => {
  let dir: string;
  let cacheDir: string;
  let loop: Decoder;
  let plain: Decoder;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'sciboard-loop-'));
    cacheDir = mkdtempSync(join(tmpdir(), 'sciboard-loop-cache-'));
    await writeTinyModel(dir, { seed: 21, layers: 2, hidden: 48, heads: 6, kvHeads: 2, intermediate: 64, vocab: 300 });
    const files = findCheckpointFiles(dir);
    const open = async (decodeLoop: boolean) => {
      const graph = prepareGraph(files.onnxPath, { sliceLogits: true, int8: false, decodeLoop }, cacheDir);
      expect(graph.decodeLoop ?? false).toBe(decodeLoop);
      const { session } = await openSession(graph, { device: 'cpu', threads: 1 });
      return new Decoder(session, discoverLayout(session, files.config, files.onnxPath));
    };
    loop = await open(true);
    plain = await open(false);
  });
  afterAll(async () => {
    await loop?.release();
    await plain?.release();
    rmSync(dir, { recursive: true, force: true });
    rmSync(cacheDir, { recursive: true, force: true });
  });

  it('one forward through the loop equals the plain graph, logits and cache', async () => {
    expect(loop.hasDecodeLoop).toBe(true);
    expect(plain.hasDecodeLoop).toBe(false);
    const input = { batch: 2, seq: 5, inputIds: BigInt64Array.from([0, 0, 7, 8, 9, 3, 4, 5, 6, 7].map(BigInt)), attentionMask: BigInt64Array.from([0, 0, 1, 1, 1, 1, 1, 1, 1, 1].map(BigInt)) };
    const a = await loop.forward(input, undefined, 3, true);
    const b = await plain.forward(input, undefined, 3, true);
    expect(a.keep).toBe(3);
    expect(Array.from(a.logits)).toEqual(Array.from(b.logits));
    expect(a.cache!.length).toBe(5);
    a.cache!.keys.forEach((t, i) => expect(Array.from(t.data as Float32Array)).toEqual(Array.from(b.cache!.keys[i]!.data as Float32Array)));
  });

  it('K steps in one run choose the tokens K single steps choose, and leave the same cache', async () => {
    const prompt = { batch: 3, seq: 4, inputIds: BigInt64Array.from([0, 11, 12, 13, 21, 22, 23, 24, 0, 0, 31, 32].map(BigInt)), attentionMask: BigInt64Array.from([0, 1, 1, 1, 1, 1, 1, 1, 0, 0, 1, 1].map(BigInt)) };
    const first = await plain.forward(prompt, undefined, 1, true);
    let tokens = argmaxRows(first.logits, 3, first.vocab);
    const start = { tokens, mask: prompt.attentionMask, cache: first.cache! };

    // One step per run, feeding each chosen token back.
    const steps = 6;
    const expected: number[][] = [];
    let mask = start.mask;
    let cache: KvCache = start.cache;
    for (let k = 0; k < steps; k++) {
      const length = mask.length / 3 + 1;
      const next = new BigInt64Array(3 * length);
      for (let r = 0; r < 3; r++) {
        next.set(mask.subarray(r * (length - 1), (r + 1) * (length - 1)), r * length);
        next[r * length + length - 1] = 1n;
      }
      mask = next;
      const out = await plain.forward({ batch: 3, seq: 1, inputIds: BigInt64Array.from(tokens.map(BigInt)), attentionMask: mask }, cache, 1, true);
      tokens = argmaxRows(out.logits, 3, out.vocab);
      expected.push(tokens);
      cache = out.cache!;
    }

    const firstMask = new BigInt64Array(3 * 5);
    for (let r = 0; r < 3; r++) {
      firstMask.set(start.mask.subarray(r * 4, r * 4 + 4), r * 5);
      firstMask[r * 5 + 4] = 1n;
    }
    const run = await loop.decodeSteps({ batch: 3, seq: 1, inputIds: BigInt64Array.from(start.tokens.map(BigInt)), attentionMask: firstMask }, start.cache, steps);
    expect(run.tokens).toEqual(expected);
    expect(run.cache.length).toBe(cache.length);
    expect(run.cache.keys[0]!.dims).toEqual(cache.keys[0]!.dims);
    run.cache.values.forEach((t, i) => {
      const want = cache.values[i]!.data as Float32Array;
      (t.data as Float32Array).forEach((x, j) => expect(Math.abs(x - want[j]!)).toBeLessThan(1e-5));
    });
  });

  it('leaves a graph without a KV cache as it is, and says why', () => {
    const graph = onnx.GraphProto.create({
      input: ['input_ids', 'attention_mask', 'sciboard_logits_to_keep'].map((name) => onnx.ValueInfoProto.create({ name })),
      output: [onnx.ValueInfoProto.create({ name: 'logits' })],
      node: [onnx.NodeProto.create({ opType: 'Identity', input: ['x'], output: ['logits'] })],
    });
    expect(addDecodeLoop(graph, 17)).toBe('the graph has no KV cache inputs');
    expect(graph.node).toHaveLength(1);
    expect(addDecodeLoop(graph, 9)).toMatch(/opset 9/);
  });
});
