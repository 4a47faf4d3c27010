/** Messages between the grading pool (main thread) and its worker threads. */
import type { MinervaEquivOptions } from '../mathEquivalence.ts';

/** One equivalence check. Inputs are plain strings, so nothing is shared between checks or threads. */
export type GradingJob =
  | { kind: 'minerva'; answer: string; gold: string; options?: MinervaEquivOptions }
  | { kind: 'math_verify'; goldSolution: string; completion: string };

/** A check's outcome: `reason` says why it is not equal when that is known (time limit, error, unparseable). */
export interface CheckVerdict {
  equal: boolean;
  reason?: string;
  /** True when the check was stopped at the time limit (its worker was terminated). */
  timedOut?: boolean;
}

export interface WorkerSettings {
  /** Test hook: a check whose input equals this string runs a busy loop that never returns. */
  busyMarker?: string;
}

export type ToWorker = { type: 'check'; id: number; job: GradingJob };

export type FromWorker = { type: 'ready' } | { type: 'verdict'; id: number; verdict: CheckVerdict };
