/** Simulation time: a fixed-tick clock plus a time-ordered event queue for messages. */

/**
 * Fixed-tick clock over [0, duration). Tick boundaries are computed as `index × tick` (never by
 * accumulating floats), so every stage sees identical times whatever the batch sizes.
 */
export class SimClock {
  readonly duration: number;
  readonly tick: number;
  readonly ticks: number;

  constructor(options: { duration: number; tick: number }) {
    if (!(options.tick > 0)) throw new Error(`tick must be > 0 (got ${options.tick})`);
    if (!(options.duration > 0)) throw new Error(`duration must be > 0 (got ${options.duration})`);
    this.duration = options.duration;
    this.tick = options.tick;
    this.ticks = Math.ceil(options.duration / options.tick - 1e-9);
  }

  /** Start time of tick i. */
  timeOf(i: number): number {
    return Math.min(i * this.tick, this.duration);
  }

  /** Iterates [start, end) intervals of `ticksPerStep` ticks each. */
  *steps(ticksPerStep = 1): Generator<{ index: number; start: number; end: number }> {
    for (let i = 0; i < this.ticks; i += ticksPerStep) {
      yield { index: i, start: this.timeOf(i), end: this.timeOf(Math.min(i + ticksPerStep, this.ticks)) };
    }
  }
}

/** An event scheduled at `time`; `seq` breaks ties in insertion order so runs are deterministic. */
interface Entry<T> {
  time: number;
  seq: number;
  payload: T;
}

/** Binary min-heap of events ordered by (time, insertion order). */
export class EventQueue<T> {
  private heap: Entry<T>[] = [];
  private counter = 0;

  get size(): number {
    return this.heap.length;
  }

  push(time: number, payload: T): void {
    if (!Number.isFinite(time)) throw new Error(`event time must be finite (got ${time})`);
    const e: Entry<T> = { time, seq: this.counter++, payload };
    const h = this.heap;
    h.push(e);
    let i = h.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (EventQueue.less(h[p]!, e)) break;
      h[i] = h[p]!;
      i = p;
    }
    h[i] = e;
  }

  /** Time of the earliest event, or Infinity when empty. */
  peekTime(): number {
    return this.heap.length ? this.heap[0]!.time : Infinity;
  }

  /** Removes and returns the earliest event. */
  pop(): { time: number; payload: T } | undefined {
    const h = this.heap;
    if (!h.length) return undefined;
    const top = h[0]!;
    const last = h.pop()!;
    if (h.length) {
      let i = 0;
      const n = h.length;
      for (;;) {
        const l = 2 * i + 1;
        if (l >= n) break;
        const r = l + 1;
        const c = r < n && EventQueue.less(h[r]!, h[l]!) ? r : l;
        if (EventQueue.less(last, h[c]!)) break;
        h[i] = h[c]!;
        i = c;
      }
      h[i] = last;
    }
    return { time: top.time, payload: top.payload };
  }

  /** Pops every event with time ≤ `until`, in order. */
  *drain(until: number): Generator<{ time: number; payload: T }> {
    while (this.heap.length && this.heap[0]!.time <= until) yield this.pop()!;
  }

  private static less<T>(a: Entry<T>, b: Entry<T>): boolean {
    return a.time < b.time || (a.time === b.time && a.seq < b.seq);
  }
}
