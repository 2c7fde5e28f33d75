/**
 * A phone in a vehicle: the vehicle's own dynamics — heading and speed integrated at the sample
 * rate toward the route's, with the yaw rate held to what keeps the lateral acceleration under
 * 0.3 g (and the radius over 5 m), braking under 3.4 m/s², speeding up under 0.3 g, and limited yaw
 * acceleration and jerk — and, at that speed sample by sample, what the road does to the body
 * (motion/road-surface.ts). The block carries the vehicle's heading, so phones in it (mounted or
 * loose) turn with it.
 */
import { G } from '../../core/units.js';
import { componentKey, fillGaussian, seedFastState, type Seed } from '../../core/random.js';
import type { ColumnSet } from '../../core/columns.js';
import type { Block } from '../../plugin/index.js';
import type { RoadClass } from '../../world/load.js';
import { RoadSurface, type FeatureHit, type RoughnessClass } from './road-surface.js';


/** Lateral acceleration drivers keep to in turns (comfortable ~0.3 g; hard ~0.5 g), m/s². */
const A_LAT = 0.3 * G;
/** Smallest turning radius of a car, m. */
const R_MIN = 5;
/**
 * Braking and speeding-up limits, m/s². Drivers stop at a comfortable 3.4 m/s² (0.35 g: AASHTO,
 * A Policy on Geometric Design of Highways and Streets, 2011, §3.2.2, the deceleration most drivers
 * keep under); speeding up under 0.3 g.
 */
const A_BRAKE = 3.4;
const A_SPEED_UP = 0.3 * G;
/** How quickly the car closes on the route's heading and speed, s. */
const TAU_HEADING = 1;
const TAU_SPEED = 2;
/** Yaw acceleration (rad/s²) and jerk (m/s³) limits: forces ramp, never step. */
const YAW_ACC = 0.5;
const JERK = 5;

export class VehicleRide {
  private readonly ride: Float64Array;
  private readonly rng: Int32Array;
  private readonly seeded: Uint8Array;
  /** Whether the device's vehicle state (heading, speed, yaw rate, acceleration in motion.ride) is set. */
  private readonly started: Uint8Array;
  private readonly surface: RoadSurface;
  private noise = new Float32Array(0);
  private speeds = new Float64Array(0);

  constructor(private readonly seed: Seed, c: ColumnSet) {
    this.ride = c.f64('motion.ride');
    this.rng = c.i32('motion.rng');
    this.seeded = c.u8('motion.seeded');
    this.started = c.u8('motion.vehicle_started');
    this.surface = new RoadSurface(c.f64('motion.road'), c.u8('motion.road_feature'), componentKey(seed, 'road-roughness'));
  }

  /**
   * Adds device d's vehicle dynamics and ride over block b, toward the route's speed (m/s) and
   * heading (rad) over this tick, on road `roadId` of type `road` (roughness class `cls` overrides its
   * ISO 8608 class), meeting the fixed features `hits` on the way; `onSeat` for a phone on the seat or its occupant.
   */
  render(d: number, b: Block, speed: number, heading: number, road: RoadClass, roadId = 0, cls?: RoughnessClass, hits: readonly FeatureHit[] = [], onSeat = false): void {
    const n = b.n;
    if (!this.seeded[d]) {
      seedFastState(this.rng, 4 * d, this.seed, 'ride', d);
      this.seeded[d] = 1;
    }
    const st = this.ride, o = 4 * d;
    if (this.speeds.length < n) { this.speeds = new Float64Array(n); this.noise = new Float32Array(n); }
    // The vehicle itself: speed and heading continuous at the sample rate. The route gives each tick
    // a speed and a direction; the car follows them as drivers do — a yaw rate that keeps the
    // lateral acceleration under 0.3 g (and the turning radius over 5 m), braking under 3.4 m/s² and
    // speeding up under 0.3 g, with limited yaw acceleration and jerk, so forces never step at a
    // tick boundary.
    const dts = 1 / b.fs;
    if (!this.started[d]) {
      st[o] = heading; st[o + 1] = speed; st[o + 2] = 0; st[o + 3] = 0;
      this.started[d] = 1;
    }
    let psi = st[o]!, v = st[o + 1]!, r = st[o + 2]!, acc = st[o + 3]!;
    for (let i = 0; i < n; i++) {
      let e = heading - psi;
      e -= 2 * Math.PI * Math.round(e / (2 * Math.PI));
      const rMax = Math.min(A_LAT / Math.max(v, 0.1), v / R_MIN);
      const rWant = Math.max(-rMax, Math.min(rMax, e / TAU_HEADING));
      r += Math.max(-YAW_ACC * dts, Math.min(YAW_ACC * dts, rWant - r));
      r = Math.max(-rMax, Math.min(rMax, r));
      psi += r * dts;
      const aWant = Math.max(-A_BRAKE, Math.min(A_SPEED_UP, (speed - v) / TAU_SPEED));
      acc += Math.max(-JERK * dts, Math.min(JERK * dts, aWant - acc));
      v = Math.max(0, v + acc * dts);
      if (v === 0 && acc < 0) acc = 0;
      this.speeds[i] = v;
      // Specific force: along the heading (braking, speeding up) and toward the turn's centre.
      const fe = Math.sin(psi), fn = Math.cos(psi), lat = v * r;
      b.ae[i] = b.ae[i]! + acc * fe + lat * fn;
      b.an[i] = b.an[i]! + acc * fn - lat * fe;
      b.wu[i] = b.wu[i]! - r; // heading is clockwise from north; yaw rate about up is counter-clockwise
      b.dyaw[i] = psi;
    }
    psi -= 2 * Math.PI * Math.floor(psi / (2 * Math.PI));
    st[o] = psi; st[o + 1] = v; st[o + 2] = r; st[o + 3] = acc;
    b.yawed = true;
    // The road under the wheels at that speed.
    fillGaussian(this.rng, 4 * d, this.noise, 0, n, 1, 1);
    this.surface.render(d, b, this.speeds, this.noise, road, roadId, cls, hits, onSeat);
  }
}
