/**
 * The server's map of the crowd: cells (square metric grid, or H3 hexagons of about the same area),
 * how many eligible phones are active in each (from heartbeats, with a staleness limit: the
 * denominator of every ratio), and each cell's recent triggers (distinct phones whose latest onset
 * lies within the window).
 */
import { createRequire } from 'node:module';
import type * as H3 from 'h3-js';
import type { LocalFrame } from '../core/frame.js';
import { EventQueue, RefQueue, stableByTime } from '../core/clock.js';
import type { WarmupHeartbeats } from '../plugin/index.js';

export interface CellIndex {
  readonly kind: 'grid' | 'h3';
  /** Numeric key of the cell holding (x, y) (local metres). */
  key(x: number, y: number): number;
  /** Centre of a cell, local metres. */
  centre(key: number): [number, number];
  /** Description, e.g. "10 km grid" or "H3 resolution 5 (253 km²)". */
  readonly description: string;
}

/** Square cells of `cellKm` on the local metric frame. */
export class GridCells implements CellIndex {
  readonly kind = 'grid';
  private readonly size: number;
  readonly description: string;
  constructor(cellKm: number) {
    this.size = cellKm * 1000;
    this.description = `${cellKm} km square grid`;
  }
  key(x: number, y: number): number {
    const ix = Math.floor(x / this.size), iy = Math.floor(y / this.size);
    return (ix + 1_048_576) * 2_097_152 + (iy + 1_048_576);
  }
  centre(key: number): [number, number] {
    const ix = Math.floor(key / 2_097_152) - 1_048_576, iy = (key % 2_097_152) - 1_048_576;
    return [(ix + 0.5) * this.size, (iy + 0.5) * this.size];
  }
}

/** h3-js, loaded on first use: worker threads import the servers' modules but never build cells. */
let h3: typeof H3 | undefined;
const h3js = (): typeof H3 => (h3 ??= createRequire(import.meta.url)('h3-js') as typeof H3);

/** H3 hexagons at the resolution whose average area is closest (in ratio) to cellKm². */
export class HexCells implements CellIndex {
  readonly kind = 'h3';
  readonly resolution: number;
  readonly description: string;
  private readonly ids = new Map<string, number>();
  private readonly names: string[] = [];
  private readonly centres: [number, number][] = [];

  constructor(cellKm: number, private readonly frame: LocalFrame) {
    let best = 0, bestErr = Infinity;
    for (let r = 0; r <= 15; r++) {
      const err = Math.abs(Math.log(h3js().getHexagonAreaAvg(r, 'km2') / (cellKm * cellKm)));
      if (err < bestErr) { bestErr = err; best = r; }
    }
    this.resolution = best;
    this.description = `H3 resolution ${best} (${h3js().getHexagonAreaAvg(best, 'km2').toFixed(0)} km² hexagons)`;
  }

  key(x: number, y: number): number {
    const [lon, lat] = this.frame.unproject(x, y);
    const h = h3js().latLngToCell(lat, lon, this.resolution);
    let id = this.ids.get(h);
    if (id === undefined) {
      id = this.names.length;
      this.ids.set(h, id);
      this.names.push(h);
      const [clat, clon] = h3js().cellToLatLng(h);
      this.centres.push(this.frame.project([clon, clat]));
    }
    return id;
  }

  centre(key: number): [number, number] {
    return this.centres[key]!;
  }

  /** The H3 index of a key (for reports). */
  name(key: number): string {
    return this.names[key]!;
  }
}

/** ActivePhones' warm-up batches until warmupDone (see there). */
interface WarmupState { count: Map<number, number>; first: Map<number, [number, number, number]>; parts: WarmupPart[]; last: number }
/** One warm-up batch's phones (a run of phones, `first` the lowest) with their expiry times, in time order (ties by phone). */
interface WarmupPart { first: number; device: Int32Array; time: Float64Array }

/**
 * Two runs of expiry times in time order merged into one, ties to `a` first (the lower phones), so
 * that merging neighbouring runs keeps the order one stable sort of them all would give.
 */
function mergeParts(a: WarmupPart, b: WarmupPart): WarmupPart {
  const n = a.time.length + b.time.length, device = new Int32Array(n), time = new Float64Array(n);
  let i = 0, j = 0, k = 0;
  while (i < a.time.length && j < b.time.length) {
    if (b.time[j]! < a.time[i]!) { time[k] = b.time[j]!; device[k++] = b.device[j++]!; } else { time[k] = a.time[i]!; device[k++] = a.device[i++]!; }
  }
  for (; i < a.time.length; i++, k++) { time[k] = a.time[i]!; device[k] = a.device[i]!; }
  for (; j < b.time.length; j++, k++) { time[k] = b.time[j]!; device[k] = b.device[j]!; }
  return { first: a.first, device, time };
}

/**
 * Active phones per cell, from heartbeats: a phone counts in the cell of its last heartbeat while
 * that heartbeat said it monitors and is at most `staleness` old.
 */
