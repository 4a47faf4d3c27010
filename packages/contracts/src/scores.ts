/** One score of a run as the evaluator computes it and the database stores it: a task's or group's metric under one filter. */
export interface ScoreRow {
  /** Leaf task or group name. */
  subset: string;
  metric: string;
  filter: string;
  value: number;
  /** null where lm-eval reports "N/A" (one item, or bootstrap_iters 0). */
  stderr: number | null;
  /** The 95% interval, null without a standard error. */
  ciLow: number | null;
  ciHigh: number | null;
  /** Items scored: a task's count, a group's sum over its leaf tasks. */
  n: number | null;
}
