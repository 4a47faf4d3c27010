import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import onnxProto from 'onnx-proto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadModel, type OnnxLanguageModel } from '../model.ts';
import { writeTinyModel } from './write-model.ts';
import { TINY_DTYPES, type TinyDtype } from './variants.ts';

const { onnx } = onnxProto;
const root = mkdtempSync(join(tmpdir(), 'sciboard-variants-'));
const dir = join(root, 'all');
afterAll(() => rmSync(root, { recursive: true, force: true }));

const requests = [
  { context: 'Question: what is 2+2?\nAnswer:', continuation: ' 4' },
  { context: 'The quick brown fox', continuation: ' jumps over the lazy dog.' },
  { context: 'Hello', continuation: ', world!' },
  { context: '', continuation: 'abc' },
];
const prompts = [
  { context: 'Once upon a time', until: ['\n\n'], maxTokens: 16 },
  { context: 'Q: 7 times 6?\nA:', until: ['\n'], maxTokens: 12 },
];

/**
 * How far each variant's log-likelihoods may lie from fp32's, relative to |fp32| (each request sums 2–25 token
 * log-probs of a random model; measured: fp16 < 0.1%, int8 < 0.5%, uint8 < 2%, q4 < 6%; see docs/models.md).
 */
const TOLERANCE: Record<TinyDtype, number> = { fp32: 0, fp16: 0.005, int8: 0.02, uint8: 0.05, q8: 0.05, q4: 0.12, q4f16: 0.12, bnb4: 0.12 };

const DYNAMIC = new Set<TinyDtype>(['q8', 'int8', 'uint8']);

function graphOf(file: string): onnxProto.onnx.ModelProto {
  return onnx.ModelProto.decode(readFileSync(file));
}

