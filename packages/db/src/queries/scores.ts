import { asc, desc, eq, sql } from 'drizzle-orm';
import type { DialectAdapter } from '../client.ts';
import type { BoardScoreRow, Score, ScoreInput } from '../types.ts';
import { excludedSet } from './upsert.ts';

export function scoreQueries(adapter: DialectAdapter) {
  const { db, tables } = adapter;
  const { scores, runs, models } = tables;
  return {
    /** Stores a run's aggregate scores; writing a metric again replaces its value. */
    async writeScores(runId: number, rows: ScoreInput[]): Promise<void> {
      if (rows.length === 0) return;
      const values = rows.map((row) => ({ ...row, filter: row.filter ?? 'none', runId }));
      await adapter.transaction((tx) =>
        tx
          .insert(scores)
          .values(values)
          .onConflictDoUpdate({
            target: [scores.runId, scores.subset, scores.metric, scores.filter],
            set: excludedSet(scores, ['value', 'stderr', 'ciLow', 'ciHigh', 'n']),
          }),
      );
    },

    async scoresForRun(runId: number): Promise<Score[]> {
      return db
        .select()
        .from(scores)
        .where(eq(scores.runId, runId))
        .orderBy(asc(scores.subset), asc(scores.metric), asc(scores.filter));
    },

    /** Every measured score a board can show: per model, subset, metric and filter, the latest finished run's. */
    async boardScores(): Promise<BoardScoreRow[]> {
      const rows = await db
        .select({ score: scores, run: runs, model: models })
        .from(scores)
        .innerJoin(runs, eq(runs.id, scores.runId))
        .innerJoin(models, eq(models.id, runs.modelId))
        .where(eq(runs.status, 'finished'))
        .orderBy(sql`${runs.finishedAt} desc nulls last`, desc(runs.id));
      const latest = new Map<string, BoardScoreRow>();
      for (const { score, run, model } of rows) {
        const key = JSON.stringify([model.id, score.subset, score.metric, score.filter]);
        if (latest.has(key)) continue;
        latest.set(key, {
          modelId: model.id,
          modelName: model.name,
          band: model.band,
          params: model.params,
          modelType: model.modelType,
          runId: run.id,
          subset: score.subset,
          metric: score.metric,
          filter: score.filter,
          value: score.value,
          stderr: score.stderr,
          ciLow: score.ciLow,
          ciHigh: score.ciHigh,
          n: score.n,
          numFewshot: run.config.numFewshot ?? null,
          harnessVersion: run.config.harnessVersion ?? null,
          taskVersion: run.config.taskVersions?.[score.subset] ?? null,
          promptHash: run.config.promptHash ?? null,
          chatTemplate: Boolean(run.config['applyChatTemplate']),
          dtype: typeof run.config.dtype === 'string' ? run.config.dtype : null,
          revision: model.revision,
          finishedAt: run.finishedAt,
        });
      }
      return [...latest.values()];
    },
  };
}
