/**
 * Regional network outages: a circle where phones have no service for a while (a cell site down,
 * a power cut, congestion after a large event). Messages sent from inside it and alerts pushed to
 * phones inside it during the outage are lost. Outages are listed in the scenario, or drawn at
 * random (`random_outages`: a rate per day, centred on randomly chosen phones so they hit
 * populated places), from the scenario's seed.
 */
import * as z from 'zod';
import { FastRandom, type Seed } from '../core/random.js';
import { duration, latitude, longitude } from '../plugin/fields.js';
import type { LocalFrame } from '../core/frame.js';

const links = () => z.array(z.enum(['uplink', 'push'])).min(1).default(['uplink', 'push']).describe('Which links fail: `uplink` (phones → server), `push` (server → phones), or both.');

export const outageSchema = z.strictObject({
  lon: longitude().describe('Centre longitude, degrees (WGS84).'),
  lat: latitude().describe('Centre latitude, degrees (WGS84).'),
  radius_km: z.number().positive().describe('Radius of the region without service, km.'),
  start: duration({ min: 0 }).describe('When it starts, s after the run\'s start.'),
  duration: duration({ positive: true }).describe('How long it lasts, s.'),
  links: links().describe('Which links fail: phones → server, server → phones, or both.'),
});

export const randomOutagesSchema = z.strictObject({
  per_day: z.number().positive().describe('Expected outages per simulated day (Poisson).'),
  radius_km: z.number().positive().default(5).describe('Radius of the region without service, km.'),
  duration: duration({ positive: true }).default(600).describe('How long it lasts, s.'),
  links: links(),
});

export type OutageConfig = z.output<typeof outageSchema>;
export type RandomOutagesConfig = z.output<typeof randomOutagesSchema>;

export interface Outage {
  x: number;
  y: number;
  radiusM: number;
  start: number;
  end: number;
  uplink: boolean;
  push: boolean;
}

export class Outages {
  readonly list: Outage[];

  /**
   * From the scenario's outages and random ones drawn now, or from `{ list }` already drawn (a worker
   * gets the main thread's: random outages are centred on phones' starting positions).
   */
  constructor(o: { outages: OutageConfig[]; random?: RandomOutagesConfig; frame: LocalFrame; seed: Seed; durationS: number; x: Float64Array; y: Float64Array } | { list: Outage[] }) {
    if ('list' in o) { this.list = o.list; return; }
    this.list = o.outages.map((c) => {
      const [x, y] = o.frame.project([c.lon, c.lat]);
      return { x, y, radiusM: c.radius_km * 1000, start: c.start, end: c.start + c.duration, uplink: c.links.includes('uplink'), push: c.links.includes('push') };
    });
    const r = o.random;
    if (r && o.x.length) {
      const rng = FastRandom.of(o.seed, 'random-outages');
      // Poisson arrivals over the run; each centred on a random phone's starting position.
      for (let t = rng.exponential(86400 / r.per_day); t < o.durationS; t += rng.exponential(86400 / r.per_day)) {
        const d = Math.min(o.x.length - 1, Math.floor(rng.uniform() * o.x.length));
        this.list.push({ x: o.x[d]!, y: o.y[d]!, radiusM: r.radius_km * 1000, start: t, end: t + r.duration, uplink: r.links.includes('uplink'), push: r.links.includes('push') });
      }
    }
  }

  /** Whether `link` is down at (x, y) at time t. */
  down(link: 'uplink' | 'push', x: number, y: number, t: number): boolean {
    for (const o of this.list) {
      if (t < o.start || t >= o.end || !o[link]) continue;
      const dx = x - o.x, dy = y - o.y;
      if (dx * dx + dy * dy <= o.radiusM * o.radiusM) return true;
    }
    return false;
  }
}
