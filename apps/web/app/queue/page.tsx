import type { Metadata } from 'next';
import type { ShardRow, SubmissionSummary } from '@sciboard/runs';
import { redactPaths } from '../../lib/public-view.ts';
import { getStore } from '../../lib/store.ts';

export const dynamic = 'force-dynamic';
export const metadata: Metadata = { title: 'Queue' };

type Params = Record<string, string | string[] | undefined>;

interface PayloadView {
  model?: { id?: number; name?: string };
  subsets?: { subset: string; runId: number }[];
}

function progressText(s: SubmissionSummary): string {
  const { done, total, itemsDone, itemsTotal } = s.shards;
  const items = itemsTotal > 0 ? `, ${itemsDone}/${itemsTotal} items` : '';
  return `${done}/${total} shards${items}`;
}

interface TaskProgress {
  task: string;
  ranges: { label: string; status: string; itemsDone: number; itemsTotal: number | null }[];
}

/** A live submission's shards by task: each task's document ranges (or its one whole-task shard) with their items. */
function byTask(shards: ShardRow[]): TaskProgress[] {
  const tasks = new Map<string, TaskProgress>();
  for (const s of shards) {
    const key = `${s.subset}\u0000${s.task}`;
    if (!tasks.has(key)) tasks.set(key, { task: s.task, ranges: [] });
    const label = s.docStart === null && s.docEnd === null ? 'whole task' : `${s.docStart ?? 0}–${s.docEnd ?? ''}`;
    // A range's size is known before any worker reports it; a done range has done all of its items.
    const size = s.itemsTotal ?? (s.docEnd !== null ? s.docEnd - (s.docStart ?? 0) : null);
    tasks.get(key)!.ranges.push({ label, status: s.status, itemsDone: s.status === 'done' && size !== null ? size : s.itemsDone, itemsTotal: size });
  }
  return [...tasks.values()];
}

function TaskRanges({ tasks }: { tasks: TaskProgress[] }) {
  return (
    <ul className="task-ranges">
      {tasks.map((t) => {
        const done = t.ranges.filter((r) => r.status === 'done').length;
        const items = t.ranges.reduce((n, r) => n + r.itemsDone, 0);
        const total = t.ranges.reduce((n, r) => n + (r.itemsTotal ?? 0), 0);
        return (
          <li key={t.task} data-task={t.task}>
            {t.task}: {done}/{t.ranges.length} {t.ranges.length === 1 ? 'range' : 'ranges'}
            {total > 0 ? `, ${items}/${total} items` : ''}{' '}
            {t.ranges.map((r) => (
              <span key={r.label} className={`range status-${r.status}`} data-range={r.label} title={`${r.status}${r.itemsTotal ? `, ${r.itemsDone}/${r.itemsTotal} items` : ''}`}>
                [{r.label}]{' '}
              </span>
            ))}
          </li>
        );
      })}
    </ul>
  );
}

export default async function QueuePage({ searchParams }: { searchParams: Promise<Params> }) {
  const sp = await searchParams;
  const store = await getStore();
  const submissions = await store.listSubmissions({ limit: 200 });
  const active = submissions.some((s) => s.status === 'queued' || s.status === 'running');
  // Ranges are listed for live submissions only: finished ones link to their runs instead.
  const ranges = new Map<number, TaskProgress[]>();
  for (const s of submissions) if (s.status === 'queued' || s.status === 'running') ranges.set(s.id, byTask(await store.listShards(s.id)));
  return (
    <>
      {/* Refreshes itself while anything is still queued or running. */}
      {active ? <meta httpEquiv="refresh" content="3" /> : null}
      <h1>Evaluation queue</h1>
      {sp.submitted ? <p className="panel">Submission {String(sp.submitted)} was queued; this page follows it until it finishes.</p> : null}
      {sp.duplicate ? <p className="panel">That checkpoint and configuration were already submitted as submission {String(sp.duplicate)}.</p> : null}
      {submissions.length === 0 ? (
        <p className="muted">Nothing submitted yet.</p>
      ) : (
        <div className="table-wrap">
          <table className="queue-table">
            <thead>
              <tr>
                <th>#</th>
                <th>Model</th>
                <th>Status</th>
                <th>Progress</th>
                <th>Submitted</th>
                <th>Runs</th>
              </tr>
            </thead>
            <tbody>
              {submissions.map((s) => {
                const payload = s.payload as PayloadView;
                return (
                  <tr key={s.id} data-submission={s.id} data-status={s.status}>
                    <td>{s.id}</td>
                    <td>{payload.model?.id ? <a href={`/models/${payload.model.id}`}>{payload.model.name}</a> : payload.model?.name}</td>
                    <td className={`status-${s.status}`}>
                      {s.status}
                      {s.status === 'failed' && s.error ? <div className="error">{redactPaths(s.error)}</div> : null}
                    </td>
                    <td>
                      <progress max={1} value={s.progress ?? 0} /> {progressText(s)}
                      {ranges.has(s.id) ? <TaskRanges tasks={ranges.get(s.id)!} /> : null}
                    </td>
                    <td>{s.createdAt.replace('T', ' ').slice(0, 19)}</td>
                    <td>
                      {(payload.subsets ?? []).map((r) => (
                        <a key={r.runId} href={`/runs/${r.runId}`} className="run-link">
                          {r.subset}{' '}
                        </a>
                      ))}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
    </>
  );
}
