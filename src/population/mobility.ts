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
import type { ColumnSpec } from '../core/columns.js';
import type { BehaviourProfile } from './behaviour.js';
import { Activity, CRASHED } from './mobility/activity.js';
import { inWindow, nextLocal, powerLawDraw } from './mobility/schedule.js';
import { MobilityState, type MobilityContext } from './mobility/state.js';
import { startFlight, walkStraight } from './mobility/walk.js';
import { drawDestination, startCommute, startTrip, travelRoads } from './mobility/road-trips.js';
import { hypot } from '../core/geo.js';

export { Activity, ACTIVITY_NAMES, CRASHED } from './mobility/activity.js';
export { inWindow, nextLocal, powerLawDraw } from './mobility/schedule.js';
export type { MobilityContext } from './mobility/state.js';

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

/** Moves people (and their phones) tick by tick, by behaviour kind: the move stage. */
export class Mobility {
  private readonly m: MobilityState;
  /** What each person is doing (mob.activity). */
  readonly activity: Uint8Array;
  /** Whether any device moves at all (stationary-only runs skip the work). */
  readonly anyMoving: boolean;

  constructor(c: MobilityContext) {
    this.m = new MobilityState(c);
    this.activity = this.m.activity;
    this.anyMoving = c.behaviours.some((b) => b.kind !== 'stationary' || b.work !== undefined);
  }

  /** Sets up device d at time t0 (home, workplace, first activity); called once, in the main thread. */
  init(d: number, t0: number): void {
    const b = this.m.c.behaviours[this.m.behaviour[d]!]!;
    this.m.hx[d] = this.m.x[d]!;
    this.m.hy[d] = this.m.y[d]!;
    this.m.wx[d] = this.m.x[d]!;
    this.m.wy[d] = this.m.y[d]!;
    const now = this.m.localTime(t0);
    switch (b.kind) {
      case 'stationary': {
        this.activity[d] = Activity.Home;
        if (b.work && this.m.trait(d, 1) < b.work.share) {
          this.m.places.sample(this.m.draw(d), this.m.pos);
          this.m.wx[d] = this.m.pos[0]!; this.m.wy[d] = this.m.pos[1]!;
        }
        // Workers start where their hours put them (at work in a run that starts in working hours),
        // as commuters do: deciding only at the first step would move them, and restart their
        // context and steadiness, one tick into the run.
        if (b.work) this.stepStationary(d, b, t0);
        else this.m.nextT[d] = Infinity;
        break;
      }
      case 'pedestrian': {
        this.activity[d] = Activity.Pause;
        const r = this.m.draw(d);
        // Start mid-pause: a random fraction of a pause.
        this.m.nextT[d] = t0 + r.uniform() * powerLawDraw(r.uniform(), b.pause.min, b.pause.max, b.pause.alpha);
        break;
      }
      case 'vehicle': {
        const roads = this.m.c.roads!;
        const node = roads.nearestNode(this.m.x[d]!, this.m.y[d]!, true);
        this.m.setPos(d, roads.nodeX[node]!, roads.nodeY[node]!);
        this.m.dest[d] = node;
        this.activity[d] = Activity.Parked;
        const r = this.m.draw(d);
        this.m.nextT[d] = t0 + r.uniform() * powerLawDraw(r.uniform(), b.dwell.min, b.dwell.max, b.dwell.alpha);
        break;
      }
      case 'commuter': {
        this.m.places.sample(this.m.draw(d), this.m.pos);
        this.m.wx[d] = this.m.pos[0]!; this.m.wy[d] = this.m.pos[1]!;
        const leaveHome = b.leave_home + (2 * this.m.trait(d, 2) - 1) * b.jitter;
        const leaveWork = b.leave_work + (2 * this.m.trait(d, 3) - 1) * b.jitter;
        const atWork = inWindow(now, leaveHome, leaveWork);
        this.activity[d] = atWork ? Activity.Work : Activity.Home;
        if (atWork) this.m.setPos(d, this.m.wx[d]!, this.m.wy[d]!);
        this.m.nextT[d] = nextLocal(t0, this.m.c.localStart, atWork ? leaveWork : leaveHome);
        break;
      }
    }
  }

