/**
 * Mobility: moves people (and their phones) tick by tick, in columns.
 *
 * - `stationary`: at home, or at a workplace during personal work hours (moves between them are
 *   instantaneous; use `commuter` to simulate the trip);
 * - `pedestrian`: Lévy walk (truncated power-law flights and pauses, Rhee et al. 2011, "On the
 *   Levy-walk nature of human mobility", IEEE/ACM ToN 19(3)) or random waypoint, 0.5–1.5 m/s,
 *   never leaving the boundary (a step that would leave ends the flight);
 * - `vehicle`: trips between road nodes near population-weighted destinations, following
 *   shortest-travel-time routes on the drivable graph at a fraction (≤ 1) of each road's limit,
 *   parking between trips;
 * - `commuter`: home → work → home at personal times, by car on the drivable graph or on foot
 *   along any road (both directions).
 *
 * Random draws are counter-based — (seed, `mobility`, device, event counter) — so a device's
 * movement does not depend on which thread moves it. Workplaces and trip destinations are drawn
 * in proportion to population.
 */
import type { ColumnSpec, ColumnSet } from '../core/columns.js';
import { FastRandom, componentKey, seedKeyed, stableUniform, type Seed } from '../core/random.js';
import type { World } from '../world/load.js';
import type { RoadNetwork, TravelMode } from '../world/roads.js';
import type { BoundaryIndex } from '../world/boundary-index.js';
import { PlaceSampler } from './place.js';
import type { BehaviourProfile } from './behaviour.js';

export const enum Activity { Home = 0, Work = 1, Walk = 2, Pause = 3, Drive = 4, Parked = 5 }

export const ACTIVITY_NAMES = ['home', 'work', 'walk', 'pause', 'drive', 'parked'] as const;

/** mob.flags bit set by a crash. */
export const CRASHED = 2;

export const MOBILITY_COLUMNS: ColumnSpec[] = [
  { name: 'mob.home_x', type: 'f32' },
  { name: 'mob.home_y', type: 'f32' },
  { name: 'mob.work_x', type: 'f32' },
  { name: 'mob.work_y', type: 'f32' },
  /** Walking target (pedestrians). */
  { name: 'mob.tx', type: 'f32' },
  { name: 'mob.ty', type: 'f32' },
  /** m/s when walking; fraction of the limit when driving. */
  { name: 'mob.speed', type: 'f32' },
  /** Time of the next scheduled change (s). */
  { name: 'mob.next_t', type: 'f32' },
  /** Edge being travelled (code as in RoadNetwork.nextEdges; −1 none), distance along it, polyline segment. */
  { name: 'mob.edge', type: 'i32', fill: -1 },
  { name: 'mob.off', type: 'f32' },
  { name: 'mob.seg', type: 'u16' },
  /** Destination road node of the current trip. */
  { name: 'mob.dest', type: 'i32', fill: -1 },
  /** Events drawn so far (key of the next counter-based draw). */
  { name: 'mob.counter', type: 'u16' },
  { name: 'mob.activity', type: 'u8' },
  /** Bit 0: a commuter's current trip goes to work. Bit 1: the vehicle crashed (stops at mob.next_t, then never moves). */
  { name: 'mob.flags', type: 'u8' },
  /** Distance driven so far, m (straight lines between ticks along the route). */
  { name: 'mob.driven_m', type: 'f64' },
];

const DAY = 86400;

/** Smallest t' > t at which local time of day equals `tod` (seconds after midnight). */
export function nextLocal(t: number, localStart: number, tod: number): number {
  const now = (((localStart + t) % DAY) + DAY) % DAY;
  let dt = (((tod - now) % DAY) + DAY) % DAY;
  if (dt === 0) dt = DAY;
  return t + dt;
}

/** True when local time `now` lies in the daily window [a, b) (wrapping midnight). */
export function inWindow(now: number, a: number, b: number): boolean {
  a = ((a % DAY) + DAY) % DAY;
  b = ((b % DAY) + DAY) % DAY;
  return a <= b ? now >= a && now < b : now >= a || now < b;
}

/** Draw from a truncated power law P(x) ∝ x^−α on [min, max] by inverse transform. */
export function powerLawDraw(u: number, min: number, max: number, alpha: number): number {
  if (Math.abs(alpha - 1) < 1e-9) return min * Math.pow(max / min, u);
  const a = 1 - alpha;
  const lo = Math.pow(min, a), hi = Math.pow(max, a);
  return Math.pow(lo + u * (hi - lo), 1 / a);
}

