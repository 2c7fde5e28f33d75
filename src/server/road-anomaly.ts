/**
 * `road-anomaly` consensus after Pothole Patrol (Eriksson et al. 2008): each vehicle bump trigger is
 * snapped to the nearest road of the world (within `snap_m`: this removes the GNSS error across
 * the road) and clustered with the snapped bumps within `cluster_m` of a cluster's mean; a cluster becomes a reported anomaly once
 * `min_vehicles` distinct phones have bumped there within `window`. One phone bumping twice (a
 * rough stretch of its own commute) never confirms anything alone.
 */
import * as z from 'zod';
import { duration } from '../plugin/fields.js';
import type { TriggerMessage } from '../plugin/index.js';
import type { AlertRecord, ConsensusPlugin, ConsensusServer, ServerContext } from '../plugin/index.js';
import { plainAlert } from './plain-alert.js';
import { G } from '../core/units.js';
import { hypot } from '../core/geo.js';

export const roadAnomalySchema = z.strictObject({
  type: z.literal('road-anomaly'),
  snap_m: z.number().positive().default(30).describe('Bumps farther than this from every road are dropped, m (GNSS error is 5–15 m in town).'),
  cluster_m: z.number().positive().default(25).describe('Bumps within this distance along a road join a cluster, m.'),
  min_vehicles: z.number().int().min(1).default(3).describe('Distinct vehicles (phones) needed to report an anomaly.'),
  window: duration({ positive: true }).default(3600).describe('Bumps older than this are forgotten, s.'),
});
export type RoadAnomalyConfig = z.output<typeof roadAnomalySchema>;

interface Cluster {
  /** Road of the first bump, and the mean snapped position, m. */
  road: number;
  x: number;
  y: number;
  last: number;
  bumps: number;
  phones: Map<number, number>;
  amplitudes: number[];
  first: number;
  reported: boolean;
}

const BIN = 100;

export class RoadAnomalyServer implements ConsensusServer {
  /** Road segments and the road they belong to. */
  private readonly seg: { x1: number; y1: number; x2: number; y2: number; road: number }[] = [];
  private readonly grid = new Map<string, number[]>();
  /** Open clusters by 100 m bin of their first bump. */
  private readonly clusters = new Map<string, Cluster[]>();
  private readonly reports: Cluster[] = [];
  private nextId = 0;

  constructor(private readonly c: RoadAnomalyConfig, private readonly ctx: ServerContext) {
    for (const road of ctx.world.roads) {
      const p = road.points;
      for (let k = 0; k + 3 < p.length; k += 2) {
        const i = this.seg.length, x1 = p[k]!, y1 = p[k + 1]!, x2 = p[k + 2]!, y2 = p[k + 3]!;
        this.seg.push({ x1, y1, x2, y2, road: road.id });
        // Index the segment in every bin its bounding box (grown by snap_m) touches.
        const m = c.snap_m;
        for (let bx = Math.floor((Math.min(x1, x2) - m) / BIN); bx <= Math.floor((Math.max(x1, x2) + m) / BIN); bx++) {
          for (let by = Math.floor((Math.min(y1, y2) - m) / BIN); by <= Math.floor((Math.max(y1, y2) + m) / BIN); by++) {
            const key = `${bx},${by}`;
            let list = this.grid.get(key);
            if (!list) this.grid.set(key, (list = []));
            list.push(i);
          }
        }
      }
    }
  }

  /** The nearest point of a road within snap_m of (x, y), with the road's id, or null. */
  snap(x: number, y: number): { road: number; x: number; y: number } | null {
    const list = this.grid.get(`${Math.floor(x / BIN)},${Math.floor(y / BIN)}`);
    if (!list) return null;
    let best = this.c.snap_m, out: { road: number; x: number; y: number } | null = null;
    for (const i of list) {
      const g = this.seg[i]!, dx = g.x2 - g.x1, dy = g.y2 - g.y1, L2 = dx * dx + dy * dy;
      const u = L2 > 0 ? Math.max(0, Math.min(1, ((x - g.x1) * dx + (y - g.y1) * dy) / L2)) : 0;
      const d = hypot(x - g.x1 - u * dx, y - g.y1 - u * dy);
      if (d < best || (d === best && out && g.road < out.road)) { best = d; out = { road: g.road, x: g.x1 + u * dx, y: g.y1 + u * dy }; }
    }
    return out;
  }

  receive(m: TriggerMessage, now: number): AlertRecord[] {
    if (m.kind !== 'trigger' || m.channel !== 'bump') return [];
    const on = this.snap(m.x, m.y);
    if (!on) return [];
    // Join the nearest cluster within cluster_m of the snapped point (whichever way of the road it
    // lies on: OSM splits streets at junctions); forget clusters not bumped within the window.
    const bx = Math.floor(on.x / BIN), by = Math.floor(on.y / BIN);
    let cl: Cluster | undefined, best = this.c.cluster_m;
    for (let i = bx - 1; i <= bx + 1; i++) {
      for (let j = by - 1; j <= by + 1; j++) {
        const list = this.clusters.get(`${i},${j}`);
        if (!list) continue;
        for (let k = list.length - 1; k >= 0; k--) {
          const c = list[k]!;
          if (!c.reported && c.last < now - this.c.window) { list.splice(k, 1); continue; }
          const dist = hypot(c.x - on.x, c.y - on.y);
          if (dist <= best) { best = dist; cl = c; }
        }
      }
    }
    if (!cl) {
      cl = { road: on.road, x: on.x, y: on.y, bumps: 0, phones: new Map(), amplitudes: [], first: m.onsetDeviceTime, last: m.onsetDeviceTime, reported: false };
      const key = `${bx},${by}`;
      let list = this.clusters.get(key);
      if (!list) this.clusters.set(key, (list = []));
      list.push(cl);
    }
    cl.bumps++;
    cl.x += (on.x - cl.x) / cl.bumps;
    cl.y += (on.y - cl.y) / cl.bumps;
    cl.last = Math.max(cl.last, m.onsetDeviceTime);
    cl.phones.set(m.device, m.onsetDeviceTime);
    cl.amplitudes.push(m.amplitude / G);
    if (cl.reported) return [];
    let recent = 0;
    for (const t of cl.phones.values()) if (t >= now - this.c.window) recent++;
    if (recent < this.c.min_vehicles) return [];
    cl.reported = true;
    // A cluster that drifted next to one already reported (the other carriageway): the same anomaly.
    for (const other of this.reports) if (hypot(other.x - cl.x, other.y - cl.y) <= this.c.cluster_m) return [];
    this.reports.push(cl);
    const amps = [...cl.amplitudes].sort((a, b) => a - b);
    return [plainAlert({
      frame: this.ctx.world.frame, event: this.nextId++, kind: 'road-anomaly', seq: 0, time: now, x: cl.x, y: cl.y, at: cl.first, triggers: cl.bumps,
      details: { road: cl.road, vehicles: cl.phones.size, bumps: cl.bumps, median_peak_g: +amps[amps.length >> 1]!.toFixed(3) },
    })];
  }

  tick(): AlertRecord[] {
    return [];
  }
}

export const roadAnomalyServer: ConsensusPlugin<RoadAnomalyConfig> = {
  type: 'road-anomaly',
  summary: 'Road anomalies: bumps snapped to roads and clustered, confirmed after several vehicles',
  channels: ['bump'],
  schema: roadAnomalySchema,
  create: (config, ctx) => new RoadAnomalyServer(config, ctx),
};
