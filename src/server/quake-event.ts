/**
 * One earthquake event on the server: the triggers (picks) that belong to it, its source estimate
 * updated as they arrive, and the alerts it issues.
 *
 * - Association: a trigger joins when its onset fits the travel-time curve of the current estimate
 *   (between the predicted P arrival minus `before_p` and the predicted S arrival plus `after_s`)
 *   within `max_km` of the epicentre.
 * - Location: epicentre and origin time from onsets that agree with each other (L1 grid search +
 *   Nelder–Mead, estimate.ts; picks with large residuals dropped and the fit repeated), depth fixed.
 * - Magnitude: the median over phones of the magnitude whose ground-motion model (BA08 at the phone's
 *   site Vs30) gives the phone's reported peak (× the calibrated `amplitude_to_pga`) at its distance
 *   from the source; never above what a rupture could have grown to since the origin. For large
 *   events the source becomes a line rupture fitted to the strongly shaken phones (line-rupture.ts),
 *   its length bounds the magnitude from below (FinDer-style), and near it the phones' saturated
 *   median is weighed against the length. A phone whose S wave has not arrived yet reports P-wave
 *   shaking, scaled up by `p_to_s_amplitude`. Options: quake-options.ts.
 * - Alerts: two tiers by predicted MMI ("be aware", "take action"); an update goes out whenever
 *   either region grows; nothing goes out below `min_magnitude`.
 * - Confirmation: `confirm_within` after declaration the triggers must spread at least
 *   `confirm_spread_km` from the epicentre (seismic waves travel; a jumping crowd does not), and a
 *   `confirm_fraction` of the active phones must have triggered in at least 3 (or half) of the
 *   cells where the estimate predicts clear shaking (a real quake lights up the cells it reaches, a
 *   crowd only its own); otherwise the event is cancelled and a
 *   cancellation is pushed to everyone alerted.
 */
import { segmentDistance, type Segment, hypot } from '../core/geo.js';
import { stableByTime } from '../core/clock.js';
import type { QuakeEventConfig } from './quake-options.js';
import { fitLineRupture } from './line-rupture.js';
import type { TriggerMessage } from '../plugin/index.js';
import type { LocalFrame } from '../core/frame.js';
import { G } from '../core/units.js';
import { alertRadiusKm, locate, magnitudeFromPga, pgaRadiusKm, type Pick } from './estimate.js';
import { BA08_PGA_TAU, magnitudeCeiling, magnitudeFromLength, pgaMagnitudeSlope, WC94_SRL } from '../physics/scaling.js';
import type { AlertRecord, SourceEstimate } from '../plugin/index.js';

import { EventPicks, type EventPick } from './event-picks.js';
import { binomialHead } from './binomial-tails.js';

const median = (xs: ArrayLike<number>): number => {
  if (!xs.length) return NaN;
  const s = Float64Array.from(xs).sort(), n = s.length;
  return n % 2 ? s[(n - 1) >> 1]! : 0.5 * (s[n / 2 - 1]! + s[n / 2]!);
};

export type { QuakeEventConfig } from './quake-options.js';
export { quakeEventOptions } from './quake-options.js';

/**
 * What the server knows around an event beyond its picks, from heartbeats: which cells hold phones
 * that monitor, and which of those have no trigger counted now (the not-yet-arrived evidence).
 */
export interface Surroundings {
  /** Cells with at least min_active active phones whose centre lies within r m of (x, y): their centre, active phones and the triggers no event took that count in them now. */
  cellsAround(x: number, y: number, r: number): { key: number; x: number; y: number; active: number; free: number }[];
  /** Active phones in a cell. */
  active(key: number): number;
  cellOf(x: number, y: number): number;
  /** From a cell's centre to its farthest point, m. */
  cellReach: number;
  /** Cells need this many active phones to count. */
  minActive: number;
}

/** Chance that a cell stays as quiet as it is although the wave passed it (split over the cells tested). */
const NOT_YET_ARRIVED_ALPHA = 0.01;

export class QuakeEvent {
  /** One row per phone that joined, in joining order (columns: sampling strides through them). */
  readonly picks = new EventPicks();
  seq = 0;
  estimate: SourceEstimate | null = null;
  /** The rupture fitted for a large event (null: a point source). */
  rupture: Segment | null = null;
  lastPickAt: number;
  lastEstimateAt = -Infinity;
  dirty = true;
  confirmed = false;
  cancelled = false;
  /** Largest regions alerted so far, km. */
  beAwareKm = 0;
  takeActionKm = 0;