export interface MobilityContext {
  seed: Seed;
  world: World;
  columns: ColumnSet;
  behaviours: readonly BehaviourProfile[];
  /** Local time of day at t = 0, s after midnight. */
  localStart: number;
  boundary: BoundaryIndex;
  roads?: RoadNetwork;
}

export class Mobility {
  private readonly c: MobilityContext;
  private readonly x: Float64Array;
  private readonly driven: Float64Array;
  private readonly y: Float64Array;
  private readonly behaviour: Uint8Array;
  private readonly hx: Float32Array;
  private readonly hy: Float32Array;
  private readonly wx: Float32Array;
  private readonly wy: Float32Array;
  private readonly tx: Float32Array;
  private readonly ty: Float32Array;
  private readonly speed: Float32Array;
  private readonly nextT: Float32Array;
  private readonly edge: Int32Array;
  private readonly off: Float32Array;
  private readonly seg: Uint16Array;
  private readonly dest: Int32Array;
  private readonly counter: Uint16Array;
  readonly activity: Uint8Array;
  private readonly flags: Uint8Array;
  private readonly key: number;
  private readonly stableKey: number;
  private readonly rngState = new Int32Array(4);
  private readonly rng = new FastRandom(this.rngState);
  private readonly places: PlaceSampler;
  private readonly pos = new Float64Array(2);
  /** Whether any device moves at all (stationary-only runs skip the work). */
  readonly anyMoving: boolean;

  constructor(c: MobilityContext) {
    this.c = c;
    const col = c.columns;
    this.x = col.f64('x'); this.y = col.f64('y'); this.driven = col.f64('mob.driven_m'); this.behaviour = col.u8('behaviour');
    this.hx = col.f32('mob.home_x'); this.hy = col.f32('mob.home_y');
    this.wx = col.f32('mob.work_x'); this.wy = col.f32('mob.work_y');
    this.tx = col.f32('mob.tx'); this.ty = col.f32('mob.ty');
    this.speed = col.f32('mob.speed'); this.nextT = col.f32('mob.next_t');
    this.edge = col.i32('mob.edge'); this.off = col.f32('mob.off'); this.seg = col.u16('mob.seg');
    this.dest = col.i32('mob.dest'); this.counter = col.u16('mob.counter'); this.activity = col.u8('mob.activity');
    this.flags = col.u8('mob.flags');
    this.key = componentKey(c.seed, 'mobility');
    this.stableKey = componentKey(c.seed, 'mobility-traits');
    this.places = new PlaceSampler(c.world, c.boundary);
    this.anyMoving = c.behaviours.some((b) => b.kind !== 'stationary' || b.work !== undefined);
  }

  /** A fresh counter-based stream for device d's next event. */
  private draw(d: number): FastRandom {
    seedKeyed(this.rngState, 0, this.key, d, this.counter[d]!);
    this.counter[d] = (this.counter[d]! + 1) & 0xffff;
    return this.rng;
  }

  /** A per-person constant in (0, 1) (e.g. personal schedule offsets), without stored state. */
  private trait(d: number, salt: number): number {
    return stableUniform(this.stableKey, d, salt);
  }

  private localTime(t: number): number {
    return (((this.c.localStart + t) % DAY) + DAY) % DAY;
  }

  private setPos(d: number, x: number, y: number): void {
    this.x[d] = x;
    this.y[d] = y;
  }

