import type { ModelShape } from './models.ts';
import type { FastSwitches, PeerReport, WorkloadMeasurement } from './protocol.ts';
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

/**
 * Rows that decode together: `rows` sequences holding `cachedTokens` prompt tokens between them when the first
 * decode step starts, then `steps` greedy steps (the first generated token comes from the prompt's forward and is
 * not a step). At step s (1-based) each row attends to its prompt plus s tokens.
 */
export interface DecodeGroup {
  rows: number;
  cachedTokens: number;
  steps: number;
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
  /** Greedy decode steps after the first token, grouped by rows that run together (empty for scoring). */
  decodeGroups: DecodeGroup[];
}

/** Tokens generated after each row's first one: what a decode rate divides. */
export function decodeTokens(t: Pick<WorkloadTokens, 'decodeGroups'>): number {
  return t.decodeGroups.reduce((n, g) => n + g.rows * g.steps, 0);
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

/** Rows of a generation in the order an engine of `batchSize` rows runs them (all rows run to `maxTokens`). */
export function generationGroups(contextLengths: number[], maxTokens: number[], batchSize: number): DecodeGroup[] {
  const groups: DecodeGroup[] = [];
  for (let start = 0; start < contextLengths.length; start += batchSize) {
    const lengths = contextLengths.slice(start, start + batchSize);
    const steps = Math.max(...maxTokens.slice(start, start + batchSize)) - 1;
    if (steps > 0) groups.push({ rows: lengths.length, cachedTokens: lengths.reduce((a, b) => a + b, 0), steps });
  }
  return groups;
}

export function workloadTokens(w: Workload, encode: (s: string) => number[]): WorkloadTokens {
  const base = { workload: w.name, kind: w.kind, decodeGroups: [] as DecodeGroup[] };
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
      return {
        ...base,
        items: w.items.length,
        promptTokens: contexts.reduce((n, c) => n + c.length, 0),
        contextTokens: contexts.reduce((n, c) => n + c.length, 0),
        ...ideal(contexts),
        scoredPositions: w.items.length,
        decodeGroups: generationGroups(contexts.map((c) => c.length), w.items.map((i) => i.maxTokens), w.batchSize),
      };
    }
    case 'prefill':
      return { ...base, items: 1, promptTokens: w.tokens, contextTokens: w.tokens, idealTokens: w.tokens, scoredPositions: 1, attentionPairs: w.tokens ** 2 };
    case 'decode': {
      const contexts = w.contexts.map((c) => encode(c));
      const cached = contexts.reduce((n, c) => n + c.length, 0);
      return {
        ...base,
        items: w.contexts.length,
        promptTokens: cached,
        contextTokens: cached,
        idealTokens: cached,
        scoredPositions: w.contexts.length,
        attentionPairs: contexts.reduce((n, c) => n + c.length ** 2, 0),
        decodeGroups: w.tokens > 1 ? [{ rows: w.contexts.length, cachedTokens: cached, steps: w.tokens - 1 }] : [],
      };
    }
  }
}

/** What the floors need of the machine: the fastest MatMul and the fastest read rate probed. */
export interface Ceilings {
  matmul: { flopsPerSecond: number };
  bandwidth: { bytesPerSecond: number };
}

/** fp32 bytes of K and V one cached position holds over all layers: what attention reads per position per step. */
export function kvBytesPerPosition(shape: ModelShape): number {
  return 4 * shape.layers * 2 * shape.kvHeads * shape.headDim;
}

/**
 * The fastest this machine could run the workload. Prompt: FLOPs (2 · non-embedding parameters per computed token,
 * the LM head only at scored positions, causal attention) at the MatMul ceiling. Decode, per step: the larger of
 * the bytes the step must read at the read-bandwidth ceiling (every fp32 weight once, the batch sharing the read,
 * plus every row's cached keys and values) and the step's FLOPs (weights per row, attention over the cache) at the
 * MatMul ceiling. For decode workloads only the steps after the first token count, to compare with the measured
 * time after the first token.
 */
