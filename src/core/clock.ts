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

/**
 * Rows [0, n) in order of `time` (ties: lower row first), for a run of events: a comparison sort on
 * short runs, stable radix passes over the times' bits on long ones (same order; -0 counts as 0).
 */
export function timeOrder(time: Float64Array, n: number): Int32Array {
  const order = new Int32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  if (n < 4096) return sortByTime(time, order);
  return stableByTime(time, order);
}

/** Rows by time then row, by comparison (apart from timeOrder, whose long runs never call it: see message-block.ts sortByMessage). */
function sortByTime(time: Float64Array, order: Int32Array): Int32Array {
  return order.sort((p, q) => time[p]! - time[q]! || p - q);
}

/**
 * `order` (rows of `time`) stably re-sorted by time: counting passes over each time's 64 bits read
 * as an unsigned key in numeric order (negative doubles with every bit flipped, others with the
 * sign bit set; -0 as 0, as a comparison by subtraction has it), 16 bits a pass for long arrays and
 * 11 for short ones (a worker's later epochs: clearing and summing 65,536 counts per pass cost more
 * than the few thousand rows they sort). Rows of equal time keep their order in `order`. May reuse
 * `order`'s memory.
 *
 * The keys travel with the rows from pass to pass, so each pass reads them in sequence (reading them
 * through the rows, scattered after the first pass, was most of a worker's sorting time at a million
 * messages); a pass whose bits are the same for every row (the times of an epoch share their
 * exponent's bits, often more) leaves the order as it is and is skipped.
 */
export function stableByTime(time: Float64Array, rows: Int32Array): Int32Array {
  const n = rows.length, f = new Float64Array(1), u = new Uint32Array(f.buffer);
  let order: Int32Array<ArrayBufferLike> = rows, next: Int32Array<ArrayBufferLike> = new Int32Array(n);
  let hi = new Uint32Array(n), lo = new Uint32Array(n), hiNext = new Uint32Array(n), loNext = new Uint32Array(n);
  for (let i = 0; i < n; i++) {
    const t = time[order[i]!]!;
    f[0] = t === 0 ? 0 : t;
    const h = u[1]!, l = u[0]!;
    if (h & 0x80000000) { hi[i] = ~h >>> 0; lo[i] = ~l >>> 0; } else { hi[i] = (h | 0x80000000) >>> 0; lo[i] = l; }
  }
  const bits = n >= 1 << 15 ? 16 : 11, size = 1 << bits, mask = size - 1;
  const count = new Int32Array(size + 1);
  // The low word's digits first (least significant first), then the high word's.
  for (let word = 0; word < 2; word++) {
    for (let shift = 0; shift < 32; shift += bits) {
      const words = word === 0 ? lo : hi;
      count.fill(0);
      for (let i = 0; i < n; i++) count[((words[i]! >>> shift) & mask) + 1]!++;
      let trivial = false;
      for (let k = 1; k <= size; k++) { if (count[k] === n) { trivial = true; break; } if (count[k]! > 0) break; }
      if (trivial) continue;
      for (let k = 0; k < size; k++) count[k + 1]! += count[k]!;
      if (word === 0) {
        // The low words still have passes to go, or the high words theirs: both words travel.
        for (let i = 0; i < n; i++) { const j = count[(words[i]! >>> shift) & mask]!++; next[j] = order[i]!; hiNext[j] = hi[i]!; loNext[j] = lo[i]!; }
        [lo, loNext] = [loNext, lo];
      } else {
        for (let i = 0; i < n; i++) { const j = count[(words[i]! >>> shift) & mask]!++; next[j] = order[i]!; hiNext[j] = hi[i]!; }
      }
      [order, next] = [next, order];
      [hi, hiNext] = [hiNext, hi];
    }
  }
  return order;
}

/**
 * RefQueue's order — by time, then insertion — for events added a run at a time (a run: one batch,
 * sorted by time with ties in its own order; later runs count as inserted later): each run is
 * sorted once, and popping compares only the heads of the few runs still open. The network's
 * messages come this way, an epoch's worth at once.
 */
export class SortedRuns {
  private runs: { time: Float64Array; ref: Float64Array; at: number }[] = [];

  /** Adds a run of `n` events (times and references, in insertion order). */
  push(time: Float64Array, ref: Float64Array, n: number): void {
    if (n === 0) return;
    const order = timeOrder(time, n), t = new Float64Array(n), r = new Float64Array(n);
    for (let k = 0; k < n; k++) { const i = order[k]!; if (!Number.isFinite(time[i]!)) throw new Error(`event time must be finite (got ${time[i]})`); t[k] = time[i]!; r[k] = ref[i]!; }
    this.runs.push({ time: t, ref: r, at: 0 });
    this.best = -1;
  }

  /**
   * Adds a run of `n` events already in time order (ties in insertion order), kept as given (no
   * copy, no sort): the network's epochs come merged by arrival from the workers' own orders.
   */
  pushSorted(time: Float64Array, ref: Float64Array, n: number): void {
    if (n === 0) return;
    for (let k = 0; k < n; k++) {
      if (!Number.isFinite(time[k]!)) throw new Error(`event time must be finite (got ${time[k]})`);
      if (k > 0 && time[k]! < time[k - 1]!) throw new Error('pushSorted: a run out of time order');
    }
    this.runs.push({ time: time.length === n ? time : time.subarray(0, n), ref: ref.length === n ? ref : ref.subarray(0, n), at: 0 });
    this.best = -1;
  }

  /**
   * The open run whose next event comes first (ties: the earlier run), and the earliest next event of
   * the others (the bound): the best run stays best while its events come before the bound, so most
   * pops compare one time instead of every run's (an epoch's run is mostly popped through before the
   * next one's, while late messages keep a dozen older runs open).
   */
  private best = -1;
  private boundTime = Infinity;
  private boundRun = -1;

  private find(): void {
    let best = -1, bt = Infinity, second = -1, st = Infinity;
    for (let k = 0; k < this.runs.length; k++) {
      const r = this.runs[k]!, t = r.time[r.at]!;
      if (t < bt) { second = best; st = bt; best = k; bt = t; } else if (t < st) { second = k; st = t; }
    }
    this.best = best; this.boundTime = st; this.boundRun = second;
  }

  /** The open run whose next event comes first (ties: the earlier run); -1 when empty. */
  private first(): number {
    if (this.best < 0) this.find();
    return this.best;
  }

  get size(): number {
    let s = 0;
    for (const r of this.runs) s += r.time.length - r.at;
    return s;
  }

  /** Time of the earliest event, or Infinity when empty. */
  peekTime(): number {
    const k = this.first();
    return k < 0 ? Infinity : this.runs[k]!.time[this.runs[k]!.at]!;
  }

  /** Reference of the earliest event (NaN when empty), left in place. */
  peekRef(): number {
    const k = this.first();
    return k < 0 ? NaN : this.runs[k]!.ref[this.runs[k]!.at]!;
  }

  /** Removes the earliest event and returns its reference. */
  pop(): number {
    const k = this.first(), r = this.runs[k]!, ref = r.ref[r.at++]!;
    if (r.at === r.time.length) { this.runs.splice(k, 1); this.best = -1; } else {
      const t = r.time[r.at]!;
      if (t > this.boundTime || (t === this.boundTime && this.boundRun < k)) this.best = -1;
    }
    return ref;
  }
}
