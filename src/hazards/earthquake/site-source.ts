/** Shaking at one site from BA08 and Worden (2012), and the source model (point or a row of subevents along a line rupture). */
import { ba08LnMedian } from '../../physics/ba08.js';
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
  const pgaG = Math.exp(ba08LnMedian('pga', c.magnitude, rjbKm, vs30, c.rake) + epsilonPga);
  const pgvCms = Math.exp(ba08LnMedian('pgv', c.magnitude, rjbKm, vs30, c.rake) + epsilonPgv);
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
  /** Surface trace (m): segments [ax, ay, bx, by]; one degenerate segment for a point source. */
  traces: [number, number, number, number][];
  lengthKm: number;
  durationS: number;
}

export function sourceModel(c: EarthquakeConfig, epicentre: [number, number]): SourceModel {
  const r = c.rupture;
  if (!r) {
    return {
      sx: Float64Array.of(epicentre[0]), sy: Float64Array.of(epicentre[1]), depthKm: c.depth_km, st: Float64Array.of(0),
      magnitude: c.magnitude, traces: [[epicentre[0], epicentre[1], epicentre[0], epicentre[1]]], lengthKm: 0, durationS: 0,
    };
  }
  const L = (r.length_km ?? ruptureLengthKm(c.magnitude)) * 1000;
  const vr = (r.velocity_km_s ?? 0.8 * c.vs_km_s) * 1000;
  // Segments as (start offset along strike, length, strike): one line, or two from the hypocentre.
  const segs: { s0: number; len: number; strike: number }[] = r.second_segment
    ? [{ s0: 0, len: L, strike: r.strike_deg }, { s0: 0, len: r.second_segment.length_km * 1000, strike: r.second_segment.strike_deg }]
    : [{ s0: r.direction === 'bilateral' ? -L / 2 : 0, len: L, strike: r.strike_deg }];
  const total = segs.reduce((a, g) => a + g.len, 0);
  const n = r.subevents ?? Math.min(16, Math.max(2, Math.round(total / 10_000)));
  // Subevents shared by length (at least one per segment), each at the middle of its share.
  const per = segs.map((g) => Math.max(1, Math.round((n * g.len) / total)));
  const count = per.reduce((a, b) => a + b, 0);
  const sx = new Float64Array(count), sy = new Float64Array(count), st = new Float64Array(count);
  const traces: [number, number, number, number][] = [];
  let k = 0;
  segs.forEach((g, j) => {
    const th = (g.strike * Math.PI) / 180, ux = Math.sin(th), uy = Math.cos(th); // along strike (east, north)
    for (let i = 0; i < per[j]!; i++, k++) {
      const s = g.s0 + ((i + 0.5) / per[j]!) * g.len;
      sx[k] = epicentre[0] + s * ux;
      sy[k] = epicentre[1] + s * uy;
      st[k] = Math.abs(s) / vr;
    }
    traces.push([epicentre[0] + g.s0 * ux, epicentre[1] + g.s0 * uy, epicentre[0] + (g.s0 + g.len) * ux, epicentre[1] + (g.s0 + g.len) * uy]);
  });
  const m0 = momentNm(c.magnitude) / count;
  return {
    sx, sy, st, depthKm: c.depth_km,
    magnitude: (2 / 3) * (Math.log10(m0) - 9.1),
    traces,
    lengthKm: total / 1000,
    durationS: Math.max(...st) + (total / count / 2) / vr,
  };
}
