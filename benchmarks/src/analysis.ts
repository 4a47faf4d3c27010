import type { ModelShape } from './models.ts';
import type { FastSwitches, PeerReport, WorkloadMeasurement } from './protocol.ts';
import type { Roofline } from './roofline.ts';
import type { SuiteTokens } from './suite-tokens.ts';
import type { Workload } from './workloads.ts';

export interface Spread {
  median: number;
  min: number;
  max: number;
  n: number;
}

export function spread(values: number[]): Spread {
  if (values.length === 0) return { median: NaN, min: NaN, max: NaN, n: 0 };
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return { median: s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2, min: s[0]!, max: s[s.length - 1]!, n: s.length };
}

/** Token facts of a workload, counted with the model's tokenizer once, shared by every peer's rates. */
export interface WorkloadTokens {
  workload: string;
  kind: Workload['kind'];
  items: number;
  /** lm-eval request tokens: context + continuation per choice, or the prompt of each generation row. */
  promptTokens: number;
  /** Sum of the prompts' (contexts') own lengths, each counted once. */
  contextTokens: number;
  /** Tokens an ideal engine computes: the shared few-shot prefix once, each item's remainder once. */
  idealTokens: number;
  /** Positions whose logits must reach the vocabulary. */
  scoredPositions: number;
  /** Sum over sequences of (length² − shared prefix²): the causal attention work. */
  attentionPairs: number;
  /** Greedy steps an ideal engine runs (rows decode together). */
  decodeSteps: number;
  decodeRows: number;
}

function commonPrefixLength(seqs: number[][]): number {
  if (seqs.length < 2) return 0;
  let n = Math.min(...seqs.map((s) => s.length));
  for (const s of seqs) {
    let i = 0;
    while (i < n && s[i] === seqs[0]![i]) i++;
    n = i;
  }
  return n;
}

export function workloadTokens(w: Workload, encode: (s: string) => number[]): WorkloadTokens {
  const base = { workload: w.name, kind: w.kind, decodeSteps: 0, decodeRows: 0 };
  const ideal = (seqs: number[][]) => {
    const shared = commonPrefixLength(seqs);
    return {
      idealTokens: shared + seqs.reduce((n, s) => n + s.length - shared, 0),
      attentionPairs: seqs.reduce((n, s) => n + s.length ** 2 - shared ** 2, shared ** 2),
    };
  };
  switch (w.kind) {
    case 'choice': {
      const contexts = w.items.map((i) => encode(i.context));
      const continuations = w.items.map((i) => i.continuations.map((c) => encode(i.context + c).length - encode(i.context).length));
      const extra = continuations.reduce((n, cs) => n + cs.reduce((m, c) => m + Math.max(0, c - 1), 0), 0);
      // Each task's own exemplars once: a workload mixing tasks shares a prefix only within a task.
      const tasks = [...new Set(w.items.map((i) => i.task ?? ''))];
      const perTask = tasks.map((task) => ideal(contexts.filter((_, k) => (w.items[k]!.task ?? '') === task)));
      const idealTokens = perTask.reduce((n, t) => n + t.idealTokens, 0);
      const attentionPairs = perTask.reduce((n, t) => n + t.attentionPairs, 0);
      return {
        ...base,
        items: w.items.length,
        promptTokens: contexts.reduce((n, c, i) => n + w.items[i]!.continuations.length * c.length, 0) + continuations.flat().reduce((a, b) => a + b, 0),
        contextTokens: contexts.reduce((n, c) => n + c.length, 0),
        idealTokens: idealTokens + extra,
        scoredPositions: w.items.length + extra,
        attentionPairs,
      };
    }
    case 'generation': {
      const contexts = w.items.map((i) => encode(i.context));
      const rows = Math.min(w.batchSize, w.items.length);
      return {
        ...base,
        items: w.items.length,
        promptTokens: contexts.reduce((n, c) => n + c.length, 0),
        contextTokens: contexts.reduce((n, c) => n + c.length, 0),
        ...ideal(contexts),
        scoredPositions: w.items.length,
        decodeSteps: Math.ceil(w.items.length / w.batchSize) * Math.max(...w.items.map((i) => i.maxTokens)),
        decodeRows: rows,
      };
    }
    case 'prefill':
      return { ...base, items: 1, promptTokens: w.tokens, contextTokens: w.tokens, idealTokens: w.tokens, scoredPositions: 1, attentionPairs: w.tokens ** 2 };
    case 'decode': {
      const contexts = w.contexts.map((c) => encode(c));
      return {
        ...base,
        items: w.contexts.length,
        promptTokens: contexts.reduce((n, c) => n + c.length, 0),
        contextTokens: contexts.reduce((n, c) => n + c.length, 0),
        idealTokens: contexts.reduce((n, c) => n + c.length, 0),
        scoredPositions: w.contexts.length,
        attentionPairs: contexts.reduce((n, c) => n + c.length ** 2, 0),
        decodeSteps: w.tokens - 1,
        decodeRows: w.contexts.length,
      };
    }
  }
}