describe('precision variants of the tiny model, in the transformers.js layout', () => {
  const models = new Map<TinyDtype, OnnxLanguageModel>();
  let fp32Scores: number[];

  beforeAll(async () => {
    await writeTinyModel(dir, { seed: 5, dtypes: [...TINY_DTYPES] });
    for (const dtype of TINY_DTYPES) models.set(dtype, await loadModel(dir, { device: 'cpu', dtype, batchSize: 2 }));
    fp32Scores = (await models.get('fp32')!.loglikelihood(requests)).map((r) => r.logprob);
  }, 120_000);
  afterAll(async () => {
    for (const m of models.values()) await m.dispose();
  });

  it('writes one file per precision under onnx/, named as transformers.js names them', () => {
    for (const f of ['model', 'model_fp16', 'model_q4', 'model_q4f16', 'model_quantized', 'model_int8', 'model_uint8', 'model_bnb4']) {
      expect(existsSync(join(dir, 'onnx', `${f}.onnx`))).toBe(true);
    }
    expect(existsSync(join(dir, 'model.onnx'))).toBe(false);
    expect([...models].map(([d, m]) => [d, m.graphFile, m.dtype])).toEqual(
      TINY_DTYPES.map((d) => [d, `onnx/model${{ fp32: '', fp16: '_fp16', q4: '_q4', q4f16: '_q4f16', q8: '_quantized', int8: '_int8', uint8: '_uint8', bnb4: '_bnb4' }[d]}.onnx`, d]),
    );
  });

  it('holds what each precision is: float16 cache and logits, MatMulNBits, MatMulInteger', () => {
    const elem = (m: onnxProto.onnx.ModelProto, name: string) =>
      [...(m.graph!.input ?? []), ...(m.graph!.output ?? [])].find((v) => v.name === name)?.type?.tensorType?.elemType;
    const ops = (m: onnxProto.onnx.ModelProto) => new Set((m.graph!.node ?? []).map((n) => n.opType));
    const fp16 = graphOf(join(dir, 'onnx/model_fp16.onnx'));
    expect([elem(fp16, 'past_key_values.0.key'), elem(fp16, 'present.1.value'), elem(fp16, 'logits')]).toEqual(Array(3).fill(onnx.TensorProto.DataType.FLOAT16));
    const q4 = graphOf(join(dir, 'onnx/model_q4.onnx'));
    expect(ops(q4).has('MatMulNBits')).toBe(true);
    expect(q4.opsetImport.some((o) => o.domain === 'com.microsoft')).toBe(true);
    expect(elem(q4, 'logits')).toBe(onnx.TensorProto.DataType.FLOAT);
    expect(elem(graphOf(join(dir, 'onnx/model_q4f16.onnx')), 'logits')).toBe(onnx.TensorProto.DataType.FLOAT16);
    expect(ops(graphOf(join(dir, 'onnx/model_bnb4.onnx'))).has('MatMulBnb4')).toBe(true);
    for (const f of ['model_int8', 'model_uint8', 'model_quantized']) {
      const g = ops(graphOf(join(dir, `onnx/${f}.onnx`)));
      expect(g.has('MatMulInteger') && g.has('DynamicQuantizeLinear')).toBe(true);
    }
  });

  it.each(TINY_DTYPES.filter((d) => d !== 'fp32'))('%s scores close to fp32 and decodes greedily', async (dtype) => {
    const model = models.get(dtype)!;
    const scores = (await model.loglikelihood(requests)).map((r) => r.logprob);
    scores.forEach((s, i) => {
      expect(Number.isFinite(s)).toBe(true);
      expect(Math.abs(s - fp32Scores[i]!)).toBeLessThanOrEqual(TOLERANCE[dtype] * Math.abs(fp32Scores[i]!) + 1e-3);
    });
    // Not bit-identical: each variant really computes in its own precision.
    expect(scores).not.toEqual(fp32Scores);
    const out = await model.generate(prompts);
    for (const o of out) {
      expect(typeof o.text).toBe('string');
      expect(['stop', 'eos', 'length']).toContain(o.finishReason);
    }
    const single = [];
    for (const p of prompts) single.push((await model.generate([p]))[0]!);
    // Weight-only and float16 variants compute each row on its own: batched and one at a time agree (their cache,
    // padding and decode loop). Dynamic 8-bit quantisation takes one activation scale over the whole call, padding
    // included, so its results depend on what shares the batch: only that each row decodes is checked there.
    if (!DYNAMIC.has(dtype)) expect(single.map((o) => o.text)).toEqual(out.map((o) => o.text));
    else for (const o of single) expect(['stop', 'eos', 'length']).toContain(o.finishReason);
  }, 60_000);

  it('fp16 greedy text equals fp32 on this model', async () => {
    const a = await models.get('fp32')!.generate(prompts);
    const b = await models.get('fp16')!.generate(prompts);
    expect(b.map((o) => o.text)).toEqual(a.map((o) => o.text));
  });

  it("loads every variant's weights from external-data files, one file or several", async () => {
    const ext = join(root, 'external');
    const info = await writeTinyModel(ext, { seed: 5, dtypes: ['fp32', 'fp16', 'q4'], externalData: true, externalDataChunkBytes: 64 * 1024 });
    expect(info.files).toEqual(expect.arrayContaining(['onnx/model.onnx_data', 'onnx/model.onnx_data_1', 'onnx/model_fp16.onnx_data', 'onnx/model_q4.onnx_data']));
    for (const dtype of ['fp32', 'fp16', 'q4'] as const) {
      const m = await loadModel(ext, { device: 'cpu', dtype });
      try {
        const [inline] = await models.get(dtype)!.loglikelihood([requests[1]!]);
        const [external] = await m.loglikelihood([requests[1]!]);
        expect(external!.logprob).toBeCloseTo(inline!.logprob, 6);
      } finally {
        await m.dispose();
      }
    }
  }, 60_000);
});

describe('rewriting a folder', () => {
  it('drops the variants an earlier write made and this one does not', async () => {
    const folder = join(root, 'rewrite');
    await writeTinyModel(folder, { seed: 2, dtypes: ['fp32', 'fp16'], externalData: true });
    expect(existsSync(join(folder, 'onnx/model_fp16.onnx_data'))).toBe(true);
    const info = await writeTinyModel(folder, { seed: 2, dtypes: ['q4'] });
    expect(info.files.filter((f) => f.startsWith('onnx/'))).toEqual(['onnx/model_q4.onnx']);
    for (const f of ['model.onnx', 'model.onnx_data', 'model_fp16.onnx', 'model_fp16.onnx_data']) expect(existsSync(join(folder, 'onnx', f))).toBe(false);
    await expect(loadModel(folder, { device: 'cpu' })).rejects.toThrow(/no ONNX graph found for fp32.*found onnx\/model_q4\.onnx \(--dtype q4\)/);
  });
});

