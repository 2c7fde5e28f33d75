/**
 * A ShakeMap-like intensity field for the report's map: the median MMI of each true earthquake
 * source (BA08 + Worden et al. 2012 over the Joyner–Boore distance to its surface trace), shifted by
 * the event's own term (the median residual of the phones' true MMI, as ShakeMap corrects the GMPE's
 * bias with observations), sampled on a screen grid and cut into bands at half intensities with
 * d3-contour. Colours are ShakeMap's (Wald et al. 2005, ShakeMap Manual, USGS TM 12-A1).
 */
import { contours } from 'd3-contour';
import { scaleLinear } from 'd3-scale';
import { siteShaking } from '../hazards/earthquake/index.js';
import { hypot } from '../core/geo.js';

/** ShakeMap's intensity palette: the colour of MMI 1..10. */
const MMI_COLOURS = ['#ffffff', '#bfccff', '#a0e6ff', '#80ffff', '#7aff93', '#ffff00', '#ffc800', '#ff9100', '#ff0000', '#c80000'];
const palette = scaleLinear<string>().domain([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]).range(MMI_COLOURS).clamp(true);

/** The ShakeMap colour of an intensity (continuous between the integer levels). */
export const mmiColour = (mmi: number): string => palette(mmi);

export const ROMAN = ['', 'I', 'II', 'III', 'IV', 'V', 'VI', 'VII', 'VIII', 'IX', 'X'];

/** One true earthquake as the report knows it from truth.geojson. */
export interface QuakeSource {
  magnitude: number;
  depthKm: number;
  rake: number | null;
  /** Surface trace as lon/lat segments; one degenerate segment at the epicentre for a point source. */
  trace: number[][][];
  /** The hazard's own Vs30 when its scenario fixed one. */
  vs30?: number;
  /** MMI added everywhere: the event term the phones' truth shows (0 when unknown). */
  eventTerm: number;
}

const KM_PER_DEG = 111.195;

/** Joyner–Boore distance (km) from (lon, lat) to the trace, on a local equirectangular plane. */
export function rjbKm(trace: number[][][], lon: number, lat: number): number {
  let best = Infinity;
  const k = Math.cos((lat * Math.PI) / 180);
  for (const [a, b] of trace) {
    const ax = (a![0]! - lon) * k * KM_PER_DEG, ay = (a![1]! - lat) * KM_PER_DEG;
    const bx = (b![0]! - lon) * k * KM_PER_DEG, by = (b![1]! - lat) * KM_PER_DEG;
    const dx = bx - ax, dy = by - ay, len2 = dx * dx + dy * dy;
    const t = len2 > 0 ? Math.max(0, Math.min(1, -(ax * dx + ay * dy) / len2)) : 0;
    best = Math.min(best, hypot(ax + t * dx, ay + t * dy));
  }
  return best;
}

/** Median MMI of the source at (lon, lat) on ground of `vs30`, without the event term. */
export function medianMmi(q: QuakeSource, lon: number, lat: number, vs30: number): number {
  return siteShaking({ magnitude: q.magnitude, depth_km: q.depthKm, rake: q.rake ?? undefined, vp_km_s: 6.1, vs_km_s: 3.55, origin_time: 0 }, rjbKm(q.trace, lon, lat), vs30).mmi;
}

/**
 * The event term: the median of (true MMI − median MMI) over the phones the hazard reached, at most
 * 2,000 of them; 0 without phones. It carries the event's random term and, for a replayed record,
 * the record's own level.
 */
export function eventTerm(q: QuakeSource, phones: { lon: number; lat: number; mmi: number }[], vs30At: (lon: number, lat: number) => number): number {
  const usable = phones.filter((p) => Number.isFinite(p.mmi) && p.mmi > 1 && p.mmi < 10);
  if (!usable.length) return 0;
  const stride = Math.max(1, Math.floor(usable.length / 2000));
  const res: number[] = [];
  for (let i = 0; i < usable.length; i += stride) {
    const p = usable[i]!;
    res.push(p.mmi - medianMmi(q, p.lon, p.lat, q.vs30 ?? vs30At(p.lon, p.lat)));
  }
  res.sort((a, b) => a - b);
  return res[Math.floor(res.length / 2)]!;
}

export interface IntensityBands {
  /** For each level k (II..X) present: the screen region where MMI ≥ k − 0.5, as SVG path data. */
  bands: { level: number; colour: string; path: string }[];
  /** The lowest and highest intensity on the grid. */
  min: number;
  max: number;
}

/**
 * Bands of the strongest source's intensity at each point of a `width` × `height` screen, sampled
 * every `cell` px; `invert` turns a screen point into lon/lat.
 */
export function intensityBands(quakes: QuakeSource[], invert: (p: [number, number]) => [number, number] | null, width: number, height: number, vs30At: (lon: number, lat: number) => number, cell = 4): IntensityBands {
  const nx = Math.ceil(width / cell) + 1, ny = Math.ceil(height / cell) + 1;
  const grid = new Float64Array(nx * ny);
  let max = 1, min = 10;
  for (let j = 0; j < ny; j++) {
    for (let i = 0; i < nx; i++) {
      const ll = invert([i * cell, j * cell]);
      let v = 1;
      if (ll) for (const q of quakes) v = Math.max(v, Math.min(10, medianMmi(q, ll[0], ll[1], q.vs30 ?? vs30At(ll[0], ll[1])) + q.eventTerm));
      grid[j * nx + i] = v;
      max = Math.max(max, v);
      min = Math.min(min, v);
    }
  }
  // Levels seen on the map: from the one the weakest point rounds to (its band covers the frame) to the strongest.
  const levels = [2, 3, 4, 5, 6, 7, 8, 9, 10].filter((k) => k - 0.5 <= max && k + 0.5 > min);
  const polys = contours().size([nx, ny]).thresholds(levels.map((k) => k - 0.5))(Array.from(grid));
  const bands = polys.map((mp, i) => ({
    level: levels[i]!, colour: mmiColour(levels[i]!),
    // Grid units back to pixels: point (i, j) of the grid is pixel (i·cell, j·cell); d3-contour puts cell centres at +0.5.
    path: mp.coordinates.map((poly) => poly.map((ring) => 'M' + ring.map(([x, y]) => `${((x! - 0.5) * cell).toFixed(1)},${((y! - 0.5) * cell).toFixed(1)}`).join('L') + 'Z').join('')).join(''),
  })).filter((b) => b.path);
  return { bands, min, max };
}