  /** Sets up device d at time t0 (home, workplace, first activity); called once, in the main thread. */
  init(d: number, t0: number): void {
    const b = this.c.behaviours[this.behaviour[d]!]!;
    this.hx[d] = this.x[d]!;
    this.hy[d] = this.y[d]!;
    this.wx[d] = this.x[d]!;
    this.wy[d] = this.y[d]!;
    const now = this.localTime(t0);
    switch (b.kind) {
      case 'stationary': {
        this.activity[d] = Activity.Home;
        if (b.work && this.trait(d, 1) < b.work.share) {
          this.places.sample(this.draw(d), this.pos);
          this.wx[d] = this.pos[0]!; this.wy[d] = this.pos[1]!;
        }
        this.nextT[d] = t0; // decide at the first step
        break;
      }
      case 'pedestrian': {
        this.activity[d] = Activity.Pause;
        const r = this.draw(d);
        // Start mid-pause: a random fraction of a pause.
        this.nextT[d] = t0 + r.uniform() * powerLawDraw(r.uniform(), b.pause.min, b.pause.max, b.pause.alpha);
        break;
      }
      case 'vehicle': {
        const roads = this.c.roads!;
        const node = roads.nearestNode(this.x[d]!, this.y[d]!, true);
        this.setPos(d, roads.nodeX[node]!, roads.nodeY[node]!);
        this.dest[d] = node;
        this.activity[d] = Activity.Parked;
        const r = this.draw(d);
        this.nextT[d] = t0 + r.uniform() * powerLawDraw(r.uniform(), b.dwell.min, b.dwell.max, b.dwell.alpha);
        break;
      }
      case 'commuter': {
        this.places.sample(this.draw(d), this.pos);
        this.wx[d] = this.pos[0]!; this.wy[d] = this.pos[1]!;
        const leaveHome = b.leave_home + (2 * this.trait(d, 2) - 1) * b.jitter;
        const leaveWork = b.leave_work + (2 * this.trait(d, 3) - 1) * b.jitter;
        const atWork = inWindow(now, leaveHome, leaveWork);
        this.activity[d] = atWork ? Activity.Work : Activity.Home;
        if (atWork) this.setPos(d, this.wx[d]!, this.wy[d]!);
        this.nextT[d] = nextLocal(t0, this.c.localStart, atWork ? leaveWork : leaveHome);
        break;
      }
    }
  }

  /** Advances device d over [t0, t1); returns true when its activity changed. */
  step(d: number, t0: number, t1: number): boolean {
    const before = this.activity[d]!, x0 = this.x[d]!, y0 = this.y[d]!;
    const changed = this.advance(d, t0, t1);
    if (before === Activity.Drive || this.activity[d] === Activity.Drive) this.driven[d] = this.driven[d]! + Math.hypot(this.x[d]! - x0, this.y[d]! - y0);
    return changed;
  }

  private advance(d: number, t0: number, t1: number): boolean {
    const b = this.c.behaviours[this.behaviour[d]!]!;
    const act = this.activity[d]!;
    if (this.flags[d]! & CRASHED) {
      // A crashed vehicle drives on until the crash time, then stays where it is.
      if (act !== Activity.Drive) return false;
      const stop = Math.min(t1, Math.max(t0, this.nextT[d]!));
      if (stop > t0) this.travelRoads(d, t0, stop);
      this.activity[d] = Activity.Parked;
      this.nextT[d] = Infinity;
      return true;
    }
    if (b.kind === 'stationary') {
      if (t1 <= this.nextT[d]! || !b.work) return false;
      return this.stepStationary(d, b, t1);
    }
    if (act === Activity.Walk || act === Activity.Drive) {
      if (b.kind === 'pedestrian') this.walkStraight(d, b, t0, t1);
      else this.travelRoads(d, t0, t1);
      return this.activity[d] !== act;
    }
    if (t1 <= this.nextT[d]!) return false;
    const at = this.nextT[d]!;
    switch (b.kind) {
      case 'pedestrian': this.startFlight(d, b, at); break;
      case 'vehicle': this.startTrip(d, b, 'car', this.drawDestination(d, true), at); break;
      case 'commuter': this.startCommute(d, b, at); break;
    }
    if (this.activity[d] === Activity.Walk || this.activity[d] === Activity.Drive) {
      if (b.kind === 'pedestrian') this.walkStraight(d, b, Math.max(t0, at), t1);
      else this.travelRoads(d, Math.max(t0, at), t1);
    }
    return this.activity[d] !== act;
  }

  private stepStationary(d: number, b: Extract<BehaviourProfile, { kind: 'stationary' }>, t: number): boolean {
    const w = b.work!;
    const works = this.trait(d, 1) < w.share;
    const start = w.start + (2 * this.trait(d, 2) - 1) * w.jitter;
    const end = w.end + (2 * this.trait(d, 3) - 1) * w.jitter;
    const before = this.activity[d];
    const atWork = works && inWindow(this.localTime(t), start, end);
    this.activity[d] = atWork ? Activity.Work : Activity.Home;
    if (atWork) this.setPos(d, this.wx[d]!, this.wy[d]!);
    else this.setPos(d, this.hx[d]!, this.hy[d]!);
    this.nextT[d] = works ? Math.min(nextLocal(t, this.c.localStart, start), nextLocal(t, this.c.localStart, end)) : Infinity;
    return before !== this.activity[d];
  }

  // --- pedestrians --------------------------------------------------------------------------

