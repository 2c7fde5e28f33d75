/** Shaking at one site from BA08 and Worden (2012), and the source model (point or a row of subevents along a line rupture). */
import { ba08 } from '../../physics/ba08.js';
import { mmiFromPgaPgv } from '../../physics/worden2012.js';
import { momentNm, ruptureLengthKm } from './source.js';
import type { EarthquakeConfig } from './config.js';

/** Source-to-site quantities for one position (exported for the `shaking` calculator and tests). */
export interface SiteShaking {
  rjbKm: number;
  hypoKm: number;
  pArrival: number;
  sArrival: number;
  pgaG: number;
  pgvCms: number;
  mmi: number;
  vs30: number;
}

/** Median (or ε-shifted) shaking of a point source at a site `rjbKm` from the epicentre. */
export function siteShaking(c: Pick<EarthquakeConfig, 'magnitude' | 'depth_km' | 'rake' | 'vp_km_s' | 'vs_km_s' | 'origin_time'>, rjbKm: number, vs30: number, epsilonPga = 0, epsilonPgv = 0): SiteShaking {
  const hypoKm = Math.sqrt(rjbKm * rjbKm + c.depth_km * c.depth_km);
  const input = { magnitude: c.magnitude, rjbKm, vs30, rake: c.rake };
  const pgaG = Math.exp(ba08('pga', input).lnMedian + epsilonPga);
  const pgvCms = Math.exp(ba08('pgv', input).lnMedian + epsilonPgv);
  return {
    rjbKm, hypoKm,
    pArrival: c.origin_time + hypoKm / c.vp_km_s,
    sArrival: c.origin_time + hypoKm / c.vs_km_s,
    pgaG, pgvCms, mmi: mmiFromPgaPgv(pgaG, pgvCms), vs30,
  };
}

/** The source as subevents: positions (m), rupture times (s after origin), and the surface trace. */
export interface SourceModel {
  /** Subevent positions (m) and depth (km). */
  sx: Float64Array;
  sy: Float64Array;
  depthKm: number;
  /** When each subevent fires, s after origin. */
  st: Float64Array;
  /** Magnitude of each subevent (equal moment shares). */
  magnitude: number;
  /** Surface trace (m): a point for a point source. */
  trace: [number, number, number, number];
  lengthKm: number;
  durationS: number;
}

export function sourceModel(c: EarthquakeConfig, epicentre: [number, number]): SourceModel {
  const r = c.rupture;
  if (!r) {
    return {
      sx: Float64Array.of(epicentre[0]), sy: Float64Array.of(epicentre[1]), depthKm: c.depth_km, st: Float64Array.of(0),
      magnitude: c.magnitude, trace: [epicentre[0], epicentre[1], epicentre[0], epicentre[1]], lengthKm: 0, durationS: 0,
    };
  }
  const L = (r.length_km ?? ruptureLengthKm(c.magnitude)) * 1000;
  const vr = (r.velocity_km_s ?? 0.8 * c.vs_km_s) * 1000;
  const n = r.subevents ?? Math.min(16, Math.max(2, Math.round(L / 10_000)));
  const th = (r.strike_deg * Math.PI) / 180;
  const ux = Math.sin(th), uy = Math.cos(th); // along strike (east, north)
  const s0 = r.direction === 'bilateral' ? -L / 2 : 0; // trace start relative to the epicentre
  const sx = new Float64Array(n), sy = new Float64Array(n), st = new Float64Array(n);
  for (let k = 0; k < n; k++) {
    const s = s0 + ((k + 0.5) / n) * L;
    sx[k] = epicentre[0] + s * ux;
    sy[k] = epicentre[1] + s * uy;
    st[k] = Math.abs(s) / vr;
  }
  const m0 = momentNm(c.magnitude) / n;
  return {
    sx, sy, st, depthKm: c.depth_km,
    magnitude: (2 / 3) * (Math.log10(m0) - 9.1),
    trace: [epicentre[0] + s0 * ux, epicentre[1] + s0 * uy, epicentre[0] + (s0 + L) * ux, epicentre[1] + (s0 + L) * uy],
    lengthKm: L / 1000,
    durationS: Math.max(...st) + (L / n / 2) / vr,
  };
}
