/** The results document in lm-eval's `results.json` shape, plus its plain-text table (lm_eval/utils.py make_table). */
import { summarizeGroup, summarizeTask, type MetricSummary, type Stderr } from './aggregate.ts';
import { getGroupDefinition, leafTasksOf } from './registry.ts';
import { INVALID_ANSWER } from './tasks/filters.ts';
import type { ItemRecord } from './sink.ts';
import type { PreparedTask, TaskDefinition } from './task.ts';
import type { LmEvalResultEntry as ResultEntry, LmEvalResults as ResultsJson, ScoreRow } from '@sciboard/contracts';

export interface EvaluatedTask {
  definition: TaskDefinition;
  prepared: PreparedTask;
  records: ItemRecord[];
  originalSize: number;
}

// The results document is one of lm-eval's file shapes, declared once in @sciboard/contracts.
export type { LmEvalResultEntry as ResultEntry, LmEvalResults as ResultsJson, ScoreRow } from '@sciboard/contracts';

interface BuildInput {
  tasks: EvaluatedTask[];
  groups: string[];
  config: Record<string, unknown>;
  startedMs: number;
  endedMs: number;
  /** lm-eval's bootstrap_iters: 0 means no standard errors ("N/A"); otherwise the closed forms apply. */
  bootstrapIters?: number;
}

function versionValue(v: string | undefined): string | number | null {
  if (v === undefined) return null;
  const n = Number(v);
  return Number.isFinite(n) && v.trim() !== '' ? n : v;
}

function entry(alias: string, summaries: Map<string, MetricSummary>): ResultEntry {
  const e: ResultEntry = { alias };
  for (const [key, s] of summaries) {
    const [metric, filter] = key.split(',') as [string, string];
    e[key] = s.value;
    e[`${metric}_stderr,${filter}`] = s.stderr;
  }
  return e;
}

/** What scoring needs of an evaluated task: its name, its metric keys and its items. */
export interface ScoredTask {
  prepared: Pick<PreparedTask, 'name' | 'metricKeys'>;
  records: ItemRecord[];
}

/** Every task's and requested group's metric summaries, keyed by name and `"<metric>,<filter>"`. */
export interface RunSummaries {
  tasks: Map<string, Map<string, MetricSummary>>;
  groups: Map<string, Map<string, MetricSummary>>;
  /** Items under each task and group (a group's is the sum over its leaf tasks). */
  items: Map<string, number>;
}

/**
 * lm-eval's aggregation: each task's mean and stderr per metric, then each group over its leaf tasks (micro average,
 * pooled stderr). `bootstrapIters` 0 gives no standard errors, as in lm-eval.
 */
export function summarizeRun(tasks: readonly ScoredTask[], groups: readonly string[], bootstrapIters?: number): RunSummaries {
  const out: RunSummaries = { tasks: new Map(), groups: new Map(), items: new Map() };
  for (const t of tasks) {
    const s = new Map<string, MetricSummary>();
    if (t.records.length > 0) {
      for (const key of t.prepared.metricKeys) {
        const summary = summarizeTask(t.records.map((r) => r.scores[key] ?? 0));
        // lm-eval's stderr_for_metric returns no estimator when bootstrap_iters is 0, even for mean_stderr.
        s.set(key, bootstrapIters === 0 ? { ...summary, stderr: 'N/A', ci95: null } : summary);
      }
    }
    out.tasks.set(t.prepared.name, s);
    out.items.set(t.prepared.name, t.records.length);
  }
  for (const g of groups) {
    const leaves = leafTasksOf(g).filter((n) => out.tasks.has(n));
    const keys = [...new Set(leaves.flatMap((n) => [...out.tasks.get(n)!.keys()]))];
    const s = new Map<string, MetricSummary>();
    for (const key of keys) {
      const parts = leaves.map((n) => out.tasks.get(n)!.get(key)).filter((x): x is MetricSummary => x !== undefined);
      if (parts.length) s.set(key, summarizeGroup(parts));
    }
    out.groups.set(g, s);
    out.items.set(g, leaves.reduce((n, leaf) => n + out.items.get(leaf)!, 0));
  }
  return out;
}

