/**
 * Named typed-array columns backed by SharedArrayBuffers: the struct-of-arrays storage for
 * per-device state. Worker threads attach to the same buffers and write disjoint row ranges, so a
 * device's state survives from one block to the next whichever thread renders it.
 */

export type ColumnType = 'f64' | 'f32' | 'i32' | 'u32' | 'u16' | 'u8' | 'i8';
export type TypedColumn = Float64Array | Float32Array | Int32Array | Uint32Array | Uint16Array | Uint8Array | Int8Array;

const CTORS = {
  f64: Float64Array,
  f32: Float32Array,
  i32: Int32Array,
  u32: Uint32Array,
  u16: Uint16Array,
  u8: Uint8Array,
  i8: Int8Array,
} as const;

export interface ColumnSpec {
  name: string;
  type: ColumnType;
  /** Values per row (default 1), e.g. 4 for an RNG state. */
  width?: number;
  /** Initial value of every element (default 0). */
  fill?: number;
}

/** What crosses a thread boundary: the buffers and how to view them. */
export interface SharedColumns {
  rows: number;
  columns: Record<string, { type: ColumnType; width: number; buffer: SharedArrayBuffer }>;
}

type ColumnMap = Record<string, { type: ColumnType; width: number; array: TypedColumn }>;

export class ColumnSet {
  readonly rows: number;
  private readonly cols: ColumnMap;

  private constructor(rows: number, cols: ColumnMap) {
    this.rows = rows;
    this.cols = cols;
  }

  /** Allocates zeroed (or `fill`-ed) shared columns for `rows` rows. */
  static allocate(rows: number, specs: readonly ColumnSpec[]): ColumnSet {
    const cols: ColumnMap = {};
    for (const spec of specs) {
      if (cols[spec.name]) throw new Error(`column "${spec.name}" declared twice`);
      const width = spec.width ?? 1;
      const Ctor = CTORS[spec.type];
      const buffer = new SharedArrayBuffer(Math.max(1, rows * width) * Ctor.BYTES_PER_ELEMENT);
      const array = new (Ctor as any)(buffer, 0, rows * width) as TypedColumn;
      if (spec.fill !== undefined && spec.fill !== 0) array.fill(spec.fill);
      cols[spec.name] = { type: spec.type, width, array };
    }
    return new ColumnSet(rows, cols);
  }

  /** Views columns shared by another thread. */
  static attach(shared: SharedColumns): ColumnSet {
    const cols: ColumnMap = {};
    for (const [name, c] of Object.entries(shared.columns)) {
      const Ctor = CTORS[c.type];
      cols[name] = { type: c.type, width: c.width, array: new (Ctor as any)(c.buffer, 0, shared.rows * c.width) as TypedColumn };
    }
    return new ColumnSet(shared.rows, cols);
  }

  /** Adds the columns of another set (same row count) under their own names. */
  merge(other: ColumnSet): ColumnSet {
    if (other.rows !== this.rows) throw new Error(`cannot merge column sets of ${this.rows} and ${other.rows} rows`);
    for (const [name, c] of Object.entries(other.cols)) {
      if (this.cols[name]) throw new Error(`column "${name}" declared twice`);
      this.cols[name] = c;
    }
    return this;
  }

  has(name: string): boolean {
    return name in this.cols;
  }

  names(): string[] {
    return Object.keys(this.cols);
  }

  /** Total bytes held by the columns. */
  bytes(): number {
    let n = 0;
    for (const c of Object.values(this.cols)) n += c.array.byteLength;
    return n;
  }

  private col(name: string) {
    const c = this.cols[name];
    if (!c) throw new Error(`no column "${name}" (have: ${Object.keys(this.cols).join(', ')})`);
    return c;
  }

  f64(name: string): Float64Array {
    return this.typed(name, 'f64') as Float64Array;
  }
  f32(name: string): Float32Array {
    return this.typed(name, 'f32') as Float32Array;
  }
  i32(name: string): Int32Array {
    return this.typed(name, 'i32') as Int32Array;
  }
  u32(name: string): Uint32Array {
    return this.typed(name, 'u32') as Uint32Array;
  }
  u16(name: string): Uint16Array {
    return this.typed(name, 'u16') as Uint16Array;
  }
  u8(name: string): Uint8Array {
    return this.typed(name, 'u8') as Uint8Array;
  }
  i8(name: string): Int8Array {
    return this.typed(name, 'i8') as Int8Array;
  }

  private typed(name: string, type: ColumnType): TypedColumn {
    const c = this.col(name);
    if (c.type !== type) throw new Error(`column "${name}" is ${c.type}, not ${type}`);
    return c.array;
  }

  share(): SharedColumns {
    const columns: SharedColumns['columns'] = {};
    for (const [name, c] of Object.entries(this.cols)) {
      columns[name] = { type: c.type, width: c.width, buffer: c.array.buffer as SharedArrayBuffer };
    }
    return { rows: this.rows, columns };
  }
}
