/**
 * Column tables written as Parquet and CSV side by side (pandas, polars, DuckDB, R and
 * spreadsheets read one or the other), and read back from the Parquet. Missing values (NaN,
 * ±Infinity for "never") are nulls in Parquet and empty cells in CSV.
 */
import { createWriteStream, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ParquetWriter, fileWriter } from 'hyparquet-writer';
import { parquetReadObjects } from 'hyparquet';

export type ColumnType = 'int' | 'double' | 'string' | 'bool';
export interface TableColumn {
  name: string;
  type: ColumnType;
  /** Unit (SI or the field's own, e.g. MMI), '' for none. */
  unit?: string;
  /** What the column holds. */
  doc?: string;
}

const PARQUET: Record<ColumnType, object> = {
  int: { type: 'INT32' },
  double: { type: 'DOUBLE' },
  string: { type: 'BYTE_ARRAY', converted_type: 'UTF8' },
  bool: { type: 'BOOLEAN' },
};

const cell = (v: unknown): string => {
  if (v === null || v === undefined || (typeof v === 'number' && !Number.isFinite(v))) return '';
  if (typeof v === 'string') return /[",\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  return String(v);
};

/** Writes `name.parquet` and `name.csv` into `dir` from rows given column by column. */
export async function writeTable(dir: string, name: string, columns: readonly TableColumn[], data: Record<string, ArrayLike<unknown>>, rows: number, meta: Record<string, string> = {}): Promise<void> {
  const norm = (c: TableColumn): unknown[] => {
    const src = data[c.name]!, out = new Array(rows);
    for (let i = 0; i < rows; i++) {
      const v = src[i];
      out[i] = typeof v === 'number' && !Number.isFinite(v) ? null : v === undefined ? null : v;
    }
    return out;
  };
  const cols = columns.map(norm);
  // Self-describing: each column's unit and description, and the run's provenance, as key-value metadata.
  const kvMetadata = [
    ...Object.entries(meta).map(([key, value]) => ({ key, value })),
    { key: 'hazardsim:columns', value: JSON.stringify(Object.fromEntries(columns.map((c) => [c.name, { type: c.type, unit: c.unit ?? '', description: c.doc ?? '' }]))) },
  ];
  const pw = new ParquetWriter({
    kvMetadata,
    writer: fileWriter(join(dir, `${name}.parquet`)),
    schema: [{ name: 'root', num_children: columns.length }, ...columns.map((c) => ({ name: c.name, repetition_type: 'OPTIONAL', ...PARQUET[c.type] }))] as never,
  });
  for (let from = 0; from < Math.max(rows, 1); from += 100_000) {
    const to = Math.min(rows, from + 100_000);
    pw.write({ columnData: columns.map((c, k) => ({ name: c.name, data: cols[k]!.slice(from, to) })), rowGroupSize: 100_000 });
    if (rows === 0) break;
  }
  pw.finish();
  const csv = createWriteStream(join(dir, `${name}.csv`));
  csv.write(columns.map((c) => c.name).join(',') + '\n');
  let buf = '';
  for (let i = 0; i < rows; i++) {
    buf += cols.map((c) => cell(c[i])).join(',') + '\n';
    if (buf.length > 1 << 20) { csv.write(buf); buf = ''; }
  }
  csv.write(buf);
  await new Promise<void>((resolve, reject) => csv.end((err?: Error | null) => (err ? reject(err) : resolve())));
}

/** Reads `name.parquet` from `dir` as row objects. */
export async function readTable(dir: string, name: string): Promise<Record<string, unknown>[]> {
  const bytes = readFileSync(join(dir, `${name}.parquet`));
  return (await parquetReadObjects({ file: bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) })) as Record<string, unknown>[];
}