describe('a quantised LM head (an untied model, as q4 and bnb4 files of one quantise lm_head too)', () => {
  it.each(['q4', 'bnb4'] as const)('%s: only the scored positions are projected, with the same results as the plain path', async (dtype) => {
    const folder = join(root, `untied-${dtype}`);
    await writeTinyModel(folder, { seed: 6, tieEmbeddings: false, dtypes: [dtype] });
    const ops = new Set((graphOf(join(folder, `onnx/model_${dtype}.onnx`)).graph!.node ?? []).filter((n) => n.output?.includes('logits')).map((n) => n.opType));
    expect(ops).toEqual(new Set([dtype === 'q4' ? 'MatMulNBits' : 'MatMulBnb4']));
    const fast = await loadModel(folder, { device: 'cpu', dtype, batchSize: 2 });
    const plain = await loadModel(folder, { device: 'cpu', dtype, batchSize: 2, fast: { sliceLogits: false, decodeLoop: false } });
    try {
      expect([fast.slicedLogits, fast.decodeLoop, plain.slicedLogits]).toEqual([true, true, false]);
      const [a, b] = [await fast.loglikelihood(requests), await plain.loglikelihood(requests)];
      a.forEach((r, i) => {
        expect(r.logprob).toBeCloseTo(b[i]!.logprob, 4);
        expect(r.isGreedy).toBe(b[i]!.isGreedy);
      });
      expect((await fast.generate(prompts)).map((o) => o.text)).toEqual((await plain.generate(prompts)).map((o) => o.text));
    } finally {
      await fast.dispose();
      await plain.dispose();
    }
  }, 60_000);
});

describe('ONNX Runtime GenAI graphs', () => {
  it('are refused, naming the GenAI inputs and what to export instead', async () => {
    const folder = join(root, 'genai-inputs');
    await writeTinyModel(folder, { seed: 1 });
    // A graph with GenAI's GroupQueryAttention inputs (the body is irrelevant: the inputs are refused on sight).
    const { FLOAT, INT64, INT32 } = onnx.TensorProto.DataType;
    const info = (name: string, elemType: number, dims: (number | string)[]) => ({
      name,
      type: { tensorType: { elemType, shape: { dim: dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) } } },
    });
    const model = onnx.ModelProto.encode({
      irVersion: 8,
      opsetImport: [{ domain: '', version: 14 }],
      graph: {
        name: 'genai_like',
        node: [
          { opType: 'Cast', input: ['input_ids'], output: ['ids_f'], attribute: [{ name: 'to', type: onnx.AttributeProto.AttributeType.INT, i: FLOAT }] },
          { opType: 'Unsqueeze', input: ['ids_f', 'axes'], output: ['logits'] },
        ],
        initializer: [{ name: 'axes', dims: [1], dataType: INT64, rawData: new Uint8Array(new BigInt64Array([2n]).buffer) }],
        input: [
          info('input_ids', INT64, ['b', 's']),
          info('attention_mask', INT64, ['b', 't']),
          info('seqlens_k', INT32, ['b']),
          info('total_sequence_length', INT32, []),
        ],
        output: [info('logits', FLOAT, ['b', 's', 1])],
      },
    }).finish();
    writeFileSync(join(folder, 'model.onnx'), model);
    await expect(loadModel(folder, { device: 'cpu' })).rejects.toThrow(
      /graph inputs seqlens_k, total_sequence_length are ONNX Runtime GenAI's GroupQueryAttention inputs.*optimum-cli export onnx --model <model id> --task text-generation-with-past/,
    );
  });

  it('are refused by their genai_config.json before any graph is opened', async () => {
    const folder = join(root, 'genai-config');
    cpSync(join(root, 'genai-inputs'), folder, { recursive: true });
    writeFileSync(join(folder, 'genai_config.json'), JSON.stringify({ model: { type: 'llama' } }));
    await expect(loadModel(folder, { device: 'cpu' })).rejects.toThrow(/genai_config\.json: this is an ONNX Runtime GenAI export.*transformers\.js's conversion script/);
  });
});
