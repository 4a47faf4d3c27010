import { allSuites } from '../../lib/suites.ts';

export const metadata = { title: 'Suites · sciboard' };

/** Every board column's suite: what it measures, how it is scored, its upstream definition and its baseline. */
export default function SuitesPage() {
  const suites = allSuites();
  return (
    <main>
      <h1>Suites</h1>
      <p className="muted">How each board column is measured. Subset lists and every deviation from the reference scripts are in packages/eval/README.md.</p>
      {suites.map((s) => (
        <section key={`${s.board}:${s.column}`} id={s.subset} aria-labelledby={`suite-${s.board}-${s.subset}`}>
          <h2 id={`suite-${s.board}-${s.subset}`}>
            {s.column} <span className="muted">({s.board} board, subset {s.subset})</span>
          </h2>
          <p>{s.description}</p>
          <dl>
            <dt>scored</dt>
            <dd>{s.scoring}</dd>
            <dt>metric</dt>
            <dd>{s.metric}</dd>
            <dt>random-guess baseline</dt>
            <dd>{s.baseline}%</dd>
            <dt>follows</dt>
            <dd>
              <a href={s.url} rel="noopener noreferrer">
                {s.url}
              </a>
            </dd>
          </dl>
        </section>
      ))}
    </main>
  );
}
