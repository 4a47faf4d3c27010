import type { ShapeName } from './models.ts';
import type { FastSwitches, PeerKind } from './protocol.ts';
import { isUnit, unitNames, type WorkloadSizes } from './workloads.ts';

export interface PeerPlan {
  label: string;
  peer: PeerKind;
  fast?: FastSwitches;
  /** int8 weights: compared with the float32 oracle within a tolerance, not for identity. */
  int8?: boolean;
  /** Workload names this peer runs; all of them when absent. */
  workloads?: string[];
  /** Choice and generation workloads cut to their first N items (the naive oracle's small slice). */
  itemLimit?: number;
  /**
   * Only in the first round: the oracle's outputs are needed once, and peers whose timing is informative rather
   * than a target's (int8, the rung before the decode loop on the large shape) fit the 10-minute budget that way.
   */
  firstRoundOnly?: boolean;
  /** Workloads this peer runs in the first round only (long ones whose single timing is informative). */
  onceWorkloads?: string[];
  /** The engine's rows per forward (`--batch-size`); default the largest batch the model's workloads use. */
  batchSize?: number;
}

export interface ModelPlan {
  shape: ShapeName;
  sizes: WorkloadSizes;
  peers: PeerPlan[];
  /**
   * Each peer in a new process every round (the model loaded every round, so load time has a spread), instead of
   * one process from a peer's first round to its last. For the 0.5B shape, where peers hold 3–11 GB each and
   * several kept alive at once would not fit beside other work on a shared machine, and for the `score` workload,
   * where a process's own placement in memory made identical work differ by ~10% for the whole run.
   */
  freshProcessPerRound?: boolean;
  /** Project the full suites (MMLU, GSM8K) from this model's slices and check them against its timed units. */
  projections?: boolean;
}

export interface RunPlan {
  mode: 'quick' | 'full';
  rounds: number;
  /** Rounds in which the fully timed units run (every peer that has them runs them in the same rounds). */
  unitRounds: number;
  /** The batch size `sciboard eval` uses by default: the GSM8K slice and the engine's own unit run at it. */
  evalBatch: number;
  /** How `evalBatch` was found (the CLI's stated default, the engine's pick and its reason, or `--eval-batch`). */
  evalBatchReason?: string;
  models: ModelPlan[];
}

/**
 * The batch at which transformers.js and the engine generate the GSM8K unit side by side. transformers.js computes
 * full-vocabulary logits at every prompt position (no `num_logits_to_keep` in these graphs): at batch 16 after
 * ~850-token prompts that is 8.3 GB of logits per prefill, at 8 about 4 GB, more than a shared 24 GB machine can
 * give one peer beside the others. At 4 its process peaks near 11 GB.
 */
export const SIDE_BY_SIDE_BATCH = 4;

const allOn: FastSwitches = { sliceLogits: true, groupContexts: true, prefixCache: true, refill: true, decodeLoop: true };
/** Everything but the decode loop: one greedy step per run, the KV cache copied out and back each time. */
const stepwise: FastSwitches = { ...allOn, decodeLoop: false };

/** The ablation ladder: each rung switches one more optimisation on; the last rung is the engine as shipped. */
export const ladder: { label: string; fast: FastSwitches }[] = [
  { label: 'sciboard:none', fast: { sliceLogits: false, groupContexts: false, prefixCache: false, refill: false, decodeLoop: false } },
  { label: 'sciboard:+sliceLogits', fast: { sliceLogits: true, groupContexts: false, prefixCache: false, refill: false, decodeLoop: false } },
  { label: 'sciboard:+groupContexts', fast: { sliceLogits: true, groupContexts: true, prefixCache: false, refill: false, decodeLoop: false } },
  { label: 'sciboard:+prefixCache', fast: { sliceLogits: true, groupContexts: true, prefixCache: true, refill: false, decodeLoop: false } },
];

