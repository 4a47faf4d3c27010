import onnxProto from 'onnx-proto';
import { LOGITS_KEEP_INPUT } from './graph.ts';

const { onnx } = onnxProto;
type Graph = onnxProto.onnx.GraphProto;
type Node = onnxProto.onnx.NodeProto;

/** Graph input added by the decode-loop rewrite: how many forward passes one `run()` makes (int64 scalar). */
export const DECODE_STEPS_INPUT = 'sciboard_decode_steps';
/** Graph output added by the decode-loop rewrite: the greedy token of every step, [steps, batch, 1] int64. */
export const DECODE_TOKENS_OUTPUT = 'sciboard_tokens';

const STEP = 'sciboard_step/';
const LOOP = 'sciboard_loop/';
const { INT64, BOOL, FLOAT } = onnx.TensorProto.DataType;
const { INT, GRAPH, TENSOR } = onnx.AttributeProto.AttributeType;

function int64Init(name: string, values: bigint[], scalar = false): onnxProto.onnx.ITensorProto {
  return { name, dims: scalar ? [] : [values.length], dataType: INT64, rawData: new Uint8Array(new BigInt64Array(values).buffer) };
}

function scalarInfo(name: string, elemType: number): onnxProto.onnx.ValueInfoProto {
  return onnx.ValueInfoProto.create({ name, type: { tensorType: { elemType, shape: { dim: [] } } } });
}

function node(opType: string, name: string, input: string[], output: string[], attribute: onnxProto.onnx.IAttributeProto[] = []): Node {
  return onnx.NodeProto.create({ opType, name: `${LOOP}${name}`, input, output, attribute });
}

/** Renames values in a node list and in every subgraph below it (If branches of merged decoders read outer names). */
function renameValues(nodes: onnxProto.onnx.INodeProto[], rename: Map<string, string>): void {
  const r = (name: string) => rename.get(name) ?? name;
  for (const n of nodes) {
    n.input = (n.input ?? []).map(r);
    n.output = (n.output ?? []).map(r);
    for (const a of n.attribute ?? []) {
      if (a.g) renameValues(a.g.node ?? [], rename);
      for (const g of a.graphs ?? []) renameValues(g.node ?? [], rename);
    }
  }
}

/**
 * Wraps the decoder graph in an ONNX `Loop` so that one `run()` makes `sciboard_decode_steps` forward passes,
 * each feeding the greedy token of the last (ArgMax inside the graph) with the KV cache carried from step to step
 * inside ONNX Runtime: no cache copies out to JavaScript and back between steps, and on a GPU no host round trip.
 *
 * The wrapped graph keeps the original inputs and outputs under their names, so with one step it is the same
 * forward pass as before (`logits` are the last step's; `present.*` the cache after the last step); it adds the
 * steps input and `sciboard_tokens`, [steps, batch, 1]. Returns why not when the graph does not fit (no KV cache,
 * an input it cannot advance) and leaves the graph as it was.
 */
