/**
 * Source estimation from phone triggers: epicentre and origin time from P onsets, magnitude from
 * peak amplitudes by inverting the ground-motion model, and the alert radius from predicted
 * intensity. Everything here sees only what phones report (positions, times, amplitudes).
 */
import { G } from '../core/units.js';
import { ba08 } from '../physics/ba08.js';
import { mmiFromPgaPgv } from '../physics/worden2012.js';
import { hypot } from '../core/geo.js';

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

/** k-th smallest of a[0..n) by quickselect (Hoare partition); reorders `a`. */
function select(a: Float64Array, n: number, k: number): number {
  let lo = 0, hi = n - 1;
  while (lo < hi) {
    const pivot = a[(lo + hi) >> 1]!;
    let i = lo, j = hi;
    while (i <= j) {
      while (a[i]! < pivot) i++;
      while (a[j]! > pivot) j--;
      if (i <= j) { const t = a[i]!; a[i] = a[j]!; a[j] = t; i++; j--; }
    }
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else return a[k]!;
  }
  return a[k]!;
}

const scratch = { a: new Float64Array(0) };

/** Median of a[0..n) (a is left untouched), in linear time. */
function medianOf(a: Float64Array, n: number): number {
  if (scratch.a.length < n) scratch.a = new Float64Array(n);
  const b = scratch.a;
  b.set(a.subarray(0, n));
  const hi = select(b, n, n >> 1);
  if (n % 2) return hi;
  let lo = -Infinity;
  for (let i = 0; i < n >> 1; i++) if (b[i]! > lo) lo = b[i]!; // after selection, the lower half holds the smaller values
  return 0.5 * (lo + hi);
}

/** Pick positions and onsets as columns (a locate evaluates some thousand candidate epicentres over the same picks). */
interface PickColumns { x: Float64Array; y: Float64Array; t: Float64Array; n: number }

function pickColumns(picks: readonly Pick[]): PickColumns {
  const n = picks.length, x = new Float64Array(n), y = new Float64Array(n), t = new Float64Array(n);
  for (let i = 0; i < n; i++) { const p = picks[i]!; x[i] = p.x; y[i] = p.y; t[i] = p.t; }
  return { x, y, t, n };
}

/** Mean absolute difference of a[0..n) from o. */
function meanAbs(a: Float64Array, n: number, o: number): number {
  let c = 0;
  for (let i = 0; i < n; i++) c += Math.abs(a[i]! - o);
  return c / n;
}

/**
 * Origin time and mean absolute residual of an epicentre. With `vsKmS`, each onset may be a P or an
 * S onset (phones far out often trigger on S): starting from the all-P and the all-S origins, every
 * pick takes the phase it fits better, and the better of the two starts wins.
 */
function originAndCost(picks: PickColumns, ex: number, ey: number, depthKm: number, vpKmS: number, work: Float64Array, vsKmS?: number): [number, number] {
  const n = picks.n, px = picks.x, py = picks.y, pt = picks.t;
  const depth2 = depthKm * depthKm * 1e6, vp = vpKmS * 1000, vs = vsKmS ? vsKmS * 1000 : 0;
  const wp = work.subarray(0, n), ws = work.subarray(n, 2 * n), w = work.subarray(2 * n, 3 * n);
  for (let i = 0; i < n; i++) {
    const dx = px[i]! - ex, dy = py[i]! - ey, hypo = Math.sqrt(dx * dx + dy * dy + depth2);
    wp[i] = pt[i]! - hypo / vp;
    if (vsKmS) ws[i] = pt[i]! - hypo / vs;
  }
  const originP = medianOf(wp, n);
  if (!vsKmS) return [originP, meanAbs(wp, n, originP)];
  let bestOrigin = originP, bestCost = Infinity;
  for (let s = 0; s < 2; s++) {
    const start = s === 0 ? originP : medianOf(ws, n);
    for (let i = 0; i < n; i++) w[i] = Math.abs(wp[i]! - start) <= Math.abs(ws[i]! - start) ? wp[i]! : ws[i]!;
    const o = medianOf(w, n), c = meanAbs(w, n, o);
    if (c < bestCost) { bestOrigin = o; bestCost = c; }
  }
  return [bestOrigin, bestCost];
}

/**
 * Nelder–Mead simplex minimisation (Lagarias et al. 1998 coefficients: reflection 1, expansion 2,
 * contraction ½, shrink ½) from `x0` with initial steps `step`; stops when the simplex's values
 * agree to `tol` or after `maxIter` iterations.
 */