/**
 * One score row per task or group, metric and filter, as the database stores them: groups first, then tasks; a
 * standard error of "N/A" and an absent interval are null.
 */
export function scoreRows(summaries: RunSummaries): ScoreRow[] {
  const rows: ScoreRow[] = [];
  const seen = new Set<string>();
  for (const [subset, metrics] of [...summaries.groups, ...summaries.tasks]) {
    if (seen.has(subset)) continue;
    seen.add(subset);
    for (const [key, s] of metrics) {
      const comma = key.indexOf(',');
      rows.push({
        subset,
        metric: key.slice(0, comma),
        filter: key.slice(comma + 1),
        value: s.value,
        stderr: typeof s.stderr === 'number' ? s.stderr : null,
        ciLow: s.ci95?.[0] ?? null,
        ciHigh: s.ci95?.[1] ?? null,
        n: summaries.items.get(subset) ?? null,
      });
    }
  }
  return rows;
}

export function buildResults(input: BuildInput): ResultsJson {
  const summaries = summarizeRun(input.tasks, input.groups, input.bootstrapIters);
  const taskSummaries = summaries.tasks;
  const byName = new Map(input.tasks.map((t) => [t.prepared.name, t]));
  const out: ResultsJson = {
    results: {},
    groups: {},
    group_subtasks: {},
    configs: {},
    versions: {},
    'n-shot': {},
    higher_is_better: {},
    'n-samples': {},
    config: input.config,
    date: input.startedMs / 1000,
    total_evaluation_time_seconds: String((input.endedMs - input.startedMs) / 1000),
    intervals: {},
    generation_stats: {},
  };

  for (const t of input.tasks) {
    const s = taskSummaries.get(t.prepared.name)!;
    out.configs[t.prepared.name] = { ...(t.definition.config ?? { task: t.prepared.name }), num_fewshot: t.prepared.numFewshot };
    out.versions[t.prepared.name] = versionValue(t.definition.version);
    out['n-shot'][t.prepared.name] = t.prepared.numFewshot;
    out.higher_is_better[t.prepared.name] = higherIsBetter(t.prepared);
    out['n-samples'][t.prepared.name] = { original: t.originalSize, effective: t.records.length };
    out.intervals[t.prepared.name] = Object.fromEntries([...s].map(([k, v]) => [k, v.ci95]));
    const stats = generationStats(t);
    if (stats) out.generation_stats[t.prepared.name] = stats;
  }

  const groupSummaries = summaries.groups;
  for (const g of input.groups) {
    const leaves = leafTasksOf(g).filter((n) => byName.has(n));
    const s = groupSummaries.get(g)!;
    const def = getGroupDefinition(g)!;
    out.group_subtasks[g] = def.members;
    out.versions[g] = versionValue(def.version);
    out.higher_is_better[g] = Object.assign({}, ...leaves.map((n) => out.higher_is_better[n]));
    out.intervals[g] = Object.fromEntries([...s].map(([k, v]) => [k, v.ci95]));
  }

  // Print order as lm-eval: each requested root group, then its members depth first; then stand-alone tasks.
  const placed = new Set<string>();
  const isMember = new Set(input.groups.flatMap((g) => getGroupDefinition(g)!.members));
  const visit = (name: string, depth: number, groupDepth: number): void => {
    if (placed.has(name)) return;
    const indent = depth > 0 ? `${' '.repeat(depth)}- ` : '';
    const group = groupSummaries.get(name);
    if (group) {
      placed.add(name);
      const alias = getGroupDefinition(name)!.alias ?? name;
      out.results[name] = entry(indent + alias, group);
      out.groups[name] = entry((groupDepth > 0 ? `${' '.repeat(groupDepth)}- ` : '') + alias, group);
      for (const m of getGroupDefinition(name)!.members) visit(m, depth + 1, groupDepth + 1);
      return;
    }
    const t = byName.get(name);
    if (!t) return;
    placed.add(name);
    out.results[name] = entry(indent + (t.definition.alias ?? name), taskSummaries.get(name)!);
    out.group_subtasks[name] ??= [];
  };
  for (const g of input.groups) if (!isMember.has(g)) visit(g, 0, 0);
  for (const t of input.tasks) visit(t.prepared.name, 0, 0);
  return out;
}

