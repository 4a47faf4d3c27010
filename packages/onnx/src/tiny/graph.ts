import onnxProto from 'onnx-proto';
import type { ResolvedTinyOptions } from './options.ts';

const { onnx } = onnxProto;
const FLOAT = onnx.TensorProto.DataType.FLOAT;
const INT64 = onnx.TensorProto.DataType.INT64;
const BOOL = onnx.TensorProto.DataType.BOOL;

/** A generated weight: `std · N(0, 1) + mean`, drawn from the tensor's own seeded stream (see random.ts). */
export interface WeightSpec {
  name: string;
  dims: number[];
  mean: number;
  std: number;
  /**
   * Rows (of a [vocab, hidden] embedding) or columns (of a [hidden, vocab] LM head) past this index are scaled by
   * PADDING_SCALE: vocabulary slots the tokenizer never produces get logits near 0, so greedy decoding stays
   * among real tokens, while their input embeddings stay distinct (RMSNorm undoes the scale) for callers that
   * swap in a larger tokenizer.
   */
  usedRows?: number;
  usedColumns?: number;
}

/** Scale of the padding rows' weights (see WeightSpec.usedRows): logit std ≈ 1/16 of a real token's. */
export const PADDING_SCALE = 1 / 16;

export interface DecoderGraph {
  /** The graph with its small constants inline and without the weights, which are streamed separately. */
  graph: onnxProto.onnx.IGraphProto;
  weights: WeightSpec[];
}

// Additive mask for disallowed positions: exp() of it underflows to exactly 0, yet a fully masked row (a
// padding query) stays finite and softmaxes to a uniform row instead of NaN, which -Infinity would give.
const MASKED_SCORE = -1e9;

function floatConst(name: string, values: number[], dims: number[] = [values.length]): onnxProto.onnx.ITensorProto {
  return { name, dims, dataType: FLOAT, rawData: new Uint8Array(new Float32Array(values).buffer) };
}

function int64Const(name: string, values: number[], dims: number[] = [values.length]): onnxProto.onnx.ITensorProto {
  return { name, dims, dataType: INT64, rawData: new Uint8Array(new BigInt64Array(values.map(BigInt)).buffer) };
}

type Dim = number | string;

function valueInfo(name: string, elemType: number, dims: Dim[]): onnxProto.onnx.IValueInfoProto {
  return {
    name,
    type: {
      tensorType: {
        elemType,
        shape: { dim: dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) },
      },
    },
  };
}

function ints(name: string, values: number[]): onnxProto.onnx.IAttributeProto {
  return { name, type: onnx.AttributeProto.AttributeType.INTS, ints: values };
}

function int(name: string, value: number): onnxProto.onnx.IAttributeProto {
  return { name, type: onnx.AttributeProto.AttributeType.INT, i: value };
}

/** Appends nodes with unique output names, so the builders below read like the forward pass they encode. */
class NodeList {
  readonly nodes: onnxProto.onnx.INodeProto[] = [];

  add(opType: string, name: string, inputs: string[], attribute: onnxProto.onnx.IAttributeProto[] = [], outputs = 1): string[] {
    const out = outputs === 1 ? [`${name}/output_0`] : Array.from({ length: outputs }, (_, i) => `${name}/output_${i}`);
    this.nodes.push({ opType, name, input: inputs, output: out, attribute });
    return out;
  }

  one(opType: string, name: string, inputs: string[], attribute: onnxProto.onnx.IAttributeProto[] = []): string {
    return this.add(opType, name, inputs, attribute)[0]!;
  }

  /** Like `one`, but writes to a given name (a graph output). */
  named(opType: string, name: string, inputs: string[], output: string, attribute: onnxProto.onnx.IAttributeProto[] = []): string {
    this.nodes.push({ opType, name, input: inputs, output: [output], attribute });
    return output;
  }
}

/** inv_freq of rotary embeddings: theta^(-2i/headDim) for each of the headDim/2 rotated pairs. */
export function inverseFrequencies(headDim: number, theta: number): number[] {
  return Array.from({ length: headDim / 2 }, (_, i) => 1 / Math.pow(theta, (2 * i) / headDim));
}

/**
 * The decoder-with-past graph of a Llama/Qwen2-style model, in Optimum's input/output layout. Grouped-query
 * attention folds each KV head's group of query heads into the rows of one product: queries shaped
 * [batch, kvHeads, groupSize · seq, headDim] against that KV head's keys [batch, kvHeads, past + seq, headDim].
 * That is the arithmetic of repeating each KV head groupSize times without copying the cache, and each KV head's
 * keys and values are read once per product rather than once per query head (ONNX Runtime also fuses the key
 * transpose and the scale into the score product).
 */