export function floorSeconds(t: WorkloadTokens, shape: ModelShape, roof: Ceilings): { prompt: number; decode: number; total: number } {
  const flops = roof.matmul.flopsPerSecond;
  const bandwidth = roof.bandwidth.bytesPerSecond;
  if (!(flops > 0) || !(bandwidth > 0)) throw new Error(`floorSeconds: ceilings must be positive (MatMul ${flops} FLOP/s, read ${bandwidth} B/s)`);
  const qDim = shape.heads * shape.headDim;
  const promptFlops = 2 * shape.bodyParameters * t.idealTokens + 2 * shape.hidden * shape.vocab * t.scoredPositions + 2 * shape.layers * qDim * t.attentionPairs;
  const prompt = t.kind === 'decode' ? 0 : promptFlops / flops;
  const weightBytes = 4 * (shape.bodyParameters + shape.hidden * shape.vocab);
  const kv = kvBytesPerPosition(shape);
  let decode = 0;
  for (const g of t.decodeGroups) {
    for (let s = 1; s <= g.steps; s++) {
      const positions = g.cachedTokens + g.rows * s;
      const bytes = weightBytes + kv * positions;
      // QKᵀ and the weighted sum of V: 2 FLOPs per multiply-add, each over qDim per attended position.
      const stepFlops = 2 * shape.parameters * g.rows + 4 * shape.layers * qDim * positions;
      decode += Math.max(bytes / bandwidth, stepFlops / flops);
    }
  }
  return { prompt, decode, total: prompt + decode };
}

export interface WorkloadSummary {
  workload: string;
  items: number;
  seconds: Spread;
  itemsPerSecond: number;
  promptTokensPerSecond: number;
  generatedTokensPerSecond?: number;
  /** Decode workloads and generation slices timed in two calls: tokens per second after the first token. */
  decodeTokensPerSecond?: Spread;
  /** The one-token call: every prompt computed and its first token chosen. */
  ttftSeconds?: Spread;
  /** Per round: the full call's time minus the one-token call's (each checked to be positive). */
  decodeSeconds?: Spread;
  /** floor / median time: the share of the machine's roofline reached (absent where the ceiling does not apply). */
  rooflineFraction?: number;
  /** Decode floor / median decode seconds, where the decode part is timed apart. */
  decodeRooflineFraction?: number;
  floorSeconds: number;
}

/** A subtraction of two timings that came out zero or negative: the difference cannot be a rate. */
export class TimingError extends Error {}

/** full − part, refused when not positive (no clamping: a rate from a clamped difference is meaningless). */
export function positiveDifference(full: number, part: number, what: string): number {
  const d = full - part;
  if (!(d > 0)) throw new TimingError(`${what}: ${full.toFixed(3)} s − ${part.toFixed(3)} s = ${d.toFixed(3)} s is not positive; the split timing is unusable`);
  return d;
}

export function summarise(measurements: WorkloadMeasurement[], tokens: WorkloadTokens, floor: ReturnType<typeof floorSeconds>, options: { ceilingApplies?: boolean; label?: string } = {}): WorkloadSummary {
  const seconds = spread(measurements.map((m) => m.seconds));
  const generated = spread(measurements.map((m) => m.generatedTokens ?? 0)).median;
  const summary: WorkloadSummary = {
    workload: tokens.workload,
    items: tokens.items,
    seconds,
    itemsPerSecond: tokens.items / seconds.median,
    promptTokensPerSecond: tokens.promptTokens / seconds.median,
    floorSeconds: floor.total,
  };
  if (options.ceilingApplies !== false) summary.rooflineFraction = floor.total / seconds.median;
  if (tokens.kind === 'generation' || tokens.kind === 'decode') summary.generatedTokensPerSecond = generated / seconds.median;
  const split = measurements.every((m) => m.ttftSeconds !== undefined) && measurements.length > 0 && (tokens.kind === 'decode' || tokens.kind === 'generation');
  if (split) {
    const what = `${options.label ?? 'peer'} ${tokens.workload}`;
    const decodeTimes = measurements.map((m) => positiveDifference(m.seconds, m.ttftSeconds!, what));
    summary.ttftSeconds = spread(measurements.map((m) => m.ttftSeconds!));
    summary.decodeSeconds = spread(decodeTimes);
    summary.decodeTokensPerSecond = spread(measurements.map((m, i) => ((m.generatedTokens ?? 0) - tokens.items) / decodeTimes[i]!));
    if (options.ceilingApplies !== false) {
      summary.decodeRooflineFraction = floor.decode / summary.decodeSeconds.median;
      // A decode workload's floor covers the steps after the first token only: its share is the decode share.
      if (tokens.kind === 'decode') summary.rooflineFraction = summary.decodeRooflineFraction;
    }
  }
  if (tokens.kind === 'prefill') summary.ttftSeconds = seconds;
  return summary;
}