  constructor(readonly id: number, readonly declaredAt: number, private readonly c: QuakeEventConfig, private readonly frame: LocalFrame, private readonly vs30: (x: number, y: number) => number, private readonly around?: Surroundings) {
    this.lastPickAt = declaredAt;
  }

  /** How long the first picks took from their onset to the server (at most 2,000 of them), s. */
  private readonly lags: number[] = [];

  add(d: number, m: Pick, now: number): void {
    const P = this.picks, i = P.rowOf(d), limit = this.anchorOnset + this.c.locate_window;
    if (i < 0) {
      if (this.lags.length < 2000) this.lags.push(now - m.t);
      P.append(d, m, this.c.site_correction ? Math.round(this.vs30(m.x, m.y) / 10) * 10 : 760);
      if (m.t <= limit) this.inWindow++;
    } else {
      P.amplitude[i] = Math.max(P.amplitude[i]!, m.amplitude);
      if (m.t < P.t[i]!) {
        // A pick whose onset moves into the locate window counts there from now on.
        if (P.t[i]! > limit && m.t <= limit) this.inWindow++;
        P.t[i] = m.t;
      }
    }
    this.lastPickAt = now;
    this.dirty = true;
  }

  /** Horizontal distance from the source (the rupture, or the epicentre) to (x, y), m. */
  distance(x: number, y: number): number {
    const e = this.estimate!;
    return this.rupture ? segmentDistance(this.rupture, x, y) : hypot(x - e.x, y - e.y);
  }

  /**
   * Earliest arrival at (x, y) of waves of speed `v` (m/s) radiated by the rupture as it grows from
   * the epicentre. A rupture slower than the waves never outruns what the epicentre radiated
   * (s / vr + |p − p(s)| / v grows with the distance s along the fault when vr < v), so then it is
   * the epicentre's arrival; only a supershear rupture needs the sum along the fault.
   */
  arrival(x: number, y: number, v: number, seg: Segment | null = this.rupture): number {
    const e = this.estimate!, depth2 = (this.c.depth_km * 1000) ** 2;
    const vr = this.c.rupture_velocity_km_s * 1000;
    if (!seg || vr < v) return e.originTime + Math.sqrt((x - e.x) ** 2 + (y - e.y) ** 2 + depth2) / v;
    // The rupture grows both ways from the epicentre (which lies on the segment): a point of it breaks its distance from there / vr after the origin.
    let best = Infinity;
    for (let k = 0; k <= 16; k++) {
      const u = k / 16, px = seg.x1 + u * (seg.x2 - seg.x1), py = seg.y1 + u * (seg.y2 - seg.y1);
      best = Math.min(best, hypot(px - e.x, py - e.y) / vr + Math.sqrt((x - px) ** 2 + (y - py) ** 2 + depth2) / v);
    }
    return e.originTime + best;
  }

  /**
   * Whether a trigger's onset and place fit this event. A cancelled event instead absorbs triggers
   * within confirm_spread_km of it while it lives, so a persistent local nuisance (a jumping crowd)
   * does not raise a new false event every few seconds.
   */
  fits(m: TriggerMessage): boolean {
    if (!this.estimate) return false;
    const r = this.distance(m.x, m.y);
    if (this.cancelled) return r <= this.c.confirm_spread_km * 1000;
    if (r > this.c.max_km * 1000) return false;
    const tp = this.arrival(m.x, m.y, this.c.vp_km_s * 1000), ts = this.arrival(m.x, m.y, this.c.vs_km_s * 1000);
    return m.onsetDeviceTime >= tp - this.c.before_p && m.onsetDeviceTime <= Math.max(ts, this.latestNearbyS(m.x, m.y, m.onsetDeviceTime)) + this.c.after_s;
  }

