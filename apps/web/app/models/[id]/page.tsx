import type { Metadata } from 'next';
import { notFound } from 'next/navigation';
import { Facts } from '../../../components/Facts.tsx';
import { HistoryChart, SizeChart, SubjectChart } from '../../../components/ModelCharts.tsx';
import { loadModelPage } from '../../../lib/model-data.ts';
import { getStore } from '../../../lib/store.ts';
import { suiteHref } from '../../../lib/suite-link.ts';
import { suitesByColumn } from '../../../lib/suites.ts';

export const dynamic = 'force-dynamic';
export const metadata: Metadata = { title: 'Model' };

const fmt = (v: number) => v.toFixed(2);

export default async function ModelPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  const data = await loadModelPage(await getStore(), id);
  if (!data) notFound();
  const { model } = data;
  const facts = Object.entries(model).filter(([, v]) => typeof v !== 'object' || v === null || v instanceof Date);

  return (
    <>
      <h1>{model.name}</h1>
      <Facts label="Model facts" facts={facts} />

      {data.boards.map((b) => {
        const suites = suitesByColumn(b.board);
        return (
        <section key={b.board} aria-label={`${b.title} scores`}>
          <h2>
            <a href={`/${b.board}`}>{b.title}</a>
          </h2>
          <div className="table-wrap">
            <table className="plain">
              <thead>
                <tr>
                  <th scope="col">column</th>
                  <th scope="col">measured (%)</th>
                  <th scope="col">95% interval</th>
                  <th scope="col">rank in band</th>
                  <th scope="col">reported</th>
                  <th scope="col">run</th>
                  <th scope="col">scored</th>
                </tr>
              </thead>
              <tbody>
                {b.columns.map((column) => {
                  const cell = b.measured?.cells[column];
                  const reported = b.reported.map((r) => r.cells[column]).find(Boolean);
                  return (
                    <tr key={column}>
                      <td>{column}</td>
                      <td>{cell ? fmt(cell.value) : '—'}</td>
                      <td>{cell?.ci95 ? `${fmt(cell.ci95[0])} – ${fmt(cell.ci95[1])}` : '—'}</td>
                      <td>{cell ? `${cell.rank}${cell.tied ? ' (tied)' : ''}` : '—'}</td>
                      <td>{reported ? `${fmt(reported.value)}${reported.rerun ? '†' : ''} (${reported.reportedBy})` : '—'}</td>
                      <td>{cell?.provenance ? <a href={`/runs/${cell.provenance.runId}?task=${encodeURIComponent(cell.provenance.subset)}`}>{cell.provenance.runId}</a> : '—'}</td>
                      <td>
                        {cell?.provenance && suites[column] ? (
                          <a href={suiteHref(suites[column].subset)}>{suites[column].scoring}</a>
                        ) : (
                          '—'
                        )}
                      </td>
                    </tr>
                  );
                })}
                <tr>
                  <th scope="row">{b.averageName}</th>
                  <td>
                    {b.measured?.average.value === null || !b.measured ? '—' : `${fmt(b.measured.average.value!)}${b.measured.average.complete ? '' : '*'}`}
                  </td>
                  <td colSpan={5} />
                </tr>
              </tbody>
            </table>
          </div>
          <h3>{b.averageName} against parameter count</h3>
          <SizeChart data={b.sizes} averageName={b.averageName} />
        </section>
        );
      })}

      <h2>Per-subject accuracy</h2>
      <SubjectChart data={data.subjects} />

      <h2>Checkpoint history</h2>
      <HistoryChart data={data.history.points} columns={data.history.columns} />
      {data.history.trainingRun && <p className="muted">Training run {data.history.trainingRun}.</p>}

      <h2>Runs</h2>
      <ul>
        {data.runs.map((r) => (
          <li key={r.id}>
            <a href={`/runs/${r.id}`}>run {r.id}</a> · {r.task} · {r.status} {r.finishedAt ? `· ${r.finishedAt}` : ''}
          </li>
        ))}
      </ul>
    </>
  );
}
