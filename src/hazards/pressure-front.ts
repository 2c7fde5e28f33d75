/**
 * Pressure fronts: a straight front moving at `speed_m_s` toward `heading_deg` carries a pressure
 * step of `jump_hpa` over `rise_time` (a smooth cosine ramp centred on the passage). Optionally a
 * tornado-like vortex rides with the front: a Rankine vortex (solid-body core of radius R, potential
 * flow outside) in cyclostrophic balance, so the pressure deficit is
 *   Δp(r) = −ρV²(1 − r²/2R²) inside the core, −ρV²R²/(2r²) outside,
 * i.e. ρV² at the centre (≈ 43 hPa for V = 60 m/s). Barometers see Δp; truth is the passage time
 * at every device (and the vortex's closest approach).
 */
import * as z from 'zod';
import type { ColumnSpec } from '../core/columns.js';
import { duration, latitude, longitude } from '../plugin/fields.js';
import type { Block, HazardPlugin, HazardRuntime, HazardContext } from '../plugin/index.js';
import { hypot } from '../core/geo.js';

const AIR_DENSITY = 1.2; // kg/m³

export const pressureFrontSchema = z.strictObject({
  type: z.literal('pressure-front'),
  name: z.string().optional().describe('Label shown in outputs.'),
  time: duration().describe('When the front crosses the reference point.'),
  lon: longitude().describe('Reference point on the front at `time`.'),
  lat: latitude().describe('Latitude of the reference point, degrees (WGS84).'),
  heading_deg: z.number().min(0).max(360).describe('Direction the front moves toward, degrees clockwise from north.'),
  speed_m_s: z.number().positive({ error: 'expected a front speed above 0 m/s (a front that does not move never passes anyone)' }).max(100).describe('Speed of the front, m/s.'),
  jump_hpa: z.number().min(-50).max(50).default(3).describe('Pressure change across the front, hPa (positive: rise, as behind a gust front).'),
  rise_time: duration({ positive: true }).default(300).describe('Time the pressure takes to change across the front, s.'),
  vortex: z
    .strictObject({
      offset_km: z.number().default(0).describe('Where the vortex rides, km along the front from the reference point.'),
      max_wind_m_s: z.number().positive().max(150).default(60).describe('Peak tangential wind of the vortex, m/s.'),
      core_radius_m: z.number().positive().default(150).describe('Radius of the vortex core (the wind\'s maximum), m.'),
    })
    .optional()
    .describe('A vortex riding with the front, `offset_km` along the front from the reference point.'),
  alert_hpa: z.number().positive().default(2).describe('Truth: a device deserves an alert when its pressure change reaches this, hPa.'),
});

export type PressureFrontConfig = z.output<typeof pressureFrontSchema>;

/** Geometry of a front: where it is and what it does to pressure at (x, y, t). */
export class FrontModel {
  readonly c: PressureFrontConfig;
  private readonly nx: number;
  private readonly ny: number;
  private readonly rx: number;
  private readonly ry: number;

  constructor(c: PressureFrontConfig, ref: [number, number]) {
    this.c = c;
    const th = (c.heading_deg * Math.PI) / 180;
    this.nx = Math.sin(th);
    this.ny = Math.cos(th);
    this.rx = ref[0];
    this.ry = ref[1];
  }

  /** Time the front's centre line passes (x, y). */
  passage(x: number, y: number): number {
    return this.c.time + ((x - this.rx) * this.nx + (y - this.ry) * this.ny) / this.c.speed_m_s;
  }

  /** Vortex centre at time t. */
  vortexAt(t: number): [number, number] {
    const v = this.c.vortex!;
    const along = v.offset_km * 1000; // along the front: perpendicular to the heading (to the right)
    const move = (t - this.c.time) * this.c.speed_m_s;
    return [this.rx + along * this.ny + move * this.nx, this.ry - along * this.nx + move * this.ny];
  }

  /** Pressure change (Pa) at (x, y, t). */
  dp(x: number, y: number, t: number): number {
    const c = this.c;
    const tau = t - this.passage(x, y);
    const half = c.rise_time / 2;
    const step = tau <= -half ? 0 : tau >= half ? 1 : 0.5 - 0.5 * Math.cos((Math.PI * (tau + half)) / c.rise_time);
    let p = c.jump_hpa * 100 * step;
    if (c.vortex) {
      const [vx, vy] = this.vortexAt(t);
      const r = hypot(x - vx, y - vy), R = c.vortex.core_radius_m, v2 = c.vortex.max_wind_m_s ** 2;
      p -= r < R ? AIR_DENSITY * v2 * (1 - (r * r) / (2 * R * R)) : (AIR_DENSITY * v2 * R * R) / (2 * r * r);
    }
    return p;
  }

