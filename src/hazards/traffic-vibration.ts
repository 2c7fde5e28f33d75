/**
 * Traffic-vibration nuisance: heavy vehicles on busy roads shake the ground nearby. Each phone
 * within `max_distance_m` of a road of the given classes sees passes as a Poisson process
 * (`heavy_per_hour`), each a few-second burst of 8–20 Hz vibration with a Hann envelope and a peak
 * of `amplitude_g_at_10m` × (10 m / r)^1.2 at distance r from the road. Passes are drawn per
 * phone (neighbours do not share trucks). Truth: not a hazard.
 */
import * as z from 'zod';
import { G } from '../core/units.js';
import { componentKey, stableUniform } from '../core/random.js';
import type { ColumnSpec } from '../core/columns.js';
import { duration } from '../plugin/fields.js';
import { segmentDistance2 } from '../world/geometry.js';
import type { Block, Exposure, HazardPlugin, HazardRuntime, HazardContext } from '../plugin/index.js';

export const trafficVibrationSchema = z.strictObject({
  type: z.literal('traffic-vibration'),
  name: z.string().optional().describe('Label shown in outputs.'),
  classes: z.array(z.enum(['motorway', 'trunk', 'primary', 'secondary', 'tertiary'])).min(1).default(['motorway', 'trunk', 'primary']).describe('Road classes heavy vehicles use.'),
  heavy_per_hour: z.number().positive().max(3600).default(60).describe('Heavy vehicles passing each road point per hour.'),
  amplitude_g_at_10m: z.number().positive().max(1).default(0.01).describe('Peak ground acceleration 10 m from the road as a heavy vehicle passes, g.'),
  max_distance_m: z.number().positive().default(150).describe('Phones further from the road than this feel nothing, m.'),
  burst: duration({ positive: true }).default(4).describe('How long each passing shakes a phone, s.'),
});

export type TrafficVibrationConfig = z.output<typeof trafficVibrationSchema>;

class TrafficVibrationRuntime implements HazardRuntime {
  private readonly c: TrafficVibrationConfig;
  private readonly x: Float64Array;
  private readonly y: Float64Array;
  private readonly dist: Float32Array;
  private readonly key: number;
  private readonly segs: Float64Array;

  constructor(c: TrafficVibrationConfig, ctx: HazardContext, index: number) {
    this.c = c;
    this.x = ctx.columns.f64('x');
    this.y = ctx.columns.f64('y');
    this.dist = ctx.columns.f32(ctx.prefix + 'road_m');
    this.key = componentKey(ctx.seed, `hazard${index}/traffic`);
    const segs: number[] = [];
    for (const r of ctx.world.roads) {
      if (!c.classes.includes(r.class as never)) continue;
      for (let i = 0; i + 3 < r.points.length; i += 2) segs.push(r.points[i]!, r.points[i + 1]!, r.points[i + 2]!, r.points[i + 3]!);
    }
    this.segs = Float64Array.from(segs);
  }

  private roadDistance(x: number, y: number): number {
    let best = Infinity;
    const s = this.segs;
    for (let i = 0; i < s.length; i += 4) best = Math.min(best, segmentDistance2(x, y, s[i]!, s[i + 1]!, s[i + 2]!, s[i + 3]!));
    return Math.sqrt(best);
  }

  exposure(d: number, t0: number, t1: number): Exposure | null {
    const c = this.c, r = this.dist[d]!;
    if (!(r <= c.max_distance_m)) return null;
    const p = (c.heavy_per_hour / 3600) * c.burst;
    for (let slot = Math.floor(t0 / c.burst) - 1; slot <= Math.floor(t1 / c.burst); slot++) {
      if (slot < 0 || stableUniform(this.key, d, 3 * slot) >= p) continue;
      const start = (slot + stableUniform(this.key, d, 3 * slot + 1)) * c.burst;
      if (start < t1 && start + c.burst > t0) return { kind: 'traffic-vibration', from: start, to: start + c.burst, distanceKm: r / 1000 };
    }
    return null;
  }

  render(d: number, b: Block): void {
    let r = this.dist[d]!;
    // Distance to the nearest busy road, refreshed every minute for phones that move.
    if (Number.isNaN(r) || b.t0 % 60 === 0) r = this.dist[d] = this.roadDistance(this.x[d]!, this.y[d]!);
    const c = this.c;
    if (r > c.max_distance_m) return;
    // Bursts start on a grid of slots of one burst length; each slot holds a pass with probability rate × burst.
    const p = (c.heavy_per_hour / 3600) * c.burst;
    const amp = c.amplitude_g_at_10m * G * Math.pow(10 / Math.max(r, 5), 1.2);
    const s0 = Math.floor(b.t0 / c.burst) - 1, s1 = Math.floor(b.t1 / c.burst);
    for (let slot = s0; slot <= s1; slot++) {
      if (slot < 0 || stableUniform(this.key, d, 3 * slot) >= p) continue;
      const start = (slot + stableUniform(this.key, d, 3 * slot + 1)) * c.burst;
      const f = 8 + 12 * stableUniform(this.key, d, 3 * slot + 2);
      for (let i = 0; i < b.n; i++) {
        const t = (b.k0 + i) / b.fs - start;
        if (t < 0 || t >= c.burst) continue;
        const env = 0.5 - 0.5 * Math.cos((2 * Math.PI * t) / c.burst);
        b.au[i] = b.au[i]! + amp * env * Math.sin(2 * Math.PI * Math.min(f, 0.45 * b.fs) * t);
      }
    }
  }
}


export const trafficVibrationNuisance: HazardPlugin<TrafficVibrationConfig> = {
  type: 'traffic-vibration',
  summary: 'Heavy vehicles passing near phones beside major roads (a nuisance, never alertable)',
  reads: ['x', 'y'],
  category: 'nuisance',
  schema: trafficVibrationSchema,
  columns: (): ColumnSpec[] => [{ name: 'road_m', type: 'f32', fill: NaN }],
  create: (c, ctx) => new TrafficVibrationRuntime(c, ctx, ctx.index),
  truth: (c, _ctx, index) => ({ index, type: 'traffic-vibration', kind: 'traffic-vibration', name: c.name ?? 'heavy traffic', alertable: false, start: 0, facts: { classes: c.classes.join(','), heavy_per_hour: c.heavy_per_hour } }),
};
