/**
 * The site's one door to storage. Pages and API routes read through `getStore()`, which opens the database
 * packages/db manages (SQLite file from SCIBOARD_DB by default, PostgreSQL when DATABASE_URL is set) once per
 * server process.
 */
import { type BoardInputs, openDb, readBoardInputs, type Store } from '@sciboard/runs';
import { siteEnv } from './env.ts';

export type { Store, BoardInputs };

let opened: Promise<Store> | undefined;

export function getStore(): Promise<Store> {
  opened ??= openDb(siteEnv().database);
  return opened;
}

/**
 * Reading every board score is most of a board request's time on a large board (a thousand models: a few
 * hundred ms). Requests within the cache time of one read share it; a finished run shows up at most that much
 * later. `SCIBOARD_BOARD_CACHE_MS` sets it (default 5000); 0 turns the cache off.
 */
const cached = new WeakMap<Store, { at: number; inputs: Promise<BoardInputs> }>();

/** Everything a board needs, read in parallel. */
export function loadBoardInputs(store: Store): Promise<BoardInputs> {
  const hit = cached.get(store);
  if (hit && Date.now() - hit.at < siteEnv().boardCacheMs) return hit.inputs;
  const inputs = readBoardInputs(store);
  cached.set(store, { at: Date.now(), inputs });
  // A failed read is not remembered.
  inputs.catch(() => cached.delete(store));
  return inputs;
}

/** Route parameters are strings; store ids are integers. `null` when the text is not one. */
export function parseId(text: string): number | null {
  return /^\d{1,15}$/.test(text) ? Number(text) : null;
}