/**
 * The fastest this machine could run the workload: prompt FLOPs (2·params per token through the layers, the LM
 * head only at scored positions, causal attention) at the MatMul ceiling, plus per decode step the larger of
 * streaming every weight once (batch shares the read) and the step's FLOPs. For decode workloads only the
 * steps after the first token count, to compare with the measured time after the first token.
 */
export function floorSeconds(t: WorkloadTokens, shape: ModelShape, roof: Roofline): { prompt: number; decode: number; total: number } {
  const flops = roof.matmul.flopsPerSecond;
  const qDim = shape.heads * shape.headDim;
  const promptFlops = 2 * shape.bodyParameters * t.idealTokens + 2 * shape.hidden * shape.vocab * t.scoredPositions + 2 * shape.layers * qDim * t.attentionPairs;
  const prompt = t.kind === 'decode' ? 0 : promptFlops / flops;
  const weightBytes = 4 * (shape.bodyParameters + shape.hidden * shape.vocab);
  const step = Math.max(weightBytes / roof.bandwidth.bytesPerSecond, (2 * shape.parameters * Math.max(1, t.decodeRows)) / flops);
  const decode = t.decodeSteps * step;
  return { prompt, decode, total: prompt + decode };
}

export interface WorkloadSummary {
  workload: string;
  items: number;
  seconds: Spread;
  itemsPerSecond: number;
  promptTokensPerSecond: number;
  generatedTokensPerSecond?: number;
  /** Decode workloads: tokens per second after the first token. */
  decodeTokensPerSecond?: Spread;
  ttftSeconds?: Spread;
  /** floor / median time: the share of the machine's roofline reached. */
  rooflineFraction: number;
  floorSeconds: number;
}

export function summarise(measurements: WorkloadMeasurement[], tokens: WorkloadTokens, floor: ReturnType<typeof floorSeconds>): WorkloadSummary {
  const seconds = spread(measurements.map((m) => m.seconds));
  const generated = spread(measurements.map((m) => m.generatedTokens ?? 0)).median;
  const summary: WorkloadSummary = {
    workload: tokens.workload,
    items: tokens.items,
    seconds,
    itemsPerSecond: tokens.items / seconds.median,
    promptTokensPerSecond: tokens.promptTokens / seconds.median,
    rooflineFraction: floor.total / seconds.median,
    floorSeconds: floor.total,
  };
  if (tokens.kind === 'generation') summary.generatedTokensPerSecond = generated / seconds.median;
  if (tokens.kind === 'decode') {
    summary.ttftSeconds = spread(measurements.map((m) => m.ttftSeconds ?? NaN));
    const rates = measurements.map((m) => ((m.generatedTokens ?? 0) - tokens.items) / (m.seconds - (m.ttftSeconds ?? 0)));
    summary.decodeTokensPerSecond = spread(rates);
    summary.generatedTokensPerSecond = generated / seconds.median;
    // The decode floor covers the steps after the first token, so compare it with that part of the time.
    summary.rooflineFraction = floor.decode / spread(measurements.map((m) => m.seconds - (m.ttftSeconds ?? 0))).median;
  }
  if (tokens.kind === 'prefill') summary.ttftSeconds = seconds;
  return summary;
}

export interface OracleCheck {
  label: string;
  workload: string;
  compared: number;
  maxAbsLogprobDiff?: number;
  greedyFlagsIdentical?: boolean;
  textsIdentical?: boolean;
  /** An approximation of the oracle (int8 weights): judged within `INT8_RELATIVE_TOLERANCE`, not for identity. */
  approximate?: boolean;
  maxRelLogprobDiff?: number;
  /** Items whose highest-scoring continuation is the oracle's. */
  sameChoice?: number;
  /** Generation rows whose text is the oracle's. */
  sameTexts?: number;
  pass: boolean;
}

export const LOGPROB_TOLERANCE = 1e-4;
/** int8 log-likelihoods must stay within this fraction of float32's (the engine's own int8 test uses the same). */
export const INT8_RELATIVE_TOLERANCE = 0.05;

