/**
 * Road anomalies (potholes, speed bumps) on the road network. A vehicle whose track passes within
 * half a lane width of an anomaly gets a vertical double impulse: front axle, then rear axle one
 * wheelbase/speed later. Each impulse is a wheel-hop oscillation (12 Hz, ζ 0.3) plus a body bounce
 * (1.5 Hz, ζ 0.3); the peak grows linearly with speed for potholes and with its square for bumps,
 * and is `severity_g` at 10 m/s. Anomalies are placed explicitly or drawn on drivable roads
 * (weighted by length). Truth: every anomaly (place, kind, severity) and every pass (device, time,
 * hit or not, speed).
 */
import * as z from 'zod';
import { G } from '../core/units.js';
import { FastRandom, componentKey, stableUniform } from '../core/random.js';
import { InputError } from '../core/errors.js';
import type { ColumnSpec } from '../core/columns.js';
import { latitude, longitude, probability } from '../plugin/fields.js';
import { segmentDistance2 } from '../world/geometry.js';
import type { RoadNetwork } from '../world/roads.js';
import type { Block, Exposure, HazardPlugin, HazardRuntime, HazardContext } from '../plugin/index.js';
import { Activity } from '../population/mobility.js';
import { addDampedSine, dampedSineDuration } from './impulse.js';

const kinds = ['pothole', 'speed-bump'] as const;

export const roadAnomalySchema = z
  .strictObject({
    type: z.literal('road-anomaly'),
    name: z.string().optional().describe('Label shown in outputs.'),
    anomalies: z.array(z.strictObject({ lon: longitude().describe('Longitude, degrees (WGS84).'), lat: latitude().describe('Latitude, degrees (WGS84).'), kind: z.enum(kinds).default('pothole').describe('`pothole` or `speed-bump`.'), severity_g: z.number().positive().max(20).describe('Peak vertical acceleration a car\'s phone feels passing it, g.') })).default([]).describe('Anomalies at given places (snapped to the nearest drivable road within 25 m).'),
    random: z
      .strictObject({
        count: z.number().int().min(1).max(100_000).describe('How many anomalies to draw.'),
        bump_share: probability().default(0.2).describe('Share of speed bumps among them.'),
        severity_g: z.tuple([z.number().positive(), z.number().positive()]).default([0.3, 1.5]).describe('Severity range [low, high] drawn uniformly: peak vertical acceleration a car\'s phone feels, g.'),
      })
      .optional()
      .describe('...and/or anomalies drawn at random on drivable roads.'),
    lane_width_m: z.number().positive().default(3.5).describe('Lane width: a car passes an anomaly when its lane covers it, m.'),
    wheelbase_m: z.number().positive().default(2.7).describe('Distance between a car\'s axles (each axle hits the anomaly), m.'),
  })
  .refine((c) => c.anomalies.length > 0 || c.random !== undefined, { error: 'expected anomalies or random (or both)' });

export type RoadAnomalyConfig = z.output<typeof roadAnomalySchema>;

export interface Anomaly {
  id: number;
  kind: (typeof kinds)[number];
  severityG: number;
  x: number;
  y: number;
  /** Lateral offset from the road centre, m (positive: right of the edge's travel direction). */
  lateral: number;
  /** (edge, offset along it) for each travel direction it can be met from. */
  on: { edge: number; off: number; side: number }[];
}

/** Nearest point on a drivable edge: edge, offset along it, distance (m). */
function snap(roads: RoadNetwork, x: number, y: number): { edge: number; off: number; dist: number } {
  let best = { edge: -1, off: 0, dist: Infinity };
  for (let e = 0; e < roads.edgeFrom.length; e++) {
    if (!roads.edgeDrivable[e] || !roads.carNode[roads.edgeFrom[e]!]) continue;
    const s = roads.edgeStart[e]!, c = roads.edgeCount[e]!;
    for (let i = s; i < s + c - 1; i++) {
      const d2 = segmentDistance2(x, y, roads.vx[i]!, roads.vy[i]!, roads.vx[i + 1]!, roads.vy[i + 1]!);
      if (d2 < best.dist * best.dist) {
        const dx = roads.vx[i + 1]! - roads.vx[i]!, dy = roads.vy[i + 1]! - roads.vy[i]!;
        const len2 = dx * dx + dy * dy;
        const t = len2 > 0 ? Math.max(0, Math.min(1, ((x - roads.vx[i]!) * dx + (y - roads.vy[i]!) * dy) / len2)) : 0;
        best = { edge: e, off: roads.vd[i]! + t * (roads.vd[i + 1]! - roads.vd[i]!), dist: Math.sqrt(d2) };
      }
    }
  }
  return best;
}