  /**
   * For a rupture still running: the S arrival at (x, y) from the part of the fault line nearest to
   * it, had the rupture kept going (at rupture_velocity_km_s, either way along the strike) until it
   * got there by `t`. A phone beyond the fitted tip shakes when the rupture passes it, later than
   * the earliest-arrival curve says, and its trigger belongs to this event rather than a new one.
   */
  private latestNearbyS(x: number, y: number, t: number): number {
    const seg = this.rupture, e = this.estimate!;
    if (!seg) return -Infinity;
    const L = hypot(seg.x2 - seg.x1, seg.y2 - seg.y1), ux = (seg.x2 - seg.x1) / L, uy = (seg.y2 - seg.y1) / L;
    const vr = this.c.rupture_velocity_km_s * 1000;
    // Measured from the epicentre, from which the rupture runs either way.
    const along = (x - e.x) * ux + (y - e.y) * uy, across = Math.abs(-(x - e.x) * uy + (y - e.y) * ux);
    const s = Math.min(Math.abs(along), Math.max(0, (t - e.originTime) * vr));
    const d = Math.sqrt((Math.abs(along) - s) ** 2 + across ** 2 + (this.c.depth_km * 1000) ** 2);
    return e.originTime + s / vr + d / (this.c.vs_km_s * 1000);
  }

  /**
   * Rows of the event's picks, or an even spread of 5,000 of them when there are more: a magnitude
   * (a median of at most 2,000 phones, basis()) or a rupture from 5,000 phones is as good as from
   * a million, and an update's cost stays bounded (it was 20,000 until national runs showed updates
   * of a 1.3 M-phone quake costing 10 s of server time; Türkiye's magnitudes over time moved by at most 0.1).
   */
  private sample(limit = 5_000): Int32Array {
    return this.picks.sample(limit);
  }

  /**
   * The phones a magnitude rests on at `now` for a source (a rupture, or the epicentre): those the S
   * wave has passed by a second when there are at least 10 of them, otherwise all; within `maxKm`;
   * at most 2,000, spread evenly over the event's picks (the median hardly moves, and an update's
   * cost stays bounded on a million-phone run). Rows of the picks, and whether each one's S passed.
   */
  private basis(seg: Segment | null, now: number, maxKm = Infinity): { rows: number[]; arrived: Uint8Array } {
    const vs = this.c.vs_km_s * 1000, e = this.estimate!, P = this.picks;
    const after: number[] = [], all: number[] = [];
    for (const i of this.sample()) {
      if (!(P.amplitude[i]! > 0)) continue;
      const x = P.x[i]!, y = P.y[i]!;
      if (maxKm < Infinity && (seg ? segmentDistance(seg, x, y) : hypot(x - e.x, y - e.y)) > maxKm * 1000) continue;
      all.push(i);
      if (this.arrival(x, y, vs, seg) + 1 <= now) after.push(i);
    }
    const group = after.length >= 10 ? after : all;
    const stride = Math.max(1, Math.ceil(group.length / 2000));
    const rows = group.filter((_, k) => k % stride === 0);
    return { rows, arrived: Uint8Array.from(rows, (i) => (group === after || this.arrival(P.x[i]!, P.y[i]!, vs, seg) + 1 <= now ? 1 : 0)) };
  }

  /**
   * Per-phone magnitudes: the ground-motion model inverted at each phone's distance to the source;
   * a phone before its S wave reports P shaking, scaled up by p_to_s_amplitude.
   */
  private magnitudes(b: { rows: number[]; arrived: Uint8Array }, seg: Segment | null): number[] {
    const e = this.estimate!, P = this.picks;
    return b.rows.map((i, k) => {
      const x = P.x[i]!, y = P.y[i]!;
      const r = seg ? segmentDistance(seg, x, y) : hypot(x - e.x, y - e.y);
      return magnitudeFromPga((P.amplitude[i]! * this.c.amplitude_to_pga * (b.arrived[k] ? 1 : this.c.p_to_s_amplitude)) / G, r / 1000, P.vs30[i]!);
    });
  }

  /**
   * The line rupture (line-rupture.ts) through the phones with strong shaking (≥ `strong_motion_g`,
   * their S wave passed). A rear arm must reach beyond the distance at which BA08 at magnitude `m`
   * (the larger of this update's point-source magnitude and the last estimate) falls below
   * strong_motion_g at those phones' median Vs30.
   */
  private fitRupture(now: number, m: number): Segment | null {
    const e = this.estimate!, vs = this.c.vs_km_s * 1000, P = this.picks;
    const strong: { x: number; y: number }[] = [], vs30: number[] = [];
    for (const i of this.sample()) if ((P.amplitude[i]! * this.c.amplitude_to_pga) / G >= this.c.strong_motion_g && this.arrival(P.x[i]!, P.y[i]!, vs, null) + 1 <= now) { strong.push({ x: P.x[i]!, y: P.y[i]! }); vs30.push(P.vs30[i]!); }
    const nearField = strong.length >= 5 ? 1000 * pgaRadiusKm(m, this.c.strong_motion_g, median(vs30)) : 0;
    return fitLineRupture(strong, e, this.rupture, this.c.rupture_velocity_km_s * 1000 * Math.max(0, now - e.originTime), nearField);
  }

