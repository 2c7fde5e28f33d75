/**
 * Source estimation from phone triggers: epicentre and origin time from P onsets, magnitude from
 * peak amplitudes by inverting the ground-motion model, and the alert radius from predicted
 * intensity. Everything here sees only what phones report (positions, times, amplitudes).
 */
import { G } from '../core/units.js';
import { ba08 } from '../hazards/earthquake/ba08.js';
import { mmiFromPgaPgv } from '../hazards/earthquake/worden2012.js';

export interface Pick {
  x: number;
  y: number;
  /** Onset time as reported (s). */
  t: number;
  /** Peak amplitude reported so far (m/s²). */
  amplitude: number;
}

export interface Location {
  x: number;
  y: number;
  originTime: number;
  /** Mean absolute onset residual at the solution, s. */
  residual: number;
}

function originAndCost(picks: readonly Pick[], ex: number, ey: number, depthKm: number, vpKmS: number, work: Float64Array): [number, number] {
  const n = picks.length;
  const depth2 = depthKm * depthKm * 1e6;
  for (let i = 0; i < n; i++) {
    const p = picks[i]!;
    const dx = p.x - ex, dy = p.y - ey;
    work[i] = p.t - Math.sqrt(dx * dx + dy * dy + depth2) / (vpKmS * 1000);
  }
  const sorted = work.subarray(0, n).slice().sort();
  const origin = n % 2 ? sorted[(n - 1) >> 1]! : 0.5 * (sorted[n / 2 - 1]! + sorted[n / 2]!);
  let cost = 0;
  for (let i = 0; i < n; i++) cost += Math.abs(work[i]! - origin);
  return [origin, cost / n];
}

/**
 * Epicentre and origin time minimising the mean absolute P-onset residual (L1: robust to the odd
 * false trigger), by a coarse grid search around the picks then two finer grids.
 */
export function locate(picks: readonly Pick[], options: { depthKm: number; vpKmS: number; searchKm?: number }): Location {
  if (picks.length === 0) throw new Error('locate needs at least one pick');
  if (picks.length < 3) {
    // Too few onsets to locate: the earliest trigger's position is the best guess.
    const first = picks.reduce((a, b) => (b.t < a.t ? b : a));
    const work = new Float64Array(picks.length);
    const [origin] = originAndCost(picks, first.x, first.y, options.depthKm, options.vpKmS, work);
    return { x: first.x, y: first.y, originTime: origin, residual: 0 };
  }
  let cx = 0, cy = 0;
  for (const p of picks) { cx += p.x; cy += p.y; }
  cx /= picks.length; cy /= picks.length;
  const work = new Float64Array(picks.length);
  let best = { x: cx, y: cy, originTime: 0, residual: Infinity };
  let half = (options.searchKm ?? 60) * 1000;
  for (const steps of [24, 10, 10]) {
    const step = (2 * half) / steps;
    const x0 = best.residual === Infinity ? cx : best.x, y0 = best.residual === Infinity ? cy : best.y;
    for (let i = 0; i <= steps; i++) {
      for (let j = 0; j <= steps; j++) {
        const ex = x0 - half + i * step, ey = y0 - half + j * step;
        const [origin, cost] = originAndCost(picks, ex, ey, options.depthKm, options.vpKmS, work);
        if (cost < best.residual - 1e-12) best = { x: ex, y: ey, originTime: origin, residual: cost };
      }
    }
    half = step * 1.5;
  }
  return best;
}

/**
 * Inverts BA08 (rock, unspecified mechanism) for magnitude: ln PGA is tabulated once on a grid of
 * magnitudes 2–9.5 (step 0.05) and log distances 0–1000 km, interpolated bilinearly, and searched
 * by bisection on the interpolated column: about a thousand times cheaper than calling BA08 inside
 * the bisection, which matters when thousands of phones report.
 */
class MagnitudeTable {
  private readonly m0 = 2;
  private readonly dm = 0.05;
  private readonly nm = Math.round((9.5 - 2) / 0.05) + 1;
  private readonly nr = 241;
  private readonly table: Float64Array;