/** The reverse edge of e on the same road (travel the other way), or −1. */
function twin(roads: RoadNetwork, e: number): number {
  const from = roads.edgeTo[e]!, to = roads.edgeFrom[e]!, road = roads.edgeRoad[e]!;
  for (let j = roads.outStart[from]!; j < roads.outStart[from + 1]!; j++) {
    const f = roads.outEdges[j]!;
    if (roads.edgeTo[f] === to && roads.edgeRoad[f] === road && Math.abs(roads.edgeLength[f]! - roads.edgeLength[e]!) < 1e-6) return f;
  }
  return -1;
}

/** Places every anomaly of the configuration (deterministic per seed). */
export function placeAnomalies(c: RoadAnomalyConfig, ctx: HazardContext, where: string): Anomaly[] {
  const roads = ctx.roads;
  if (!roads || roads.carNodes.length < 2) {
    throw new InputError(ctx.file, { path: where, message: 'road anomalies need phones in vehicles on drivable roads: add a vehicle or commuter behaviour and a world with roads' });
  }
  const out: Anomaly[] = [];
  const rng = FastRandom.of(ctx.seed, `${where}/anomalies`);
  const add = (edge: number, off: number, kind: Anomaly['kind'], severityG: number) => {
    const pos = new Float64Array(2);
    roads.positionOnEdge(edge, off, 0, pos);
    const lateral = (2 * rng.uniform() - 1) * c.lane_width_m; // anywhere across both lanes
    const on = [{ edge, off, side: 1 }];
    const tw = twin(roads, edge);
    if (tw >= 0) on.push({ edge: tw, off: roads.edgeLength[tw]! - off, side: -1 });
    out.push({ id: out.length, kind, severityG, x: pos[0]!, y: pos[1]!, lateral, on });
  };
  c.anomalies.forEach((a, i) => {
    const [x, y] = ctx.world.frame.project([a.lon, a.lat]);
    const s = snap(roads, x, y);
    if (s.edge < 0 || s.dist > 25) {
      throw new InputError(ctx.file, { path: `${where}.anomalies[${i}]`, message: `expected a place within 25 m of a drivable road, found the nearest ${s.edge < 0 ? 'nowhere' : `${s.dist.toFixed(0)} m away`}` });
    }
    add(s.edge, s.off, a.kind, a.severity_g);
  });
  if (c.random) {
    // Drivable edges of the car component, one per undirected road piece, weighted by length.
    const edges: number[] = [];
    const weights: number[] = [];
    for (let e = 0; e < roads.edgeFrom.length; e++) {
      if (!roads.edgeDrivable[e] || !roads.carNode[roads.edgeFrom[e]!] || !roads.carNode[roads.edgeTo[e]!]) continue;
      const tw = twin(roads, e);
      if (tw >= 0 && tw < e) continue;
      edges.push(e);
      weights.push(roads.edgeLength[e]!);
    }
    const total = weights.reduce((s, w) => s + w, 0);
    const [lo, hi] = c.random.severity_g;
    for (let k = 0; k < c.random.count; k++) {
      let u = rng.uniform() * total, i = 0;
      while (i < edges.length - 1 && u > weights[i]!) u -= weights[i++]!;
      const kind = rng.uniform() < c.random.bump_share ? 'speed-bump' : 'pothole';
      add(edges[i]!, rng.uniform() * roads.edgeLength[edges[i]!]!, kind, lo + (hi - lo) * rng.uniform());
    }
  }
  return out;
}

const WHEEL_HOP = { f: 12, zeta: 0.3 };
/** Impacts remembered per vehicle while they ring. */
const RING = 4;
const BODY = { f: 1.5, zeta: 0.3 };

