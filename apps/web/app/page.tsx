import { type BoardRow, boards, buildBoard } from '@sciboard/runs';
import { getStore, loadBoardInputs } from '../lib/store.ts';

export const dynamic = 'force-dynamic';

/** Complete averages first: a mean over fewer columns is not comparable, so it only fills the list, marked `*`. */
const top = (rows: BoardRow[], kind: BoardRow['kind']) =>
  rows
    .filter((r) => r.kind === kind && r.average.value !== null)
    .sort((a, b) => Number(b.average.complete) - Number(a.average.complete) || b.average.value! - a.average.value!)
    .slice(0, 5);

export default async function Overview() {
  const store = await getStore();
  const [inputs, models] = await Promise.all([loadBoardInputs(await getStore()), store.listModels()]);
  const views = Object.values(boards).map((b) => buildBoard(b, inputs));
  return (
    <>
      <h1>Science and math leaderboards</h1>
      <p>
        Checkpoints scored on science and math suites with lm-evaluation-harness parity, beside the numbers the
        SciGLM paper reports. {models.length} model{models.length === 1 ? '' : 's'} measured here;{' '}
        {inputs.reported.length} reported numbers. Averages marked * lack a column.
      </p>
      <div className="cards">
        {views.map((view) => (
          <section key={view.board} className="panel" aria-label={view.title}>
            <h2 style={{ marginTop: 0 }}>
              <a href={`/${view.board}`}>{view.title}</a>
            </h2>
            <p className="muted">
              {view.columns.join(', ')} → {view.averageName}. {view.rows.length} rows.
            </p>
            {(['measured', 'reported'] as const).map((kind) => {
              const best = top(view.rows, kind);
              return (
                <div key={kind}>
                  <h3>Top {kind} ({view.averageName})</h3>
                  {best.length === 0 ? (
                    <p className="muted">None yet.</p>
                  ) : (
                    <ol>
                      {best.map((r) => (
                        <li key={r.key}>
                          {r.modelId ? <a href={`/models/${r.modelId}`}>{r.model}</a> : r.model}{' '}
                          <span className="muted">({r.band})</span> {r.average.value!.toFixed(2)}
                          {r.average.complete ? '' : '*'}
                        </li>
                      ))}
                    </ol>
                  )}
                </div>
              );
            })}
          </section>
        ))}
      </div>
      <h2>Measured models</h2>
      {models.length === 0 ? (
        <p className="muted">Nothing measured yet.</p>
      ) : (
        <ul>
          {models.map((m) => (
            <li key={m.id}>
              <a href={`/models/${m.id}`}>{m.name}</a> <span className="muted">{m.band}{m.modelType ? ` · ${m.modelType}` : ''}</span>
            </li>
          ))}
        </ul>
      )}
    </>
  );
}