/** The rung before the shipped engine: it differs only by the decode loop, so it runs generation workloads only. */
const refillRung = (workloads: string[]): PeerPlan => ({ label: 'sciboard:+refill', peer: 'sciboard', fast: stepwise, workloads });

/**
 * `sciboard score` on 80 requests of 5-shot MMLU (college physics and high-school chemistry, 10 questions each)
 * with the model `sciboard tiny-model --layers 8 --hidden 512 --seed 1` writes: the engine at batch 1, 8 (the
 * CLI's default) and 32 against transformers.js (every round: a target's denominator) and the naive oracle.
 */
const MIXED_MMLU = { name: 'mmlu_2x10_5shot', tasks: ['mmlu_college_physics', 'mmlu_high_school_chemistry'], items: 10 };

export const cliSmallModel: ModelPlan = {
  shape: 'cli_small',
  // A new process per round, as `sciboard score` is one: the batch sizes are compared across rounds of fresh
  // processes rather than three processes kept for the whole run (kept processes ran identical calls 10% apart).
  freshProcessPerRound: true,
  sizes: { choiceItems: 1, generationItems: 0, generationTokens: 1, generationBatch: 1, prefillTokens: 600, decodeTokens: 2, decodeBatches: [], mixedMmlu: MIXED_MMLU },
  peers: [
    { label: 'naive', peer: 'naive', workloads: [MIXED_MMLU.name], firstRoundOnly: true },
    { label: 'transformers.js', peer: 'transformers', workloads: [MIXED_MMLU.name] },
    { label: 'sciboard:b1', peer: 'sciboard', fast: allOn, batchSize: 1, workloads: [MIXED_MMLU.name] },
    { label: 'sciboard', peer: 'sciboard', fast: allOn, batchSize: 8, workloads: [MIXED_MMLU.name] },
    { label: 'sciboard:b32', peer: 'sciboard', fast: allOn, batchSize: 32, workloads: [MIXED_MMLU.name] },
  ],
};

const ladderPeers = (workloads?: string[]): PeerPlan[] => ladder.map((r) => ({ label: r.label, peer: 'sciboard' as const, fast: r.fast, workloads }));

/**
 * What runs where. The 10-minute budget on two shared cores decides the slices: on the 0.5B shape one 5-shot
 * MMLU question costs transformers.js and the naive baseline four ~600-token forwards with full logits (~15 s)
 * and a decode step streams 2 GB, so there decode runs 32 tokens at batch 1 and 16, and the ladder is measured on
 * the small model only. The naive oracle's timing is informative only: it runs in the first round.
 */
