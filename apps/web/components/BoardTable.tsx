'use client';
/**
 * The board table. Rows arrive filtered and ordered by the server (the URL is the state); TanStack Table holds
 * the sorting state in manual mode so headers expose sort handlers and aria-sort, and every change becomes a
 * new URL, so a view can be shared and reloaded as is.
 */
import { createColumnHelper, rowSortingFeature, tableFeatures, useTable, type SortingState } from '@tanstack/react-table';
import type { BoardCell, BoardRow, BoardView } from '@sciboard/runs/boards';
import { useRouter } from 'next/navigation';
import { useMemo, type KeyboardEvent } from 'react';
import { queryToSearch, type BoardQuery } from '../lib/board-query.ts';
import { suiteHref, type SuiteInfo } from '../lib/suite-link.ts';

const features = tableFeatures({ rowSortingFeature });
const columnHelper = createColumnHelper<typeof features, BoardRow>();

const fmt = (v: number) => v.toFixed(2);

function CellView({ cell, column, row, suite }: { cell: BoardCell | undefined; column: string; row: BoardRow; suite?: SuiteInfo }) {
  if (!cell) return <span className="muted" aria-label="no result">-</span>;
  const markClass = cell.mark === 'best' ? 'mark-best' : cell.mark === 'second' ? 'mark-second' : '';
  const text = (
    <>
      <span className={markClass}>{fmt(cell.value)}</span>
      {cell.rerun && <span className="dagger">†</span>}
      {cell.provenance?.chatTemplate && (
        <sup className="chat-mark" aria-label="chat template applied">
          c
        </sup>
      )}
    </>
  );
  const p = cell.provenance;
  return (
    <span className={`cell${cell.flag ? ' flagged-cell' : ''}`}>
      {p ? (
        <a className="value" href={`/runs/${encodeURIComponent(p.runId)}?task=${encodeURIComponent(p.subset)}`}>
          {text}
        </a>
      ) : (
        // Reachable with the arrow keys (and showing its card on focus) without adding hundreds of Tab stops.
        <span tabIndex={-1}>{text}</span>
      )}
      {p && suite && (
        <a className="suite-link" href={suiteHref(suite.subset)} title={`scored: ${suite.scoring}`} aria-label={`${column} suite: ${suite.scoring}`}>
          ⓘ
        </a>
      )}
      <span className="tip" role="tooltip">
        <strong>
          {row.model} · {column}
        </strong>
        <dl>
          {cell.ci95 && (
            <>
              <dt>95% interval</dt>
              <dd>
                {fmt(cell.ci95[0])} – {fmt(cell.ci95[1])}
              </dd>
            </>
          )}
          <dt>source</dt>
          <dd>{p ? 'measured here' : `reported by ${cell.reportedBy ?? 'a source'}${cell.rerun ? ' (re-run by its authors)' : ''}`}</dd>
          <dt>rank in band</dt>
          <dd>
            {cell.rank}
            {cell.tied ? ' (tied: intervals overlap)' : ''}
          </dd>
          {p && (
            <>
              {suite && (
                <>
                  <dt>scored</dt>
                  <dd>{suite.scoring}</dd>
                </>
              )}
              <dt>run</dt>
              <dd>{p.runId}</dd>
              <dt>subset, metric</dt>
              <dd>
                {p.subset}, {p.metricKey}
              </dd>
              <dt>items</dt>
              <dd>{p.n ?? '?'}</dd>
              <dt>shots</dt>
              <dd>{p.numFewshot ?? '?'}</dd>
              <dt>prompts</dt>
              <dd>{p.chatTemplate ? "the checkpoint's chat template (as lm-eval --apply_chat_template)" : 'plain text (base model)'}</dd>
              <dt>precision</dt>
              <dd>{p.dtype ?? '?'}</dd>
              <dt>harness</dt>
              <dd>{p.harnessVersion ?? '?'}</dd>
              <dt>task version</dt>
              <dd>{p.taskVersion ?? '?'}</dd>
              <dt>prompt hash</dt>
              <dd>{p.promptHash ?? '?'}</dd>
              <dt>revision</dt>
              <dd>{p.revision ?? '?'}</dd>
              <dt>finished</dt>
              <dd>{p.finishedAt ?? '?'}</dd>
            </>
          )}
          {cell.gap && (
            <>
              <dt>reported</dt>
              <dd>
                {fmt(cell.gap.reported)} by {cell.gap.source}
                {cell.gap.rerun ? ' †' : ''}
              </dd>
              <dt>gap</dt>
              <dd className={cell.gap.difference >= 0 ? 'pos' : 'neg'}>
                {cell.gap.difference >= 0 ? '+' : ''}
                {fmt(cell.gap.difference)} (measured − reported)
              </dd>
            </>
          )}
          {cell.flag && (
            <>
              <dt>flagged</dt>
              <dd>{cell.flag}</dd>
            </>
          )}
        </dl>
      </span>
    </span>
  );
}

