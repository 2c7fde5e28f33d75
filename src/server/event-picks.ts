/**
 * The picks of one earthquake event as columns (one row per phone, in the order phones joined):
 * where the phone said it was, its earliest onset, its largest amplitude and its site's Vs30. An
 * event of hundreds of thousands of phones is re-estimated every second from strided samples of
 * these rows, which typed arrays keep cheap (objects scattered over the heap did not).
 */
import type { Pick } from './estimate.js';

/** A pick of a phone, with the Vs30 of its place (what the event's estimators read). */
export interface EventPick extends Pick {
  device: number;
  vs30: number;
}

/**
 * Device → row, an open-addressing hash table on typed arrays (linear probing, at most half full):
 * a national event gathers hundreds of thousands of phones, each looked up at every trigger and
 * update, and a Map of that size spent its time in cache misses and per-entry objects.
 */
class RowIndex {
  private keys = new Int32Array(1024).fill(-1);
  private rows = new Int32Array(1024);
  private used = 0;

  private slot(d: number): number {
    const mask = this.keys.length - 1;
    let i = Math.imul(d, 0x9e3779b1) >>> 0 & mask;
    while (this.keys[i] !== -1 && this.keys[i] !== d) i = (i + 1) & mask;
    return i;
  }

  get(d: number): number {
    const i = this.slot(d);
    return this.keys[i] === d ? this.rows[i]! : -1;
  }

  /** Device d (≥ 0, not yet present) is at row r. */
  set(d: number, r: number): void {
    if (2 * (this.used + 1) > this.keys.length) this.grow();
    const i = this.slot(d);
    this.keys[i] = d;
    this.rows[i] = r;
    this.used++;
  }

  private grow(): void {
    const keys = this.keys, rows = this.rows;
    this.keys = new Int32Array(2 * keys.length).fill(-1);
    this.rows = new Int32Array(2 * keys.length);
    for (let i = 0; i < keys.length; i++) if (keys[i] !== -1) { const j = this.slot(keys[i]!); this.keys[j] = keys[i]!; this.rows[j] = rows[i]!; }
  }
}

export class EventPicks {
  private readonly row = new RowIndex();
  size = 0;
  device = new Int32Array(256);
  x = new Float64Array(256);
  y = new Float64Array(256);
  t = new Float64Array(256);
  amplitude = new Float64Array(256);
  vs30 = new Float64Array(256);

  /** Row of device d, or -1. */
  rowOf(d: number): number {
    return this.row.get(d);
  }

  /** Adds device d's first pick; returns its row. */
  append(d: number, p: Pick, vs30: number): number {
    if (this.size === this.device.length) this.grow();
    const i = this.size++;
    this.row.set(d, i);
    this.device[i] = d; this.x[i] = p.x; this.y[i] = p.y; this.t[i] = p.t; this.amplitude[i] = p.amplitude; this.vs30[i] = vs30;
    return i;
  }

  private grow(): void {
    const c = 2 * this.device.length;
    const more = <T extends Float64Array | Int32Array>(a: T): T => { const b = new (a.constructor as new (n: number) => T)(c); b.set(a); return b; };
    this.device = more(this.device); this.x = more(this.x); this.y = more(this.y); this.t = more(this.t); this.amplitude = more(this.amplitude); this.vs30 = more(this.vs30);
  }

  /** Row i as an object. */
  at(i: number): EventPick {
    return { device: this.device[i]!, x: this.x[i]!, y: this.y[i]!, t: this.t[i]!, amplitude: this.amplitude[i]!, vs30: this.vs30[i]! };
  }

  /** The devices with a pick, in the order they joined. */
  devices(): Int32Array {
    return this.device.subarray(0, this.size);
  }

  /** Every row, or an even spread of `limit` rows when there are more (their indices). */
  sample(limit: number): Int32Array {
    const stride = Math.max(1, Math.ceil(this.size / limit)), out = new Int32Array(Math.ceil(this.size / stride));
    for (let i = 0, k = 0; i < this.size; i += stride, k++) out[k] = i;
    return out;
  }
}
