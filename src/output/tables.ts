/**
 * Column tables written as Parquet and CSV side by side (pandas, polars, DuckDB, R and
 * spreadsheets read one or the other; CSV only up to CSV_MAX_ROWS rows), and read back from the Parquet. Missing values (NaN,
 * ±Infinity for "never") are nulls in Parquet and empty cells in CSV.
 */
import { createWriteStream, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ParquetWriter, fileWriter } from 'hyparquet-writer';
import { parquetMetadata, parquetRead, parquetReadObjects } from 'hyparquet';

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
  // 64-bit, as pandas, polars and DuckDB read whole numbers from the CSV beside it.
  int: { type: 'INT64' },
  double: { type: 'DOUBLE' },
  string: { type: 'BYTE_ARRAY', converted_type: 'UTF8' },
  bool: { type: 'BOOLEAN' },
};

const cell = (v: unknown, type: ColumnType): string => {
  if (v === null || v === undefined || (typeof v === 'number' && !Number.isFinite(v))) return '';
  if (typeof v === 'string') return /[",\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  // A whole number in a double column keeps its decimal point, so readers infer the Parquet's type.
  if (type === 'double' && typeof v === 'number' && Number.isInteger(v) && Math.abs(v) < 1e21) return `${v}.0`;
  return String(v);
};

/**
 * Tables longer than this are written as Parquet only: a CSV of millions of rows is slow to write
 * and to open, and DuckDB, pandas and polars read the Parquet directly.
 */
export const CSV_MAX_ROWS = 250_000;

/** Rows per Parquet row group: readers can stream a table this many rows at a time. */
const ROW_GROUP = 100_000;

/** A column's values: an array (typed or plain), or a function of the row (computed one row group at a time). */
export type ColumnValues = ArrayLike<unknown> | ((row: number) => unknown);

/**
 * Writes `name.parquet` (in row groups of 100,000) and, up to CSV_MAX_ROWS rows, `name.csv` into
 * `dir`, from rows given column by column; values are converted one row group at a time, so a
 * table of millions of rows never exists as one array of boxed values or one string. Returns the
 * files written.
 */
export async function writeTable(dir: string, name: string, columns: readonly TableColumn[], data: Record<string, ColumnValues>, rows: number, meta: Record<string, string> = {}, geometry?: GeometryColumns): Promise<string[]> {
  /** Rows [from, to) of column c, as Parquet and CSV take them (nulls for missing, booleans for bool). */
  const slice = (c: TableColumn, from: number, to: number): ArrayLike<unknown> => {
    const src = data[c.name]!;
    // A double column without missing values goes to the writer as a typed array: no boxed number per row.
    if (c.type === 'double' && (src instanceof Float64Array || src instanceof Float32Array)) {
      let finite = true;
      for (let i = from; i < to && finite; i++) finite = Number.isFinite(src[i]!);
      if (finite) return src instanceof Float64Array ? src.subarray(from, to) : Float64Array.from(src.subarray(from, to));
    }
    const out = new Array(to - from);
    const get = typeof src === 'function' ? src : (i: number) => src[i];
    for (let i = from; i < to; i++) {
      const v = get(i);
      // Missing values (and empty strings, which the CSV cannot tell from them) are nulls.
      out[i - from] = v === undefined || v === null || v === '' || (typeof v === 'number' && !Number.isFinite(v)) ? null : c.type === 'bool' ? Boolean(v) : c.type === 'int' ? BigInt(Math.trunc(Number(v))) : v;
    }
    return out;
  };
  // Self-describing: each column's unit and description, and the run's provenance, as key-value metadata.
  const kvMetadata = [
    ...Object.entries(meta).map(([key, value]) => ({ key, value })),
    { key: 'hazardsim:columns', value: JSON.stringify(Object.fromEntries(columns.map((c) => [c.name, { type: c.type, unit: c.unit ?? '', description: c.doc ?? '' }]))) },
    ...(geometry ? [{ key: 'geo', value: JSON.stringify(geoMetadata(data, rows, geometry)) }] : []),
  ];
  // GeoParquet: a WKB point per row from the longitude and latitude columns (Parquet only; the CSV has them as columns).
  const geomField = geometry ? [{ name: 'geometry', repetition_type: 'OPTIONAL', type: 'BYTE_ARRAY' }] : [];
  const pw = new ParquetWriter({
    kvMetadata,
    writer: fileWriter(join(dir, `${name}.parquet`)),
    schema: [{ name: 'root', num_children: columns.length + geomField.length }, ...columns.map((c) => ({ name: c.name, repetition_type: 'OPTIONAL', ...PARQUET[c.type] })), ...geomField] as never,
  });
  const csv = rows <= CSV_MAX_ROWS ? createWriteStream(join(dir, `${name}.csv`)) : undefined;
  // A stream error (the folder went away, the disk filled) is kept and thrown at the end, never left unhandled.
  let csvError: Error | undefined;
  csv?.on('error', (err) => { csvError ??= err; });
  csv?.write(columns.map((c) => c.name).join(',') + '\n');
  /** Columns Snappy did not shrink in the first row group: the rest go uncompressed (random doubles do not compress; compressing them only costs time). */
  const raw = new Set<number>();
  for (let from = 0; from < Math.max(rows, 1); from += ROW_GROUP) {
    const to = Math.min(rows, from + ROW_GROUP);
    const group = columns.map((c) => slice(c, from, to));
    // 64-bit integers plain-encoded: hyparquet-writer's dictionary and delta paths for INT64 run on BigInt arithmetic, too slow for millions of rows.
    const columnData: { name: string; data: ArrayLike<unknown>; encoding?: 'PLAIN'; codec?: 'UNCOMPRESSED' }[] = columns.map((c, k) => ({ name: c.name, data: group[k]!, ...(c.type === 'int' ? { encoding: 'PLAIN' as const } : {}), ...(raw.has(k) ? { codec: 'UNCOMPRESSED' as const } : {}) }));
    // Plain, without min/max statistics: WKB bytes have no useful order (GeoParquet's bbox in the metadata covers them), and a dictionary of unique points only costs time.
    if (geometry) columnData.push({ name: 'geometry', data: wkbPoints(data, geometry, from, to), encoding: 'PLAIN', statistics: false, ...(raw.has(columns.length) ? { codec: 'UNCOMPRESSED' } : {}) } as never);
    pw.write({ columnData: columnData as never, rowGroupSize: ROW_GROUP });
    if (from === 0) incompressible(pw, columnData.length).forEach((k) => raw.add(k));
    if (csv) {
      let buf = '';
      for (let i = 0; i < to - from; i++) {
        buf += group.map((g, k) => cell(g[i], columns[k]!.type)).join(',') + '\n';
        if (buf.length > 1 << 20) { csv.write(buf); buf = ''; }
      }
      csv.write(buf);
    }
    if (rows === 0) break;
  }
  pw.finish();
  if (csv) await new Promise<void>((resolve, reject) => csv.end((err?: Error | null) => (err ?? csvError ? reject(err ?? csvError) : resolve())));
  return csv ? [`${name}.parquet`, `${name}.csv`] : [`${name}.parquet`];
}

/**
 * Columns (of the first `count`) whose first row group Snappy shrank by less than 5 %, read from the
 * writer's row-group metadata (none when the writer does not expose it).
 */
function incompressible(pw: ParquetWriter, count: number): number[] {
  const cols = pw.row_groups?.[0]?.columns;
  if (!cols) return [];
  const out: number[] = [];
  for (let k = 0; k < count; k++) {
    const m = cols[k]?.meta_data;
    if (m && m.total_uncompressed_size > 65_536n && Number(m.total_compressed_size) > 0.95 * Number(m.total_uncompressed_size)) out.push(k);
  }
  return out;
}

/** Which columns hold a table's longitude and latitude (WGS84 degrees), for its GeoParquet geometry. */
export interface GeometryColumns {
  lon: string;
  lat: string;
}

const valueAt = (v: ColumnValues, i: number): unknown => (typeof v === 'function' ? v(i) : v[i]);

/** Rows [from, to) as WKB points (little-endian, type 1, x = longitude, y = latitude); null where either is missing. */
function wkbPoints(data: Record<string, ColumnValues>, g: GeometryColumns, from: number, to: number): (Uint8Array | null)[] {
  const out: (Uint8Array | null)[] = new Array(to - from);
  // One buffer for the row group, one view per row (a national run writes millions of points).
  const buf = new Uint8Array(21 * (to - from)), v = new DataView(buf.buffer);
  for (let i = from; i < to; i++) {
    const x = Number(valueAt(data[g.lon]!, i)), y = Number(valueAt(data[g.lat]!, i));
    if (!Number.isFinite(x) || !Number.isFinite(y)) { out[i - from] = null; continue; }
    const o = 21 * (i - from);
    buf[o] = 1; v.setUint32(o + 1, 1, true); v.setFloat64(o + 5, x, true); v.setFloat64(o + 13, y, true);
    out[i - from] = buf.subarray(o, o + 21);
  }
  return out;
}

/** The GeoParquet 1.1 file metadata: a WKB point column in OGC:CRS84 (longitude, latitude), with its bounding box. */
function geoMetadata(data: Record<string, ColumnValues>, rows: number, g: GeometryColumns) {
  let x0 = Infinity, y0 = Infinity, x1 = -Infinity, y1 = -Infinity;
  for (let i = 0; i < rows; i++) {
    const x = Number(valueAt(data[g.lon]!, i)), y = Number(valueAt(data[g.lat]!, i));
    if (!Number.isFinite(x) || !Number.isFinite(y)) continue;
    if (x < x0) x0 = x; if (x > x1) x1 = x; if (y < y0) y0 = y; if (y > y1) y1 = y;
  }
  return {
    version: '1.1.0', primary_column: 'geometry',
    columns: { geometry: { encoding: 'WKB', geometry_types: ['Point'], ...(x0 <= x1 ? { bbox: [x0, y0, x1, y1] } : {}) } },
  };
}

/**
 * A column's values in a form that crosses to another thread: a typed or plain array, codes into
 * labels (strings repeated millions of times), one value for every row, or the UTC time of
 * another column's seconds after `startMs`.
 */
export type ColumnSource =
  | ArrayLike<unknown>
  | { codes: Uint8Array; labels: readonly (string | null)[] }
  | { constant: unknown }
  | { utcOf: string; startMs: number };

/** One table to write, with everything it needs (the typed arrays can be moved to a worker). */
export interface TableTask {
  dir: string;
  name: string;
  columns: readonly TableColumn[];
  data: Record<string, ColumnSource>;
  rows: number;
  meta?: Record<string, string>;
  /** Longitude and latitude columns: the Parquet file also gets a GeoParquet geometry column. */
  geometry?: GeometryColumns;
}

/** The column values a task's sources stand for. */
export function resolveSources(data: Record<string, ColumnSource>): Record<string, ColumnValues> {
  const out: Record<string, ColumnValues> = {};
  for (const [name, src] of Object.entries(data)) {
    if (ArrayBuffer.isView(src) || Array.isArray(src)) { out[name] = src as ArrayLike<unknown>; continue; }
    const o = src as Exclude<ColumnSource, ArrayLike<unknown>>;
    if ('codes' in o) out[name] = (i) => o.labels[o.codes[i]!];
    else if ('constant' in o) out[name] = () => o.constant;
    else if ('utcOf' in o) {
      const ref = data[o.utcOf] as ArrayLike<number>;
      out[name] = (i) => { const v = ref[i]; return typeof v === 'number' && Number.isFinite(v) ? new Date(Math.round(o.startMs + v * 1000)).toISOString() : null; };
    } else out[name] = src as ArrayLike<unknown>;
  }
  return out;
}

/** Writes a task's table (in this thread). */
export function writeTableTask(t: TableTask): Promise<string[]> {
  return writeTable(t.dir, t.name, t.columns, resolveSources(t.data), t.rows, t.meta, t.geometry);
}

/** Tables with at least this many rows in all are written on worker threads, side by side. */
export const PARALLEL_FROM_ROWS = 300_000;

/**
 * Writes tables: in this thread when they are small, else up to `threads` of them at once on
 * worker threads (the files are the same either way: the same writer runs on the same sources).
 * On worker threads, the tasks' typed arrays are moved there: the caller must not use them after.
 */
export async function writeTables(tasks: readonly TableTask[], options: { threads?: number; parallel?: boolean } = {}): Promise<void> {
  const rows = tasks.reduce((s, t) => s + t.rows, 0);
  const threads = Math.max(1, Math.min(options.threads ?? 2, tasks.length));
  if (!(options.parallel ?? (threads > 1 && rows >= PARALLEL_FROM_ROWS))) {
    for (const t of tasks) await writeTableTask(t);
    return;
  }
  const { Piscina } = await import('piscina');
  const { compiledModule } = await import('../core/paths.js');
  const pool = new Piscina({ filename: compiledModule('output/table-worker.js'), minThreads: threads, maxThreads: threads });
  try {
    // The largest first, so the others fill in beside it.
    // Typed arrays that own their buffers are moved to the worker, not copied (the caller made them for this).
    const transferList = (t: TableTask) => {
      const out: ArrayBuffer[] = [];
      for (const v of Object.values(t.data)) {
        const a = ArrayBuffer.isView(v) ? v : v && typeof v === 'object' && 'codes' in v ? v.codes : undefined;
        if (a && a.byteOffset === 0 && a.byteLength === a.buffer.byteLength && a.buffer instanceof ArrayBuffer && !out.includes(a.buffer)) out.push(a.buffer);
      }
      return out;
    };
    await Promise.all([...tasks].sort((a, b) => b.rows - a.rows).map((t) => pool.run(t, { transferList: transferList(t) as never })));
  } finally {
    await pool.destroy();
  }
}

/** 64-bit integers as numbers (hyparquet reads them as BigInt; table values stay far below 2^53). */
export const plain = (v: unknown): unknown => (typeof v === 'bigint' ? Number(v) : v);

/** Rows with 64-bit integers as numbers. */
export function plainRows(rows: Record<string, unknown>[]): Record<string, unknown>[] {
  for (const r of rows) for (const k in r) if (typeof r[k] === 'bigint') r[k] = Number(r[k]);
  return rows;
}

/** Reads `name.parquet` from `dir` as row objects. */
export async function readTable(dir: string, name: string): Promise<Record<string, unknown>[]> {
  const bytes = readFileSync(join(dir, `${name}.parquet`));
  return plainRows((await parquetReadObjects({ file: bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) })) as Record<string, unknown>[]);
}

/**
 * Some columns of `name.parquet` in `dir`, one column at a time, keeping every row when there are
 * at most `maxRows`, else an even stride of rows (for reports on runs of millions of phones).
 * Returns the rows kept as objects and how many rows the table has.
 */
export async function readTableSample(dir: string, name: string, columns: readonly string[], maxRows: number): Promise<{ rows: Record<string, unknown>[]; total: number }> {
  const bytes = readFileSync(join(dir, `${name}.parquet`));
  const file = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
  const metadata = parquetMetadata(file);
  const total = Number(metadata.num_rows);
  const stride = Math.max(1, Math.ceil(total / Math.max(1, maxRows)));
  const kept = Math.ceil(total / stride);
  const rows: Record<string, unknown>[] = Array.from({ length: kept }, () => ({}));
  for (const c of columns) {
    // Chunks of one column as row groups decode; the rows on the stride are kept.
    await parquetRead({
      file, metadata, columns: [c],
      onChunk: ({ columnData, rowStart }) => {
        for (let i = Math.ceil(rowStart / stride) * stride; i < rowStart + columnData.length; i += stride) rows[i / stride]![c] = plain(columnData[i - rowStart]) ?? null;
      },
    });
  }
  return { rows, total };
}
