/**
 * Construction nuisance: pile driving at a site — blows at a steady rate, each a damped
 * oscillation (10–30 Hz) arriving at distance r after r / 300 m/s (surface waves in soil) with a
 * peak falling off as (10 m / r)^n (geometric spreading plus material damping; n ≈ 1.1–1.5 is
 * typical of impact-pile vibration attenuation). Truth: not a hazard.
 */
import * as z from 'zod';
import { G } from '../core/units.js';
import type { ColumnSpec } from '../core/columns.js';
import { duration, latitude, longitude } from '../plugin/fields.js';
import type { Block, Exposure, HazardPlugin, HazardRuntime, HazardContext } from '../plugin/index.js';
import { addDampedSine, dampedSineDuration } from './impulse.js';
import { hypot } from '../core/geo.js';

export const constructionSchema = z.strictObject({
  type: z.literal('construction'),
  name: z.string().optional().describe('Label shown in outputs.'),
  lon: longitude().describe('Longitude of the pile driver, degrees (WGS84).'),
  lat: latitude().describe('Latitude of the pile driver, degrees (WGS84).'),
  start: duration({ min: 0 }).describe('When the work starts, s after the run\'s start.'),
  duration: duration({ positive: true }).describe('How long it goes on, s.'),
  blows_per_min: z.number().positive().max(600).default(40).describe('Hammer blows per minute.'),
  amplitude_g_at_10m: z.number().positive().max(10).default(0.3).describe('Peak acceleration 10 m from the pile, g.'),
  frequency_hz: z.number().positive().max(100).default(15).describe('Ringing frequency of each blow, Hz.'),
  damping: z.number().positive().max(0.9).default(0.15).describe('Damping ratio of each blow\'s ringing (dimensionless).'),
  attenuation: z.number().positive().max(3).default(1.3).describe('Geometric decay exponent: amplitude falls as (10 m / r) to this power (dimensionless).'),
  max_distance_m: z.number().positive().default(2000).describe('Beyond this, blows are too weak to matter, m.'),
});

export type ConstructionConfig = z.output<typeof constructionSchema>;

const WAVE_SPEED = 300;

class ConstructionRuntime implements HazardRuntime {
  private readonly c: ConstructionConfig;
  private readonly site: [number, number];
  private readonly x: Float64Array;
  private readonly y: Float64Array;
  private readonly ring: number;

  constructor(c: ConstructionConfig, ctx: HazardContext) {
    this.c = c;
    this.site = ctx.world.frame.project([c.lon, c.lat]);
    this.x = ctx.columns.f64('x');
    this.y = ctx.columns.f64('y');
    this.ring = dampedSineDuration(c.frequency_hz, c.damping);
  }

  exposure(d: number, t0: number, t1: number): Exposure | null {
    const c = this.c;
    const r = hypot(this.x[d]! - this.site[0], this.y[d]! - this.site[1]);
    const amp = c.amplitude_g_at_10m * Math.pow(10 / Math.max(r, 5), c.attenuation);
    if (r > c.max_distance_m || amp < 0.002 || t1 <= c.start || t0 >= c.start + c.duration + this.ring) return null;
    return { kind: 'construction', from: c.start, to: c.start + c.duration, intensity: amp, distanceKm: r / 1000 };
  }

  render(d: number, b: Block): void {
    const c = this.c;
    const r = Math.max(5, hypot(this.x[d]! - this.site[0], this.y[d]! - this.site[1]));
    if (r > c.max_distance_m) return;
    const delay = r / WAVE_SPEED;
    const interval = 60 / c.blows_per_min;
    const first = Math.max(0, Math.floor((b.t0 - delay - this.ring - c.start) / interval));
    const last = Math.floor((b.t1 - delay - c.start) / interval);
    const amp = c.amplitude_g_at_10m * G * Math.pow(10 / r, c.attenuation);
    for (let k = first; k <= last; k++) {
      const blow = c.start + k * interval;
      if (blow >= c.start + c.duration) break;
      addDampedSine(b.au, b.k0, b.n, b.fs, blow + delay, amp, c.frequency_hz, c.damping);
      addDampedSine(b.ae, b.k0, b.n, b.fs, blow + delay, 0.4 * amp, c.frequency_hz, c.damping);
    }
  }
}

export const constructionNuisance: HazardPlugin<ConstructionConfig> = {
  type: 'construction',
  summary: 'Pile-driving blows near a site: decaying ground vibration felt by phones within reach (a nuisance, never alertable)',
  reads: ['x', 'y'],
  category: 'nuisance',
  schema: constructionSchema,
  starts: (c) => [{ field: 'start', at: c.start }],
  columns: (): ColumnSpec[] => [],
  create: (c, ctx) => new ConstructionRuntime(c, ctx),
  truth: (c, _ctx, index) => ({ index, type: 'construction', kind: 'construction', name: c.name ?? 'pile driving', alertable: false, start: c.start, facts: { lon: c.lon, lat: c.lat, start: c.start, duration: c.duration, blows_per_min: c.blows_per_min } }),
};
