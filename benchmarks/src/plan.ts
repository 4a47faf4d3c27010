import type { ShapeName } from './models.ts';
import type { FastSwitches, PeerKind } from './protocol.ts';
import type { WorkloadSizes } from './workloads.ts';

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
}

export interface RunPlan {
  mode: 'quick' | 'full';
  rounds: number;
  models: ModelPlan[];
}

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
export function planFor(mode: 'quick' | 'full', rounds?: number): RunPlan {
  if (mode === 'quick') {
    return {
      mode,
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
      {
        shape: 'qwen2_5_0_5b',
        sizes: {
          choiceItems: 1,
          // Four GSM8K prompts at batch 4: a task's prompts share their 8-shot exemplars, which one item cannot show
          // and a whole suite shows far more; four is what the budget allows transformers.js and the oracle.
          generationItems: 4,
          generationTokens: 16,
          generationBatch: 4,
          prefillTokens: 600,
          decodeTokens: 32,
          decodeBatches: [1, 16],
          gsm8kDecode: { tokens: 32, batch: 16 },
        },
        peers: [
          { label: 'naive', peer: 'naive', workloads: ['mmlu_5shot', 'gsm8k_cot_8shot'], firstRoundOnly: true },
          {
            label: 'transformers.js',
            peer: 'transformers',
            workloads: ['mmlu_5shot', 'gsm8k_cot_8shot', 'prefill_600', 'decode_32_b1'],
            // The two targets' denominators run every round; the micro-benchmarks are informative.
            onceWorkloads: ['prefill_600', 'decode_32_b1'],
          },
          // The decode loop's before and after on this shape: one round (the small model has it every round).
          { ...refillRung(['gsm8k_cot_8shot', 'decode_32_b16_gsm8k']), firstRoundOnly: true },
          {
            label: 'sciboard',
            peer: 'sciboard',
            fast: allOn,
            // decode_32_b16_gsm8k every round: the GSM8K projection's decode rate is its median. The same batch after
            // short prompts is there for comparison, once.
            workloads: ['mmlu_5shot', 'gsm8k_cot_8shot', 'prefill_600', 'decode_32_b1', 'decode_32_b16', 'decode_32_b16_gsm8k'],
            onceWorkloads: ['decode_32_b16'],
          },
          { label: 'sciboard:int8', peer: 'sciboard', fast: allOn, int8: true, workloads: ['mmlu_5shot', 'gsm8k_cot_8shot', 'prefill_600', 'decode_32_b1'], firstRoundOnly: true },
        ],
      },
      cliSmallModel,
    ],
  };
}
