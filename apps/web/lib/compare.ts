/**
 * Two models side by side. Per board column: the difference a − b and its 95% interval. Where both runs
 * scored the same questions the interval is the paired one (mean of per-question differences ± 1.96 · sd/√n,
 * as the paired t-interval lm-evaluation-harness users compute from `--log_samples`); otherwise the unpaired
 * one from the two stored intervals (independent errors: half-widths add in quadrature).
 */
import { type BoardColumn, boards, buildBoard, type Model, type ResultRow } from '@sciboard/runs';
import { findModel } from './model-data.ts';
import { loadBoardInputs, type Store } from './store.ts';

export interface ColumnComparison {
  board: string;
  column: string;
  a: number | null;
  b: number | null;
  difference: number | null;
  ci95: [number, number] | null;
  paired: boolean;
  /** Questions both answered, and how many they disagree on. */
  shared: number;
  disagreements: Array<{ task: string; docIndex: number; a: number; b: number }>;
  runA: number | null;
  runB: number | null;
}

export interface Comparison {
  a: Model;
  b: Model;
  columns: ColumnComparison[];
}

const Z95 = 1.959963984540054;
const round2 = (x: number) => Math.round(x * 100) / 100;

async function itemsFor(store: Store, runId: number, subset: string): Promise<ResultRow[]> {
  // A run holds one requested task or group, its items under leaf tasks: the column's own run gives all of
  // them, a run of a larger group the items of the column's leaf task.
  const run = await store.getRun(runId);
  const task = run?.task === subset ? undefined : subset;
  const items: ResultRow[] = [];
  for (let offset = 0; ; offset += 1000) {
    const page = await store.listResults(runId, { task, offset, limit: 1000 });
    items.push(...page.items);
    if (page.items.length < 1000) return items;
  }
}

function pairedDifference(a: ResultRow[], b: ResultRow[], column: BoardColumn) {
  const key = `${column.metric},${column.filter}`;
  const bByDoc = new Map(b.map((r) => [`${r.task}#${r.docIndex}`, r]));
  const diffs: number[] = [];
  const disagreements: ColumnComparison['disagreements'] = [];
  for (const ra of a) {
    const rb = bByDoc.get(`${ra.task}#${ra.docIndex}`);
    const sa = ra.scores[key];
    const sb = rb?.scores[key];
    if (typeof sa !== 'number' || typeof sb !== 'number') continue;
    diffs.push(sa - sb);
    if (sa !== sb) disagreements.push({ task: ra.task, docIndex: ra.docIndex, a: sa, b: sb });
  }
  const n = diffs.length;
  if (n < 2) return null;
  const mean = diffs.reduce((s, d) => s + d, 0) / n;
  const variance = diffs.reduce((s, d) => s + (d - mean) ** 2, 0) / (n - 1);
  const half = Z95 * Math.sqrt(variance / n);
  return { n, mean: mean * 100, ci95: [round2((mean - half) * 100), round2((mean + half) * 100)] as [number, number], disagreements };
}

export async function compareModels(store: Store, aName: string, bName: string): Promise<Comparison | { missing: string }> {
  const [a, b] = await Promise.all([findModel(store, aName), findModel(store, bName)]);
  if (!a) return { missing: aName };
  if (!b) return { missing: bName };
  const inputs = await loadBoardInputs(store);
  const columns: ColumnComparison[] = [];
  for (const board of Object.values(boards)) {
    const view = buildBoard(board, inputs);
    const rowA = view.rows.find((r) => r.key === `measured:${a.id}`);
    const rowB = view.rows.find((r) => r.key === `measured:${b.id}`);
    for (const column of board.columns) {
      const ca = rowA?.cells[column.name];
      const cb = rowB?.cells[column.name];
      const entry: ColumnComparison = {
        board: board.id, column: column.name, a: ca?.value ?? null, b: cb?.value ?? null, difference: null, ci95: null,
        paired: false, shared: 0, disagreements: [],
        runA: ca?.provenance ? Number(ca.provenance.runId) : null, runB: cb?.provenance ? Number(cb.provenance.runId) : null,
      };
      if (ca && cb) {
        entry.difference = round2(ca.value - cb.value);
        const paired = entry.runA !== null && entry.runB !== null
          ? pairedDifference(await itemsFor(store, entry.runA, column.subset), await itemsFor(store, entry.runB, column.subset), column)
          : null;
        if (paired) {
          Object.assign(entry, { paired: true, shared: paired.n, ci95: paired.ci95, disagreements: paired.disagreements, difference: round2(paired.mean) });
        } else if (ca.ci95 && cb.ci95) {
          const half = Math.hypot((ca.ci95[1] - ca.ci95[0]) / 2, (cb.ci95[1] - cb.ci95[0]) / 2);
          entry.ci95 = [round2(entry.difference - half), round2(entry.difference + half)];
        }
      }
      columns.push(entry);
    }
  }
  return { a, b, columns };
}