class RoadAnomalyRuntime implements HazardRuntime {
  private readonly c: RoadAnomalyConfig;
  private readonly ctx: HazardContext;
  private readonly index: number;
  private readonly roads: RoadNetwork;
  private readonly anomalies: Anomaly[];
  /** edge → anomalies met on it: [anomaly index, offset, side]. */
  private readonly byEdge = new Map<number, [number, number, number][]>();
  private readonly activity: Uint8Array;
  private readonly edge: Int32Array;
  private readonly off: Float32Array;
  private readonly dest: Int32Array;
  private readonly prevEdge: Int32Array;
  private readonly prevOff: Float32Array;
  private readonly hitT: Float64Array;
  private readonly hitA: Float32Array;
  private readonly hitGap: Float32Array;
  private readonly hitKind: Uint8Array;
  private readonly hitNext: Uint8Array;
  private readonly key: number;
  private readonly ring = Math.max(dampedSineDuration(WHEEL_HOP.f, WHEEL_HOP.zeta), dampedSineDuration(BODY.f, BODY.zeta));

  constructor(c: RoadAnomalyConfig, ctx: HazardContext, index: number) {
    this.c = c;
    this.ctx = ctx;
    this.index = index;
    this.roads = ctx.roads!;
    this.anomalies = placeAnomalies(c, ctx, `hazards[${index}]`);
    for (const a of this.anomalies) for (const o of a.on) {
      if (!this.byEdge.has(o.edge)) this.byEdge.set(o.edge, []);
      this.byEdge.get(o.edge)!.push([a.id, o.off, o.side]);
    }
    const col = ctx.columns, p = ctx.prefix;
    this.activity = col.u8('mob.activity');
    this.edge = col.i32('mob.edge');
    this.off = col.f32('mob.off');
    this.dest = col.i32('mob.dest');
    this.prevEdge = col.i32(p + 'prev_edge');
    this.prevOff = col.f32(p + 'prev_off');
    this.hitT = col.f64(p + 'hit_t');
    this.hitA = col.f32(p + 'hit_a');
    this.hitGap = col.f32(p + 'hit_gap');
    this.hitKind = col.u8(p + 'hit_kind');
    this.hitNext = col.u8(p + 'hit_next');
    this.key = componentKey(ctx.seed, `hazard${index}/lane`);
  }

  /** Checks anomalies on edge e between offsets [a, b) travelled from time ta at speed v. */
  private passes(d: number, e: number, a: number, b: number, ta: number, v: number, t0: number): void {
    const list = this.byEdge.get(e);
    if (!list) return;
    for (const [id, off, side] of list) {
      if (off < a || off >= b) continue;
      const t = ta + (off - a) / v;
      const an = this.anomalies[id]!;
      // The vehicle's lateral track in its lane: right half of the road ± 0.4 m.
      const track = this.c.lane_width_m / 2 + 0.4 * (2 * stableUniform(this.key, d, Math.floor(t * 1000) ^ id) - 1);
      const hit = Math.abs(side * an.lateral - track) < this.c.lane_width_m / 2;
      this.ctx.report({ hazard: this.index, time: t, device: d, item: 'pass', anomaly: id, kind: an.kind, severity_g: an.severityG, hit, speed_m_s: v });
      if (!hit) continue;
      // Keep the last RING impacts per vehicle: each rings for a couple of seconds.
      const slot = d * RING + (this.hitNext[d]! % RING);
      this.hitNext[d] = (this.hitNext[d]! + 1) % 256;
      const ref = v / 10;
      this.hitT[slot] = t;
      this.hitA[slot] = an.severityG * G * (an.kind === 'pothole' ? ref : ref * ref);
      this.hitGap[slot] = this.c.wheelbase_m / v;
      this.hitKind[slot] = an.kind === 'pothole' ? 0 : 1;
      void t0;
    }
  }

  exposure(d: number, t0: number, t1: number): Exposure | null {
    for (let k = d * RING; k < d * RING + RING; k++) {
      const th = this.hitT[k]!;
      if (th > -Infinity && th < t1 && th + this.hitGap[k]! + 1.5 > t0) return { kind: 'road-anomaly', from: th, to: th + this.hitGap[k]! + 1.5, intensity: this.hitA[k]! / G };
    }
    return null;
  }