export class ActivePhones {
  /**
   * Per phone, side by side (one cache line per heartbeat: a national run's heartbeats come in no
   * order of phones, and separate columns cost a memory fetch each): [2d] when its last heartbeat
   * arrived (−∞ never), [2d + 1] its cell as `key` while it counts there, `−key − 1` while it does
   * not (stale, or not monitoring), NaN never.
   */
  private readonly hb: Float64Array;
  private readonly active = new Map<number, number>();
  /**
   * When each heartbeat goes stale. The server hears heartbeats in arrival order, so these times
   * come in order and a ring buffer keeps them (first in, first stale); a heartbeat told out of
   * order moves them into a heap. Either pops in (time, arrival) order.
   */
  private ring: Float64Array = new Float64Array(1024);
  private ringDevice: Int32Array = new Int32Array(1024);
  private head = 0;
  private size = 0;
  private heap: RefQueue | undefined;

  constructor(private readonly cells: CellIndex, devices: number, private readonly staleness: number) {
    this.hb = new Float64Array(2 * devices);
    for (let d = 0; d < devices; d++) { this.hb[2 * d] = -Infinity; this.hb[2 * d + 1] = NaN; }
  }

  heartbeat(d: number, x: number, y: number, monitoring: number, now: number): void {
    const key = this.cells.key(x, y), hb = this.hb, was = hb[2 * d + 1]!;
    // A phone that still monitors in the same cell keeps its count (most heartbeats).
    if (!(was >= 0 && monitoring && was === key)) {
      if (was >= 0) this.bump(was, -1);
      if (monitoring) this.bump(key, 1);
    }
    hb[2 * d] = now;
    hb[2 * d + 1] = monitoring ? key : -key - 1;
    this.push(now + this.staleness, d);
  }

  private push(time: number, d: number): void {
    if (!this.heap && this.size && time < this.ring[(this.head + this.size - 1) & (this.ring.length - 1)]!) {
      // Out of order: from now on a heap, holding what the ring held, in its order.
      this.heap = new RefQueue();
      for (let k = 0; k < this.size; k++) { const i = (this.head + k) & (this.ring.length - 1); this.heap.push(this.ring[i]!, this.ringDevice[i]!); }
      this.size = 0;
    }
    if (this.heap) { this.heap.push(time, d); return; }
    if (this.size === this.ring.length) {
      const cap = 2 * this.ring.length, t = new Float64Array(cap), dv = new Int32Array(cap);
      for (let k = 0; k < this.size; k++) { const i = (this.head + k) & (this.ring.length - 1); t[k] = this.ring[i]!; dv[k] = this.ringDevice[i]!; }
      this.ring = t; this.ringDevice = dv; this.head = 0;
    }
    const i = (this.head + this.size++) & (this.ring.length - 1);
    this.ring[i] = time;
    this.ringDevice[i] = d;
  }

  /**
   * Warm-up batches taken so far (until warmupDone): per cell, the phones counted there and the
   * first monitoring heartbeat heard there (arrival, sending time, phone); per batch, its phones'
   * expiry times; the latest arrival.
   */
  private warm: WarmupState | undefined;

  /**
   * A batch of warm-up heartbeats (ConsensusServer.warmup), `latest` the row each phone was last
   * heard by: each phone's record as that row leaves it; the cells' counts and order, and the expiry
   * times, wait for warmupDone.
   */
  warmup(b: WarmupHeartbeats, latest: Int32Array): void {
    const w = (this.warm ??= { count: new Map(), first: new Map(), parts: [], last: -Infinity } as WarmupState);
    const cells = this.cells, hb = this.hb, keys = new Float64Array(b.count);
    // A cell enters the counts (and their order) at the first monitoring heartbeat heard there,
    // superseded or not. A batch's phones are mostly placed town by town, so a cell's heartbeats
    // come in runs: its entry is looked up once per run (a Map lookup per heartbeat before; the
    // warm-up's own time was 4.1 of its 5.9 s in a 10 M profile).
    let runKey = NaN, runFirst: [number, number, number] | undefined;
    for (let i = 0; i < b.count; i++) {
      const key = (keys[i] = cells.key(b.x[i]!, b.y[i]!));
      if (!b.monitoring[i]) continue;
      if (key !== runKey) {
        runKey = key;
        runFirst = w.first.get(key);
        if (!runFirst) w.first.set(key, (runFirst = [Infinity, Infinity, Infinity]));
      }
      const f = runFirst!, a = b.arrival[i]!, t = b.time[i]!, d = b.device[i]!;
      if (a < f[0] || (a === f[0] && (t < f[1] || (t === f[1] && d < f[2])))) { f[0] = a; f[1] = t; f[2] = d; }
    }
    const n = latest.length, device = new Int32Array(n), time = new Float64Array(n);
    let countKey = NaN, counted = 0;
    for (let k = 0; k < n; k++) {
      const r = latest[k]!, d = b.device[r]!, key = keys[r]!, a = b.arrival[r]!;
      if (b.monitoring[r]) {
        if (key !== countKey) { if (counted) w.count.set(countKey, (w.count.get(countKey) ?? 0) + counted); countKey = key; counted = 0; }
        counted++;
      }
      hb[2 * d] = a;
      hb[2 * d + 1] = b.monitoring[r] ? key : -key - 1;
      device[k] = d; time[k] = a + this.staleness;
      if (a > w.last) w.last = a;
    }
    if (counted) w.count.set(countKey, (w.count.get(countKey) ?? 0) + counted);
    if (!n) return;
    // In time order now (the batch comes while the main thread waits for the others): warmupDone only merges.
    const identity = new Int32Array(n);
    for (let i = 0; i < n; i++) identity[i] = i;
    const rows = stableByTime(time, identity), sd = new Int32Array(n), st = new Float64Array(n);
    for (let k = 0; k < n; k++) { sd[k] = device[rows[k]!]!; st[k] = time[rows[k]!]!; }
    w.parts.push({ first: device[0]!, device: sd, time: st });
  }