  /**
   * When device d's activity next changes by itself (Infinity: never): its next scheduled change;
   * `t` while it walks or drives, or its vehicle crashed (it moves every tick).
   */
  nextChange(d: number, t: number): number {
    const b = this.m.c.behaviours[this.m.behaviour[d]!]!, act = this.activity[d]!;
    if (this.m.flags[d]! & CRASHED || act === Activity.Walk || act === Activity.Drive) return t;
    if (b.kind === 'stationary' && !b.work) return Infinity;
    return this.m.nextT[d]!;
  }

  /** Advances device d over [t0, t1); returns true when its activity changed. */
  step(d: number, t0: number, t1: number): boolean {
    const before = this.activity[d]!, x0 = this.m.x[d]!, y0 = this.m.y[d]!;
    const changed = this.advance(d, t0, t1);
    if (before === Activity.Drive || this.activity[d] === Activity.Drive) this.m.driven[d] = this.m.driven[d]! + hypot(this.m.x[d]! - x0, this.m.y[d]! - y0);
    return changed;
  }

  private advance(d: number, t0: number, t1: number): boolean {
    const b = this.m.c.behaviours[this.m.behaviour[d]!]!;
    const act = this.activity[d]!;
    if (this.m.flags[d]! & CRASHED) {
      // A crashed vehicle drives on until the crash time, then stays where it is.
      if (act !== Activity.Drive) return false;
      const stop = Math.min(t1, Math.max(t0, this.m.nextT[d]!));
      if (stop > t0) travelRoads(this.m, d, t0, stop);
      this.activity[d] = Activity.Parked;
      this.m.nextT[d] = Infinity;
      return true;
    }
    if (b.kind === 'stationary') {
      if (t1 <= this.m.nextT[d]! || !b.work) return false;
      return this.stepStationary(d, b, t1);
    }
    if (act === Activity.Walk || act === Activity.Drive) {
      if (b.kind === 'pedestrian') walkStraight(this.m, d, b, t0, t1);
      else travelRoads(this.m, d, t0, t1);
      return this.activity[d] !== act;
    }
    if (t1 <= this.m.nextT[d]!) return false;
    const at = this.m.nextT[d]!;
    switch (b.kind) {
      case 'pedestrian': startFlight(this.m, d, b, at); break;
      case 'vehicle': startTrip(this.m, d, b, 'car', drawDestination(this.m, d, true), at); break;
      case 'commuter': startCommute(this.m, d, b, at); break;
    }
    if (this.activity[d] === Activity.Walk || this.activity[d] === Activity.Drive) {
      if (b.kind === 'pedestrian') walkStraight(this.m, d, b, Math.max(t0, at), t1);
      else travelRoads(this.m, d, Math.max(t0, at), t1);
    }
    return this.activity[d] !== act;
  }

  private stepStationary(d: number, b: Extract<BehaviourProfile, { kind: 'stationary' }>, t: number): boolean {
    const w = b.work!;
    const works = this.m.trait(d, 1) < w.share;
    const start = w.start + (2 * this.m.trait(d, 2) - 1) * w.jitter;
    const end = w.end + (2 * this.m.trait(d, 3) - 1) * w.jitter;
    const before = this.activity[d];
    const atWork = works && inWindow(this.m.localTime(t), start, end);
    this.activity[d] = atWork ? Activity.Work : Activity.Home;
    if (atWork) this.m.setPos(d, this.m.wx[d]!, this.m.wy[d]!);
    else this.m.setPos(d, this.m.hx[d]!, this.m.hy[d]!);
    this.m.nextT[d] = works ? Math.min(nextLocal(t, this.m.c.localStart, start), nextLocal(t, this.m.c.localStart, end)) : Infinity;
    return before !== this.activity[d];
  }

}