function bestChoice(choices: { logprob: number }[]): number {
  let best = 0;
  choices.forEach((c, i) => {
    if (c.logprob > choices[best]!.logprob) best = i;
  });
  return best;
}

/**
 * Compares a peer's first-round outputs with the naive oracle's on the items both ran: for identity (1e-4, the
 * same greedy flags and texts), or with `approximate` (int8) within a relative tolerance on log-likelihoods,
 * the agreement of picked choices and texts reported but not required (int8 rounding can flip a near-tie, and
 * a greedy text diverges from there on).
 */
export function compareWithOracle(label: string, oracle: WorkloadMeasurement, peer: WorkloadMeasurement, approximate = false): OracleCheck {
  const base = { label, workload: oracle.workload, ...(approximate ? { approximate } : {}) };
  if (oracle.choices && peer.choices) {
    const n = Math.min(oracle.choices.length, peer.choices.length);
    let maxDiff = 0;
    let maxRel = 0;
    let greedySame = true;
    let sameChoice = 0;
    for (let i = 0; i < n; i++) {
      oracle.choices[i]!.forEach((o, c) => {
        const p = peer.choices![i]![c]!;
        maxDiff = Math.max(maxDiff, Math.abs(o.logprob - p.logprob));
        maxRel = Math.max(maxRel, Math.abs(o.logprob - p.logprob) / Math.max(Math.abs(o.logprob), 1e-12));
        greedySame &&= o.isGreedy === p.isGreedy;
      });
      if (bestChoice(oracle.choices[i]!) === bestChoice(peer.choices[i]!)) sameChoice++;
    }
    const pass = approximate ? maxRel <= INT8_RELATIVE_TOLERANCE : maxDiff <= LOGPROB_TOLERANCE && greedySame;
    return { ...base, compared: n, maxAbsLogprobDiff: maxDiff, maxRelLogprobDiff: maxRel, greedyFlagsIdentical: greedySame, sameChoice, pass };
  }
  if (oracle.texts && peer.texts) {
    const n = Math.min(oracle.texts.length, peer.texts.length);
    const sameTexts = oracle.texts.slice(0, n).filter((t, i) => t === peer.texts![i]).length;
    return { ...base, compared: n, textsIdentical: sameTexts === n, sameTexts, pass: approximate || sameTexts === n };
  }
  return { ...base, compared: 0, pass: false };
}

export interface Projection {
  label: string;
  suite: string;
  hours: number;
  basis: string;
}

/** Tokens a peer computes for a suite given its switches: the shared prefix once per task only with the prefix cache, each choice apart without grouping. */
export function computedTokens(suite: SuiteTokens, fast: Partial<FastSwitches> | undefined): number {
  let total = 0;
  for (const t of suite.tasks) {
    const perChoice = fast?.groupContexts ? 1 : t.choices;
    if (fast?.prefixCache) total += t.sharedPrefix + t.itemTokens.reduce((n, k) => n + perChoice * k, 0);
    else total += t.itemTokens.reduce((n, k) => n + perChoice * (t.sharedPrefix + k), 0);
  }
  return total;
}

/** The same count for a workload slice, from its token facts, so rates and projections use one definition. */
export function computedSliceTokens(t: WorkloadTokens, choices: number, fast: Partial<FastSwitches> | undefined): number {
  const full = t.contextTokens;
  const perChoice = fast?.groupContexts || t.kind !== 'choice' ? 1 : choices;
  return (fast?.prefixCache ? t.idealTokens : full) * perChoice;
}

export function projectSuite(
  peer: PeerReport,
  fast: Partial<FastSwitches> | undefined,
  suite: SuiteTokens,
  slice: { tokens: WorkloadTokens; summary: WorkloadSummary; choices: number },
  decodeTokensPerSecond: number | undefined,
  generatedTokensPerItem: number,
): Projection {
  const rate = computedSliceTokens(slice.tokens, slice.choices, fast) / slice.summary.seconds.median;
  const promptSeconds = computedTokens(suite, fast) / rate;
  const decodeSeconds = decodeTokensPerSecond ? (suite.items * generatedTokensPerItem) / decodeTokensPerSecond : 0;
  const basis = decodeTokensPerSecond
    ? `prompt tokens at the ${slice.tokens.workload} rate (${rate.toFixed(0)} computed tok/s) + ${generatedTokensPerItem} generated tokens per item at ${decodeTokensPerSecond.toFixed(1)} tok/s`
    : `prompt tokens at the ${slice.tokens.workload} rate (${rate.toFixed(0)} computed tok/s)`;
  return { label: peer.label, suite: suite.suite, hours: (promptSeconds + decodeSeconds) / 3600, basis };
}
