/**
 * Everyday motion: what phones feel when nothing is wrong, by context and activity — the excite
 * stage's first part. Walking and running (motion/gait.ts), a hand's sway, a vehicle's ride and
 * dynamics (motion/ride.ts) with a loose phone's slides (motion/loose-phone.ts), and events at rates per hour: door slams, knocks, drops, elevators,
 * stairs and handling (motion/events.ts). Draws are counter-based or per-device streams, so motion
 * does not depend on which thread renders it.
 */
import { componentKey, stableUniform, type Seed } from '../core/random.js';
import type { ColumnSet, ColumnSpec } from '../core/columns.js';
import { ROAD_CLASSES } from '../world/load.js';
import type { RoadNetwork } from '../world/roads.js';
import type { Block } from '../plugin/index.js';
import { CONTEXT_CODE, type BehaviourProfile } from './behaviour.js';
import { Activity } from './mobility.js';
import { renderGait, renderSway } from './motion/gait.js';
import { VehicleRide } from './motion/ride.js';
import { ROAD_SURFACE_COLUMNS, type FeatureHit } from './motion/road-surface.js';
import { RoadFeatureMap } from './motion/road-features.js';
import { LOOSE_PHONE_COLUMNS, LoosePhone } from './motion/loose-phone.js';
import { EverydayEvents } from './motion/events.js';

export { EVENT_NAMES } from './motion/events.js';

export const MOTION_COLUMNS: ColumnSpec[] = [
  { name: 'motion.ev', type: 'u8' },
  { name: 'motion.ev_t', type: 'f64', fill: -Infinity },
  { name: 'motion.ev_a', type: 'f32' },
  { name: 'motion.ev_dur', type: 'f32' },
  /** Altitude of the phone above the ground, m (floor, elevator, stairs). */
  { name: 'motion.alt', type: 'f32', fill: NaN },
  /** Previous position (m), speed (m/s) and heading (rad), for vehicle dynamics and walking direction. */
  { name: 'motion.prev', type: 'f32', width: 4, fill: NaN },
  /** The vehicle's heading (rad), speed (m/s), yaw rate (rad/s) and acceleration (m/s²). */
  { name: 'motion.ride', type: 'f64', width: 4 },
  ...ROAD_SURFACE_COLUMNS,
  ...LOOSE_PHONE_COLUMNS,
  /** The route code and distance along it at the end of the last tick (for the fixed road features passed since). */
  { name: 'motion.road_at', type: 'f64', width: 2, fill: NaN },
  { name: 'motion.vehicle_started', type: 'u8' },
  { name: 'motion.rng', type: 'i32', width: 4 },
  { name: 'motion.seeded', type: 'u8' },
  { name: 'motion.prev_ctx', type: 'u8', fill: 255 },
  /** The angle (rad) a seated person's pocketed phone is turned by the thigh; 0 standing. */
  { name: 'motion.seated', type: 'f32' },
];

export class EverydayMotion {
  private readonly behaviours: readonly BehaviourProfile[];
  private readonly behaviour: Uint8Array;
  private readonly context: Uint8Array;
  private readonly x: Float64Array;
  private readonly y: Float64Array;
  readonly alt: Float32Array;
  private readonly prev: Float32Array;
  private readonly prevCtx: Uint8Array;
  private readonly key: number;
  private readonly ride: VehicleRide;
  private readonly events: EverydayEvents;
  private readonly roads: RoadNetwork | undefined;
  private readonly edge: Int32Array | undefined;
  private readonly off: Float32Array | undefined;
  private readonly roadAt: Float64Array;
  private readonly features: RoadFeatureMap | undefined;
  private readonly hits: FeatureHit[] = [];
  private readonly loose: LoosePhone;

  constructor(o: { seed: Seed; columns: ColumnSet; behaviours: readonly BehaviourProfile[]; roads?: RoadNetwork }) {
    const c = o.columns;
    this.behaviours = o.behaviours;
    this.behaviour = c.u8('behaviour');
    this.context = c.u8('ctx.context');
    this.x = c.f64('x'); this.y = c.f64('y');
    this.alt = c.f32('motion.alt'); this.prev = c.f32('motion.prev'); this.prevCtx = c.u8('motion.prev_ctx');
    this.key = componentKey(o.seed, 'motion');
    this.ride = new VehicleRide(o.seed, c);
    this.events = new EverydayEvents(this.key, c, this.alt);
    this.roads = o.roads;
    this.edge = c.has('mob.edge') ? c.i32('mob.edge') : undefined;
    this.off = c.has('mob.off') ? c.f32('mob.off') : undefined;
    this.roadAt = c.f64('motion.road_at');
    this.features = o.roads ? new RoadFeatureMap(o.seed, o.roads) : undefined;
    this.loose = new LoosePhone(c.f64('motion.loose'), c.u8('motion.loose_sliding'));
  }

