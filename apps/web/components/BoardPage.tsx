import { getBoard } from '@sciboard/runs';
import { filteredBoard, pageOfRows, parseBoardQuery, QueryError, queryToSearch, type SearchParams } from '../lib/board-query.ts';
import { getStore, loadBoardInputs } from '../lib/store.ts';
import { BoardTable } from './BoardTable.tsx';
import { suitesByColumn } from '../lib/suites.ts';

export async function BoardPage({ boardId, searchParams }: { boardId: string; searchParams: Promise<SearchParams> }) {
  const board = getBoard(boardId);
  const params = await searchParams;
  let query;
  try {
    query = parseBoardQuery(params, board);
  } catch (err) {
    if (err instanceof QueryError) {
      return (
        <>
          <h1>{board.title}</h1>
          <p className="error" role="alert">
            {err.message}. <a href={`/${board.id}`}>Reset the view</a>
          </p>
        </>
      );
    }
    throw err;
  }
  const inputs = await loadBoardInputs(await getStore());
  const { view, bands, modelTypes, totalRows } = filteredBoard(board, inputs, query);
  const { rows: pageRows, pages } = pageOfRows(view.rows, query);
  const page = Math.min(query.page, pages);
  // Exports carry the whole filtered view, not just this page.
  const search = queryToSearch({ ...query, page: 1 });
  const exportHref = (format: string) => `/api/boards/${board.id}${search ? `${search}&` : '?'}format=${format}`;
  const shown = query.cols.length > 0 ? query.cols : board.columns.map((c) => c.name);

  return (
    <>
      <h1>{board.title}</h1>
      <p className="muted">
        Columns as in the SciGLM paper; {board.averageName} is recomputed here as the plain mean of the shown columns.{' '}
        {view.rows.length} of {totalRows} rows match{pages > 1 ? `; page ${page} of ${pages}` : ''}.
      </p>
      <form className="controls" method="get" action={`/${board.id}`} aria-label="Filter the board">
        <label>
          Search
          <input type="search" name="q" defaultValue={query.q ?? ''} placeholder="model name" />
        </label>
        <fieldset>
          <legend>Band</legend>
          {bands.map((band) => (
            <label key={band}>
              <input type="checkbox" name="band" value={band} defaultChecked={query.band.includes(band)} /> {band}
            </label>
          ))}
        </fieldset>
        {modelTypes.length > 0 && (
          <fieldset>
            <legend>Model type</legend>
            {modelTypes.map((type) => (
              <label key={type}>
                <input type="checkbox" name="type" value={type} defaultChecked={query.type.includes(type)} /> {type}
              </label>
            ))}
          </fieldset>
        )}
        <label>
          Source
          <select name="source" defaultValue={query.source}>
            <option value="all">measured and reported</option>
            <option value="measured">measured here</option>
            <option value="reported">reported</option>
          </select>
        </label>
        <label>
          Measured since
          <input type="date" name="since" defaultValue={query.since ?? ''} />
        </label>
        <label>
          Flagged rows
          <select name="flagged" defaultValue={query.flagged}>
            <option value="show">show, marked</option>
            <option value="hide">hide</option>
            <option value="only">only flagged</option>
          </select>
        </label>
        <fieldset>
          <legend>Columns</legend>
          {board.columns.map((c) => (
            <label key={c.name} title={c.description}>
              <input type="checkbox" name="cols" value={c.name} defaultChecked={shown.includes(c.name)} /> {c.name}
            </label>
          ))}
        </fieldset>
        <label>
          Score
          <select name="norm" defaultValue={query.norm ? '1' : '0'}>
            <option value="0">raw accuracy</option>
            <option value="1">normalised to random guess</option>
          </select>
        </label>
        {query.sort && <input type="hidden" name="sort" value={query.sort} />}
        {query.pin.length > 0 && <input type="hidden" name="pin" value={query.pin.join(',')} />}
        <button type="submit">Apply</button>
        <a href={`/${board.id}`}>Reset</a>
      </form>
      <div className="exports">
        Export this view: <a href={exportHref('csv')}>CSV</a> <a href={exportHref('json')}>JSON</a>{' '}
        <a href={exportHref('latex')}>LaTeX</a>
      </div>
      <BoardTable view={{ ...view, rows: pageRows }} query={{ ...query, page }} basePath={`/${board.id}`} suites={suitesByColumn(board.id)} />
      {pages > 1 && (
        <nav className="pager" aria-label="Board pages">
          {page > 1 && <a href={`/${board.id}${queryToSearch({ ...query, page: page - 1 })}`}>← previous</a>}
          <span>
            page {page} of {pages}
          </span>
          {page < pages && <a href={`/${board.id}${queryToSearch({ ...query, page: page + 1 })}`}>next →</a>}
        </nav>
      )}
      <p className="legend">
        <b>Bold</b> best and <u>underlined</u> second within a band and column; † re-run by the source&apos;s authors;
        <sup>c</sup> measured with the checkpoint&apos;s chat template (a chat row says so beside its name); averages with * lack a column. Hover or focus a cell for its 95% interval and provenance. Ranks treat two
        models as tied when their 95% intervals overlap (reported numbers carry no interval).
        {view.normalised && ' Scores are normalised: (raw − baseline) / (1 − baseline), the baseline being random guessing (1/choices; SciEval weighs its item types, see /suites); generation tasks keep a 0 baseline.'}
      </p>
    </>
  );
}