export function buildDecoderGraph(o: ResolvedTinyOptions, tokenizerSize: number): DecoderGraph {
  const { layers, hidden, heads, kvHeads, intermediate, vocab, headDim } = o;
  const group = heads / kvHeads;
  const n = new NodeList();
  const weights: WeightSpec[] = [];
  // Linear layers are stored as MatMul right-hand sides, [in, out]; std scales with 1/sqrt(fan-in) so every
  // projection keeps activations near unit size whatever the width.
  const linear = (name: string, fanIn: number, fanOut: number): string => {
    weights.push({ name, dims: [fanIn, fanOut], mean: 0, std: o.weightScale / Math.sqrt(fanIn) });
    return name;
  };
  const vector = (name: string, size: number, mean: number, std: number): string => {
    weights.push({ name, dims: [size], mean, std });
    return name;
  };
  const constants: onnxProto.onnx.ITensorProto[] = [
    floatConst('const/two', [2], []),
    floatConst('const/rms_eps', [o.rmsNormEps], []),
    floatConst('const/attention_scale', [1 / Math.sqrt(headDim)], []),
    floatConst('const/zero_f', [0], []),
    floatConst('const/masked_score', [MASKED_SCORE], []),
    floatConst('const/inv_freq', inverseFrequencies(headDim, o.ropeTheta)),
    int64Const('const/zero', [0], []),
    int64Const('const/one', [1], []),
    int64Const('const/axes_1', [1]),
    int64Const('const/axes_2', [2]),
    int64Const('const/axes_1_2', [1, 2]),
    int64Const('const/axes_1_2_3', [1, 2, 3]),
    int64Const('const/q_shape', [0, 0, kvHeads, group, headDim]),
    int64Const('const/grouped_rows_shape', [0, 0, -1, headDim]),
    int64Const('const/group_split_shape', [0, 0, group, -1, headDim]),
    int64Const('const/mask_group_repeats', [1, 1, group, 1]),
    int64Const('const/kv_shape', [0, 0, kvHeads, headDim]),
    int64Const('const/context_shape', [0, 0, heads * headDim]),
  ];

  const rmsNorm = (x: string, weight: string, prefix: string): string => {
    const squared = n.one('Pow', `${prefix}/Pow`, [x, 'const/two']);
    const meanSquare = n.one('ReduceMean', `${prefix}/ReduceMean`, [squared], [ints('axes', [-1]), int('keepdims', 1)]);
    const withEps = n.one('Add', `${prefix}/Add`, [meanSquare, 'const/rms_eps']);
    const rms = n.one('Sqrt', `${prefix}/Sqrt`, [withEps]);
    const normed = n.one('Div', `${prefix}/Div`, [x, rms]);
    return n.one('Mul', `${prefix}/Mul`, [normed, weight]);
  };
  // rotate_half(x) = concat(-x[..., d/2:], x[..., :d/2]), then x·cos + rotate_half(x)·sin.
  const rope = (x: string, cos: string, sin: string, prefix: string): string => {
    const [firstHalf, secondHalf] = n.add('Split', `${prefix}/Split`, [x], [int('axis', -1)], 2) as [string, string];
    const negated = n.one('Neg', `${prefix}/Neg`, [secondHalf]);
    const rotated = n.one('Concat', `${prefix}/Concat`, [negated, firstHalf], [int('axis', -1)]);
    const xCos = n.one('Mul', `${prefix}/MulCos`, [x, cos]);
    const rotSin = n.one('Mul', `${prefix}/MulSin`, [rotated, sin]);
    return n.one('Add', `${prefix}/Add`, [xCos, rotSin]);
  };

  // Scaled like the LM head, since with tied embeddings the same matrix is both.
  const embedding = 'model.embed_tokens.weight';
  weights.push({ name: embedding, dims: [vocab, hidden], mean: 0, std: o.weightScale / Math.sqrt(hidden), usedRows: tokenizerSize });
  let h = n.one('Gather', '/model/embed_tokens/Gather', [embedding, 'input_ids'], [int('axis', 0)]);

  // Mask [batch, 1, 1, seq, past+seq]: query i (absolute position past+i) sees key j iff j ≤ past+i and key j
  // is a real token. Built once from the shapes, so it serves the prefill and every cached step alike.
  const idsShape = n.one('Shape', '/mask/ids_shape', ['input_ids']);
  const seqLen = n.one('Gather', '/mask/seq_len', [idsShape, 'const/one'], [int('axis', 0)]);
  const maskShape = n.one('Shape', '/mask/mask_shape', ['attention_mask']);
  const totalLen = n.one('Gather', '/mask/total_len', [maskShape, 'const/one'], [int('axis', 0)]);
  const pastLen = n.one('Sub', '/mask/past_len', [totalLen, seqLen]);
  const queryPos = n.one('Range', '/mask/query_positions', [pastLen, totalLen, 'const/one']);
  const keyPos = n.one('Range', '/mask/key_positions', ['const/zero', totalLen, 'const/one']);
  const queryCol = n.one('Unsqueeze', '/mask/query_column', [queryPos, 'const/axes_1']);
  const causal = n.one('LessOrEqual', '/mask/causal', [keyPos, queryCol]);
  const realKeys = n.one('Cast', '/mask/real_keys', ['attention_mask'], [int('to', BOOL)]);
  const realKeys5 = n.one('Unsqueeze', '/mask/real_keys_5d', [realKeys, 'const/axes_1_2_3']);
  const allowed = n.one('And', '/mask/allowed', [causal, realKeys5]);
  const additive5 = n.one('Where', '/mask/additive_5d', [allowed, 'const/zero_f', 'const/masked_score']);
  // Folded rows are (group member, query position), member-major: the mask's rows repeat once per member.
  const additive4 = n.one('Squeeze', '/mask/additive_4d', [additive5, 'const/axes_1']);
  const additiveMask = n.one('Tile', '/mask/additive', [additive4, 'const/mask_group_repeats']);

  // Rotary angles from position_ids (which count real tokens only under left padding), shared by all layers.
  const positions = n.one('Cast', '/rotary/positions', ['position_ids'], [int('to', FLOAT)]);
  const positions3 = n.one('Unsqueeze', '/rotary/positions_3d', [positions, 'const/axes_2']);
  const freqs = n.one('Mul', '/rotary/freqs', [positions3, 'const/inv_freq']);
  const angles = n.one('Concat', '/rotary/angles', [freqs, freqs], [int('axis', -1)]);
  const cos = n.one('Cos', '/rotary/Cos', [angles]);
  const sin = n.one('Sin', '/rotary/Sin', [angles]);
  const cosK = n.one('Unsqueeze', '/rotary/cos_k', [cos, 'const/axes_1']);
  const sinK = n.one('Unsqueeze', '/rotary/sin_k', [sin, 'const/axes_1']);
  const cosQ = n.one('Unsqueeze', '/rotary/cos_q', [cos, 'const/axes_1_2']);
  const sinQ = n.one('Unsqueeze', '/rotary/sin_q', [sin, 'const/axes_1_2']);

  const biasStd = 0.1 * o.weightScale;
  for (let i = 0; i < layers; i++) {
    const p = `/model/layers.${i}`;
    const w = `model.layers.${i}`;
    const normed = rmsNorm(h, vector(`${w}.input_layernorm.weight`, hidden, 1, 0.1), `${p}/input_layernorm`);
    const project = (kind: 'q' | 'k' | 'v', outSize: number): string => {
      const y = n.one('MatMul', `${p}/self_attn/${kind}_proj/MatMul`, [normed, linear(`${w}.self_attn.${kind}_proj.weight`, hidden, outSize)]);
      if (!o.qkvBias) return y;
      return n.one('Add', `${p}/self_attn/${kind}_proj/Add`, [y, vector(`${w}.self_attn.${kind}_proj.bias`, outSize, 0, biasStd)]);
    };
    const q = n.one('Reshape', `${p}/self_attn/q_reshape`, [project('q', heads * headDim), 'const/q_shape']);
    const k = n.one('Reshape', `${p}/self_attn/k_reshape`, [project('k', kvHeads * headDim), 'const/kv_shape']);
    const v = n.one('Reshape', `${p}/self_attn/v_reshape`, [project('v', kvHeads * headDim), 'const/kv_shape']);
    const qHeads = n.one('Transpose', `${p}/self_attn/q_transpose`, [q], [ints('perm', [0, 2, 3, 1, 4])]);
    const kHeads = n.one('Transpose', `${p}/self_attn/k_transpose`, [k], [ints('perm', [0, 2, 1, 3])]);
    const vHeads = n.one('Transpose', `${p}/self_attn/v_transpose`, [v], [ints('perm', [0, 2, 1, 3])]);
    const qRot = rope(qHeads, cosQ, sinQ, `${p}/self_attn/q_rotary`);
    const kRot = rope(kHeads, cosK, sinK, `${p}/self_attn/k_rotary`);
    const keys = n.named('Concat', `${p}/self_attn/present_key`, [`past_key_values.${i}.key`, kRot], `present.${i}.key`, [int('axis', 2)]);
    const values = n.named('Concat', `${p}/self_attn/present_value`, [`past_key_values.${i}.value`, vHeads], `present.${i}.value`, [int('axis', 2)]);
    const keysT = n.one('Transpose', `${p}/self_attn/keys_transpose`, [keys], [ints('perm', [0, 1, 3, 2])]);
    const qRows = n.one('Reshape', `${p}/self_attn/q_group_rows`, [qRot, 'const/grouped_rows_shape']);
    const scores = n.one('MatMul', `${p}/self_attn/scores`, [qRows, keysT]);
    const scaled = n.one('Mul', `${p}/self_attn/scaled_scores`, [scores, 'const/attention_scale']);
    const masked = n.one('Add', `${p}/self_attn/masked_scores`, [scaled, additiveMask]);
    const probs = n.one('Softmax', `${p}/self_attn/Softmax`, [masked], [int('axis', -1)]);
    const contextRows = n.one('MatMul', `${p}/self_attn/context`, [probs, values]);
    const context = n.one('Reshape', `${p}/self_attn/context_group_split`, [contextRows, 'const/group_split_shape']);
    const contextT = n.one('Transpose', `${p}/self_attn/context_transpose`, [context], [ints('perm', [0, 3, 1, 2, 4])]);
    const merged = n.one('Reshape', `${p}/self_attn/context_reshape`, [contextT, 'const/context_shape']);
    const attnOut = n.one('MatMul', `${p}/self_attn/o_proj/MatMul`, [merged, linear(`${w}.self_attn.o_proj.weight`, heads * headDim, hidden)]);
    h = n.one('Add', `${p}/attention_residual`, [h, attnOut]);

    const normed2 = rmsNorm(h, vector(`${w}.post_attention_layernorm.weight`, hidden, 1, 0.1), `${p}/post_attention_layernorm`);
    const gate = n.one('MatMul', `${p}/mlp/gate_proj/MatMul`, [normed2, linear(`${w}.mlp.gate_proj.weight`, hidden, intermediate)]);
    const up = n.one('MatMul', `${p}/mlp/up_proj/MatMul`, [normed2, linear(`${w}.mlp.up_proj.weight`, hidden, intermediate)]);
    const gateSigmoid = n.one('Sigmoid', `${p}/mlp/act/Sigmoid`, [gate]);
    const gateSilu = n.one('Mul', `${p}/mlp/act/Mul`, [gate, gateSigmoid]);
    const gated = n.one('Mul', `${p}/mlp/Mul`, [gateSilu, up]);
    const down = n.one('MatMul', `${p}/mlp/down_proj/MatMul`, [gated, linear(`${w}.mlp.down_proj.weight`, intermediate, hidden)]);
    h = n.one('Add', `${p}/mlp_residual`, [h, down]);
  }

  const finalNormed = rmsNorm(h, vector('model.norm.weight', hidden, 1, 0.1), '/model/norm');
  let head: string;
  if (o.tieEmbeddings) {
    head = n.one('Transpose', '/lm_head/tied_weight', [embedding], [ints('perm', [1, 0])]);
  } else {
    head = 'lm_head.weight';
    weights.push({ name: head, dims: [hidden, vocab], mean: 0, std: o.weightScale / Math.sqrt(hidden), usedColumns: tokenizerSize });
  }
  n.named('MatMul', '/lm_head/MatMul', [finalNormed, head], 'logits');

  const cacheIn = (i: number, kind: 'key' | 'value') =>
    valueInfo(`past_key_values.${i}.${kind}`, FLOAT, ['batch_size', kvHeads, 'past_sequence_length', headDim]);
  const cacheOut = (i: number, kind: 'key' | 'value') =>
    valueInfo(`present.${i}.${kind}`, FLOAT, ['batch_size', kvHeads, 'total_sequence_length', headDim]);
  const range = Array.from({ length: layers }, (_, i) => i);
  const graph: onnxProto.onnx.IGraphProto = {
    name: 'tiny_decoder',
    node: n.nodes,
    initializer: constants,
    input: [
      valueInfo('input_ids', INT64, ['batch_size', 'sequence_length']),
      valueInfo('attention_mask', INT64, ['batch_size', 'total_sequence_length']),
      valueInfo('position_ids', INT64, ['batch_size', 'sequence_length']),
      ...range.flatMap((i) => [cacheIn(i, 'key'), cacheIn(i, 'value')]),
    ],
    output: [
      valueInfo('logits', FLOAT, ['batch_size', 'sequence_length', vocab]),
      ...range.flatMap((i) => [cacheOut(i, 'key'), cacheOut(i, 'value')]),
    ],
  };
  return { graph, weights };
}