  /**
   * Magnitude (and rupture, for large events) from the picks' peaks at `now`. No estimate exceeds
   * what a rupture could have grown to since the origin (magnitudeCeiling): right after the origin,
   * a few near phones' saturated peaks would otherwise invert to M8+.
   */
  private magnitude(now: number): number {
    if (!this.picks.size) return NaN;
    const ceiling = magnitudeCeiling(now - this.estimate!.originTime, this.c.rupture_velocity_km_s);
    const point = Math.min(ceiling, median(this.magnitudes(this.basis(null, now), null)));
    if (!(point >= this.c.finite_fault_from_m) && !this.rupture) return point;
    this.rupture = this.fitRupture(now, Math.max(point, this.largestMagnitude));
    if (!this.rupture) return point;
    // Far from a long rupture the ground-motion model stands for the whole fault while a phone feels
    // its nearest part: only phones within 100 km count. Near a large rupture peak motion saturates
    // (BA08's PGA grows with M above M6.75 only through its distance term), so the phones' median
    // is weighed against the rupture length (Wells & Coppersmith 1994) by inverse variance: the
    // phones' variance is the between-event scatter over their mean sensitivity, (τ / d ln PGA/dM)²,
    // the length's is W&C's σ². The rupture's length also bounds the magnitude from below.
    const seg = this.rupture;
    const basis = this.basis(seg, now, 100);
    const fromPhones = median(this.magnitudes(basis, seg));
    const fromLength = magnitudeFromLength(hypot(seg.x2 - seg.x1, seg.y2 - seg.y1) / 1000);
    if (!Number.isFinite(fromPhones)) return Math.min(ceiling, fromLength);
    let slope = 0;
    const P = this.picks;
    for (const i of basis.rows) slope += pgaMagnitudeSlope(fromPhones, segmentDistance(seg, P.x[i]!, P.y[i]!) / 1000, P.vs30[i]!);
    slope = Math.max(1e-3, slope / basis.rows.length);
    const wPhones = (slope / BA08_PGA_TAU) ** 2, wLength = 1 / WC94_SRL.sigma ** 2;
    const combined = (wPhones * fromPhones + wLength * fromLength) / (wPhones + wLength);
    return Math.min(ceiling, Math.max(fromLength, combined));
  }

