import type { Metadata } from 'next';
import { notFound } from 'next/navigation';
import { Facts } from '../../../components/Facts.tsx';
import { duration, formatValue, parseJson, pct } from '../../../lib/format.ts';
import { itemView } from '../../../lib/items.ts';
import { MathText } from '../../../lib/math-text.tsx';
import { primaryMetricKey } from '../../../lib/run-data.ts';
import { redactPaths } from '../../../lib/public-view.ts';
import { getStore, parseId } from '../../../lib/store.ts';

/** A text field of a run's configuration, or null (older runs lack `graphFile`). */
function configField(config: unknown, key: string): string | null {
  const value = config && typeof config === 'object' ? (config as Record<string, unknown>)[key] : undefined;
  return typeof value === 'string' ? value : null;
}

export const dynamic = 'force-dynamic';
export const metadata: Metadata = { title: 'Run' };

const PAGE = 20;

type Params = Record<string, string | string[] | undefined>;
const one = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v);

export default async function RunPage({ params, searchParams }: { params: Promise<{ id: string }>; searchParams: Promise<Params> }) {
  const { id: idText } = await params;
  const id = parseId(idText);
  if (id === null) notFound();
  const sp = await searchParams;
  const store = await getStore();
  const run = await store.getRun(id);
  if (!run) notFound();
  const model = await store.getModel(run.modelId);
  const scores = await store.scoresForRun(id);
  const tasks = [...new Set(scores.map((s) => s.subset))].sort();
  const task = one(sp.task) || undefined;
  const onlyWrong = one(sp.wrong) === '1';
  // "Wrong" means below full marks on the metric the board reads for this subset (else the run's first metric).
  const primaryMetric = primaryMetricKey(scores, task ?? run.task);
  const offset = Math.max(0, Number.parseInt(one(sp.offset) ?? '0', 10) || 0);
  // A run holds one requested task or group (items under its leaf tasks): its own name, as a board cell links
  // it, means every item of the run; any other name picks out that leaf task.
  const taskShown = task === run.task ? undefined : task;
  // `doc` picks out one question (a permalink from the compare page or a shared link).
  const docText = one(sp.doc);
  const single = task && docText && /^\d+$/.test(docText) ? await store.getResult(id, task, Number(docText)) : undefined;
  const results = single
    ? { total: 1, items: [single] }
    : await store.listResults(id, { task: taskShown, onlyWrong: onlyWrong ? primaryMetric : undefined, offset, limit: PAGE });
  const link = (next: { task?: string; wrong?: boolean; offset?: number }) => {
    const q = new URLSearchParams();
    const t = 'task' in next ? next.task : taskShown;
    if (t) q.set('task', t);
    if (next.wrong ?? onlyWrong) q.set('wrong', '1');
    if (next.offset) q.set('offset', String(next.offset));
    const s = q.toString();
    return `/runs/${id}${s ? `?${s}` : ''}`;
  };
  const config = parseJson(run.config);
  const facts: Array<[string, unknown]> = [
    ['status', run.status],
    ['source', run.source],
    ['device', run.device],
    ['execution provider', run.provider],
    ['started', run.startedAt],
    ['finished', run.finishedAt],
    ['wall time', duration(run.startedAt, run.finishedAt)],
    ['throughput', run.throughput === null ? null : `${run.throughput.toFixed(2)} items/s`],
    // Which of a checkpoint's precision files ran (a folder may publish fp32, fp16, q4, … side by side).
    ['precision', configField(config, 'dtype')],
    ['graph file', configField(config, 'graphFile')],
    ['config hash', run.configHash],
    ...promptFacts(config),
    ...Object.entries(run.timings ?? {}).map(([k, v]): [string, unknown] => [`timing: ${k}`, typeof v === 'number' ? `${v.toFixed(2)}` : v]),
  ];

  return (
    <>
      <h1>
        Run {run.id} · {model ? <a href={`/models/${model.id}`}>{model.name}</a> : `model ${run.modelId}`} · {run.task}
      </h1>
      {run.error && (
        <p className="error" role="alert">
          {redactPaths(run.error)}
        </p>
      )}
      <div className="cards">
        <Facts label="Run facts" facts={facts} />
        <section className="panel" aria-label="Configuration">
          <h2 style={{ marginTop: 0 }}>Configuration</h2>
          <pre className="prose">{config === undefined || config === null ? '—' : JSON.stringify(config, null, 2)}</pre>
        </section>
      </div>

      <h2>Scores</h2>
      <div className="table-wrap">
        <table className="plain">
          <thead>
            <tr>
              <th scope="col">subset</th>
              <th scope="col">metric</th>
              <th scope="col">value (%)</th>
              <th scope="col">95% interval</th>
              <th scope="col">n</th>
            </tr>
          </thead>
          <tbody>
            {scores.map((s) => (
              <tr key={`${s.subset}|${s.metric}|${s.filter}`}>
                <td>
                  <a href={link({ task: s.subset, offset: 0 })}>{s.subset}</a>
                </td>
                <td>
                  {s.metric},{s.filter}
                </td>
                <td>{pct(s.value)}</td>
                <td>{typeof s.ciLow === 'number' && typeof s.ciHigh === 'number' ? `${pct(s.ciLow)} – ${pct(s.ciHigh)}` : '—'}</td>
                <td>{formatValue(s.n)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>

      <h2 id="questions">Questions</h2>
      <form className="controls" method="get" action={`/runs/${id}`}>
        <label>
          Task
          <select name="task" defaultValue={taskShown ?? ''}>
            <option value="">all tasks</option>
            {tasks.map((t) => (
              <option key={t} value={t}>
                {t}
              </option>
            ))}
          </select>
        </label>
        <label style={{ flexDirection: 'row', alignItems: 'center', gap: 6 }}>
          <input type="checkbox" name="wrong" value="1" defaultChecked={onlyWrong} /> only wrong answers
        </label>
        <button type="submit">Show</button>
      </form>
      <p className="muted">
        {results.total} question{results.total === 1 ? '' : 's'}
        {onlyWrong ? ' answered wrongly' : ''}
        {taskShown ? ` in ${taskShown}` : ''}
        {single ? ` (question #${single.docIndex}; ` : '; '}
        {single && <a href={link({})}>all questions</a>}
        {single ? ')' : ''} showing {results.total === 0 ? 0 : offset + 1}–{Math.min(offset + PAGE, results.total)}.
      </p>
      {results.items.map((raw) => {
        const item = itemView(raw, primaryMetric);
        const anchor = `q-${item.task}-${item.docIndex}`;
        return (
          <article key={anchor} id={anchor} className={`item ${item.correct === false ? 'wrong' : item.correct ? 'right' : ''}`}>
            <header>
              <a href={`/runs/${id}?task=${encodeURIComponent(item.task)}&doc=${item.docIndex}`}>
                {item.task} #{item.docIndex}
              </a>{' '}
              <strong className={item.correct ? 'pos' : 'neg'}>{item.correct === null ? 'unscored' : item.correct ? 'correct' : 'wrong'}</strong>
            </header>
            <dl className="kv">
              <dt>question</dt>
              <dd>
                <MathText text={item.question} />
                <details>
                  <summary>full prompt ({item.prompt.length} characters)</summary>
                  <MathText text={item.prompt} />
                </details>
              </dd>
              {item.choices.length > 0 && (
                <>
                  <dt>choices</dt>
                  <dd>
                    {item.choices.map((c, i) => (
                      <div key={i}>
                        {c.text} <span className="muted">{c.logprob === null ? '' : `log p = ${c.logprob.toFixed(3)}`}</span>
                      </div>
                    ))}
                  </dd>
                </>
              )}
              <dt>completion</dt>
              <dd>
                <MathText text={item.completion || '—'} />
              </dd>
              <dt>extracted</dt>
              <dd>
                <MathText text={item.extracted || '—'} />
              </dd>
              <dt>gold</dt>
              <dd>
                <MathText text={item.gold || '—'} />
              </dd>
              {item.verdicts.length > 1 && (
                <>
                  <dt>verdicts</dt>
                  <dd>
                    {item.verdicts.map((v) => (
                      <div key={v.key}>
                        {v.key}: <strong className={v.value >= 1 ? 'pos' : 'neg'}>{formatValue(v.value)}</strong>
                        {v.note && <span className="muted"> ({v.note})</span>}
                      </div>
                    ))}
                  </dd>
                </>
              )}
              {item.verdicts.length === 1 && item.verdicts[0]!.note && (
                <>
                  <dt>note</dt>
                  <dd className="muted">{item.verdicts[0]!.note}</dd>
                </>
              )}
            </dl>
          </article>
        );
      })}
      <nav className="pager" aria-label="Pages">
        {offset > 0 && <a href={link({ offset: Math.max(0, offset - PAGE) })}>← previous</a>}
        {offset + PAGE < results.total && <a href={link({ offset: offset + PAGE })}>next →</a>}
      </nav>
    </>
  );
}

/** How the run's prompts were made: plain text, or the checkpoint's chat template with lm-eval's options. */
function promptFacts(config: unknown): Array<[string, unknown]> {
  const c = (config && typeof config === 'object' ? config : {}) as Record<string, unknown>;
  const apply = c['applyChatTemplate'];
  const facts: Array<[string, unknown]> = [
    ['prompts', apply ? `chat template${typeof apply === 'string' ? ` "${apply}"` : ''}` : 'plain text'],
  ];
  if (apply) facts.push(['few-shot as turns', c['fewshotAsMultiturn'] === false ? 'no (one user turn)' : 'yes']);
  if (typeof c['chatTemplateSha'] === 'string') facts.push(['chat template sha256', c['chatTemplateSha']]);
  if (typeof c['systemInstruction'] === 'string') facts.push(['system instruction', c['systemInstruction']]);
  if (c['genKwargs']) facts.push(['generation arguments', JSON.stringify(c['genKwargs'])]);
  if (c['seed']) facts.push(['seeds (python, numpy, torch, few-shot)', Object.values(c['seed'] as Record<string, unknown>).map((v) => (v === null ? 'None' : String(v))).join(', ')]);
  return facts;
}
