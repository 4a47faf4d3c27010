/** Everything the model page and `/api/models/[id]` show about one model, assembled from the store. */
import { type BoardDefinition, type BoardRow, boards, type BoardView, buildBoard, type Model } from '@sciboard/runs';
import { publicModel } from './public-view.ts';
import { loadBoardInputs, parseId, type Store } from './store.ts';

export interface ModelBoardScores {
  board: string;
  title: string;
  columns: string[];
  averageName: string;
  measured: BoardRow | null;
  reported: BoardRow[];
  /** Every measured model of known size with its average on this board, for the scatter. */
  sizes: Array<{ model: string; params: number; average: number; self: boolean }>;
}

export interface HistoryPoint {
  label: string;
  [column: string]: number | string;
}

export interface ModelPageData {
  model: Model;
  boards: ModelBoardScores[];
  subjects: Array<{ subject: string; value: number; error: number; runId: number }>;
  /** Successive checkpoints of the model's training run (same `trainingRun`, ordered by step). */
  history: { trainingRun: string | null; columns: string[]; points: HistoryPoint[] };
  runs: Array<{ id: number; task: string; status: string; finishedAt: string | null }>;
}

const boardList: BoardDefinition[] = Object.values(boards);
const boardColumns = boardList.flatMap((b) => b.columns);
const boardSubsets = new Set(boardColumns.map((c) => c.subset));

export async function findModel(store: Store, idOrName: string): Promise<Model | undefined> {
  const id = parseId(idOrName);
  return (id !== null ? await store.getModel(id) : undefined) ?? (await store.getModel(idOrName));
}

/** `viewer`: the token name of the request, which sees its own models' checkpoint path and submitter. */
export async function loadModelPage(store: Store, idOrName: string, viewer?: string | null): Promise<ModelPageData | null> {
  const model = await findModel(store, idOrName);
  if (!model) return null;
  const inputs = await loadBoardInputs(store);
  const views: BoardView[] = boardList.map((board) => buildBoard(board, inputs));
  const rowOf = (view: BoardView, modelId: number) => view.rows.find((r) => r.key === `measured:${modelId}`) ?? null;
  const name = model.name.trim().toLowerCase();

  const boardsData = views.map((view): ModelBoardScores => ({
    board: view.board,
    title: view.title,
    columns: view.columns,
    averageName: view.averageName,
    measured: rowOf(view, model.id),
    reported: view.rows.filter((r) => r.kind === 'reported' && r.model.trim().toLowerCase() === name),
    sizes: view.rows
      .filter((r) => r.kind === 'measured' && r.params && r.average.value !== null)
      .map((r) => ({ model: r.model, params: r.params! * 1e9, average: r.average.value!, self: r.key === `measured:${model.id}` })),
  }));

  const runs = await store.listRuns({ modelName: model.name });
  const runScores = await Promise.all(runs.map((run) => store.scoresForRun(run.id)));
  // Per-subject bars: leaf subsets (not the board groups) under a board metric; runs come newest first, so
  // the newest score of a subject wins.
  const subjects = new Map<string, ModelPageData['subjects'][number]>();
  runs.forEach((run, i) => {
    for (const s of runScores[i]!) {
      if (boardSubsets.has(s.subset) || subjects.has(s.subset)) continue;
      if (!boardColumns.some((c) => c.metric === s.metric && c.filter === s.filter)) continue;
      const half = s.ciLow !== null && s.ciHigh !== null ? Math.round((s.ciHigh - s.ciLow) * 5000) / 100 : 0;
      subjects.set(s.subset, { subject: s.subset, value: Math.round(s.value * 10000) / 100, error: half, runId: run.id });
    }
  });

  const siblings = model.trainingRun
    ? (await store.listModels()).filter((m) => m.trainingRun === model.trainingRun).sort((a, b) => (a.step ?? 0) - (b.step ?? 0))
    : [model];
  const historyColumns = new Set<string>();
  const points = siblings.map((m): HistoryPoint => {
    const point: HistoryPoint = { label: m.step !== null ? `step ${m.step}` : (m.revision ?? m.name) };
    for (const view of views) {
      const value = rowOf(view, m.id)?.average.value;
      if (value !== null && value !== undefined) {
        point[view.averageName] = value;
        historyColumns.add(view.averageName);
      }
    }
    return point;
  });

  return {
    model: publicModel(model, viewer),
    boards: boardsData,
    subjects: [...subjects.values()].sort((a, b) => a.subject.localeCompare(b.subject)),
    history: { trainingRun: model.trainingRun, columns: [...historyColumns], points },
    runs: runs.map((r) => ({ id: r.id, task: r.task, status: r.status, finishedAt: r.finishedAt })),
  };
}