export function planFor(mode: 'quick' | 'full', rounds?: number, options: { evalBatch?: number; units?: boolean; unitRounds?: number } = {}): RunPlan {
  const evalBatch = options.evalBatch ?? 8;
  const units = options.units ?? true;
  const unitRounds = units ? (options.unitRounds ?? 1) : 0;
  if (mode === 'quick') {
    return {
      mode,
      evalBatch,
      unitRounds: 0,
      rounds: rounds ?? 2,
      models: [
        {
          shape: 'small',
          sizes: { choiceItems: 1, generationItems: 2, generationTokens: 8, generationBatch: 2, prefillTokens: 600, decodeTokens: 16, decodeBatches: [1, 4] },
          peers: [
            { label: 'naive', peer: 'naive', itemLimit: 1, workloads: ['mmlu_5shot', 'ceval_5shot', 'gsm8k_cot_8shot', 'decode_16_b1'] },
            { label: 'transformers.js', peer: 'transformers', workloads: ['mmlu_5shot', 'gsm8k_cot_8shot', 'prefill_600', 'decode_16_b1'] },
            ...ladderPeers(['mmlu_5shot', 'gsm8k_cot_8shot']),
            refillRung(['gsm8k_cot_8shot', 'decode_16_b4']),
            { label: 'sciboard', peer: 'sciboard', fast: allOn },
            { label: 'sciboard:int8', peer: 'sciboard', fast: allOn, int8: true, workloads: ['mmlu_5shot', 'gsm8k_cot_8shot', 'decode_16_b1'] },
          ],
        },
      ],
    };
  }
  return {
    mode,
    evalBatch,
    unitRounds,
    rounds: rounds ?? 5,
    models: [
      {
        shape: 'small',
        sizes: { choiceItems: 1, generationItems: 2, generationTokens: 16, generationBatch: 2, prefillTokens: 600, decodeTokens: 128, decodeBatches: [1, 4, 16] },
        peers: [
          { label: 'naive', peer: 'naive', workloads: ['mmlu_5shot', 'ceval_5shot', 'gsm8k_cot_8shot', 'minerva_math_4shot'], firstRoundOnly: true },
          // On this shape transformers.js is a second opinion, not a target's denominator: one round.
          { label: 'transformers.js', peer: 'transformers', workloads: ['mmlu_5shot', 'gsm8k_cot_8shot'], firstRoundOnly: true },
          ...ladderPeers(['mmlu_5shot', 'gsm8k_cot_8shot', 'prefill_600']),
          refillRung(['gsm8k_cot_8shot']),
          { label: 'sciboard', peer: 'sciboard', fast: allOn },
          { label: 'sciboard:int8', peer: 'sciboard', fast: allOn, int8: true, workloads: ['mmlu_5shot', 'ceval_5shot', 'gsm8k_cot_8shot', 'minerva_math_4shot', 'prefill_600', 'decode_128_b1'], firstRoundOnly: true },
        ],
      },
      qwenModel(evalBatch, units),
      cliSmallModel,
    ],
  };
}

/**
 * The 0.5B shape, where the goals are stated. `evalBatch` is `sciboard eval`'s default batch: the GSM8K slice holds
 * that many prompts, timed in two calls (prompt work, then decoding), so the projections' decode rate is the
 * engine's at the batch and cache length a GSM8K run has. The fully timed units (a whole MMLU subject; 32 GSM8K
 * questions × 256 tokens) run in the first `unitRounds` rounds: the engine at its default batch (the check of the
 * projections) and, with transformers.js, at `SIDE_BY_SIDE_BATCH` (the side-by-side). Micro-benchmarks that need
 * 16 rows run in a peer of batch 16 when the default is smaller.
 */