  /**
   * After the last warm-up batch: the cells' counts, listed in the order their first monitoring
   * heartbeat arrived (as heartbeat() one by one would have added them), the expiry times queued in
   * time order (ties by phone: batches in any order give the same queue), and what had gone stale
   * by the last arrival gone (as the one-by-one path's last expire left it).
   */
  warmupDone(): void {
    const w = this.warm;
    if (!w) return;
    this.warm = undefined;
    const order = [...w.first.entries()].sort((p, q) => p[1][0] - q[1][0] || p[1][1] - q[1][1] || p[1][2] - q[1][2]);
    for (const [key] of order) this.active.set(key, (this.active.get(key) ?? 0) + (w.count.get(key) ?? 0));
    // Batches hold disjoint runs of phones: by their first phone, all phones in order; neighbours
    // merged pairwise (ties to the lower phones) give what one stable sort by time of them all would.
    let parts = w.parts.sort((p, q) => p.first - q.first);
    while (parts.length > 1) {
      const next: WarmupPart[] = [];
      for (let k = 0; k < parts.length; k += 2) next.push(k + 1 < parts.length ? mergeParts(parts[k]!, parts[k + 1]!) : parts[k]!);
      parts = next;
    }
    if (parts.length) {
      const { device, time } = parts[0]!, n = time.length;
      if (this.size === 0 && !this.heap) {
        // Nothing queued yet (the warm-up comes first): the merged times become the ring as they are.
        let cap = this.ring.length;
        while (cap < n) cap *= 2;
        this.ring = new Float64Array(cap); this.ringDevice = new Int32Array(cap);
        this.ring.set(time); this.ringDevice.set(device); this.head = 0; this.size = n;
      } else for (let k = 0; k < n; k++) this.push(time[k]!, device[k]!);
    }
    this.expire(w.last);
  }

  private bump(key: number, by: number): void {
    this.active.set(key, (this.active.get(key) ?? 0) + by);
  }

  /** Stops counting phones whose last heartbeat is older than the staleness limit. */
  expire(now: number): void {
    for (;;) {
      let time: number, d: number;
      if (this.heap) {
        if (!(this.heap.peekTime() < now)) return;
        time = this.heap.peekTime(); d = this.heap.pop();
      } else {
        if (!this.size || !(this.ring[this.head]! < now)) return;
        time = this.ring[this.head]!; d = this.ringDevice[this.head]!;
        this.head = (this.head + 1) & (this.ring.length - 1); this.size--;
      }
      const hb = this.hb, cell = hb[2 * d + 1]!;
      if (cell >= 0 && hb[2 * d]! + this.staleness === time) {
        this.bump(cell, -1);
        hb[2 * d + 1] = -cell - 1;
      }
    }
  }

  count(key: number): number {
    return this.active.get(key) ?? 0;
  }

  /** Cells with active phones, and how many. */
  entries(): IterableIterator<[number, number]> {
    return this.active.entries();
  }

  /** Calls f(active, key) for each cell with active phones, in the order of entries() (no array per cell). */
  forEach(f: (active: number, key: number) => void): void {
    this.active.forEach(f);
  }
}

/**
 * Distinct phones of one cell whose latest trigger onset lies within the last `window` seconds.
 * Onsets may arrive out of order (network latency); expiry follows onset times.
 */
export class WindowCount {
  count = 0;
  readonly latest = new Map<number, number>();
  private readonly heap = new EventQueue<number>();

  constructor(private readonly window: number) {}

  expire(now: number): void {
    const cutoff = now - this.window;
    while (this.heap.peekTime() < cutoff) {
      const { time, payload: d } = this.heap.pop()!;
      if (this.latest.get(d) === time) {
        this.latest.delete(d);
        this.count--;
      }
    }
  }

  add(d: number, onset: number, now: number): void {
    this.expire(now);
    if (onset < now - this.window) return;
    const prev = this.latest.get(d);
    if (prev === undefined) this.count++;
    else if (prev >= onset) return;
    this.latest.set(d, onset);
    this.heap.push(onset, d);
  }

  /** Forgets phone d (its trigger now belongs to an event). */
  remove(d: number): void {
    if (this.latest.delete(d)) this.count--;
  }
}
