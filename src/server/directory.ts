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

/** A phone's cell while it may have left it (or was first heard after the grid was built). */
const LOOSE = -2;

export class PhoneDirectory {
  /**
   * Per phone, side by side (a national run's messages come in no order of phones: one memory fetch
   * per message): [4d], [4d + 1] its last reported position, m (NaN: never heard from); [4d + 2]
   * its cell in the grid (−1: not in it, LOOSE: it may have left it). Read a position as xy[4d], xy[4d + 1].
   */
  readonly xy: Float64Array;
  private looseList: number[] = [];
  /** So many phones are loose that the grid is rebuilt at its next use (they are no longer listed). */
  private stale = true;
  private grid: DirectoryGrid | null = null;
  /** How far outside its cell a phone may drift and still be found through it, m. */
  readonly slack: number;
  /** Phones per cell the grid aims at. */
  private readonly perCell: number;
  /** Counts grid builds: what callers keep per cell is void when it changes. */
  version = 0;

  constructor(readonly devices: number, options: { slackM?: number; phonesPerCell?: number } = {}) {
    this.xy = new Float64Array(4 * devices);
    for (let d = 0; d < devices; d++) { this.xy[4 * d] = NaN; this.xy[4 * d + 1] = NaN; this.xy[4 * d + 2] = -1; }
    this.slack = options.slackM ?? 1000;
    this.perCell = options.phonesPerCell ?? 32;
  }

  /** Records that phone d says it is at (x, y). */
  set(d: number, x: number, y: number): void {
    const xy = this.xy;
    xy[4 * d] = x;
    xy[4 * d + 1] = y;
    if (this.stale) return;
    const c = xy[4 * d + 2]!;
    if (c === LOOSE) return;
    if (c >= 0) {
      // Still within the slack of its cell: found through it.
      const g = this.grid!, s = this.slack, cx = c % g.w, rx = g.x0 + cx * g.size, ry = g.y0 + ((c - cx) / g.w) * g.size;
      if (x >= rx - s && x <= rx + g.size + s && y >= ry - s && y <= ry + g.size + s) return;
    }
    xy[4 * d + 2] = LOOSE;
    this.looseList.push(d);
    if (this.looseList.length > Math.max(4096, this.devices >> 4)) this.stale = true;
  }

  /** The grid, rebuilt first when many phones have left their cells (or were first heard since). */
  index(): DirectoryGrid {
    if (this.grid && !this.stale) return this.grid;
    const n = this.devices, xy = this.xy;
    let x0 = Infinity, y0 = Infinity, x1 = -Infinity, y1 = -Infinity, count = 0;
    for (let d = 0; d < n; d++) {
      const x = xy[4 * d]!, y = xy[4 * d + 1]!;
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
    const start = new Int32Array(w * h + 1);
    for (let d = 0; d < n; d++) {
      const x = xy[4 * d]!, y = xy[4 * d + 1]!;
      if (!(x === x && y === y)) { xy[4 * d + 2] = -1; continue; }
      const c = Math.floor((y - y0) / size) * w + Math.floor((x - x0) / size);
      xy[4 * d + 2] = c;
      start[c + 1]!++;
    }
    for (let c = 0; c < w * h; c++) start[c + 1]! += start[c]!;
    const fillAt = start.slice(0, w * h), members = new Int32Array(count);
    for (let d = 0; d < n; d++) { const c = xy[4 * d + 2]!; if (c >= 0) members[fillAt[c]!++] = d; }
    this.looseList = [];
    this.stale = false;
    this.version++;
    return (this.grid = { x0, y0, size, w, h, start, members });
  }

  /** Phones that may have left their cells (each at most once; call after index()). */
  loosePhones(): readonly number[] {
    return this.looseList;
  }

  /**
   * The cells of the grid whose area, widened by the slack, overlaps the box [x0, x1] × [y0, y1]:
   * columns cx0..cx1 of rows cy0..cy1 (cell cy × w + cx, lower corner x0 + cx × size, y0 + cy × size).
   * Every phone of the grid now in the box is a member of one of them (the others are the loose phones).
   */
  cellRange(g: DirectoryGrid, x0: number, x1: number, y0: number, y1: number): { cx0: number; cx1: number; cy0: number; cy1: number } {
    const s = this.slack;
    return {
      cx0: Math.max(0, Math.floor((x0 - s - g.x0) / g.size)), cx1: Math.min(g.w - 1, Math.floor((x1 + s - g.x0) / g.size)),
      cy0: Math.max(0, Math.floor((y0 - s - g.y0) / g.size)), cy1: Math.min(g.h - 1, Math.floor((y1 + s - g.y0) / g.size)),
    };
  }
}
