/**
 * STA/LTA ratios of a characteristic function, as ObsPy defines them (obspy.signal.trigger):
 *
 * - classic: ratio[i] = mean(cf[i−nsta+1 … i]) / mean(cf[i−nlta+1 … i]) from i = nlta − 1 on, 0 before
 *   (`classic_sta_lta`);
 * - recursive (Withers et al. 1998): sta ← cf/nsta + (1 − 1/nsta)·sta, likewise lta, from
 *   the second sample on, lta starting at the smallest double; ratio = sta/lta from i = nlta on, 0
 *   before (`recursive_sta_lta`).
 *
 * ObsPy squares its input to get cf; here cf is given (the squared norm of high-passed acceleration,
 * or a squared axis). `classicStaLta` and `recursiveStaLta` work on whole traces (reference and
 * tests); `StaLtaStream` computes the same ratios sample by sample with each device's state in
 * shared columns, so a device's trace can continue on any thread.
 */
import type { ColumnSpec } from '../core/columns.js';
import type { Columns } from '../plugin/columns.js';

export type StaLtaMethod = 'classic' | 'recursive';

const TINY = 2.2250738585072014e-308; // np.finfo(0.0).tiny

/** ObsPy's classic STA/LTA of a characteristic function over a whole trace. */
export function classicStaLta(cf: ArrayLike<number>, nsta: number, nlta: number): Float64Array {
  const n = cf.length, out = new Float64Array(n);
  let ssta = 0, slta = 0;
  for (let i = 0; i < n; i++) {
    ssta += cf[i]! - (i >= nsta ? cf[i - nsta]! : 0);
    slta += cf[i]! - (i >= nlta ? cf[i - nlta]! : 0);
    if (i >= nlta - 1) out[i] = ssta / nsta / Math.max(slta / nlta, TINY);
  }
  return out;
}

/** ObsPy's recursive STA/LTA of a characteristic function over a whole trace. */
export function recursiveStaLta(cf: ArrayLike<number>, nsta: number, nlta: number): Float64Array {
  const n = cf.length, out = new Float64Array(n);
  const csta = 1 / nsta, clta = 1 / nlta;
  let sta = 0, lta = TINY;
  for (let i = 1; i < n; i++) {
    sta = csta * cf[i]! + (1 - csta) * sta;
    lta = clta * cf[i]! + (1 - clta) * lta;
    if (i >= nlta) out[i] = sta / lta;
  }
  return out;
}

/**
 * Streaming STA/LTA per device. Use as: `load(d, nsta, nlta)`, then `step(cf)` per sample (returns the
 * ratio), then `store(d)`. Classic keeps the last nlta values of cf in a ring (8 × nlta bytes per
 * device) and re-sums its windows once per nlta samples so rounding cannot drift over hours.
 */
export class StaLtaStream {
  private readonly sta: Float64Array;
  private readonly lta: Float64Array;
  private readonly count: Float64Array;
  private readonly ring: Float64Array | undefined;
  private readonly width: number;
  // The loaded device's state: public so a detector can run the recursive method inline in its own
  // loop (the same arithmetic as `step`, on locals) and write s, l and i back before `store`.
  s = 0;
  l = 0;
  i = 0;
  private ns = 1;
  nl = 2;
  private base = 0;
  /** Recursive weights, as ObsPy computes them: 1/n and 1 − 1/n. */
  cs = 1;
  ics = 0;
  cl = 0.5;
  icl = 0.5;

  /** Columns for `method`; classic needs a ring as long as the longest LTA in samples. */
  static columns(method: StaLtaMethod, maxNlta: number): ColumnSpec[] {
    const specs: ColumnSpec[] = [{ name: 'sta', type: 'f64' }, { name: 'lta', type: 'f64' }, { name: 'count', type: 'f64' }];
    if (method === 'classic') specs.push({ name: 'cf_ring', type: 'f64', width: maxNlta });
    return specs;
  }

  constructor(readonly method: StaLtaMethod, columns: Columns, prefix: string) {
    this.sta = columns.f64(prefix + 'sta');
    this.lta = columns.f64(prefix + 'lta');
    this.count = columns.f64(prefix + 'count');
    this.ring = method === 'classic' ? columns.f64(prefix + 'cf_ring') : undefined;
    this.width = this.ring ? this.ring.length / columns.rows : 0;
  }

  reset(d: number): void {
    this.sta[d] = 0;
    this.lta[d] = 0;
    this.count[d] = 0;
  }

  load(d: number, nsta: number, nlta: number): void {
    if (this.ring && nlta > this.width) throw new Error(`classic STA/LTA ring holds ${this.width} samples, ${nlta} needed`);
    this.s = this.sta[d]!;
    this.l = this.count[d] === 0 && this.method === 'recursive' ? TINY : this.lta[d]!;
    this.i = this.count[d]!;
    this.ns = nsta;
    this.nl = nlta;
    this.cs = 1 / nsta; this.ics = 1 - this.cs;
    this.cl = 1 / nlta; this.icl = 1 - this.cl;
    this.base = d * this.width;
  }

  store(d: number): void {
    this.sta[d] = this.s;
    this.lta[d] = this.l;
    this.count[d] = this.i;
  }

  /** Hands back the recursive state a detector advanced inline (see the fields above). */
  setRecursive(s: number, l: number, i: number): void {
    this.s = s; this.l = l; this.i = i;
  }

  /** Samples seen by the loaded device. */
  get samples(): number {
    return this.i;
  }

  /** Feeds one value of the characteristic function; returns the STA/LTA ratio (0 while warming up). */
  step(cf: number): number {
    const i = this.i++;
    const ns = this.ns, nl = this.nl;
    if (this.ring === undefined) {
      if (i === 0) return 0; // ObsPy starts at the second sample
      const s = this.cs * cf + this.ics * this.s, l = this.cl * cf + this.icl * this.l;
      this.s = s;
      this.l = l;
      return i >= nl ? s / l : 0;
    }
    const r = this.ring, b = this.base;
    const slot = i % nl;
    this.s += cf - (i >= ns ? r[b + ((i - ns) % nl)]! : 0);
    this.l += cf - (i >= nl ? r[b + slot]! : 0);
    r[b + slot] = cf;
    if (slot === nl - 1 && i >= nl) {
      // Re-sum both windows exactly (the ring now holds the last nl values in order of slots).
      let sl = 0, ss = 0;
      for (let k = 0; k < nl; k++) sl += r[b + k]!;
      for (let k = nl - ns; k < nl; k++) ss += r[b + k]!;
      this.l = sl;
      this.s = ss;
    }
    return i >= nl - 1 ? this.s / ns / Math.max(this.l / nl, TINY) : 0;
  }
}
