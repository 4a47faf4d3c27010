import { asyncBufferFromFile, parquetReadObjects } from 'hyparquet';
import { compressors } from 'hyparquet-compressors';

/** Every row of a Parquet file as an object (snappy built in; gzip, zstd, brotli and lz4 through the compressors). */
export async function readParquetRows(file: string): Promise<Array<Record<string, unknown>>> {
  try {
    return (await parquetReadObjects({ file: await asyncBufferFromFile(file), compressors })) as Array<Record<string, unknown>>;
  } catch (err) {
    throw new Error(`${file}: not a readable Parquet file (${(err as Error).message})`);
  }
}

export function field(row: Record<string, unknown>, name: string, where: string): unknown {
  if (!(name in row)) throw new Error(`${where}: no column "${name}" (columns: ${Object.keys(row).join(', ')})`);
  return row[name];
}

export function stringField(row: Record<string, unknown>, name: string, where: string): string {
  const v = field(row, name, where);
  if (typeof v !== 'string') throw new Error(`${where}: column "${name}" should be text, found ${JSON.stringify(v)}`);
  return v;
}

/** Parquet int64 arrives as BigInt. */
export function intField(row: Record<string, unknown>, name: string, where: string): number {
  const v = field(row, name, where);
  const n = typeof v === 'bigint' ? Number(v) : v;
  if (typeof n !== 'number' || !Number.isInteger(n)) throw new Error(`${where}: column "${name}" should be an integer, found ${String(v)}`);
  return n;
}

export function stringListField(row: Record<string, unknown>, name: string, where: string): string[] {
  const v = field(row, name, where);
  if (!Array.isArray(v) || !v.every((x) => typeof x === 'string')) throw new Error(`${where}: column "${name}" should be a list of text`);
  return v as string[];
}