function toSorting(sort: string | undefined): SortingState {
  if (!sort) return [];
  const at = sort.lastIndexOf(':');
  return [{ id: sort.slice(0, at), desc: sort.slice(at + 1) === 'desc' }];
}

/** Arrow keys move between cells (a grid); Tab visits only links, buttons and headers. */
function onGridKeyDown(event: KeyboardEvent<HTMLTableElement>) {
  const moves: Record<string, [number, number]> = { ArrowUp: [-1, 0], ArrowDown: [1, 0], ArrowLeft: [0, -1], ArrowRight: [0, 1] };
  const move = moves[event.key];
  const cell = (event.target as HTMLElement).closest('td');
  if (!move || !cell) return;
  const row = cell.parentElement as HTMLTableRowElement;
  const rows = [...event.currentTarget.querySelectorAll<HTMLTableRowElement>('tbody tr[data-row]')];
  const r = rows.indexOf(row) + move[0];
  const c = cell.cellIndex + move[1];
  const target = rows[r]?.cells[c];
  if (!target) return;
  event.preventDefault();
  const focusable = target.querySelector<HTMLElement>('a, button, [tabindex]');
  (focusable ?? target).focus();
}

export function BoardTable({ view, query, basePath, suites = {} }: { view: BoardView; query: BoardQuery; basePath: string; suites?: Record<string, SuiteInfo> }) {
  const router = useRouter();
  const go = (next: Partial<BoardQuery>) => router.push(`${basePath}${queryToSearch({ ...query, ...next })}`, { scroll: false });

  const columns = useMemo(
    () =>
      columnHelper.columns([
      columnHelper.accessor((row) => row.model.toLowerCase(), {
        id: 'model',
        header: 'Model',
        cell: (info) => {
          const row = info.row.original;
          return (
            <>
              {row.modelId ? <a href={`/models/${encodeURIComponent(row.modelId)}`}>{row.model}</a> : row.model}
              <span className={`kind ${row.kind}`}>{row.kind}</span>
              {row.chatTemplate && (
                <span className="kind chat" title="some cells were measured with the checkpoint's chat template (marked c)">
                  chat
                </span>
              )}
            </>
          );
        },
      }),
      columnHelper.accessor((row) => row.band, { id: 'band', header: 'Band', enableSorting: false }),
      ...view.columns.map((name) =>
        columnHelper.accessor((row) => row.cells[name]?.value, {
          id: name,
          header: name,
          cell: (info) => <CellView cell={info.row.original.cells[name]} column={name} row={info.row.original} suite={suites[name]} />,
        }),
      ),
      columnHelper.accessor((row) => row.average.value ?? undefined, {
        id: 'average',
        header: view.averageName,
        cell: (info) => {
          const avg = info.row.original.average;
          if (avg.value === null) return <span className="muted">-</span>;
          const cls = avg.mark === 'best' ? 'mark-best' : avg.mark === 'second' ? 'mark-second' : '';
          return (
            <span className={avg.complete ? cls : 'incomplete'} title={avg.complete ? undefined : 'a shown column is missing'}>
              {fmt(avg.value)}
              {avg.complete ? '' : '*'}
            </span>
          );
        },
      }),
      ]),
    [view.columns, view.averageName, suites],
  );

  const table = useTable({
    features,
    columns,
    data: view.rows,
    getRowId: (row) => row.key,
    manualSorting: true,
    enableMultiSort: false,
    state: { sorting: toSorting(query.sort) },
    onSortingChange: (updater) => {
      const next = typeof updater === 'function' ? updater(toSorting(query.sort)) : updater;
      const first = next[0];
      go({ sort: first ? `${first.id}:${first.desc ? 'desc' : 'asc'}` : undefined, page: 1 });
    },
  });

  const togglePin = (key: string) =>
    go({ pin: query.pin.includes(key) ? query.pin.filter((k) => k !== key) : [...query.pin, key] });
  const grouped = !query.sort;
  const rows = table.getRowModel().rows;

  return (
    <div className="table-wrap">
      <table className="board" onKeyDown={onGridKeyDown} aria-label={`${view.board} board`}>
        <thead>
          {table.getHeaderGroups().map((group) => (
            <tr key={group.id}>
              <th scope="col">
                <span className="muted">Pin</span>
              </th>
              {group.headers.map((header) => {
                const sorted = header.column.getIsSorted();
                return (
                  <th
                    key={header.id}
                    scope="col"
                    className={header.id === 'model' ? 'model' : undefined}
                    aria-sort={sorted === 'asc' ? 'ascending' : sorted === 'desc' ? 'descending' : undefined}
                  >
                    {header.column.getCanSort() ? (
                      <button type="button" className="sort" onClick={header.column.getToggleSortingHandler()}>
                        <table.FlexRender header={header} />
                        {sorted === 'asc' ? ' ▲' : sorted === 'desc' ? ' ▼' : ''}
                      </button>
                    ) : (
                      <table.FlexRender header={header} />
                    )}
                  </th>
                );
              })}
            </tr>
          ))}
        </thead>
        <tbody>
          {rows.length === 0 && (
            <tr>
              <td colSpan={view.columns.length + 4} className="muted">
                No rows match this view.
              </td>
            </tr>
          )}
          {rows.map((row, i) => {
            const data = row.original;
            const pinned = query.pin.includes(data.key);
            const previous = rows[i - 1]?.original;
            const bandHeading = grouped && !pinned && (!previous || query.pin.includes(previous.key) || previous.band !== data.band);
            const classes = [pinned ? 'pinned' : '', data.flags.length > 0 ? 'flagged' : ''].filter(Boolean).join(' ');
            return [
              bandHeading && (
                <tr key={`band-${data.band}-${i}`} className="band-row">
                  <td colSpan={view.columns.length + 4}>
                    <span>{data.band}</span>
                  </td>
                </tr>
              ),
              <tr key={row.id} data-row={data.key} className={classes || undefined} title={data.flags.map((f) => `flagged: ${f.reason}`).join('\n') || undefined}>
                <td>
                  <button type="button" className="pin-btn" aria-pressed={pinned} aria-label={`${pinned ? 'Unpin' : 'Pin'} ${data.model}`} onClick={() => togglePin(data.key)}>
                    {pinned ? '★' : '☆'}
                  </button>
                </td>
                {row.getAllCells().map((cell) => (
                  <td key={cell.id} tabIndex={-1} className={cell.column.id === 'model' ? 'model' : undefined}>
                    <table.FlexRender cell={cell} />
                  </td>
                ))}
              </tr>,
            ];
          })}
        </tbody>
      </table>
    </div>
  );
}