  private startFlight(d: number, b: Extract<BehaviourProfile, { kind: 'pedestrian' }>, at: number): void {
    const r = this.draw(d);
    const x = this.x[d]!, y = this.y[d]!;
    let ok = false, tx = x, ty = y;
    for (let tries = 0; tries < 20 && !ok; tries++) {
      if (b.model === 'levy') {
        const len = powerLawDraw(r.uniform(), b.flight_m.min, b.flight_m.max, b.flight_m.alpha);
        const th = 2 * Math.PI * r.uniform();
        tx = x + len * Math.cos(th);
        ty = y + len * Math.sin(th);
      } else {
        const [x0, y0, x1, y1] = this.c.world.bbox;
        tx = x0 + (x1 - x0) * r.uniform();
        ty = y0 + (y1 - y0) * r.uniform();
      }
      ok = this.c.boundary.contains(tx, ty);
    }
    if (!ok) {
      this.pause(d, b, at, r);
      return;
    }
    this.tx[d] = tx;
    this.ty[d] = ty;
    this.speed[d] = r.uniform() < b.running_share ? 2.5 + r.uniform() : b.speed_mps[0] + (b.speed_mps[1] - b.speed_mps[0]) * r.uniform();
    this.activity[d] = Activity.Walk;
  }

  private pause(d: number, b: Extract<BehaviourProfile, { kind: 'pedestrian' }>, at: number, r = this.draw(d)): void {
    this.activity[d] = Activity.Pause;
    this.nextT[d] = at + powerLawDraw(r.uniform(), b.pause.min, b.pause.max, b.pause.alpha);
  }

  private walkStraight(d: number, b: Extract<BehaviourProfile, { kind: 'pedestrian' }>, t0: number, t1: number): void {
    const x = this.x[d]!, y = this.y[d]!;
    const dx = this.tx[d]! - x, dy = this.ty[d]! - y;
    const dist = Math.hypot(dx, dy);
    const step = this.speed[d]! * (t1 - t0);
    if (step >= dist) {
      this.setPos(d, this.tx[d]!, this.ty[d]!);
      this.pause(d, b, t0 + dist / this.speed[d]!);
      return;
    }
    const nx = x + (dx / dist) * step, ny = y + (dy / dist) * step;
    if (!this.c.boundary.contains(nx, ny)) {
      // The straight line leaves a non-convex boundary: stop here and pause.
      this.pause(d, b, t1);
      return;
    }
    this.setPos(d, nx, ny);
  }

  // --- road travel ----------------------------------------------------------------------------

  /** A destination road node near a population-weighted place. */
  private drawDestination(d: number, car: boolean): number {
    this.places.sample(this.draw(d), this.pos);
    return this.c.roads!.nearestNode(this.pos[0]!, this.pos[1]!, car);
  }

  /** Starts a trip from the current node toward node `dest`. */
  private startTrip(d: number, b: Extract<BehaviourProfile, { kind: 'vehicle' | 'commuter' }>, mode: TravelMode, dest: number, at: number): void {
    const roads = this.c.roads!;
    const from = roads.nearestNode(this.x[d]!, this.y[d]!, mode === 'car');
    const r = this.draw(d);
    const code = from === dest || dest < 0 ? -1 : roads.nextEdges(mode, dest)[from]!;
    if (code === -1) {
      // Already there, or no route (documented fallback): stay put until the next event.
      this.arrive(d, b, at, dest >= 0 ? dest : from, mode);
      return;
    }
    this.setPos(d, roads.nodeX[from]!, roads.nodeY[from]!);
    this.dest[d] = dest;
    this.edge[d] = code;
    this.off[d] = 0;
    this.seg[d] = 0;
    if (mode === 'car') {
      const f = b.speed_factor;
      this.speed[d] = f[0] + (f[1] - f[0]) * r.uniform();
      this.activity[d] = Activity.Drive;
    } else {
      const w = (b as Extract<BehaviourProfile, { kind: 'commuter' }>).walk_speed_mps;
      this.speed[d] = w[0] + (w[1] - w[0]) * r.uniform();
      this.activity[d] = Activity.Walk;
    }
  }

  private readonly xy = new Float64Array(2);