  render(d: number, b: Block): void {
    const driving = this.activity[d] === Activity.Drive && this.edge[d]! >= 0;
    const pe = this.prevEdge[d]!;
    if (driving && pe >= 0) {
      const e = this.edge[d]!, off = this.off[d]!, po = this.prevOff[d]!;
      const dt = b.t1 - b.t0;
      if (pe === e && off >= po) {
        const v = (off - po) / dt;
        if (v > 0.1) this.passes(d, e, po, off, b.t0, v, b.t0);
      } else {
        // Rebuild the edges crossed this tick from the route the vehicle follows.
        const tree = this.roads.nextEdges('car', this.dest[d]!);
        const path = [pe];
        for (let cur = pe, guard = 0; cur !== e && guard < 1000; guard++) {
          cur = tree[this.roads.edgeTo[cur]!]!;
          if (cur < 0) break;
          path.push(cur);
        }
        if (path[path.length - 1] === e) {
          let total = this.roads.edgeLength[pe]! - po + off;
          for (let i = 1; i < path.length - 1; i++) total += this.roads.edgeLength[path[i]!]!;
          const v = total / dt;
          if (v > 0.1) {
            let t = b.t0;
            for (let i = 0; i < path.length; i++) {
              const edge = path[i]!, len = this.roads.edgeLength[edge]!;
              const a = i === 0 ? po : 0, z = i === path.length - 1 ? off : len + 1e-9;
              this.passes(d, edge, a, z, t, v, b.t0);
              t += (Math.min(z, len) - a) / v;
            }
          }
        }
      }
    }
    this.prevEdge[d] = driving ? this.edge[d]! : -1;
    this.prevOff[d] = driving ? this.off[d]! : 0;
    for (let k = d * RING; k < d * RING + RING; k++) {
      const th = this.hitT[k]!;
      if (!(th > -Infinity) || b.t0 > th + this.hitGap[k]! + this.ring) continue;
      // Front and rear axle: wheel hop and body bounce, downward first for a pothole, upward for a bump.
      const a = this.hitA[k]!, sign = this.hitKind[k] === 0 ? -1 : 1;
      const hop = this.hitKind[k] === 0 ? 1 : 0.3;
      for (const t of [th, th + this.hitGap[k]!]) {
        addDampedSine(b.au, b.k0, b.n, b.fs, t, sign * a * hop, WHEEL_HOP.f, WHEEL_HOP.zeta);
        addDampedSine(b.au, b.k0, b.n, b.fs, t, sign * a * 0.5, BODY.f, BODY.zeta);
      }
    }
  }
}


export const roadAnomalyHazard: HazardPlugin<RoadAnomalyConfig> = {
  type: 'road-anomaly',
  summary: 'Potholes and speed bumps on roads: wheel impacts for vehicles passing over them',
  reads: ['mob.'],
  category: 'hazard',
  schema: roadAnomalySchema,
  check: (c, ctx, where) => void placeAnomalies(c, ctx, where),
  columns: (): ColumnSpec[] => [
    { name: 'prev_edge', type: 'i32', fill: -1 },
    { name: 'prev_off', type: 'f32' },
    { name: 'hit_t', type: 'f64', width: RING, fill: -Infinity },
    { name: 'hit_a', type: 'f32', width: RING },
    { name: 'hit_gap', type: 'f32', width: RING },
    { name: 'hit_kind', type: 'u8', width: RING },
    { name: 'hit_next', type: 'u8' },
  ],
  create: (c, ctx) => new RoadAnomalyRuntime(c, ctx, ctx.index),
  truth(c, ctx, index) {
    const anomalies = placeAnomalies(c, ctx, `hazards[${index}]`);
    return {
      index,
      type: 'road-anomaly',
      kind: 'road-anomaly',
      name: c.name ?? `${anomalies.length} road anomalies`,
      alertable: true,
      start: 0,
      facts: { anomalies: anomalies.length, potholes: anomalies.filter((a) => a.kind === 'pothole').length, speed_bumps: anomalies.filter((a) => a.kind === 'speed-bump').length },
      items: anomalies.map((a) => {
        const [lon, lat] = ctx.world.frame.unproject(a.x, a.y);
        return { hazard: index, time: 0, device: -1, item: 'anomaly', anomaly: a.id, kind: a.kind, severity_g: a.severityG, lon, lat, lateral_m: a.lateral };
      }),
    };
  },
};