export function nelderMead(f: (x: number[]) => number, x0: number[], o: { step: number[]; tol?: number; maxIter?: number }): { x: number[]; value: number } {
  const n = x0.length, tol = o.tol ?? 1e-9, maxIter = o.maxIter ?? 200 * n;
  let simplex = [x0, ...x0.map((_, i) => x0.map((v, j) => (j === i ? v + o.step[i]! : v)))].map((x) => ({ x, v: f(x) }));
  for (let it = 0; it < maxIter; it++) {
    simplex.sort((a, b) => a.v - b.v);
    const best = simplex[0]!, worst = simplex[n]!, second = simplex[n - 1]!;
    if (Math.abs(worst.v - best.v) <= tol * (Math.abs(best.v) + tol)) break;
    const centroid = x0.map((_, j) => simplex.slice(0, n).reduce((a, p) => a + p.x[j]!, 0) / n);
    const along = (t: number) => centroid.map((c, j) => c + t * (worst.x[j]! - c));
    const r = along(-1), fr = f(r);
    if (fr < best.v) {
      const e = along(-2), fe = f(e);
      simplex[n] = fe < fr ? { x: e, v: fe } : { x: r, v: fr };
    } else if (fr < second.v) {
      simplex[n] = { x: r, v: fr };
    } else {
      const c = fr < worst.v ? along(-0.5) : along(0.5), fc = f(c);
      if (fc < Math.min(fr, worst.v)) simplex[n] = { x: c, v: fc };
      else simplex = simplex.map((p, i) => (i === 0 ? p : { x: p.x.map((v, j) => best.x[j]! + 0.5 * (v - best.x[j]!)), v: NaN })).map((p) => ({ x: p.x, v: Number.isNaN(p.v) ? f(p.x) : p.v }));
    }
  }
  simplex.sort((a, b) => a.v - b.v);
  return { x: simplex[0]!.x, value: simplex[0]!.v };
}

/**
 * Epicentre and origin time minimising the mean absolute onset residual (L1: robust to the odd
 * false trigger), each onset read as P, or as P or S when `vsKmS` is given; by a grid search around
 * the picks (three grids, each finer around the best point) then a Nelder–Mead refinement; the
 * origin time is the median residual.
 */
export function locate(picks: readonly Pick[], options: { depthKm: number; vpKmS: number; vsKmS?: number; searchKm?: number; start?: { x: number; y: number }; admissible?: (x: number, y: number, originTime: number) => boolean }): Location {
  if (picks.length === 0) throw new Error('locate needs at least one pick');
  if (picks.length < 3) {
    // Too few onsets to locate: the earliest trigger's position is the best guess.
    const first = picks.reduce((a, b) => (b.t < a.t ? b : a));
    const work = new Float64Array(3 * picks.length);
    const [origin] = originAndCost(pickColumns(picks), first.x, first.y, options.depthKm, options.vpKmS, work);
    return { x: first.x, y: first.y, originTime: origin, residual: 0 };
  }
  let cx = 0, cy = 0;
  for (const p of picks) { cx += p.x; cy += p.y; }
  cx /= picks.length; cy /= picks.length;
  if (options.start) { cx = options.start.x; cy = options.start.y; }
  const work = new Float64Array(3 * picks.length);
  const columns = pickColumns(picks);
  const fit = (x: number, y: number) => originAndCost(columns, x, y, options.depthKm, options.vpKmS, work, options.vsKmS);
  // Candidates the caller rules out (the server's not-yet-arrived test) are skipped; when the
  // coarse grid holds none it allows, the constraint is dropped rather than the search.
  let admissible = options.admissible;
  const search = (): Location => {
    let best = { x: cx, y: cy, originTime: 0, residual: Infinity };
    let half = (options.searchKm ?? 60) * 1000;
    for (const steps of [24, 10, 10]) {
      const step = (2 * half) / steps;
      const x0 = best.residual === Infinity ? cx : best.x, y0 = best.residual === Infinity ? cy : best.y;
      for (let i = 0; i <= steps; i++) {
        for (let j = 0; j <= steps; j++) {
          const ex = x0 - half + i * step, ey = y0 - half + j * step;
          const [origin, cost] = fit(ex, ey);
          if (cost < best.residual - 1e-12 && (!admissible || admissible(ex, ey, origin))) best = { x: ex, y: ey, originTime: origin, residual: cost };
        }
      }
      if (best.residual === Infinity) return best;
      half = step * 1.5;
    }
    // Nelder–Mead from the grid's best point, kept only if it stays within the last grid cell's reach.
    const nm = nelderMead(([x, y]) => fit(x!, y!)[1], [best.x, best.y], { step: [half / 2, half / 2], tol: 1e-10 });
    if (nm.value < best.residual && hypot(nm.x[0]! - best.x, nm.x[1]! - best.y) <= 2 * half) {
      const [origin, cost] = fit(nm.x[0]!, nm.x[1]!);
      if (!admissible || admissible(nm.x[0]!, nm.x[1]!, origin)) best = { x: nm.x[0]!, y: nm.x[1]!, originTime: origin, residual: cost };
    }
    return best;
  };
  let best = search();
  if (best.residual === Infinity) { admissible = undefined; best = search(); }
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
    const rjbKm = hypot(p.x - ex, p.y - ey) / 1000;
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

/** Largest distance (km) at which the median PGA (BA08, rock) of magnitude m reaches `pgaG`; 0 when not even at the source. */
export function pgaRadiusKm(m: number, pgaG: number, vs30 = 760): number {
  const at = (r: number) => ba08('pga', { magnitude: m, rjbKm: r, vs30 }).median;
  if (!Number.isFinite(m) || at(0) < pgaG) return 0;
  let lo = 0, hi = 1000;
  if (at(hi) >= pgaG) return hi;
  for (let i = 0; i < 40; i++) {
    const mid = 0.5 * (lo + hi);
    if (at(mid) >= pgaG) lo = mid;
    else hi = mid;
  }
  return lo;
}