  /**
   * Epicentre and origin time from onsets that agree with each other. The earliest onsets are the
   * worst choice: right after the origin they are mostly background false triggers. So: a first L1
   * fit on the densest 3 s of the early onsets (at most `max_locate_picks` of them, spread evenly),
   * each read as a P or an S onset, then twice: keep the picks that fit within 2 s (dropping false
   * triggers) and refit on an even spread of those.
   */
  private locate(now: number) {
    const o = { depthKm: this.c.depth_km, vpKmS: this.c.vp_km_s, vsKmS: this.c.vs_km_s };
    const spread = <T>(xs: T[]) => {
      const stride = Math.max(1, Math.ceil(xs.length / this.c.max_locate_picks));
      return xs.filter((_, i) => i % stride === 0);
    };
    // The epicentre shows in the first onsets; later ones come from farther along a rupture.
    const limit = this.anchorOnset + this.c.locate_window;
    // Onsets in the window can have grown by at most as many picks as the event gained: when that
    // cannot reach the 10 % that calls for a new solution, skip even counting them.
    if (this.lastLocation && this.counted + (this.picks.size - this.countedTotal) < this.lastLocationPicks * 1.1 + 3) return this.lastLocation;
    const count = this.inWindow;
    // The same onsets (or barely more) locate the same: keep the last solution.
    this.counted = count;
    this.countedTotal = this.picks.size;
    if (this.lastLocation && count < this.lastLocationPicks * 1.1 + 3) return this.lastLocation;
    const all = this.picksByOnset(limit);
    // First fit on the densest 3 s of onsets (a quake's triggers come in a burst; background false
    // triggers are spread over time), then on everything that fits.
    let from = 0, to = 0, bestFrom = 0, bestTo = all.length;
    if (all.length >= 10 && !this.lastLocation) {
      bestTo = 0;
      for (; from < all.length; from++) {
        while (to < all.length && all[to]!.t <= all[from]!.t + 3) to++;
        if (to - from > bestTo - bestFrom) { bestFrom = from; bestTo = to; }
      }
      if (bestTo - bestFrom < 5) { bestFrom = 0; bestTo = all.length; }
    }
    // A relocation refines the last solution with the onsets that fit it instead of starting over:
    // on a long rupture the densest burst of later onsets comes from a town far along the fault and
    // would drag the epicentre there.
    const admissible = this.notYetArrived(spread(all), now);
    let loc = this.lastLocation ?? locate(spread(all.slice(bestFrom, bestTo)), { ...o, admissible });
    const vp = this.c.vp_km_s * 1000, vs = this.c.vs_km_s * 1000, depth2 = (this.c.depth_km * 1000) ** 2;
    for (let round = 0; round < 2; round++) {
      const fit = all.filter((p) => {
        const hypo = Math.sqrt((p.x - loc.x) ** 2 + (p.y - loc.y) ** 2 + depth2);
        return Math.min(Math.abs(p.t - loc.originTime - hypo / vp), Math.abs(p.t - loc.originTime - hypo / vs)) <= 2;
      });
      if (fit.length < 3) break;
      loc = locate(spread(fit), { ...o, start: loc, searchKm: 20, admissible });
    }
    this.lastLocation = loc;
    this.lastLocationPicks = count;
    return loc;
  }

  /**
   * The picks with onsets up to `limit`, by onset then device: rows ordered by a stable radix pass
   * on the onset (a national event's window holds hundreds of thousands of picks, and a comparison
   * sort of them at every relocation was most of locate's time outside the search), equal onsets
   * then put in device order.
   */
  private picksByOnset(limit: number): EventPick[] {
    const P = this.picks, t = P.t;
    let n = 0;
    for (let i = 0; i < P.size; i++) if (t[i]! <= limit) n++;
    const rows = new Int32Array(n);
    for (let i = 0, k = 0; i < P.size; i++) if (t[i]! <= limit) rows[k++] = i;
    const order = n < 2048 ? rows.sort((p, q) => t[p]! - t[q]! || p - q) : stableByTime(t, rows);
    for (let a = 0; a < n;) {
      let b = a + 1;
      while (b < n && t[order[b]!] === t[order[a]!]) b++;
      if (b - a > 1) order.subarray(a, b).sort((p, q) => P.device[p]! - P.device[q]!);
      a = b;
    }
    return Array.from(order, (i) => P.at(i));
  }

