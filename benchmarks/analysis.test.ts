/**
 * The benchmark's arithmetic on hand-computed cases: floors (weights and KV cache read per decode step), the split
 * of a generation's time, projections and their check against a timed unit, and the target logic.
 */
import { describe, expect, it } from 'vitest';
import {
  ceilingViolations,
  checkAgainstUnit,
  compareWithOracle,
  computedTokens,
  decodeTokens,
  floorSeconds,
  generationGroups,
  INT8_TEXT_AGREEMENT,
  kvBytesPerPosition,
  positiveDifference,
  projectionBasis,
  projectSeconds,
  speedup,
  spread,
  suiteTarget,
  summarise,
  targetStatus,
  TimingError,
  type WorkloadSummary,
  type WorkloadTokens,
} from './src/analysis.ts';
import type { ModelShape } from './src/models.ts';
import { lastRound, qwenModel, SIDE_BY_SIDE_BATCH, unitsOnly, workloadsForRound, type PeerPlan, type RunPlan } from './src/plan.ts';
import { targets, type ModelResult, type PeerResult } from './src/result.ts';
import type { SuiteTokens } from './src/suite-tokens.ts';

// A toy shape whose numbers are easy to follow by hand: qDim = heads · headDim = 4, fp32 weights
// 4 · (60 + 4 · 10) = 400 bytes, K and V of one cached position 4 bytes · 2 layers · 2 · 1 KV head · 2 = 32 bytes.
const shape: ModelShape = { layers: 2, hidden: 4, heads: 2, kvHeads: 1, headDim: 2, intermediate: 8, vocab: 10, parameters: 100, bodyParameters: 60 };
const roof = { matmul: { flopsPerSecond: 1000 }, bandwidth: { bytesPerSecond: 400 } };

const tokens = (over: Partial<WorkloadTokens>): WorkloadTokens => ({
  workload: 'w',
  kind: 'decode',
  items: 1,
  promptTokens: 0,
  contextTokens: 0,
  idealTokens: 0,
  scoredPositions: 0,
  attentionPairs: 0,
  decodeGroups: [],
  ...over,
});

describe('floorSeconds', () => {
  it('reads the weights and every row\'s KV cache once per decode step, at the read ceiling', () => {
    expect(kvBytesPerPosition(shape)).toBe(32);
    // Two rows holding 10 prompt tokens between them, two steps. Step 1 attends 10 + 2·1 = 12 positions:
    // (400 + 32·12) B / 400 B/s = 1.96 s against (2·100·2 + 4·2·4·12) FLOP / 1000 = 0.784 s. Step 2, 14 positions:
    // 848 / 400 = 2.12 s against 0.848 s. Weights alone would have said 1 s a step.
    const f = floorSeconds(tokens({ items: 2, decodeGroups: [{ rows: 2, cachedTokens: 10, steps: 2 }] }), shape, roof);
    expect(f.prompt).toBe(0);
    expect(f.decode).toBeCloseTo(1.96 + 2.12, 12);
    expect(f.total).toBeCloseTo(4.08, 12);
  });

  it('takes the step\'s FLOPs when they outweigh its reads', () => {
    // Ten rows, empty caches, one step: 10 positions → (400 + 320) / 400 = 1.8 s of reads against
    // (2·100·10 + 4·2·4·10) / 1000 = 2.32 s of arithmetic.
    const f = floorSeconds(tokens({ items: 10, decodeGroups: [{ rows: 10, cachedTokens: 0, steps: 1 }] }), shape, roof);
    expect(f.decode).toBeCloseTo(2.32, 12);
  });

  it('counts prompt FLOPs: the body per computed token, the LM head per scored position, attention pairs', () => {
    // 2·60·20 + 2·4·10·2 + 2·2·4·50 = 2400 + 160 + 800 = 3360 FLOP at 1000 FLOP/s.
    const f = floorSeconds(tokens({ kind: 'choice', idealTokens: 20, scoredPositions: 2, attentionPairs: 50 }), shape, roof);
    expect(f).toEqual({ prompt: 3.36, decode: 0, total: 3.36 });
  });

  it('refuses a ceiling that is not positive', () => {
    expect(() => floorSeconds(tokens({}), shape, { ...roof, bandwidth: { bytesPerSecond: 0 } })).toThrow(/ceilings must be positive/);
  });
});