export function qwenModel(evalBatch: number, units: boolean): ModelPlan {
  const unitMmlu = unitNames.mmlu(UNIT_MMLU_TASK);
  const unitGsm8k = (batch: number) => unitNames.gsm8k(UNIT_GSM8K.items, UNIT_GSM8K.tokens, batch);
  const ownUnits = units ? [unitMmlu, unitGsm8k(evalBatch)] : [];
  const micro = ['prefill_600', 'decode_32_b1', 'decode_32_b16', 'decode_32_b16_gsm8k'];
  const separateMicro = evalBatch < 16;
  const peers: PeerPlan[] = [
    // The oracle on the first four GSM8K prompts (one at a time, 32 tokens each) and the MMLU question.
    { label: 'naive', peer: 'naive', workloads: ['mmlu_5shot', 'gsm8k_cot_8shot'], itemLimit: 4, firstRoundOnly: true },
    {
      label: 'transformers.js',
      peer: 'transformers',
      // No GSM8K slice: at the default batch its full-vocabulary logits would not fit (see SIDE_BY_SIDE_BATCH); its
      // GSM8K figure is the unit at the side-by-side batch. The micro-benchmarks are informative: first round.
      workloads: ['mmlu_5shot', 'prefill_600', 'decode_32_b1', ...(units ? [unitMmlu, unitGsm8k(SIDE_BY_SIDE_BATCH)] : [])],
      onceWorkloads: ['mmlu_5shot', 'prefill_600', 'decode_32_b1'],
    },
    // The decode loop's before and after on this shape: one round (the small model has it every round).
    { label: 'sciboard:+refill', peer: 'sciboard', fast: stepwise, workloads: ['gsm8k_cot_8shot'], firstRoundOnly: true, batchSize: evalBatch },
    {
      label: 'sciboard',
      peer: 'sciboard',
      fast: allOn,
      batchSize: evalBatch,
      workloads: ['mmlu_5shot', 'gsm8k_cot_8shot', ...(separateMicro ? [] : micro), ...ownUnits],
      // The same batch after short prompts is there for comparison, once.
      onceWorkloads: ['decode_32_b16'],
    },
    ...(separateMicro
      ? [{ label: 'sciboard:b16', peer: 'sciboard' as const, fast: allOn, batchSize: 16, workloads: micro, onceWorkloads: ['decode_32_b16'] }]
      : []),
    ...(units && evalBatch !== SIDE_BY_SIDE_BATCH
      ? [{ label: `sciboard:b${SIDE_BY_SIDE_BATCH}`, peer: 'sciboard' as const, fast: allOn, batchSize: SIDE_BY_SIDE_BATCH, workloads: [unitGsm8k(SIDE_BY_SIDE_BATCH)] }]
      : []),
    { label: 'sciboard:int8', peer: 'sciboard', fast: allOn, int8: true, batchSize: evalBatch, workloads: ['mmlu_5shot', 'gsm8k_cot_8shot', 'prefill_600', 'decode_32_b1'], firstRoundOnly: true },
  ];
  return {
    shape: 'qwen2_5_0_5b',
    sizes: {
      choiceItems: 1,
      generationItems: evalBatch,
      generationTokens: 32,
      generationBatch: evalBatch,
      splitGeneration: true,
      prefillTokens: 600,
      decodeTokens: 32,
      decodeBatches: [1, 16],
      gsm8kDecode: { tokens: 32, batch: 16 },
      ...(units ? { units: { mmluTask: UNIT_MMLU_TASK, gsm8k: { ...UNIT_GSM8K, batches: [SIDE_BY_SIDE_BATCH, evalBatch] } } } : {}),
    },
    peers,
    freshProcessPerRound: true,
    projections: true,
  };
}

/** The fully timed units: a whole MMLU subject (102 questions), and 32 GSM8K questions with 256 tokens each. */
export const UNIT_MMLU_TASK = 'mmlu_college_physics';
export const UNIT_GSM8K = { items: 32, tokens: 256 };

/** The peer's workloads in a round: once-only ones in the first round, units in the first `unitRounds`. */
export function workloadsForRound(peer: PeerPlan, names: string[], round: number, unitRounds: number): string[] {
  return names
    .filter((w) => !peer.workloads || peer.workloads.includes(w))
    .filter((w) => round === 0 || !peer.onceWorkloads?.includes(w))
    .filter((w) => !isUnit(w) || round < unitRounds);
}

/** The last round in which a peer has work (its process can end after it); -1 when it has none. */
export function lastRound(peer: PeerPlan, names: string[], rounds: number, unitRounds: number): number {
  if (peer.firstRoundOnly) return workloadsForRound(peer, names, 0, unitRounds).length > 0 ? 0 : -1;
  for (let r = rounds - 1; r >= 0; r--) if (workloadsForRound(peer, names, r, unitRounds).length > 0) return r;
  return -1;
}

/** Only the fully timed units: every peer cut to its unit workloads, peers without any left out. */
export function unitsOnly(plan: RunPlan): RunPlan {
  const models = plan.models
    .map((m) => ({
      ...m,
      peers: m.peers
        .map((p) => ({ ...p, firstRoundOnly: false, workloads: (p.workloads ?? []).filter(isUnit) }))
        .filter((p) => p.workloads.length > 0),
    }))
    .filter((m) => m.peers.length > 0);
  return { ...plan, rounds: plan.unitRounds, models };
}