  /**
   * The not-yet-arrived test (as ElarmS/EPIC and RTLoc use silent stations): a source is ruled out
   * when, had it been there, some cell of monitoring phones would by `now` have had its S wave pass
   * all of it and their messages arrive (the 95th-percentile lag of this event's picks from onset to
   * server), every point of it lying nearer that source than half the picks do (so it shook at least
   * as hard as the phones that triggered), and yet too few of its phones triggered: at the share of
   * active phones that triggered in the cells with picks, a count as low as the cell's (the event's
   * picks there and the triggers counted in it, background included) has probability below 1 %,
   * split over the cells tested. Onsets from a small patch cannot tell a distant source, whose wave
   * front is nearly plane across it, from a near one; the phones around the patch that stayed quiet can.
   */
  private notYetArrived(picks: readonly EventPick[], now: number): ((x: number, y: number, t0: number) => boolean) | undefined {
    const A = this.around;
    if (!A || picks.length < 3) return undefined;
    let cx = 0, cy = 0;
    for (const p of picks) { cx += p.x; cy += p.y; }
    cx /= picks.length; cy /= picks.length;
    // The event's picks per cell; the share that triggered, over the cells with picks in the window.
    const inCell = new Map<number, number>(), lit = new Map<number, number>();
    const limit = this.anchorOnset + this.c.locate_window, P = this.picks;
    for (let i = 0; i < P.size; i++) {
      const k = A.cellOf(P.x[i]!, P.y[i]!);
      inCell.set(k, (inCell.get(k) ?? 0) + 1);
      if (P.t[i]! <= limit) lit.set(k, (lit.get(k) ?? 0) + 1);
    }
    let picked = 0, active = 0;
    for (const [k, n] of lit) { const a = A.active(k); if (a >= A.minActive) { picked += Math.min(n, a); active += a; } }
    if (!(active > 0) || picked === 0) return undefined;
    const share = picked / active;
    let extent = 0;
    for (const p of picks) extent = Math.max(extent, hypot(p.x - cx, p.y - cy));
    // The cells a candidate can lie among: the first locate searches 60 km around the picks' centre
    // and its finer grids reach half as far again, so 90 km beyond the picks' extent.
    const around = A.cellsAround(cx, cy, extent + 90_000);
    const telling = around.filter((q) => binomialHead(q.active, (inCell.get(q.key) ?? 0) + q.free, share) < NOT_YET_ARRIVED_ALPHA / around.length);
    if (!telling.length) return undefined;
    const lags = [...this.lags].sort((a, b) => a - b);
    const lag = lags[Math.min(lags.length - 1, Math.floor(0.95 * lags.length))] ?? 0;
    const vs = this.c.vs_km_s * 1000, depth2 = (this.c.depth_km * 1000) ** 2, reach = A.cellReach;
    const r = new Float64Array(picks.length);
    return (x, y, t0) => {
      // The S wave from (x, y, t0) has crossed a whole cell by `now` out to this distance:
      const passed = (now - lag - t0) * vs;
      if (passed <= 0) return true;
      for (let i = 0; i < picks.length; i++) r[i] = hypot(picks[i]!.x - x, picks[i]!.y - y);
      r.sort();
      const nearer = r[r.length >> 1]!;
      for (const q of telling) {
        const far = hypot(q.x - x, q.y - y) + reach;
        if (far <= nearer && far * far + depth2 <= passed * passed) return false;
      }
      return true;
    };
  }

  private lastLocation: ReturnType<typeof locate> | null = null;
  private lastLocationPicks = 0;
  /** Onsets within the locate window at the last count, and the event's picks then. */
  private counted = 0;
  private countedTotal = 0;

  /** Median onset of the picks the event was declared with: the location uses onsets up to locate_window after it. */
  private anchorOnset = Infinity;
  /** Picks whose onset lies within the locate window (kept by add() once the anchor is set). */
  private inWindow = 0;

  /** Re-estimates the source; returns an alert when a region grew (or the first one, once above min_magnitude). */
  update(now: number, force = false): AlertRecord | null {
    if (this.cancelled || (!force && (!this.dirty || now - this.lastEstimateAt < this.c.update_every))) return null;
    if (this.anchorOnset === Infinity) {
      const t = this.picks.t.subarray(0, this.picks.size);
      this.anchorOnset = median(Array.from(t));
      // From now on add() keeps this count of onsets within the locate window.
      this.inWindow = 0;
      for (const v of t) if (v <= this.anchorOnset + this.c.locate_window) this.inWindow++;
    }
    const loc = this.locate(now);
    const [lon, lat] = this.frame.unproject(loc.x, loc.y);
    // The rupture moves with its epicentre (its arms keep their lengths and strike).
    const was = this.estimate;
    if (this.rupture && was) {
      const dx = loc.x - was.x, dy = loc.y - was.y;
      this.rupture = { x1: this.rupture.x1 + dx, y1: this.rupture.y1 + dy, x2: this.rupture.x2 + dx, y2: this.rupture.y2 + dy };
    }
    this.estimate = { x: loc.x, y: loc.y, lon, lat, originTime: loc.originTime, magnitude: NaN, depthKm: this.c.depth_km };
    const magnitude = this.magnitude(now);
    this.estimate.magnitude = magnitude;
    if (magnitude > this.largestMagnitude) this.largestMagnitude = magnitude;
    this.lastEstimateAt = now;
    this.dirty = false;
    if (!(magnitude >= this.c.min_magnitude)) return null;
    const beAware = alertRadiusKm(magnitude, this.c.be_aware_mmi), takeAction = alertRadiusKm(magnitude, this.c.take_action_mmi);
    const grew = beAware > this.beAwareKm + 1 || takeAction > this.takeActionKm + 1 || this.seq === 0 || this.ruptureGrew();
    if (!grew) return null;
    this.beAwareKm = Math.max(this.beAwareKm, beAware);
    this.takeActionKm = Math.max(this.takeActionKm, takeAction);
    this.alertedRupture = this.rupture ? { ...this.rupture } : null;
    return this.record(now, false);
  }

