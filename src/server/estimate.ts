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

/** Magnitude whose BA08 median PGA (rock, unspecified mechanism) at `rjbKm` equals `pgaG`. */
export function magnitudeFromPga(pgaG: number, rjbKm: number, vs30 = 760): number {
  let lo = 2, hi = 9.5;
  const target = Math.log(pgaG);
  if (ba08('pga', { magnitude: lo, rjbKm, vs30 }).lnMedian >= target) return lo;
  if (ba08('pga', { magnitude: hi, rjbKm, vs30 }).lnMedian <= target) return hi;
  for (let i = 0; i < 40; i++) {
    const mid = 0.5 * (lo + hi);
    if (ba08('pga', { magnitude: mid, rjbKm, vs30 }).lnMedian < target) lo = mid;
    else hi = mid;
  }
  return 0.5 * (lo + hi);
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