export function addDecodeLoop(graph: Graph, opset: number): string | undefined {
  if (opset < 11) return `opset ${opset} is older than the Loop with scan outputs (11)`;
  const inputs = graph.input.filter((i) => i.name !== LOGITS_KEEP_INPUT);
  const outputs = new Map(graph.output.map((o) => [o.name!, o]));
  if (!graph.input.some((i) => i.name === LOGITS_KEEP_INPUT)) return 'the logits are not sliced to the last position';
  if (!outputs.has('logits')) return 'no logits output';
  const names = inputs.map((i) => i.name!);
  if (!names.includes('input_ids') || !names.includes('attention_mask')) return 'no input_ids / attention_mask inputs';
  if (!names.some((n) => n.startsWith('past_key_values.'))) return 'the graph has no KV cache inputs';

  // Inside the body every graph input and output gets a prefix, so no name shadows the outer graph's.
  const rename = new Map<string, string>();
  for (const n of names) rename.set(n, STEP + n);
  for (const o of outputs.keys()) rename.set(o, STEP + o);
  const logitsType = outputs.get('logits')!.type?.tensorType?.elemType ?? FLOAT;

  // What each carried input becomes for the next step.
  const next = new Map<string, string>();
  const carried: string[] = [];
  for (const n of names) {
    if (n === 'input_ids') next.set(n, `${STEP}next_ids`);
    else if (n === 'attention_mask') next.set(n, `${STEP}next_mask`);
    else if (n === 'position_ids') next.set(n, `${STEP}next_positions`);
    else if (n === 'use_cache_branch') next.set(n, `${STEP}use_cache`);
    else if (n.startsWith('past_key_values.')) {
      const present = n.replace('past_key_values.', 'present.');
      if (!outputs.has(present)) return `no output ${present} for input ${n}`;
      next.set(n, STEP + present);
    } else return `cannot advance the input ${n} from one step to the next`;
    carried.push(n);
  }

  // The body is the decoder's own node list (the outer graph keeps only the Loop).
  const bodyNodes = [...graph.node] as Node[];
  renameValues(bodyNodes, rename);
  const s = (n: string) => STEP + n;
  const ints = (name: string, i: number) => ({ name, type: INT, i });
  let lastLogits = `${STEP}last_logits`;
  bodyNodes.push(node('Slice', 'last_logits', [s('logits'), `${LOOP}minus_one`, `${LOOP}int_max`, `${LOOP}axis_1`], [lastLogits]));
  if (logitsType !== FLOAT) {
    bodyNodes.push(node('Cast', 'logits_float', [lastLogits], [`${STEP}last_logits_float`], [ints('to', FLOAT)]));
    lastLogits = `${STEP}last_logits_float`;
  }
  bodyNodes.push(
    // First index of the maximum, as the engine's own argmax picks.
    node('ArgMax', 'argmax', [lastLogits], [`${STEP}next_ids`], [ints('axis', -1), ints('keepdims', 0)]),
    node('Shape', 'ids_shape', [`${STEP}next_ids`], [`${STEP}ids_shape`]),
    node('ConstantOfShape', 'ones', [`${STEP}ids_shape`], [`${STEP}ones`], [{ name: 'value', type: TENSOR, t: int64Init('one', [1n]) }]),
    node('Concat', 'next_mask', [s('attention_mask'), `${STEP}ones`], [`${STEP}next_mask`], [ints('axis', 1)]),
    node('Identity', 'cond', [`${STEP}cond_in`], [`${STEP}cond_out`]),
    node('Identity', 'scan_ids', [`${STEP}next_ids`], [`${STEP}scan_ids`]),
  );
  if (names.includes('position_ids')) {
    bodyNodes.push(
      node('Slice', 'last_position', [s('position_ids'), `${LOOP}minus_one`, `${LOOP}int_max`, `${LOOP}axis_1`], [`${STEP}last_position`]),
      node('Add', 'next_positions', [`${STEP}last_position`, `${STEP}ones`], [`${STEP}next_positions`]),
    );
  }
  if (names.includes('use_cache_branch')) bodyNodes.push(node('Identity', 'use_cache', [`${LOOP}true`], [`${STEP}use_cache`]));

  const typeOf = (name: string) => graph.input.find((i) => i.name === name)?.type ?? outputs.get(name)?.type;
  const info = (name: string, type: onnxProto.onnx.ITypeProto | null | undefined) => onnx.ValueInfoProto.create({ name, type });
  const untyped = (name: string, elemType: number) => onnx.ValueInfoProto.create({ name, type: { tensorType: { elemType } } });
  // Carried values change shape between steps (the prompt, then one token; the cache grows): no fixed dims.
  const loose = (name: string, from: string) => untyped(name, typeOf(from)?.tensorType?.elemType ?? FLOAT);

  const body = onnx.GraphProto.create({
    name: `${graph.name ?? 'decoder'}_step`,
    node: bodyNodes,
    input: [
      scalarInfo(`${STEP}iteration`, INT64),
      scalarInfo(`${STEP}cond_in`, BOOL),
      ...carried.map((n) => loose(s(n), n)),
      untyped(`${STEP}previous_logits`, logitsType),
    ],
    output: [
      scalarInfo(`${STEP}cond_out`, BOOL),
      ...carried.map((n) => loose(next.get(n)!, n)),
      untyped(s('logits'), logitsType),
      untyped(`${STEP}scan_ids`, INT64),
    ],
    valueInfo: graph.valueInfo.map((v) => info(rename.get(v.name!) ?? v.name!, v.type)),
  });

  const finalName = (n: string) => (n.startsWith('past_key_values.') ? n.replace('past_key_values.', 'present.') : `${LOOP}final/${n}`);
  const loop = node(
    'Loop',
    'decode',
    [DECODE_STEPS_INPUT, `${LOOP}true`, ...carried, `${LOOP}no_logits`],
    [...carried.map(finalName), 'logits', DECODE_TOKENS_OUTPUT],
    [{ name: 'body', type: GRAPH, g: body }],
  );
  const emptyLogits: onnxProto.onnx.ITensorProto = { name: `${LOOP}no_logits`, dims: [0, 0, 0], dataType: logitsType };
  graph.initializer.push(
    int64Init(`${LOOP}minus_one`, [-1n]),
    int64Init(`${LOOP}int_max`, [9223372036854775807n]),
    int64Init(`${LOOP}axis_1`, [1n]),
    { name: `${LOOP}true`, dims: [], dataType: BOOL, int32Data: [1] },
    emptyLogits,
  );
  graph.node = [onnx.NodeProto.create(loop)];
  graph.valueInfo = [];
  graph.input.push(scalarInfo(DECODE_STEPS_INPUT, INT64));
  const keptOutputs = graph.output.filter((o) => o.name === 'logits' || o.name!.startsWith('present.'));
  for (const o of keptOutputs) {
    // The cache after several steps is longer than the input's, and logits keep their sliced length: loosen dims.
    const dims = o.type?.tensorType?.shape?.dim;
    if (dims) dims.forEach((d, i) => (dims[i] = onnx.TensorShapeProto.Dimension.create(d.dimValue ? { dimValue: d.dimValue } : { dimParam: `${o.name}_dim${i}` })));
  }
  graph.output = [...keptOutputs, onnx.ValueInfoProto.create({ name: DECODE_TOKENS_OUTPUT, type: { tensorType: { elemType: INT64 } } })];
  return undefined;
}