  private alertedRupture: Segment | null = null;
  /** The largest magnitude estimated so far (the rupture fit's near field). */
  private largestMagnitude = -Infinity;

  /** Whether either end of the rupture lies more than 5 km from where the last alert said. */
  private ruptureGrew(): boolean {
    const r = this.rupture, a = this.alertedRupture;
    if (!r) return false;
    if (!a) return true;
    return hypot(r.x2 - a.x2, r.y2 - a.y2) > 5_000 || hypot(r.x1 - a.x1, r.y1 - a.y1) > 5_000;
  }

  /**
   * After confirm_within: cancels an event whose triggers stayed in one spot, or that too few of the
   * cells it should have shaken confirm; returns the cancellation. `cellsWithin(x, y, r)` lists the
   * cells (with at least min_active phones) whose centre lies within r metres, `cellOf` the cell of a place.
   */
  confirm(now: number, cellsWithin: (x: number, y: number, r: number) => { key: number; active: number }[], cellOf: (x: number, y: number) => number): AlertRecord | null {
    if (this.confirmed || this.cancelled || now - this.declaredAt < this.c.confirm_within || !this.estimate) return null;
    this.confirmed = true;
    const e = this.estimate;
    let ok = true;
    if (this.c.confirm_spread_km > 0) {
      const P = this.picks, r: number[] = [];
      for (let i = 0; i < P.size; i++) r.push(hypot(P.x[i]! - e.x, P.y[i]! - e.y));
      r.sort((a, b) => a - b);
      const spread = r[Math.min(r.length - 1, Math.floor(0.9 * r.length))] ?? 0;
      if (spread < this.c.confirm_spread_km * 1000) ok = false;
    }
    if (ok && this.c.confirm_fraction > 0 && Number.isFinite(e.magnitude)) {
      // Where clear shaking is predicted and the S wave has passed, cell by cell: a real quake
      // lights up most cells it reaches; a crowd, however large, only its own.
      const felt = pgaRadiusKm(e.magnitude, this.c.confirm_pga_g / this.c.amplitude_to_pga) * 1000;
      const reached = Math.sqrt(Math.max(0, (this.c.vs_km_s * 1000 * (now - e.originTime - 1)) ** 2 - (this.c.depth_km * 1000) ** 2));
      const R = Math.min(felt, reached);
      const cells = R > 0 ? cellsWithin(e.x, e.y, R) : [];
      if (cells.length >= 3) {
        const picksIn = new Map<number, number>();
        const P = this.picks;
        for (let i = 0; i < P.size; i++) {
          const x = P.x[i]!, y = P.y[i]!;
          if (hypot(x - e.x, y - e.y) > R) continue;
          const k = cellOf(x, y);
          picksIn.set(k, (picksIn.get(k) ?? 0) + 1);
        }
        const lit = cells.filter((c) => (picksIn.get(c.key) ?? 0) >= this.c.confirm_fraction * c.active).length;
        if (lit < Math.min(3, 0.5 * cells.length)) ok = false;
      }
    }
    if (ok) return null;
    this.cancelled = true;
    return this.seq > 0 ? this.record(now, true) : null;
  }

  private record(now: number, cancelled: boolean): AlertRecord {
    const seg = this.rupture;
    let rupture: AlertRecord['rupture'];
    if (seg) {
      const [lon1, lat1] = this.frame.unproject(seg.x1, seg.y1), [lon2, lat2] = this.frame.unproject(seg.x2, seg.y2);
      rupture = { x1: seg.x1, y1: seg.y1, x2: seg.x2, y2: seg.y2, lon1, lat1, lon2, lat2, lengthKm: hypot(seg.x2 - seg.x1, seg.y2 - seg.y1) / 1000 };
    }
    return {
      event: this.id, kind: 'earthquake', seq: this.seq++, time: now + this.c.processing_delay, estimate: { ...this.estimate! },
      radiusKm: this.beAwareKm, takeActionRadiusKm: this.takeActionKm, mmiThreshold: this.c.be_aware_mmi, takeActionMmi: this.c.take_action_mmi,
      triggers: this.picks.size, cancelled, ...(rupture ? { rupture } : {}),
    };
  }
}
