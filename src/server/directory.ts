/**
 * The server's directory of phones: where each phone last said it was (the heartbeats and triggers
 * that crossed the network; NaN before its first), with a grid over those positions so that an
 * alert reaches the phones in its region without visiting every phone (a national event's updates
 * touch the cells near its growing edges, not millions of phones each).
 */

/** The grid: cells of `size` metres from (x0, y0), `w` × `h` of them; cell c's phones are members[start[c] .. start[c + 1]). */
export interface DirectoryGrid {
  x0: number;
  y0: number;
  size: number;
  w: number;
  h: number;
  start: Int32Array;
  members: Int32Array;
}

export class PhoneDirectory {
  /** Last reported position of each phone, m (NaN: never heard from). */
  readonly x: Float64Array;
  readonly y: Float64Array;
  /** Where each phone was when the grid was built (NaN: not in the grid). */
  private readonly ix: Float64Array;
  private readonly iy: Float64Array;
  /** Phones that moved more than `slack` from their place in the grid (or were first heard after it was built). */
  private readonly loose: Uint8Array;
  private looseList: number[] = [];
  private grid: DirectoryGrid | null = null;
  /** How far a phone may drift from its place in the grid and still be found through its cell, m. */
  readonly slack: number;
  /** Phones per cell the grid aims at. */
  private readonly perCell: number;
  /** Counts grid builds: what callers keep per cell is void when it changes. */
  version = 0;

  constructor(readonly devices: number, options: { slackM?: number; phonesPerCell?: number } = {}) {
    this.x = new Float64Array(devices).fill(NaN);
    this.y = new Float64Array(devices).fill(NaN);
    this.ix = new Float64Array(devices).fill(NaN);
    this.iy = new Float64Array(devices).fill(NaN);
    this.loose = new Uint8Array(devices);
    this.slack = options.slackM ?? 1000;
    this.perCell = options.phonesPerCell ?? 32;
  }

  /** Records that phone d says it is at (x, y). */
  set(d: number, x: number, y: number): void {
    this.x[d] = x;
    this.y[d] = y;
    if (this.loose[d]) return;
    const dx = x - this.ix[d]!, dy = y - this.iy[d]!, s = this.slack;
    if (!(dx <= s && dx >= -s && dy <= s && dy >= -s)) { this.loose[d] = 1; this.looseList.push(d); }
  }

  /** The grid, rebuilt first when many phones have moved from their places in it (or were first heard since). */
  index(): DirectoryGrid {
    if (this.grid && this.looseList.length <= Math.max(4096, this.devices >> 4)) return this.grid;
    const n = this.devices, X = this.x, Y = this.y;
    let x0 = Infinity, y0 = Infinity, x1 = -Infinity, y1 = -Infinity, count = 0;
    for (let d = 0; d < n; d++) {
      const x = X[d]!, y = Y[d]!;
      if (!(x === x && y === y)) continue;
      count++;
      if (x < x0) x0 = x; if (x > x1) x1 = x; if (y < y0) y0 = y; if (y > y1) y1 = y;
    }
    if (!count) { x0 = y0 = 0; x1 = y1 = 1; }
    // Square cells holding about perCell phones on average over the extent, at most 4 M cells.
    const area = Math.max(1, (x1 - x0) * (y1 - y0));
    let size = Math.max(100, Math.sqrt((area * this.perCell) / Math.max(1, count)));
    while (Math.ceil((x1 - x0) / size + 1) * Math.ceil((y1 - y0) / size + 1) > 4_000_000) size *= 1.5;
    const w = Math.ceil((x1 - x0) / size + 1), h = Math.ceil((y1 - y0) / size + 1);
    const start = new Int32Array(w * h + 1), cellOf = new Int32Array(n).fill(-1);
    for (let d = 0; d < n; d++) {
      const x = X[d]!, y = Y[d]!;
      this.ix[d] = x; this.iy[d] = y; this.loose[d] = 0;
      if (!(x === x && y === y)) continue;
      const c = Math.floor((y - y0) / size) * w + Math.floor((x - x0) / size);
      cellOf[d] = c;
      start[c + 1]!++;
    }
    for (let c = 0; c < w * h; c++) start[c + 1]! += start[c]!;
    const fillAt = start.slice(0, w * h), members = new Int32Array(count);
    for (let d = 0; d < n; d++) { const c = cellOf[d]!; if (c >= 0) members[fillAt[c]!++] = d; }
    this.looseList = [];
    this.version++;
    return (this.grid = { x0, y0, size, w, h, start, members });
  }

  /** Phones that may have left their cells (each at most once; call after index()). */
  loosePhones(): readonly number[] {
    return this.looseList;
  }

  /**
   * Calls `cell(c, rx0, ry0)` for each cell of the grid whose area, widened by the slack, overlaps
   * the box [x0, x1] × [y0, y1] (rx0, ry0: the cell's lower corner); every phone of the grid now in
   * the box is a member of one of them (the others are the loose phones).
   */
  cellsOverlapping(g: DirectoryGrid, x0: number, x1: number, y0: number, y1: number, cell: (c: number, rx0: number, ry0: number) => void): void {
    const s = this.slack;
    const cx0 = Math.max(0, Math.floor((x0 - s - g.x0) / g.size)), cx1 = Math.min(g.w - 1, Math.floor((x1 + s - g.x0) / g.size));
    const cy0 = Math.max(0, Math.floor((y0 - s - g.y0) / g.size)), cy1 = Math.min(g.h - 1, Math.floor((y1 + s - g.y0) / g.size));
    for (let cy = cy0; cy <= cy1; cy++) for (let cx = cx0; cx <= cx1; cx++) cell(cy * g.w + cx, g.x0 + cx * g.size, g.y0 + cy * g.size);
  }
}