  /** Moves along the route over [t0, t1), crossing nodes as needed. */
  private travelRoads(d: number, t0: number, t1: number): void {
    const roads = this.c.roads!;
    const walking = this.activity[d] === Activity.Walk;
    const mode: TravelMode = walking ? 'foot' : 'car';
    let remaining = t1 - t0;
    let code = this.edge[d]!;
    let off = this.off[d]!;
    let seg = this.seg[d]!;
    const dest = this.dest[d]!;
    for (let guard = 0; guard < 10_000; guard++) {
      const e = code >= 0 ? code : -code - 2;
      const len = roads.edgeLength[e]!;
      const v = walking ? this.speed[d]! : this.speed[d]! * roads.edgeSpeed[e]!;
      const toEnd = (len - off) / v;
      if (remaining < toEnd) {
        off += v * remaining;
        break;
      }
      remaining -= toEnd;
      const node = code >= 0 ? roads.edgeTo[e]! : roads.edgeFrom[e]!;
      if (node === dest) {
        this.setPos(d, roads.nodeX[node]!, roads.nodeY[node]!);
        this.edge[d] = -1;
        const b = this.c.behaviours[this.behaviour[d]!]! as Extract<BehaviourProfile, { kind: 'vehicle' | 'commuter' }>;
        this.arrive(d, b, t1 - remaining, node, mode);
        return;
      }
      code = roads.nextEdges(mode, dest)[node]!;
      off = 0;
      seg = 0;
      if (code === -1) {
        // Route vanished (cannot happen inside one component); stop at this node.
        this.setPos(d, roads.nodeX[node]!, roads.nodeY[node]!);
        this.edge[d] = -1;
        const b = this.c.behaviours[this.behaviour[d]!]! as Extract<BehaviourProfile, { kind: 'vehicle' | 'commuter' }>;
        this.arrive(d, b, t1 - remaining, node, mode);
        return;
      }
    }
    const e = code >= 0 ? code : -code - 2;
    const along = code >= 0 ? off : roads.edgeLength[e]! - off;
    seg = roads.positionOnEdge(e, along, seg, this.xy);
    this.setPos(d, this.xy[0]!, this.xy[1]!);
    this.edge[d] = code;
    this.off[d] = off;
    this.seg[d] = seg;
  }

  /** End of a trip at node `node` at time `at`. */
  private arrive(d: number, b: Extract<BehaviourProfile, { kind: 'vehicle' | 'commuter' }>, at: number, node: number, mode: TravelMode): void {
    void mode;
    const roads = this.c.roads!;
    if (b.kind === 'vehicle') {
      this.activity[d] = Activity.Parked;
      this.setPos(d, roads.nodeX[node]!, roads.nodeY[node]!);
      const r = this.draw(d);
      this.nextT[d] = at + powerLawDraw(r.uniform(), b.dwell.min, b.dwell.max, b.dwell.alpha);
      return;
    }
    // Commuter: step off the road to the workplace or home.
    const leaveHome = b.leave_home + (2 * this.trait(d, 2) - 1) * b.jitter;
    const leaveWork = b.leave_work + (2 * this.trait(d, 3) - 1) * b.jitter;
    const toWork = (this.flags[d]! & 1) === 1;
    this.activity[d] = toWork ? Activity.Work : Activity.Home;
    if (toWork) this.setPos(d, this.wx[d]!, this.wy[d]!);
    else this.setPos(d, this.hx[d]!, this.hy[d]!);
    this.nextT[d] = nextLocal(at, this.c.localStart, toWork ? leaveWork : leaveHome);
  }

  private commuterMode(d: number, b: Extract<BehaviourProfile, { kind: 'commuter' }>): TravelMode {
    const far = Math.hypot(this.wx[d]! - this.hx[d]!, this.wy[d]! - this.hy[d]!) > b.max_walk_km * 1000;
    return far || this.trait(d, 4) < b.car_share ? 'car' : 'foot';
  }

  private workNode(d: number, b: Extract<BehaviourProfile, { kind: 'commuter' }>): number {
    return this.c.roads!.nearestNode(this.wx[d]!, this.wy[d]!, this.commuterMode(d, b) === 'car');
  }

  private startCommute(d: number, b: Extract<BehaviourProfile, { kind: 'commuter' }>, at: number): void {
    const roads = this.c.roads!;
    const mode = this.commuterMode(d, b);
    const toWork = this.activity[d] === Activity.Home;
    this.flags[d] = toWork ? this.flags[d]! | 1 : this.flags[d]! & ~1;
    const target = toWork ? this.workNode(d, b) : roads.nearestNode(this.hx[d]!, this.hy[d]!, mode === 'car');
    this.startTrip(d, b, mode, target, at);
  }
}
