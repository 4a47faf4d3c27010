import { closeSync, openSync, readSync } from 'node:fs';
import { UsageError } from './main.ts';

/** The header of a reported-results CSV (packages/db `loadReportedCsv`). */
export const REPORTED_CSV_HEADER = 'board,params_band,model,column,score,rerun_by_authors';

function firstLine(path: string): string {
  const fd = openSync(path, 'r');
  try {
    const buf = Buffer.alloc(4096);
    const n = readSync(fd, buf, 0, buf.length, 0);
    return buf.subarray(0, n).toString('utf8').replace(/^\uFEFF/, '').split(/\r?\n/)[0]!.trim();
  } catch {
    return '';
  } finally {
    closeSync(fd);
  }
}

/**
 * Whether a file given to `import` without --reported is a reported-results CSV (then it is imported as one);
 * another CSV is refused with the header it would need, rather than failing as "not valid JSON".
 */
export function isReportedCsv(path: string): boolean {
  const header = firstLine(path);
  if (header.replace(/\s+/g, '').startsWith(REPORTED_CSV_HEADER.split(',').slice(0, 5).join(','))) return true;
  if (/\.csv$/i.test(path) || (header.includes(',') && !header.startsWith('{'))) {
    throw new UsageError(
      `${path}: a CSV is imported as reported results (--reported), with the header ${REPORTED_CSV_HEADER}; this file's first line is ${JSON.stringify(header.slice(0, 80))}`,
    );
  }
  return false;
}