  constructor(private readonly vs30: number) {
    this.table = new Float64Array(this.nm * this.nr);
    for (let j = 0; j < this.nr; j++) {
      const r = this.distance(j);
      for (let i = 0; i < this.nm; i++) this.table[j * this.nm + i] = ba08('pga', { magnitude: this.m0 + i * this.dm, rjbKm: r, vs30 }).lnMedian;
    }
  }

  /** Grid distance j (km): log-spaced from 0 to 1000 km. */
  private distance(j: number): number {
    return Math.pow(10, (j / (this.nr - 1)) * 3) - 1;
  }

  /** ln PGA on the interpolated grid at column position u (fractional distance index) and magnitude index i. */
  private at(j0: number, f: number, i: number): number {
    const a = this.table[j0 * this.nm + i]!, b = this.table[Math.min(j0 + 1, this.nr - 1) * this.nm + i]!;
    return a + f * (b - a);
  }

  invert(pgaG: number, rjbKm: number): number {
    const u = (Math.log10(Math.max(0, rjbKm) + 1) / 3) * (this.nr - 1);
    const j0 = Math.min(this.nr - 1, Math.max(0, Math.floor(u))), f = Math.min(1, Math.max(0, u - j0));
    const target = Math.log(pgaG);
    let lo = 0, hi = this.nm - 1;
    if (this.at(j0, f, lo) >= target) return this.m0;
    if (this.at(j0, f, hi) <= target) return 9.5;
    while (hi - lo > 1) {
      const mid = (lo + hi) >> 1;
      if (this.at(j0, f, mid) < target) lo = mid;
      else hi = mid;
    }
    const a = this.at(j0, f, lo), b = this.at(j0, f, hi);
    return this.m0 + (lo + (target - a) / (b - a)) * this.dm;
  }
}

const tables = new Map<number, MagnitudeTable>();

/** Magnitude whose BA08 median PGA (rock, unspecified mechanism) at `rjbKm` equals `pgaG`. */
export function magnitudeFromPga(pgaG: number, rjbKm: number, vs30 = 760): number {
  let t = tables.get(vs30);
  if (!t) tables.set(vs30, (t = new MagnitudeTable(vs30)));
  return t.invert(pgaG, rjbKm);
}

/** Median of per-phone magnitudes from peak amplitudes and distances to the estimated epicentre. */
export function estimateMagnitude(picks: readonly Pick[], ex: number, ey: number): number {
  const ms: number[] = [];
  for (const p of picks) {
    if (!(p.amplitude > 0)) continue;
    const rjbKm = Math.hypot(p.x - ex, p.y - ey) / 1000;
    ms.push(magnitudeFromPga(p.amplitude / G, rjbKm));
  }
  if (!ms.length) return NaN;
  ms.sort((a, b) => a - b);
  const n = ms.length;
  return n % 2 ? ms[(n - 1) >> 1]! : 0.5 * (ms[n / 2 - 1]! + ms[n / 2]!);
}

/** Predicted median MMI at Joyner–Boore distance `rjbKm` for magnitude `m` (rock). */
export function predictedMmi(m: number, rjbKm: number, vs30 = 760): number {
  const a = ba08('pga', { magnitude: m, rjbKm, vs30 }).median;
  const v = ba08('pgv', { magnitude: m, rjbKm, vs30 }).median;
  return mmiFromPgaPgv(a, v);
}

/** Largest distance (km) at which predicted MMI reaches `mmi`; 0 when not even the epicentre does. */
export function alertRadiusKm(m: number, mmi: number, vs30 = 760): number {
  if (!Number.isFinite(m) || predictedMmi(m, 0, vs30) < mmi) return 0;
  let lo = 0, hi = 2000;
  if (predictedMmi(m, hi, vs30) >= mmi) return hi;
  for (let i = 0; i < 50; i++) {
    const mid = 0.5 * (lo + hi);
    if (predictedMmi(m, mid, vs30) >= mmi) lo = mid;
    else hi = mid;
  }
  return lo;
}