function higherIsBetter(task: PreparedTask): Record<string, boolean> {
  const lower = new Set(task.lowerIsBetter ?? []);
  return Object.fromEntries(task.metricKeys.map((k) => k.slice(0, k.indexOf(','))).map((m) => [m, !lower.has(m)]));
}

function generationStats(t: EvaluatedTask): Record<string, number> | null {
  const gen = t.records.filter((r) => r.response.kind === 'generate_until');
  if (gen.length === 0) return null;
  const stats: Record<string, number> = {};
  const filters = [...new Set(gen.flatMap((r) => Object.keys(r.filtered)))];
  for (const f of filters) {
    const missing = gen.filter((r) => {
      const found = r.answerFound?.[f];
      if (found !== undefined) return !found;
      const v = r.filtered[f];
      return v === undefined || v === INVALID_ANSWER || v.trim() === '';
    }).length;
    stats[`no_answer,${f}`] = missing / gen.length;
  }
  stats.hit_max_tokens = gen.filter((r) => r.response.kind === 'generate_until' && r.response.finishReason === 'length').length / gen.length;
  return stats;
}

function fmt(v: string | number | undefined): string {
  if (typeof v === 'number') return v.toFixed(4);
  return v ?? '';
}

function fmtVersion(v: string | number | null | undefined): string {
  return v === null || v === undefined ? '' : String(v);
}

/** The results as lm-eval prints them: one row per task/group and metric, then a table of groups. */
export function formatResultsTable(results: ResultsJson): string {
  const tables = [table(results, results.results, true)];
  if (Object.keys(results.groups).length) tables.push(table(results, results.groups, false));
  return tables.join('\n');
}

function table(results: ResultsJson, entries: Record<string, ResultEntry>, taskColumn: boolean): string {
  const header = [taskColumn ? 'Tasks' : 'Groups', 'Version', 'Filter', 'n-shot', 'Metric', '', 'Value', '', 'Stderr'];
  const rows: string[][] = [];
  for (const [name, e] of Object.entries(entries)) {
    const keys = Object.keys(e).filter((k) => k.includes(',') && !k.includes('_stderr,'));
    keys.forEach((key, i) => {
      const [metric, filter] = key.split(',') as [string, string];
      const stderr = e[`${metric}_stderr,${filter}`] as Stderr | undefined;
      const hib = results.higher_is_better[name]?.[metric];
      rows.push([
        i === 0 ? String(e.alias) : '',
        i === 0 ? fmtVersion(results.versions[name]) : '',
        filter,
        i === 0 && results['n-shot'][name] !== undefined ? String(results['n-shot'][name]) : '',
        metric,
        hib === undefined ? '' : hib ? '↑' : '↓',
        fmt(e[key]),
        '±',
        fmt(stderr),
      ]);
    });
  }
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c]!.length)));
  const numeric = new Set([1, 3, 6, 8]); // numbers right-aligned, text left-aligned, as lm-eval's table
  const line = (cells: string[]): string => `|${cells.map((x, c) => (numeric.has(c) ? x.padStart(widths[c]!) : x.padEnd(widths[c]!))).join('|')}|`;
  return [line(header), `|${widths.map((w) => '-'.repeat(w)).join('|')}|`, ...rows.map(line)].join('\n') + '\n';
}
