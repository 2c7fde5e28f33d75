/** Column access for plug-ins: the device table as a plug-in may see it, and a view that lets a plug-in see only its own columns. */
import type { ColumnSet } from '../core/columns.js';

/** What a plug-in may call on the device table (a ColumnSet, or a restricted view of one). */
export type Columns = Pick<ColumnSet, 'rows' | 'has' | 'f64' | 'f32' | 'i32' | 'u32' | 'u16' | 'u8' | 'i8'>;

/** Thrown when a plug-in reaches for a column outside what it declared (the truth firewall). */
export class ColumnAccessError extends Error {
  constructor(owner: string, column: string, allowed: readonly string[]) {
    super(`${owner} may not read column "${column}": it sees only ${allowed.map((a) => `"${a}"`).join(', ')} (hazardsim's truth firewall: detectors see their own columns and their phone's sensor and GNSS outputs)`);
    this.name = 'ColumnAccessError';
  }
}

/**
 * The device table restricted to the columns whose names start with one of `allowed` (a prefix such
 * as `detector.`, or a full name such as `gnss.speed`). Any other name throws ColumnAccessError,
 * so a detector cannot read the simulator's true positions or a hazard's state, even by accident.
 */
export class RestrictedColumns implements Columns {
  constructor(private readonly inner: Columns, private readonly owner: string, readonly allowed: readonly string[]) {}

  get rows(): number {
    return this.inner.rows;
  }

  private check(name: string): string {
    if (!this.allowed.some((a) => name === a || (a.endsWith('.') && name.startsWith(a)))) throw new ColumnAccessError(this.owner, name, this.allowed);
    return name;
  }

  has(name: string): boolean { return this.allowed.some((a) => name === a || (a.endsWith('.') && name.startsWith(a))) && this.inner.has(name); }
  f64(name: string): Float64Array { return this.inner.f64(this.check(name)); }
  f32(name: string): Float32Array { return this.inner.f32(this.check(name)); }
  i32(name: string): Int32Array { return this.inner.i32(this.check(name)); }
  u32(name: string): Uint32Array { return this.inner.u32(this.check(name)); }
  u16(name: string): Uint16Array { return this.inner.u16(this.check(name)); }
  u8(name: string): Uint8Array { return this.inner.u8(this.check(name)); }
  i8(name: string): Int8Array { return this.inner.i8(this.check(name)); }
}