describe('decode groups', () => {
  it('groups a generation\'s rows in batches, each decoding its longest limit less the first token', () => {
    expect(generationGroups([5, 7, 9], [4, 4, 4], 2)).toEqual([
      { rows: 2, cachedTokens: 12, steps: 3 },
      { rows: 1, cachedTokens: 9, steps: 3 },
    ]);
    expect(decodeTokens({ decodeGroups: generationGroups([5, 7, 9], [4, 4, 4], 2) })).toBe(9);
    // One-token generations decode nothing after their first token.
    expect(generationGroups([5], [1], 4)).toEqual([]);
  });
});

describe('splitting a generation into prompt work and decoding', () => {
  const gen = tokens({ kind: 'generation', workload: 'gsm8k', items: 2, promptTokens: 12, decodeGroups: [{ rows: 2, cachedTokens: 12, steps: 3 }] });
  const floor = { prompt: 1, decode: 3, total: 4 };

  it('takes the decode rate from the full call minus the one-token call, round by round', () => {
    const s = summarise(
      [
        { workload: 'gsm8k', seconds: 10, ttftSeconds: 4, items: 2, generatedTokens: 8 },
        { workload: 'gsm8k', seconds: 8, ttftSeconds: 5, items: 2, generatedTokens: 8 },
      ],
      gen,
      floor,
    );
    // Rounds: 6 tokens after the first in 10 − 4 = 6 s and in 8 − 5 = 3 s.
    expect(s.decodeSeconds).toEqual({ median: 4.5, min: 3, max: 6, n: 2 });
    expect(s.decodeTokensPerSecond).toEqual({ median: 1.5, min: 1, max: 2, n: 2 });
    expect(s.ttftSeconds!.median).toBe(4.5);
    expect(s.decodeRooflineFraction).toBeCloseTo(3 / 4.5, 12);
    expect(s.rooflineFraction).toBeCloseTo(4 / 9, 12);
  });

  it('fails when a subtraction reaches zero or goes negative, instead of clamping it', () => {
    expect(() => summarise([{ workload: 'gsm8k', seconds: 4, ttftSeconds: 4, items: 2, generatedTokens: 8 }], gen, floor)).toThrow(TimingError);
    expect(() => summarise([{ workload: 'gsm8k', seconds: 4, ttftSeconds: 5, items: 2, generatedTokens: 8 }], gen, floor, { label: 'x' })).toThrow(/x gsm8k: 4.000 s − 5.000 s/);
    expect(() => positiveDifference(1, 1, 'w')).toThrow(/not positive/);
    expect(positiveDifference(3, 1, 'w')).toBe(2);
  });

  it('leaves out the roofline share where the fp32 ceiling does not apply (int8)', () => {
    const s = summarise([{ workload: 'gsm8k', seconds: 10, ttftSeconds: 4, items: 2, generatedTokens: 8 }], gen, floor, { ceilingApplies: false });
    expect(s.rooflineFraction).toBeUndefined();
    expect(s.decodeRooflineFraction).toBeUndefined();
  });
});

describe('ceiling check', () => {
  it('names every share above 100% and nothing else', () => {
    const rows = [
      { label: 'sciboard', workload: 'decode_32_b1', share: 1.08 },
      { label: 'sciboard', workload: 'prefill_600', share: 0.99 },
      { label: 'sciboard:int8', workload: 'prefill_600', share: undefined },
    ];
    expect(ceilingViolations(rows)).toEqual(['sciboard decode_32_b1: 108% of its floor']);
  });
});

