import type { Metadata } from 'next';
import type { SubmissionSummary } from '@sciboard/db';
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

export default async function QueuePage({ searchParams }: { searchParams: Promise<Params> }) {
  const sp = await searchParams;
  const store = await getStore();
  const submissions = await store.listSubmissions({ limit: 200 });
  const active = submissions.some((s) => s.status === 'queued' || s.status === 'running');
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
