/**
 * Crowd nuisance: people inside a venue jump together to the music — a vertical periodic load at
 * 2–3 Hz (jumping crowds in stadiums: Dougill et al. 2006; the body's vertical acceleration has a
 * strong second harmonic), 0.1–0.5 g at each phone, in bursts (songs) with pauses. Every jumping
 * phone in the venue shares the beat (a common frequency and phase, with a little per-person
 * scatter), which is exactly what fools crowd-consensus detectors. Truth: not a hazard.
 */
import * as z from 'zod';
import { G } from '../core/units.js';
import { FastRandom, componentKey, stableUniform } from '../core/random.js';
import { InputError } from '../core/errors.js';
import type { ColumnSpec } from '../core/columns.js';
import { duration, probability } from '../plugin/fields.js';
import { inPolygon } from '../world/geometry.js';
import type { Venue } from '../world/load.js';
import type { Block, Exposure, HazardPlugin, HazardRuntime, HazardContext } from '../plugin/index.js';

const band = (lo: number, hi: number) => z.tuple([z.number().min(lo).max(hi), z.number().min(lo).max(hi)]).refine(([a, b]) => b >= a, { error: 'expected [low, high] with high ≥ low' });

export const crowdSchema = z.strictObject({
  type: z.literal('crowd'),
  name: z.string().optional().describe('Label shown in outputs.'),
  venue: z.string().min(1).describe('Name of the world\'s venue where the crowd jumps.'),
  start: duration({ min: 0 }).describe('When the jumping starts, s after the run\'s start.'),
  duration: duration({ positive: true }).describe('How long the event lasts, s.'),
  frequency_hz: band(0.5, 5).default([2, 3]).describe('Jump rate range [low, high], Hz (each phone draws one).'),
  amplitude_g: band(0, 3).default([0.1, 0.5]).describe('Peak acceleration range [low, high] of the jumps, g.'),
  share: probability().default(0.8).describe('Share of the phones in the venue that jump (the rest sit still).'),
  on: duration({ positive: true }).default(180).describe('Songs: jumping for `on`, then a pause of `off`.'),
  off: duration({ min: 0 }).default(60).describe('Pause between songs, s.'),
});

export type CrowdConfig = z.output<typeof crowdSchema>;

export function venueOf(ctx: HazardContext, name: string, where: string): Venue {
  const v = ctx.world.venues.find((x) => x.name === name);
  if (!v) throw new InputError(ctx.file, { path: `${where}.venue`, message: `no venue ${JSON.stringify(name)} in world ${ctx.world.name}; its venues: ${ctx.world.venues.map((x) => JSON.stringify(x.name)).join(', ') || 'none'}` });
  return v;
}

class CrowdRuntime implements HazardRuntime {
  private readonly c: CrowdConfig;
  private readonly venue: Venue;
  private readonly x: Float64Array;
  private readonly y: Float64Array;
  private readonly key: number;
  /** Beat frequency of each song. */
  private readonly songs: number[];
  private readonly phase: number;

  constructor(c: CrowdConfig, ctx: HazardContext, index: number) {
    this.c = c;
    this.venue = venueOf(ctx, c.venue, `hazards[${index}]`);
    this.x = ctx.columns.f64('x');
    this.y = ctx.columns.f64('y');
    this.key = componentKey(ctx.seed, `hazard${index}/crowd`);
    const rng = FastRandom.of(ctx.seed, `hazard${index}/songs`);
    const n = Math.ceil(c.duration / (c.on + c.off)) + 1;
    this.songs = Array.from({ length: n }, () => rng.range(c.frequency_hz[0], c.frequency_hz[1]));
    this.phase = 2 * Math.PI * rng.uniform();
  }

  /** Whether device d jumps with the crowd at time t. */
  private jumping(d: number, t: number): boolean {
    const c = this.c;
    const rel = t - c.start;
    if (rel < 0 || rel >= c.duration || stableUniform(this.key, d, 0) >= c.share) return false;
    if (rel % (c.on + c.off) >= c.on) return false;
    return this.venue.polygons.some((p) => inPolygon(p, this.x[d]!, this.y[d]!));
  }

  exposure(d: number, t0: number, t1: number): Exposure | null {
    return this.jumping(d, t0) || this.jumping(d, (t0 + t1) / 2) || this.jumping(d, t1 - 1e-6) ? { kind: 'crowd', from: t0, to: t1 } : null;
  }

  render(d: number, b: Block): void {
    const c = this.c;
    if (b.t1 <= c.start || b.t0 >= c.start + c.duration) return;
    if (stableUniform(this.key, d, 0) >= c.share) return;
    const x = this.x[d]!, y = this.y[d]!;
    if (!this.venue.polygons.some((p) => inPolygon(p, x, y))) return;
    const amp = (c.amplitude_g[0] + (c.amplitude_g[1] - c.amplitude_g[0]) * stableUniform(this.key, d, 1)) * G;
    const lag = 0.05 * (2 * stableUniform(this.key, d, 2) - 1); // ±50 ms off the beat
    const period = c.on + c.off;
    for (let i = 0; i < b.n; i++) {
      const t = (b.k0 + i) / b.fs;
      const rel = t - c.start;
      if (rel < 0 || rel >= c.duration) continue;
      const song = Math.floor(rel / period), inSong = rel - song * period;
      if (inSong >= c.on) continue;
      // 5 s fade in and out of each song.
      const fade = Math.min(1, inSong / 5, (c.on - inSong) / 5);
      const w = 2 * Math.PI * this.songs[song]! * (t - lag) + this.phase;
      b.au[i] = b.au[i]! + amp * fade * (0.8 * Math.sin(w) + 0.35 * Math.sin(2 * w + 0.6));
    }
  }
}


export const crowdNuisance: HazardPlugin<CrowdConfig> = {
  type: 'crowd',
  summary: 'A jumping stadium crowd: rhythmic shaking of phones inside a venue (a nuisance, never alertable)',
  reads: ['x', 'y'],
  category: 'nuisance',
  schema: crowdSchema,
  check: (c, ctx, where) => void venueOf(ctx, c.venue, where),
  starts: (c) => [{ field: 'start', at: c.start }],
  columns: (): ColumnSpec[] => [],
  create: (c, ctx) => new CrowdRuntime(c, ctx, ctx.index),
  truth(c, ctx, index) {
    const v = venueOf(ctx, c.venue, `hazards[${index}]`);
    const [lon, lat] = ctx.world.frame.unproject(v.x, v.y);
    return { index, type: 'crowd', kind: 'crowd', name: c.name ?? `crowd at ${c.venue}`, alertable: false, start: c.start, facts: { venue: c.venue, lon, lat, start: c.start, duration: c.duration } };
  },
};