describe('projections', () => {
  const suite: SuiteTokens = { suite: 'mmlu', items: 2, tokenizer: 't', tasks: [{ task: 't', sharedPrefix: 100, itemTokens: [10, 20], choices: 4 }] };
  const fast = { groupContexts: true, prefixCache: true };
  const seconds = (median: number, n = 1) => ({ median, min: median, max: median, n });

  it('scales a multiple-choice slice\'s seconds per computed token to the suite\'s computed tokens', () => {
    // 2 s for 100 computed tokens: 0.02 s each; the suite computes 100 + 10 + 20 = 130 with the prefix cache.
    const basis = projectionBasis(tokens({ kind: 'choice', workload: 'mmlu_5shot' }), { seconds: seconds(2) }, 100, 8);
    expect(basis).toEqual({ workload: 'mmlu_5shot', batch: 8, promptSecondsPerToken: 0.02 });
    expect(projectSeconds(basis, suiteTarget(suite, fast))).toBeCloseTo(2.6, 12);
    // Without grouping and prefix cache every choice recomputes the prefix: 4 · (110 + 120) = 920 tokens.
    expect(computedTokens(suite, {})).toBe(920);
    expect(projectSeconds(basis, suiteTarget(suite, {}))).toBeCloseTo(18.4, 12);
  });

  it('projects generation from its own prompt and decode rates, 255 decoded tokens per item', () => {
    const gen = tokens({ kind: 'generation', workload: 'gsm8k_cot_8shot', items: 2, decodeGroups: [{ rows: 2, cachedTokens: 300, steps: 3 }] });
    // One-token call 3 s over 300 computed tokens; 6 s decoding 2 · 3 tokens.
    const basis = projectionBasis(gen, { seconds: seconds(9), ttftSeconds: seconds(3), decodeSeconds: seconds(6) }, 300, 8);
    expect(basis.promptSecondsPerToken).toBeCloseTo(0.01, 12);
    expect(basis.decodeSecondsPerToken).toBe(1);
    const gsm8k: SuiteTokens = { suite: 'gsm8k', items: 3, tokenizer: 't', tasks: [{ task: 'g', sharedPrefix: 100, itemTokens: [50, 50, 50], choices: 1 }] };
    const target = suiteTarget(gsm8k, fast, 256);
    expect(target).toEqual({ promptTokens: 250, decodeTokens: 765 });
    expect(projectSeconds(basis, target)).toBeCloseTo(2.5 + 765, 9);
  });

  it('has no generation basis without the split, and no decode projection without a decode rate', () => {
    const gen = tokens({ kind: 'generation', items: 2, decodeGroups: [{ rows: 2, cachedTokens: 30, steps: 3 }] });
    expect(() => projectionBasis(gen, { seconds: seconds(9) }, 300)).toThrow(/timed apart/);
    expect(() => projectSeconds({ workload: 'm', promptSecondsPerToken: 1 }, { promptTokens: 1, decodeTokens: 1 })).toThrow(/no decode rate/);
    expect(() => projectionBasis(tokens({ kind: 'choice' }), { seconds: seconds(1) }, 0)).toThrow(/no prompt tokens/);
  });

  it('checks a projection against a fully timed unit: measured over projected', () => {
    const c = checkAgainstUnit('sciboard', 'unit', { workload: 'slice', batch: 8, promptSecondsPerToken: 0.01, decodeSecondsPerToken: 0.5 }, { promptTokens: 1000, decodeTokens: 100 }, 120);
    // Projected 10 + 50 = 60 s; measured 120 s: the projection was optimistic by 2×.
    expect(c.projectedSeconds).toBe(60);
    expect(c.ratio).toBe(2);
    expect(c.basis).toBe('slice at batch 8: 100 computed prompt tok/s, 2.0 decoded tok/s');
  });
});

