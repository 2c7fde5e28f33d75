/**
 * Column tables written as Parquet and CSV side by side (pandas, polars, DuckDB, R and
 * spreadsheets read one or the other; CSV only up to CSV_MAX_ROWS rows), and read back from the Parquet. Missing values (NaN,
 * ±Infinity for "never") are nulls in Parquet and empty cells in CSV.
 */
import { createWriteStream, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ChunkedParquetFile, GROUPS_PER_PART, stitchParts, type ChunkColumn, type ChunkValues, type ParquetPart } from './parquet-chunks.js';
import { parquetMetadata, parquetRead, parquetReadObjects } from 'hyparquet';
import { brotliDecompressSync } from 'node:zlib';
import { Piscina } from 'piscina';
import { compiledModule } from '../core/paths.js';

export type ColumnType = 'int' | 'double' | 'string' | 'bool';
export interface TableColumn {
  name: string;
  type: ColumnType;
  /** Unit (SI or the field's own, e.g. MMI), '' for none. */
  unit?: string;
  /** What the column holds. */
  doc?: string;
}

const cell = (v: unknown, type: ColumnType): string => {
  if (v === null || v === undefined || (typeof v === 'number' && !Number.isFinite(v))) return '';
  if (typeof v === 'string') return /[",\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  // A whole number in a double column keeps its decimal point, so readers infer the Parquet's type.
  if (type === 'double' && typeof v === 'number' && Number.isInteger(v) && Math.abs(v) < 1e21) return `${v}.0`;
  return String(v);
};

/** A CSV cell as the Parquet beside it has the value: booleans from 0/1 flags, whole numbers truncated. */
const csvCell = (v: unknown, type: ColumnType): string => {
  if (missing(v)) return '';
  return cell(type === 'bool' ? Boolean(v) : type === 'int' ? Math.trunc(Number(v)) : v, type);
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

/** Whether a cell is missing: nulls in Parquet, empty cells in CSV (an empty string too, which the CSV cannot tell from them). */
const missing = (v: unknown): boolean => v === undefined || v === null || v === '' || (typeof v === 'number' && !Number.isFinite(v));

/**
 * Writes `name.parquet` (in row groups of 100,000) and, up to CSV_MAX_ROWS rows, `name.csv` into
 * `dir`, from rows given column by column (arrays, functions of the row, or the sources of
 * ColumnSource); values are converted one row group at a time, so a table of millions of rows
 * never exists as one array of boxed values or one string. Returns the files written.
 */
export async function writeTable(dir: string, name: string, columns: readonly TableColumn[], data: Record<string, ColumnValues | ColumnSource>, rows: number, meta: Record<string, string> = {}, geometry?: GeometryColumns): Promise<string[]> {
  const values = resolveSources(data as Record<string, ColumnSource>);
  const file = new ChunkedParquetFile(join(dir, `${name}.parquet`), chunkColumns(columns, geometry), kvMetadataOf(columns, values, rows, meta, geometry));
  const csv = rows <= CSV_MAX_ROWS ? createWriteStream(join(dir, `${name}.csv`)) : undefined;
  // A stream error (the folder went away, the disk filled) is kept and thrown at the end, never left unhandled.
  let csvError: Error | undefined;
  csv?.on('error', (err) => { csvError ??= err; });
  csv?.write(columns.map((c) => c.name).join(',') + '\n');
  try {
    for (let from = 0; from < rows; from += ROW_GROUP) {
      const to = Math.min(rows, from + ROW_GROUP);
      writeGroup(file, columns, data, values, from, to, geometry);
      if (csv) {
        const get = columns.map((c) => values[c.name]!);
        let buf = '';
        for (let i = from; i < to; i++) {
          buf += columns.map((c, k) => csvCell(valueAt(get[k]!, i), c.type)).join(',') + '\n';
          if (buf.length > 1 << 20) { csv.write(buf); buf = ''; }
        }
        csv.write(buf);
      }
    }
    file.finish();
  } catch (err) {
    file.abort();
    csv?.destroy();
    throw err;
  }
  if (csv) await new Promise<void>((resolve, reject) => csv.end((err?: Error | null) => (err ?? csvError ? reject(err ?? csvError) : resolve())));
  return csv ? [`${name}.parquet`, `${name}.csv`] : [`${name}.parquet`];
}

/** The Parquet file's columns: the table's, and a WKB point column with GeoParquet geometry (the CSV has longitude and latitude as columns). */
const chunkColumns = (columns: readonly TableColumn[], geometry?: GeometryColumns): ChunkColumn[] => [
  ...columns.map((c) => ({ name: c.name, kind: c.type })),
  ...(geometry ? [{ name: 'geometry', kind: 'wkb' as const, statistics: false }] : []),
];

/** Self-description: the run's provenance, each column's unit and description, and GeoParquet's metadata. */
function kvMetadataOf(columns: readonly TableColumn[], values: Record<string, ColumnValues>, rows: number, meta: Record<string, string>, geometry?: GeometryColumns) {
  return [
    ...Object.entries(meta).map(([key, value]) => ({ key, value })),
    { key: 'hazardsim:columns', value: JSON.stringify(Object.fromEntries(columns.map((c) => [c.name, { type: c.type, unit: c.unit ?? '', description: c.doc ?? '' }]))) },
    ...(geometry ? [{ key: 'geo', value: JSON.stringify(geoMetadata(values, rows, geometry)) }] : []),
  ];
}

/** Writes rows [from, to) as one row group. */
function writeGroup(file: ChunkedParquetFile, columns: readonly TableColumn[], data: Record<string, ColumnValues | ColumnSource>, values: Record<string, ColumnValues>, from: number, to: number, geometry?: GeometryColumns): void {
  const group = columns.map((c) => chunkValues(c.type, data[c.name] as ColumnSource, values[c.name]!, from, to));
  if (geometry) group.push(wkbPoints(values, geometry, from, to));
  file.writeGroup(group, to - from);
}

/** Rows per part when a table is written on several threads (whole row groups; see GROUPS_PER_PART). */
export const PART_ROWS = ROW_GROUP * GROUPS_PER_PART;

/** Makes rows [from, to) of a task's table as a part in memory (no footer), for stitchParts. */
function writeTablePart(t: TableTask, part: NonNullable<TableTask['part']>): ParquetPart {
  const values = resolveSources(t.data);
  const file = new ChunkedParquetFile(null, chunkColumns(t.columns, t.geometry), [], { firstGroup: part.from / ROW_GROUP });
  try {
    for (let from = part.from; from < part.to; from += ROW_GROUP) writeGroup(file, t.columns, t.data, values, from, Math.min(part.to, from + ROW_GROUP), t.geometry);
  } catch (err) {
    file.abort();
    throw err;
  }
  return file.finishPart();
}

/**
 * Rows [from, to) of a column as the Parquet writer takes them: the present rows' values in typed
 * arrays (straight from a typed source), strings coded through a dictionary (labels of coded
 * sources, else the distinct strings while they stay few).
 */
function chunkValues(type: ColumnType, src: ColumnSource, get: ColumnValues, from: number, to: number): ChunkValues {
  const rows = to - from;
  let present: Uint8Array | undefined;
  /** Marks row i missing (allocating the flags on the first one). */
  const drop = (i: number) => { if (!present) present = new Uint8Array(rows).fill(1); present[i] = 0; };
  if (type === 'string') {
    if (src && typeof src === 'object' && 'codes' in src) {
      // Coded strings: the labels are the dictionary (missing ones left out).
      const dictionary: string[] = [], index = new Int32Array(src.labels.length).fill(-1);
      src.labels.forEach((l, j) => { if (!missing(l)) { index[j] = dictionary.length; dictionary.push(String(l)); } });
      const out = new Int32Array(rows), code = typedGetter(src.codes);
      let n = 0;
      for (let i = 0; i < rows; i++) { const j = index[code(from + i)]!; if (j < 0) drop(i); else out[n++] = j; }
      return { present, values: out.subarray(0, n), dictionary };
    }
    const strings: string[] = [];
    for (let i = 0; i < rows; i++) { const v = valueAt(get, from + i); if (missing(v)) drop(i); else strings.push(String(v)); }
    // A dictionary while the distinct strings stay few (kinds, labels); plain when they are mostly unique (times, JSON).
    const codes = new Map<string, number>();
    const out = new Int32Array(strings.length);
    for (let i = 0; i < strings.length && codes.size <= 4096; i++) {
      let j = codes.get(strings[i]!);
      if (j === undefined) codes.set(strings[i]!, (j = codes.size));
      out[i] = j;
    }
    return codes.size <= 4096 && codes.size < Math.max(16, strings.length / 2) ? { present, values: out, dictionary: [...codes.keys()] } : { present, values: strings };
  }
  if (type === 'bool') {
    const out = new Uint8Array(rows);
    let n = 0;
    for (let i = 0; i < rows; i++) { const v = valueAt(get, from + i); if (missing(v)) drop(i); else out[n++] = v ? 1 : 0; }
    return { present, values: out.subarray(0, n) };
  }
  const out = new Float64Array(rows);
  let n = 0;
  if (ArrayBuffer.isView(src) && !(src instanceof DataView) && !(src instanceof BigInt64Array) && !(src instanceof BigUint64Array)) {
    // Typed numbers: no boxing.
    const a = src as unknown as ArrayLike<number>;
    for (let i = 0; i < rows; i++) {
      const v = a[from + i]!;
      if (!Number.isFinite(v)) drop(i); else out[n++] = type === 'int' ? Math.trunc(v) : v;
    }
  } else if (isGathered(src)) {
    // Typed numbers through each row's device (and hazard).
    const { from: cols, device, hazard } = src;
    for (let i = 0; i < rows; i++) {
      const r = from + i, c = cols[hazard ? hazard[r]! : 0], v = c ? c[device[r]!]! : NaN;
      if (!Number.isFinite(v)) drop(i); else out[n++] = type === 'int' ? Math.trunc(v) : v;
    }
  } else if (isSegments(src)) {
    // Typed numbers in segments: a row group spans one or two of them.
    const segs = src.segments, bits = src.bits, mask = (1 << bits) - 1;
    for (let i = 0; i < rows; i++) {
      const r = from + i, g = segs[r >> bits], v = g ? g[r & mask]! : NaN;
      if (!Number.isFinite(v)) drop(i); else out[n++] = type === 'int' ? Math.trunc(v) : v;
    }
  } else {
    for (let i = 0; i < rows; i++) {
      const v = valueAt(get, from + i);
      if (missing(v)) { drop(i); continue; }
      const x = Number(v);
      if (!Number.isFinite(x)) drop(i); else out[n++] = type === 'int' ? Math.trunc(x) : x;
    }
  }
  return { present, values: out.subarray(0, n) };
}

/** Which columns hold a table's longitude and latitude (WGS84 degrees), for its GeoParquet geometry. */
export interface GeometryColumns {
  lon: string;
  lat: string;
}

const valueAt = (v: ColumnValues, i: number): unknown => (typeof v === 'function' ? v(i) : v[i]);

/** Rows [from, to) as points (longitude, latitude pairs) for the WKB column; missing where either is. */
function wkbPoints(data: Record<string, ColumnValues>, g: GeometryColumns, from: number, to: number): ChunkValues {
  const rows = to - from, xy = new Float64Array(2 * rows), present = new Uint8Array(rows);
  let n = 0;
  for (let i = from; i < to; i++) {
    const x = Number(valueAt(data[g.lon]!, i)), y = Number(valueAt(data[g.lat]!, i));
    if (!Number.isFinite(x) || !Number.isFinite(y)) continue;
    present[i - from] = 1; xy[2 * n] = x; xy[2 * n + 1] = y; n++;
  }
  return { present: n < rows ? present : undefined, values: xy.subarray(0, 2 * n) };
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
  | { codes: Uint8Array | Segments; labels: readonly (string | null)[] }
  | { constant: unknown }
  | { utcOf: string; startMs: number }
  | Gathered
  | { bitOf: Uint8Array; bit: number }
  | Segments;

/**
 * A column read through each row's device (and hazard): row i is `from[hazard[i]][device[i]]`
 * (`from[0]` without hazards; NaN where that column is null). The writer threads gather it one row
 * group at a time, so a ten-million-row table's per-device columns are never copied whole.
 */
export interface Gathered {
  from: readonly (ArrayLike<number> | null)[];
  device: Int32Array;
  hazard?: Int32Array;
}

const isGathered = (v: unknown): v is Gathered => typeof v === 'object' && v !== null && 'from' in v && 'device' in v;

/**
 * A column kept in equal segments of 2^bits rows (a log that grew by segments: tables read it where
 * it is, on SharedArrayBuffers, instead of a whole-column copy); a missing segment reads as NaN.
 */
export interface Segments {
  segments: readonly (Float64Array | Int32Array | Uint8Array | null)[];
  bits: number;
}

const isSegments = (v: unknown): v is Segments => typeof v === 'object' && v !== null && 'segments' in v;

/** Row i of a typed column, whole or in segments. */
function typedGetter(a: ArrayLike<number> | Segments): (i: number) => number {
  if (!isSegments(a)) return (i) => a[i]!;
  const segs = a.segments, bits = a.bits, mask = (1 << bits) - 1;
  return (i) => { const g = segs[i >> bits]; return g ? g[i & mask]! : NaN; };
}

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
  /** Only rows [from, to) (whole parts), as a part in memory, no CSV: a thread's share of a large table. */
  part?: { from: number; to: number };
}

/** The column values a task's sources stand for. */
export function resolveSources(data: Record<string, ColumnSource>): Record<string, ColumnValues> {
  const out: Record<string, ColumnValues> = {};
  for (const [name, src] of Object.entries(data)) {
    if (ArrayBuffer.isView(src) || Array.isArray(src)) { out[name] = src as ArrayLike<unknown>; continue; }
    const o = src as Exclude<ColumnSource, ArrayLike<unknown>>;
    if (isSegments(o)) out[name] = typedGetter(o);
    else if (isGathered(o)) { const { from, device, hazard } = o; out[name] = (i) => { const c = from[hazard ? hazard[i]! : 0]; return c ? c[device[i]!]! : NaN; }; }
    else if ('bitOf' in o) { const { bitOf, bit } = o; out[name] = (i) => (bitOf[i]! >> bit) & 1; }
    else if ('codes' in o) { const code = typedGetter(o.codes); out[name] = (i) => o.labels[code(i)]; }
    else if ('constant' in o) out[name] = () => o.constant;
    else if ('utcOf' in o) {
      const ref = typedGetter(data[o.utcOf] as ArrayLike<number> | Segments);
      out[name] = (i) => { const v = ref(i); return typeof v === 'number' && Number.isFinite(v) ? new Date(Math.round(o.startMs + v * 1000)).toISOString() : null; };
    } else out[name] = src as ArrayLike<unknown>;
  }
  return out;
}

/** Writes a task's table, or makes its part (in this thread). */
export async function writeTableTask(t: TableTask): Promise<string[] | ParquetPart> {
  return t.part ? writeTablePart(t, t.part) : writeTable(t.dir, t.name, t.columns, t.data, t.rows, t.meta, t.geometry);
}

/** Tables with at least this many rows in all are written on worker threads, side by side. */
export const PARALLEL_FROM_ROWS = 300_000;

/** Whether tables of this many rows in all are written on worker threads. */
export const writesInParallel = (rows: number, threads: number): boolean => threads > 1 && rows >= PARALLEL_FROM_ROWS;

/**
 * Tables being written: in this thread (small runs), or on worker threads started when the queue
 * is made (so that they load while the first tables are prepared), each batch the costliest table
 * first and large ones in parts side by side (the files are the same either way: the same writer
 * runs on the same sources). On worker threads the tasks' typed arrays are moved there (the caller
 * must not use them after) or, for tables in parts, shared.
 */
export class TableQueue {
  private readonly pool: Piscina | undefined;
  private readonly jobs: Promise<unknown>[] = [];

  constructor(readonly parallel: boolean, threads = 2) {
    // Every table posted to a thread at once (many tasks per thread): a thread that finishes one goes
    // on to its next without the main thread, which may be busy scoring the run meanwhile.
    this.pool = parallel ? new Piscina({ filename: compiledModule('output/table-worker.js'), minThreads: threads, maxThreads: threads, concurrentTasksPerWorker: 64 }) : undefined;
  }

  /** Queues tables (in this thread: writes them now). */
  async add(tasks: readonly TableTask[]): Promise<void> {
    const pool = this.pool;
    if (!pool) {
      for (const t of tasks) await writeTableTask(t);
      return;
    }
    // Posted at once (no await before the last one): a caller that goes on with long synchronous
    // work (scoring) has the threads busy meanwhile, once it yields to the event loop a first time.
    // Typed arrays that own their buffers are moved to the worker, not copied (the caller made them for this).
    const transferList = (t: TableTask) => {
      const out: ArrayBuffer[] = [];
      for (const v of Object.values(t.data)) {
        const a = ArrayBuffer.isView(v) ? v : v && typeof v === 'object' && 'codes' in v && ArrayBuffer.isView(v.codes) ? v.codes : undefined;
        if (a && a.byteOffset === 0 && a.byteLength === a.buffer.byteLength && a.buffer instanceof ArrayBuffer && !out.includes(a.buffer)) out.push(a.buffer);
      }
      return out;
    };
    // The costliest first, so the others fill in beside it; a Parquet-only table of more than one
    // part is made part by part on all threads (its columns shared with them, not copied), and its
    // parts written here into its file, each as soon as those before it are, while the threads go on.
    const cost = (t: TableTask) => t.rows * (t.columns.length + (t.geometry ? 3 : 0));
    for (const t of [...tasks].sort((a, b) => cost(b) - cost(a))) {
      if (!(t.rows > CSV_MAX_ROWS && t.rows > PART_ROWS)) { this.jobs.push(pool.run(t, { transferList: transferList(t) as never })); continue; }
      const data = sharedSources(t.data), parts: Promise<ParquetPart>[] = [];
      for (let from = 0; from < t.rows; from += PART_ROWS) parts.push(pool.run({ ...t, data, part: { from, to: Math.min(t.rows, from + PART_ROWS) } }));
      for (const p of parts) p.catch(() => undefined); // a failure is thrown by the stitching
      this.jobs.push(stitchParts(join(t.dir, `${t.name}.parquet`), parts, chunkColumns(t.columns, t.geometry), () => kvMetadataOf(t.columns, resolveSources(data), t.rows, t.meta ?? {}, t.geometry)));
    }
    // A failure is reported by done(); until then nothing is left unhandled.
    for (const j of this.jobs) j.catch(() => undefined);
  }

  /** Waits for every queued table, then stops the threads (also after a failure, which it throws). */
  async done(): Promise<void> {
    try {
      await Promise.all(this.jobs);
    } finally {
      await this.pool?.destroy();
    }
  }
}

/** Writes tables (see TableQueue): on `threads` worker threads when they have many rows in all, unless `parallel` says otherwise. */
export async function writeTables(tasks: readonly TableTask[], options: { threads?: number; parallel?: boolean } = {}): Promise<void> {
  const threads = Math.max(1, options.threads ?? 2);
  const queue = new TableQueue(options.parallel ?? writesInParallel(tasks.reduce((s, t) => s + t.rows, 0), threads), threads);
  try {
    await queue.add(tasks);
  } finally {
    await queue.done();
  }
}

/** A typed array on a SharedArrayBuffer: the same one if it is, else a copy (threads then read it without copies of their own). */
export function shared<T extends Exclude<ArrayBufferView, DataView>>(a: T): T {
  if (a.buffer instanceof SharedArrayBuffer) return a;
  const C = a.constructor as new (b: SharedArrayBuffer) => T & { set(v: T): void };
  const out = new C(new SharedArrayBuffer(a.byteLength));
  out.set(a);
  return out;
}

/** A table's sources with their typed arrays on SharedArrayBuffers. */
function sharedSources(data: Record<string, ColumnSource>): Record<string, ColumnSource> {
  const out: Record<string, ColumnSource> = {};
  for (const [k, v] of Object.entries(data)) {
    const share = (a: Uint8Array | Segments) => (isSegments(a) ? { bits: a.bits, segments: a.segments.map((g) => g && shared(g)) } : shared(a));
    if (ArrayBuffer.isView(v) && !(v instanceof DataView)) out[k] = shared(v as Float64Array);
    else if (isSegments(v)) out[k] = share(v);
    else if (v && typeof v === 'object' && 'codes' in v) out[k] = { codes: share(v.codes), labels: v.labels };
    else if (isGathered(v)) out[k] = { from: v.from.map((c) => (c && ArrayBuffer.isView(c) ? shared(c as Float64Array) : c)), device: shared(v.device), ...(v.hazard ? { hazard: shared(v.hazard) } : {}) };
    else if (v && typeof v === 'object' && 'bitOf' in v) out[k] = { bitOf: shared(v.bitOf), bit: v.bit };
    else out[k] = v;
  }
  return out;
}

/** Decompressors hyparquet lacks, for the tables this module writes (Brotli pages). */
export const PARQUET_COMPRESSORS = {
  BROTLI: (input: Uint8Array): Uint8Array => { const b = brotliDecompressSync(input); return new Uint8Array(b.buffer, b.byteOffset, b.byteLength); },
};

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
  return plainRows((await parquetReadObjects({ file: bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength), compressors: PARQUET_COMPRESSORS })) as Record<string, unknown>[]);
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
      file, metadata, columns: [c], compressors: PARQUET_COMPRESSORS,
      onChunk: ({ columnData, rowStart }) => {
        for (let i = Math.ceil(rowStart / stride) * stride; i < rowStart + columnData.length; i += stride) rows[i / stride]![c] = plain(columnData[i - rowStart]) ?? null;
      },
    });
  }
  return { rows, total };
}