/** Shares of the roofline above 100%: each one means a ceiling is wrong (a probe ran slower than the machine can). */
export function ceilingViolations(rows: { label: string; workload: string; share?: number }[], limit = 1): string[] {
  return rows.filter((r) => r.share !== undefined && r.share > limit).map((r) => `${r.label} ${r.workload}: ${(r.share! * 100).toFixed(0)}% of its floor`);
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
/**
 * int8 greedy texts must equal float32's in at least this share of rows. Rounding the weights moves every logit a
 * little, so a row whose top two tokens are nearly tied can flip and diverge from there; a larger share of flipped
 * rows means the quantisation changed what the model says, not just near-ties.
 */
export const INT8_TEXT_AGREEMENT = 0.5;

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
 * the agreement of picked choices reported but not required (int8 rounding can flip a near-tie), and greedy texts
 * identical in at least `INT8_TEXT_AGREEMENT` of the rows (a flipped near-tie diverges from there on).
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
    const pass = approximate ? n > 0 && sameTexts / n >= INT8_TEXT_AGREEMENT : sameTexts === n;
    return { ...base, compared: n, textsIdentical: sameTexts === n, sameTexts, pass };
  }
  return { ...base, compared: 0, pass: false };
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

/** The same count for a workload, from its token facts, so rates and projections use one definition. */
export function computedSliceTokens(t: WorkloadTokens, choices: number, fast: Partial<FastSwitches> | undefined): number {
  const full = t.contextTokens;
  const perChoice = fast?.groupContexts || t.kind !== 'choice' ? 1 : choices;
  return (fast?.prefixCache ? t.idealTokens : full) * perChoice;
}

/**
 * Rates a projection scales by, from one measured workload: seconds per computed prompt token and, for
 * generation timed in two calls, seconds per token decoded after the first.
 */
export interface ProjectionBasis {
  /** The workload the rates come from, and the batch it ran at. */
  workload: string;
  batch?: number;
  promptSecondsPerToken: number;
  decodeSecondsPerToken?: number;
}

/**
 * A basis from a multiple-choice workload (all its time is prompt work) or a generation workload timed in two
 * calls (the one-token call is prompt work, the rest decoding). A generation workload timed in one call has no
 * basis: its time cannot be split without a rate from elsewhere.
 */
export function projectionBasis(
  t: WorkloadTokens,
  summary: Pick<WorkloadSummary, 'seconds' | 'ttftSeconds' | 'decodeSeconds'>,
  computedPromptTokens: number,
  batch?: number,
): ProjectionBasis {
  if (!(computedPromptTokens > 0)) throw new Error(`${t.workload}: no prompt tokens to take a rate from`);
  const base = { workload: t.workload, ...(batch !== undefined ? { batch } : {}) };
  if (t.kind === 'choice' || t.kind === 'prefill') return { ...base, promptSecondsPerToken: summary.seconds.median / computedPromptTokens };
  if (!summary.ttftSeconds || !summary.decodeSeconds) throw new Error(`${t.workload}: a generation basis needs the prompt and decode parts timed apart`);
  const decoded = decodeTokens(t);
  if (!(decoded > 0)) throw new Error(`${t.workload}: no tokens decoded after the first`);
  return { ...base, promptSecondsPerToken: summary.ttftSeconds.median / computedPromptTokens, decodeSecondsPerToken: summary.decodeSeconds.median / decoded };
}