describe('side by side and target status', () => {
  it('compares medians only when both peers ran the same number of rounds', () => {
    const a = { seconds: { median: 2, min: 1, max: 3, n: 1 } };
    const b = { seconds: { median: 14, min: 14, max: 14, n: 1 } };
    expect(speedup(a, b)).toEqual({ value: 7, note: 'median of 1 round each' });
    expect(speedup({ seconds: { ...a.seconds, n: 5 } }, b)).toEqual({ value: null, note: 'rounds differ (5 vs 1)' });
    expect(speedup(a, undefined).value).toBeNull();
  });

  it('never calls a projected value met', () => {
    expect(targetStatus(7, (v) => v >= 6)).toBe('met');
    expect(targetStatus(5, (v) => v >= 6)).toBe('not met');
    expect(targetStatus(0.8, (v) => v <= 1, true)).toBe('projected within goal');
    expect(targetStatus(1.2, (v) => v <= 1, true)).toBe('projected over goal');
    expect(targetStatus(null, () => true)).toBe('not measured');
  });

  it('fails int8 texts below the stated agreement', () => {
    const oracle = { workload: 'gsm8k', seconds: 1, items: 4, texts: ['a', 'b', 'c', 'd'] };
    expect(INT8_TEXT_AGREEMENT).toBe(0.5);
    expect(compareWithOracle('int8', oracle, { ...oracle, texts: ['a', 'b', 'x', 'y'] }, true)).toMatchObject({ sameTexts: 2, pass: true });
    expect(compareWithOracle('int8', oracle, { ...oracle, texts: ['a', 'x', 'y', 'z'] }, true)).toMatchObject({ sameTexts: 1, pass: false });
  });

  it('reads the goals off the units, the load times and the projections', () => {
    const w = (workload: string, median: number, n = 1, items = 1): WorkloadSummary => ({
      workload,
      items,
      seconds: { median, min: median, max: median, n },
      itemsPerSecond: items / median,
      promptTokensPerSecond: 0,
      floorSeconds: 0,
    });
    const peer = (label: string, kind: PeerResult['peer'], workloads: WorkloadSummary[], extra: Partial<PeerResult> = {}): PeerResult => ({
      label,
      peer: kind,
      rounds: 1,
      loadSeconds: spread([1]),
      firstLoadSeconds: 1,
      maxRssMb: spread([1]),
      details: {},
      workloads,
      ...extra,
    });
    const mmluUnit = 'unit_mmlu_college_physics_5shot';
    const gsmSide = `unit_gsm8k_32x256_b${SIDE_BY_SIDE_BATCH}`;
    const model: ModelResult = {
      name: 'qwen2_5_0_5b',
      shape,
      evalBatch: 8,
      workloads: [],
      oracle: [{ label: 'sciboard', workload: 'mmlu_5shot', compared: 1, pass: true }],
      ceilingViolations: [],
      peers: [
        peer('transformers.js', 'transformers', [w(mmluUnit, 420, 1, 102), w(gsmSide, 250, 1, 32)]),
        peer('sciboard', 'sciboard', [w(mmluUnit, 60, 1, 102), w('decode_32_b1', 3, 5), w('prefill_600', 1, 5)], {
          batchSize: 8,
          rounds: 5,
          loadSeconds: spread([4, 2, 2.5, 3, 2.4]),
          firstLoadSeconds: 4,
          warmLoadSeconds: spread([2, 2.5, 3, 2.4]),
        }),
        peer(`sciboard:b${SIDE_BY_SIDE_BATCH}`, 'sciboard', [w(gsmSide, 100, 2, 32)], { batchSize: SIDE_BY_SIDE_BATCH }),
      ],
      projections: [
        { label: 'sciboard', suite: 'mmlu (test, 5-shot)', hours: 0.8, from: 'unit', basis: '' },
        { label: 'sciboard', suite: 'mmlu (test, 5-shot)', hours: 0.5, from: 'slice', basis: '' },
        { label: 'sciboard', suite: 'gsm8k_cot (test, 8-shot)', hours: 2, from: 'unit', basis: '' },
      ],
      unitChecks: [{ label: 'sciboard', unit: mmluUnit, projectedSeconds: 40, measuredSeconds: 60, ratio: 1.5, basis: '' }],
    };
    model.peers[1]!.workloads.find((x) => x.workload === 'decode_32_b1')!.rooflineFraction = 0.4;
    model.peers[1]!.workloads.find((x) => x.workload === 'prefill_600')!.rooflineFraction = 0.7;
    const byTarget = Object.fromEntries(targets([model]).map((t) => [t.target.split(' (')[0]!.split(',')[0]!, t]));
    // 420 / 60 = 7× in one round each.
    expect(byTarget['timed MMLU subject']).toMatchObject({ value: 7, status: 'met' });
    // The engine ran the GSM8K unit twice, transformers.js once: no ratio is set beside the other.
    expect(byTarget['GSM8K unit']).toMatchObject({ value: null, status: 'not measured', note: 'rounds differ (2 vs 1)' });
    expect(byTarget['model load']).toMatchObject({ value: 2.45, status: 'met' });
    expect(byTarget['full MMLU']).toMatchObject({ value: 0.8, status: 'projected within goal', met: true });
    expect(byTarget['full MMLU']!.note).toContain('×1.50');
    expect(byTarget['full GSM8K']).toMatchObject({ value: 2, status: 'projected over goal' });
    expect(byTarget['batch-1 decode share of the read-bandwidth roofline']).toMatchObject({ value: 0.4, status: 'not met' });
    expect(byTarget['prefill share of the MatMul roofline']).toMatchObject({ value: 0.7, status: 'met' });
    expect(byTarget['engine results identical to the naive oracle']).toMatchObject({ value: 1, status: 'met' });
  });
});

