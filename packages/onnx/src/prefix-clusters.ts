/**
 * Splits a call's rows into clusters that each share a long prefix. One call often mixes tasks (a requests file
 * with several MMLU subjects): all rows share only the first words of the instruction, while each subject's rows
 * share its whole five-shot exemplars. Computing each cluster's prefix once, and batching a cluster's rows
 * against it, computes the exemplars once per subject instead of once per question.
 *
 * Rows are sorted lexicographically, so rows with long common prefixes are neighbours and the common prefix of a
 * run is the smallest neighbour overlap inside it. A set is split where its neighbours share only the set's own
 * common prefix, when the parts together skip at least `minGain` tokens more than the whole does; parts are split
 * again the same way. Returns row indices per cluster, clusters in lexicographic order (siblings next to each
 * other, so a prefix they share is still kept when the next one is computed).
 */
export function prefixClusters(seqs: number[][], minGain: number): number[][] {
  const order = seqs.map((_, i) => i).sort((a, b) => compareSeqs(seqs[a]!, seqs[b]!));
  // overlap[i]: tokens rows order[i] and order[i + 1] share.
  const overlap = order.slice(1).map((row, i) => sharedLength(seqs[order[i]!]!, seqs[row]!));
  const clusters: number[][] = [];
  // Rows order[lo..hi), neighbour overlaps overlap[lo..hi-1); a stack rather than recursion, so no input can nest
  // deeper than the call stack allows. Parts are pushed last first, so clusters come out in sorted order.
  const pending: [number, number][] = seqs.length > 0 ? [[0, seqs.length]] : [];
  while (pending.length > 0) {
    const [lo, hi] = pending.pop()!;
    if (hi - lo < 2) {
      clusters.push(order.slice(lo, hi));
      continue;
    }
    let common = Infinity;
    for (let i = lo; i < hi - 1; i++) common = Math.min(common, overlap[i]!);
    const parts: [number, number][] = [];
    let start = lo;
    for (let i = lo; i < hi - 1; i++) {
      if (overlap[i] === common) {
        parts.push([start, i + 1]);
        start = i + 1;
      }
    }
    parts.push([start, hi]);
    let gain = 0;
    for (const [a, b] of parts) {
      if (b - a < 2) continue;
      let own = Infinity;
      for (let i = a; i < b - 1; i++) own = Math.min(own, overlap[i]!);
      gain += (b - a - 1) * (own - common);
    }
    if (parts.length < 2 || gain < minGain) clusters.push(order.slice(lo, hi));
    else pending.push(...parts.reverse());
  }
  return clusters;
}

function compareSeqs(a: number[], b: number[]): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return a.length - b.length;
}

function sharedLength(a: number[], b: number[]): number {
  const n = Math.min(a.length, b.length);
  let i = 0;
  while (i < n && a[i] === b[i]) i++;
  return i;
}
