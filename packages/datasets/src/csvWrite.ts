/** RFC 4180 CSV as the release files are written: a field is quoted when it holds a comma, quote or line break. */
export function csvLine(fields: readonly string[]): string {
  return `${fields.map((f) => (/[",\r\n]/.test(f) ? `"${f.replaceAll('"', '""')}"` : f)).join(',')}\n`;
}

export function csv(rows: ReadonlyArray<readonly string[]>): string {
  return rows.map(csvLine).join('');
}