describe('plan', () => {
  it('runs units in their rounds only, once-only workloads in the first round, and ends a peer after its last work', () => {
    const peer: PeerPlan = { label: 'p', peer: 'sciboard', workloads: ['a', 'once', 'unit_x'], onceWorkloads: ['once'] };
    const names = ['a', 'once', 'unit_x', 'other'];
    expect(workloadsForRound(peer, names, 0, 1)).toEqual(['a', 'once', 'unit_x']);
    expect(workloadsForRound(peer, names, 1, 1)).toEqual(['a']);
    expect(workloadsForRound(peer, names, 1, 2)).toEqual(['a', 'unit_x']);
    expect(lastRound(peer, names, 5, 1)).toBe(4);
    expect(lastRound({ ...peer, workloads: ['once', 'unit_x'] }, names, 5, 1)).toBe(0);
    expect(lastRound({ ...peer, workloads: ['unit_x'] }, names, 5, 0)).toBe(-1);
  });

  it('adds a batch-16 peer for the micro-benchmarks and a side-by-side peer only when the default batch differs', () => {
    const labels = (b: number) => qwenModel(b, true).peers.map((p) => p.label);
    expect(labels(8)).toEqual(expect.arrayContaining(['sciboard', 'sciboard:b16', `sciboard:b${SIDE_BY_SIDE_BATCH}`]));
    expect(labels(16)).not.toContain('sciboard:b16');
    expect(labels(SIDE_BY_SIDE_BATCH)).not.toContain(`sciboard:b${SIDE_BY_SIDE_BATCH}`);
    const m = qwenModel(8, true);
    expect(m.sizes).toMatchObject({ generationItems: 8, generationBatch: 8, splitGeneration: true });
    expect(m.sizes.units!.gsm8k).toEqual({ items: 32, tokens: 256, batches: [SIDE_BY_SIDE_BATCH, 8] });
    // transformers.js and the engine run the side-by-side unit at the same batch.
    const side = `unit_gsm8k_32x256_b${SIDE_BY_SIDE_BATCH}`;
    expect(m.peers.filter((p) => p.workloads?.includes(side)).map((p) => p.label).sort()).toEqual([`sciboard:b${SIDE_BY_SIDE_BATCH}`, 'transformers.js']);
  });

  it('cuts a plan to its units', () => {
    const plan: RunPlan = { mode: 'full', rounds: 5, unitRounds: 2, evalBatch: 8, models: [qwenModel(8, true)] };
    const only = unitsOnly(plan);
    expect(only.rounds).toBe(2);
    expect(only.models[0]!.peers.map((p) => p.label).sort()).toEqual(['sciboard', `sciboard:b${SIDE_BY_SIDE_BATCH}`, 'transformers.js']);
    expect(only.models[0]!.peers.every((p) => p.workloads!.every((x) => x.startsWith('unit_')))).toBe(true);
  });
});
