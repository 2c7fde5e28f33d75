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

/**
 * The same ordering as EventQueue — by time, then insertion order — for events that are numbers
 * (references into columns): a binary heap in typed arrays, so millions of messages in flight cost
 * no object each.
 */
export class RefQueue {
  private time = new Float64Array(1024);
  private seq = new Float64Array(1024);
  private ref = new Float64Array(1024);
  private n = 0;
  private counter = 0;

  get size(): number {
    return this.n;
  }

  private grow(): void {
    const c = this.time.length * 2;
    const t = new Float64Array(c), s = new Float64Array(c), r = new Float64Array(c);
    t.set(this.time); s.set(this.seq); r.set(this.ref);
    this.time = t; this.seq = s; this.ref = r;
  }

  push(time: number, ref: number): void {
    if (!Number.isFinite(time)) throw new Error(`event time must be finite (got ${time})`);
    if (this.n === this.time.length) this.grow();
    const T = this.time, S = this.seq, R = this.ref, seq = this.counter++;
    let i = this.n++;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (T[p]! < time || (T[p] === time && S[p]! < seq)) break;
      T[i] = T[p]!; S[i] = S[p]!; R[i] = R[p]!;
      i = p;
    }
    T[i] = time; S[i] = seq; R[i] = ref;
  }

  /** Time of the earliest event, or Infinity when empty. */
  peekTime(): number {
    return this.n ? this.time[0]! : Infinity;
  }

  /** Removes the earliest event and returns its reference (its time is peekTime() before the call). */
  pop(): number {
    const T = this.time, S = this.seq, R = this.ref;
    const top = R[0]!;
    const n = --this.n;
    if (n > 0) {
      const lt = T[n]!, ls = S[n]!, lr = R[n]!;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        if (l >= n) break;
        const r = l + 1;
        const c = r < n && (T[r]! < T[l]! || (T[r] === T[l] && S[r]! < S[l]!)) ? r : l;
        if (lt < T[c]! || (lt === T[c] && ls < S[c]!)) break;
        T[i] = T[c]!; S[i] = S[c]!; R[i] = R[c]!;
        i = c;
      }
      T[i] = lt; S[i] = ls; R[i] = lr;
    }
    return top;
  }
}