  /** Closest approach of the vortex to (x, y): [time, distance m]. */
  closestApproach(x: number, y: number): [number, number] {
    const [vx, vy] = this.vortexAt(this.c.time);
    const t = this.c.time + ((x - vx) * this.nx + (y - vy) * this.ny) / this.c.speed_m_s;
    const [cx, cy] = this.vortexAt(t);
    return [t, hypot(x - cx, y - cy)];
  }
}

class PressureFrontRuntime implements HazardRuntime {
  private readonly model: FrontModel;
  private readonly x: Float64Array;
  private readonly y: Float64Array;
  private readonly done: Uint8Array;
  private readonly first: Float64Array;
  private readonly impact: Float64Array;
  private readonly peak: Float32Array;

  constructor(c: PressureFrontConfig, ctx: HazardContext) {
    this.model = new FrontModel(c, ctx.world.frame.project([c.lon, c.lat]));
    const col = ctx.columns, p = ctx.prefix;
    this.x = col.f64('x');
    this.y = col.f64('y');
    this.done = col.u8(p + 'reached');
    this.first = col.f64(p + 'first');
    this.impact = col.f64(p + 'impact');
    this.peak = col.f32(p + 'peak_hpa');
  }

  render(d: number, b: Block): void {
    const x = this.x[d]!, y = this.y[d]!;
    const m = this.model, c = m.c;
    if (!this.done[d]) {
      // Truth from where the device is when the run starts.
      this.done[d] = 1;
      const pass = m.passage(x, y);
      this.first[d] = pass - c.rise_time / 2;
      this.impact[d] = pass;
      let peak = Math.abs(c.jump_hpa);
      if (c.vortex) {
        const [tc, r] = m.closestApproach(x, y);
        const R = c.vortex.core_radius_m, v2 = c.vortex.max_wind_m_s ** 2;
        peak = Math.max(peak, (r < R ? AIR_DENSITY * v2 * (1 - (r * r) / (2 * R * R)) : (AIR_DENSITY * v2 * R * R) / (2 * r * r)) / 100);
        if (peak > Math.abs(c.jump_hpa)) this.impact[d] = tc;
      }
      this.peak[d] = peak;
    }
    if (b.pn === 0) return;
    for (let i = 0; i < b.pn; i++) b.dp[i] = b.dp[i]! + m.dp(x, y, (b.pk0 + i) / b.pfs);
  }
}

export const pressureFrontHazard: HazardPlugin<PressureFrontConfig> = {
  type: 'pressure-front',
  summary: 'A moving pressure jump (gust front, with an optional vortex) felt by barometers as it passes',
  reads: ['x', 'y'],
  category: 'hazard',
  schema: pressureFrontSchema,
  columns: (): ColumnSpec[] => [
    { name: 'reached', type: 'u8' },
    { name: 'first', type: 'f64', fill: NaN },
    { name: 'impact', type: 'f64', fill: NaN },
    { name: 'peak_hpa', type: 'f32', fill: NaN },
  ],
  create: (c, ctx) => new PressureFrontRuntime(c, ctx),
  truth(c, ctx, index) {
    const col = ctx.columns, p = ctx.prefix;
    const reached = col.u8(p + 'reached'), peak = col.f32(p + 'peak_hpa');
    const rows = col.rows;
    const shouldAlert = new Uint8Array(rows);
    const duration = ctx.durationS;
    const impact = col.f64(p + 'impact');
    const first = col.f64(p + 'first');
    let start = Infinity, end = -Infinity;
    for (let d = 0; d < rows; d++) {
      shouldAlert[d] = reached[d] && peak[d]! >= c.alert_hpa && impact[d]! >= 0 && impact[d]! <= duration ? 1 : 0;
      if (reached[d] && first[d]! >= 0) start = Math.min(start, first[d]!);
      if (reached[d] && impact[d]! <= duration) end = Math.max(end, impact[d]!);
    }
    // The front is a hazard from the moment the first phone's pressure starts rising until it has
    // crossed the world: an alert anywhere in that span may match it.
    if (!Number.isFinite(start)) start = c.time;
    return {
      index, type: 'pressure-front', kind: 'pressure-front', name: c.name ?? `${c.jump_hpa} hPa front`, alertable: true, start,
      matchWindowS: Math.max(120, end - start),
      facts: { time: c.time, lon: c.lon, lat: c.lat, heading_deg: c.heading_deg, speed_m_s: c.speed_m_s, jump_hpa: c.jump_hpa, vortex: c.vortex !== undefined, alert_hpa: c.alert_hpa },
      devices: { reached, first, impact, intensity: peak, mmi: new Float32Array(rows).fill(NaN), shouldAlert },
    };
  },
};