  /** The fixed road features device d's car passed over this tick, mapped onto the block's n samples. */
  private featureHits(d: number, n: number): FeatureHit[] {
    const hits = this.hits;
    hits.length = 0;
    const code = this.edge?.[d] ?? -1, off = this.off?.[d] ?? 0;
    const lastCode = this.roadAt[2 * d]!, lastOff = this.roadAt[2 * d + 1]!;
    // Mobility has already moved the car to the tick's end: the lane from where it was (or from the
    // lane's start, when it turned onto it during the tick) to where it is now.
    const from = code === lastCode && off >= lastOff ? lastOff : 0;
    this.roadAt[2 * d] = code; this.roadAt[2 * d + 1] = off;
    if (this.features && !Number.isNaN(lastCode)) this.features.between(code, from, off, n, hits);
    return hits;
  }

  /** The edge device d drives on, or -1 when it is not on a known edge. */
  private edgeOf(d: number): number {
    const code = this.edge?.[d] ?? -1;
    if (!this.roads || code === -1) return -1;
    return code >= 0 ? code : -code - 2;
  }

  /** Initial altitude: the floor a person is on (ground to 8th floor), phone 1 m above it. */
  private initAltitude(d: number): void {
    this.alt[d] = 3 * Math.floor(9 * stableUniform(this.key, d, 1) ** 2) + 1;
  }

  /**
   * Adds device d's everyday motion to block b (specific force east/north/up; angular rate in the
   * device frame and east/north/up), and sets the block's altitude at the start and end of the tick.
   */
  render(d: number, b: Block, activity: number, tick: number): void {
    const beh = this.behaviours[this.behaviour[d]!]!;
    const m = beh.motion;
    const ctx = this.context[d]!;
    const t0 = b.t0, t1 = b.t1, dt = t1 - t0;
    if (Number.isNaN(this.alt[d]!)) this.initAltitude(d);
    b.alt0 = b.alt1 = this.alt[d]!;
    // Movement of the person over the tick (for walking direction and vehicle dynamics).
    const x = this.x[d]!, y = this.y[d]!, p = 4 * d;
    const px = this.prev[p]!, py = this.prev[p + 1]!;
    const moved = Number.isNaN(px) ? 0 : Math.sqrt((x - px) * (x - px) + (y - py) * (y - py));
    const speed = moved / dt;
    const heading = moved > 0.05 ? Math.atan2(x - px, y - py) : (Number.isNaN(this.prev[p + 3]!) ? 0 : this.prev[p + 3]!);
    this.prev[p] = x; this.prev[p + 1] = y; this.prev[p + 2] = speed; this.prev[p + 3] = heading;

    // Picked up or put down since the last tick: a short handling transient.
    const before = this.prevCtx[d]!;
    this.prevCtx[d] = ctx;
    if (before !== 255 && before !== ctx) this.events.handle(d, t0);
    // Somebody seated who gets up to go somewhere stands up first.
    if (activity !== Activity.Home && activity !== Activity.Work) this.events.leaveSeat(d, t0);
    this.events.maybeStart(d, m, activity, ctx, tick, t0, dt);

    // Continuous motion.
    if (activity === Activity.Walk) {
      // Above 2.2 m/s people run: a faster cadence and about 2.5× the impacts.
      const running = speed > 2.2;
      // The cadence rises with speed across its range: 0.5–1.5 m/s walking, 2.5–3.5 m/s running.
      renderGait(this.key, d, b, ctx, running ? speed - 2 : speed, heading, running ? m.running_cadence_hz : m.cadence_hz, running ? 2.5 : 1);
    }
    else if (ctx === CONTEXT_CODE.hand) renderSway(this.key, d, b, 0.25, 0.08);
    else if (ctx === CONTEXT_CODE.pocket) renderSway(this.key, d, b, 0.05, 0.02);
    if (activity === Activity.Drive) {
      // The road type and the road under the car (residential, road 0, when it is on no known edge).
      const e = this.edgeOf(d);
      const road = e < 0 ? 'residential' : ROAD_CLASSES[this.roads!.edgeClass[e]!]!;
      // Pockets and bags ride on the seat or its occupant; mounts and loose phones on the car's body.
      const onSeat = ctx === CONTEXT_CODE.pocket || ctx === CONTEXT_CODE.bag;
      this.ride.render(d, b, speed, heading, road, e < 0 ? 0 : this.roads!.edgeRoad[e]!, m.road_class, this.featureHits(d, b.n), onSeat);
      // A phone lying loose in the car (a seat, the console, a cup holder) slides and knocks.
      if (ctx === CONTEXT_CODE.table) this.loose.apply(d, b);
    }

    // The active event; a seated person's pocketed phone stays turned with the thigh.
    if (this.events.active(d)) this.events.render(d, b, ctx, heading);
    this.events.holdPosture(d, b, ctx);
  }

  /** The everyday-motion event device d is in (or last had): its name, start and end; null when none. */
  currentEvent(d: number): { kind: string; from: number; to: number } | null {
    return this.events.currentEvent(d);
  }
}