/** What is projected: computed prompt tokens, and tokens decoded after each row's first. */
export interface ProjectionTarget {
  promptTokens: number;
  decodeTokens: number;
}

export function projectSeconds(basis: ProjectionBasis, target: ProjectionTarget): number {
  if (target.decodeTokens > 0 && basis.decodeSecondsPerToken === undefined) throw new Error(`${basis.workload}: has no decode rate to project ${target.decodeTokens} decoded tokens with`);
  return target.promptTokens * basis.promptSecondsPerToken + target.decodeTokens * (basis.decodeSecondsPerToken ?? 0);
}

/** A full suite's target: its computed tokens under the peer's switches, `generatedPerItem` tokens per item. */
export function suiteTarget(suite: SuiteTokens, fast: Partial<FastSwitches> | undefined, generatedPerItem = 0): ProjectionTarget {
  return { promptTokens: computedTokens(suite, fast), decodeTokens: generatedPerItem > 0 ? suite.items * (generatedPerItem - 1) : 0 };
}

/** A workload's own target (the fully timed unit), counted the way the basis counts its slice. */
export function workloadTarget(t: WorkloadTokens, choices: number, fast: Partial<FastSwitches> | undefined): ProjectionTarget {
  return { promptTokens: computedSliceTokens(t, choices, fast), decodeTokens: decodeTokens(t) };
}

/** A projection checked against a fully timed unit: measured / projected (1 = exact, above 1 = the projection was optimistic). */
export interface UnitCheck {
  label: string;
  unit: string;
  projectedSeconds: number;
  measuredSeconds: number;
  ratio: number;
  basis: string;
}

export function checkAgainstUnit(label: string, unit: string, basis: ProjectionBasis, target: ProjectionTarget, measuredSeconds: number): UnitCheck {
  const projectedSeconds = projectSeconds(basis, target);
  return { label, unit, projectedSeconds, measuredSeconds, ratio: measuredSeconds / projectedSeconds, basis: describeBasis(basis) };
}

export function describeBasis(b: ProjectionBasis): string {
  const at = b.batch !== undefined ? ` at batch ${b.batch}` : '';
  const prompt = `${(1 / b.promptSecondsPerToken).toFixed(0)} computed prompt tok/s`;
  const decode = b.decodeSecondsPerToken !== undefined ? `, ${(1 / b.decodeSecondsPerToken).toFixed(1)} decoded tok/s` : '';
  return `${b.workload}${at}: ${prompt}${decode}`;
}

export interface Projection {
  label: string;
  suite: string;
  hours: number;
  basis: string;
  /** Where the rates came from: a short slice, or a whole fully timed unit. */
  from: 'slice' | 'unit';
}

/** Goal status: measured values are met or not; a projected value is never "met", only within or over its goal. */
export type TargetStatus = 'met' | 'not met' | 'projected within goal' | 'projected over goal' | 'not measured';

export function targetStatus(value: number | null, ok: (v: number) => boolean, projected = false): TargetStatus {
  if (value === null || !Number.isFinite(value)) return 'not measured';
  if (projected) return ok(value) ? 'projected within goal' : 'projected over goal';
  return ok(value) ? 'met' : 'not met';
}

/**
 * Peer A's speed-up over peer B on the same workload: B's median time over A's. Only when both ran it the same
 * number of rounds (a median of five is not set beside a single run); otherwise null with the reason.
 */
export function speedup(a: Pick<WorkloadSummary, 'seconds'> | undefined, b: Pick<WorkloadSummary, 'seconds'> | undefined): { value: number | null; note: string } {
  if (!a || !b) return { value: null, note: 'not run by both peers' };
  if (a.seconds.n !== b.seconds.n) return { value: null, note: `rounds differ (${a.seconds.n} vs ${b.seconds.n})` };
  return { value: b.seconds.median / a.seconds.median, note: `median of ${a.seconds.n} round${a.seconds.n === 1 ? '' : 's'} each` };
}
