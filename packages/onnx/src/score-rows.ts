/** One request's scored tokens: the continuation, predicted at the positions just before `end` and onwards. */
export interface ScoredMember {
  index: number;
  continuation: number[];
  /** Length of the request's own model input; its continuation is predicted at positions end-|c| .. end-1. */
  end: number;
}

/** One row of a forward pass and the requests scored from its logits. */
export interface ScoringRow {
  input: number[];
  members: ScoredMember[];
  /** Trailing positions whose logits the members need. */
  keep: number;
}

/**
 * The rows a call computes. Without grouping, one row per request. With grouping, one row per distinct model
 * input (a question's single-token choices share it, lm-eval's one-token grouping), and an input that is the
 * start of another's is scored inside the longer row: attention is causal, so the logits at a position depend
 * only on the tokens up to it. That matters when choices tokenize to different lengths (" A" one token, " B" a
 * space and a letter): the question is then computed once, not once per distinct length.
 */
export function scoringRows(requests: { index: number; input: number[]; continuation: number[] }[], group: boolean): ScoringRow[] {
  const byInput = new Map<string, ScoringRow>();
  for (const r of requests) {
    const key = group ? r.input.join(',') : String(r.index);
    let row = byInput.get(key);
    if (!row) byInput.set(key, (row = { input: r.input, members: [], keep: 0 }));
    row.members.push({ index: r.index, continuation: r.continuation, end: r.input.length });
  }
  const rows = [...byInput.values()];
  if (!group) return rows.map(withKeep);
  // Sorted, an input that starts another one starts its successor too (everything between them shares that start).
  rows.sort((a, b) => compareTokens(a.input, b.input));
  const merged: ScoringRow[] = [];
  let target: ScoringRow | undefined;
  for (let i = rows.length - 1; i >= 0; i--) {
    const row = rows[i]!;
    if (target && startsWith(target.input, row.input)) target.members.push(...row.members);
    else merged.push((target = row));
  }
  return merged.map(withKeep);
}

function withKeep(row: ScoringRow): ScoringRow {
  row.keep = Math.max(...row.members.map((m) => row.input.length - m.end + m.continuation.length));
  return row;
}

function compareTokens(a: number[], b: number[]): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return a.length - b.length;
}

function startsWith(seq: number[], start: number[]): boolean {
  if (start.length > seq.length) return false;
  for (let i = 0; i < start.length; i++) if (seq[i] !== start[i]) return false;
  return true;
}
