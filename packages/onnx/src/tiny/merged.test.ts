/**
 * Optimum's merged decoder layout: one graph, `decoder_model_merged.onnx`, whose `use_cache_branch` input picks an
 * If branch (the first step without a cache, the later ones with it). Made here from the tiny model's own graph, its
 * two branches the decoder's nodes under separate names reading the shared initializers, as Optimum's merge leaves
 * them, and checked to answer as the plain `model.onnx` does, in fp32 and fp16.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import onnxProto from 'onnx-proto';
import { afterAll, describe, expect, it } from 'vitest';
import { loadModel } from '../model.ts';
import { writeTinyModel } from './write-model.ts';

const { onnx } = onnxProto;
const root = mkdtempSync(join(tmpdir(), 'sciboard-merged-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** The decoder wrapped as Optimum merges it: If(use_cache_branch) with one copy of the nodes per branch. */
function toMergedDecoder(model: onnxProto.onnx.ModelProto): void {
  const graph = model.graph as onnxProto.onnx.GraphProto;
  const outer = new Set([...graph.input.map((i) => i.name!), ...graph.initializer.map((t) => t.name!)]);
  const branch = (prefix: string) => {
    // Values made inside a branch get the branch's prefix; graph inputs and initializers are read from outside.
    const rename = (n: string) => (outer.has(n) || n === '' ? n : `${prefix}${n}`);
    const nodes = graph.node.map((n) => onnx.NodeProto.create({ ...n, name: `${prefix}${n.name}`, input: (n.input ?? []).map(rename), output: (n.output ?? []).map(rename) }));
    return onnx.GraphProto.create({
      name: `${prefix}branch`,
      node: nodes,
      output: graph.output.map((o) => onnx.ValueInfoProto.create({ name: rename(o.name!), type: { tensorType: { elemType: o.type!.tensorType!.elemType } } })),
    });
  };
  const GRAPH = onnx.AttributeProto.AttributeType.GRAPH;
  graph.node = [
    onnx.NodeProto.create({
      opType: 'If',
      name: 'optimum::if',
      input: ['use_cache_branch'],
      output: graph.output.map((o) => o.name!),
      attribute: [
        { name: 'then_branch', type: GRAPH, g: branch('with_past/') },
        { name: 'else_branch', type: GRAPH, g: branch('no_past/') },
      ],
    }),
  ];
  graph.input.push(onnx.ValueInfoProto.create({ name: 'use_cache_branch', type: { tensorType: { elemType: onnx.TensorProto.DataType.BOOL, shape: { dim: [{ dimValue: 1 }] } } } }));
}

const requests = [
  { context: 'Question: what is 2+2?\nAnswer:', continuation: ' 4' },
  { context: 'The quick brown fox', continuation: ' jumps over the lazy dog.' },
  { context: '', continuation: 'abc' },
];
const prompts = [
  { context: 'Once upon a time', until: ['\n\n'], maxTokens: 12 },
  { context: 'Q: 7 times 6?\nA:', until: ['\n'], maxTokens: 8 },
];

describe("Optimum's merged decoder (use_cache_branch)", () => {
  it.each([
    ['fp32', 'decoder_model_merged.onnx'],
    ['fp16', 'decoder_model_merged_fp16.onnx'],
  ] as const)('%s: %s answers as the plain graph does, with its fast path', async (dtype, file) => {
    const plainDir = join(root, `plain-${dtype}`);
    const mergedDir = join(root, `merged-${dtype}`);
    await writeTinyModel(plainDir, { seed: 8, dtypes: [dtype] });
    await writeTinyModel(mergedDir, { seed: 8 });
    const source = onnx.ModelProto.decode(readFileSync(join(plainDir, `onnx/model${dtype === 'fp16' ? '_fp16' : ''}.onnx`)));
    toMergedDecoder(source);
    rmSync(join(mergedDir, 'model.onnx'));
    writeFileSync(join(mergedDir, file), onnx.ModelProto.encode(source).finish());

    const plain = await loadModel(plainDir, { device: 'cpu', dtype, batchSize: 2 });
    const merged = await loadModel(mergedDir, { device: 'cpu', dtype, batchSize: 2 });
    try {
      expect(merged.graphFile).toBe(file);
      expect([merged.slicedLogits, merged.decodeLoop]).toEqual([true, true]);
      const [a, b] = [await merged.loglikelihood(requests), await plain.loglikelihood(requests)];
      // fp16 rounds differently in another graph shape: a few 1e-4 apart.
      a.forEach((r, i) => expect(r.logprob).toBeCloseTo(b[i]!.logprob, dtype === 'fp16' ? 2 : 4));
      expect((await merged.generate(prompts)).map((o) => o.text)).toEqual((await plain.generate(prompts)).map((o) => o.text));
    } finally {
      await plain.dispose();
      await merged.dispose();
    }
  }, 60_000);
});
