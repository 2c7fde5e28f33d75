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

export class EventPicks {
  private readonly row = new Map<number, number>();
  size = 0;
  device = new Int32Array(256);
  x = new Float64Array(256);
  y = new Float64Array(256);
  t = new Float64Array(256);
  amplitude = new Float64Array(256);
  vs30 = new Float64Array(256);

  /** Row of device d, or -1. */
  rowOf(d: number): number {
    return this.row.get(d) ?? -1;
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
