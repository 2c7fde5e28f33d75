/**
 * A phone in a vehicle: road roughness (ISO 8608 classes A–E) through a quarter-car response (body
 * bounce near 1.3 Hz, wheel hop near 11 Hz), RMS growing as √(roughness · speed), calibrated to
 * about 0.3 m/s² on a class-B road at 50 km/h (ISO 2631 ride measurements); plus the vehicle's own
 * dynamics: heading and speed integrated at the sample rate toward the route's, with the yaw rate
 * held to what keeps the lateral acceleration under 0.3 g (and the radius over 5 m), braking under
 * 0.5 g, speeding up under 0.3 g, and limited yaw acceleration and jerk. The block carries the
 * vehicle's heading, so phones in it (mounted or loose) turn with it.
 */
import { G } from '../../core/units.js';
import { fillGaussian, seedFastState, type Seed } from '../../core/random.js';
import type { ColumnSet } from '../../core/columns.js';
import type { Biquad } from '../../core/biquad.js';
import type { Block } from '../../plugin/index.js';

/** ISO 8608 roughness Gd(n0) at n0 = 0.1 cycles/m, geometric class means, m³. */
export const ROUGHNESS = { A: 16e-6, B: 64e-6, C: 256e-6, D: 1024e-6, E: 4096e-6 } as const;
/** Ride RMS (m/s²) = K · √(Gd/1e-6 · v): 0.3 m/s² on class B at 13.9 m/s. */
const RIDE_K = 0.3 / Math.sqrt(64 * 13.9);
const RIDE_BODY = { f: 1.3, q: 1.2, w: 1 };
const RIDE_WHEEL = { f: 11, q: 2, w: 0.35 };

function bandpass(f: number, q: number, fs: number): Biquad {
  const w0 = (2 * Math.PI * Math.min(f, 0.45 * fs)) / fs;
  const alpha = Math.sin(w0) / (2 * q);
  const a0 = 1 + alpha;
  return { b0: alpha / a0, b1: 0, b2: -alpha / a0, a1: (-2 * Math.cos(w0)) / a0, a2: (1 - alpha) / a0 };
}

/** Output RMS of a biquad for unit white input (sum of its squared impulse response). */
function noiseGain(f: Biquad): number {
  let z1 = 0, z2 = 0, e = 0;
  for (let i = 0; i < 20000; i++) {
    const v = i === 0 ? 1 : 0;
    const y = f.b0 * v + z1;
    z1 = f.b1 * v - f.a1 * y + z2;
    z2 = f.b2 * v - f.a2 * y;
    e += y * y;
  }
  return Math.sqrt(e);
}

/** Lateral acceleration drivers keep to in turns (comfortable ~0.3 g; hard ~0.5 g), m/s². */
const A_LAT = 0.3 * G;
/** Smallest turning radius of a car, m. */
const R_MIN = 5;
/** Braking and speeding-up limits, m/s² (under 0.5 g and 0.3 g, as before). */
const A_BRAKE = 0.5 * G;
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
  /** Whether the device's vehicle state (heading, speed, yaw rate, acceleration in motion.ride[4..8)) is set. */
  private readonly started: Uint8Array;
  private readonly filters = new Map<number, { body: Biquad; wheel: Biquad; norm: number }>();
  private noise = new Float32Array(0);

  constructor(private readonly seed: Seed, c: ColumnSet) {
    this.ride = c.f64('motion.ride');
    this.rng = c.i32('motion.rng');
    this.seeded = c.u8('motion.seeded');
    this.started = c.u8('motion.vehicle_started');
  }

  private rideFilters(fs: number) {
    let f = this.filters.get(fs);
    if (!f) {
      const body = bandpass(RIDE_BODY.f, RIDE_BODY.q, fs), wheel = bandpass(RIDE_WHEEL.f, RIDE_WHEEL.q, fs);
      // The two paths are independent, so their variances add.
      const norm = 1 / Math.sqrt((RIDE_BODY.w * noiseGain(body)) ** 2 + (RIDE_WHEEL.w * noiseGain(wheel)) ** 2);
      f = { body, wheel, norm };
      this.filters.set(fs, f);
    }
    return f;
  }

  /** Adds device d's ride and vehicle dynamics over block b, toward the route's speed (m/s) and heading (rad) over this tick. */
  render(d: number, b: Block, speed: number, heading: number, cls: keyof typeof ROUGHNESS): void {
    const n = b.n;
    if (!this.seeded[d]) {
      seedFastState(this.rng, 4 * d, this.seed, 'ride', d);
      this.seeded[d] = 1;
    }
    // Road roughness through the quarter-car response.
    const { body, wheel, norm } = this.rideFilters(b.fs);
    const rms = RIDE_K * Math.sqrt((ROUGHNESS[cls] / 1e-6) * Math.max(speed, 0));
    if (this.noise.length < n) this.noise = new Float32Array(n);
    fillGaussian(this.rng, 4 * d, this.noise, 0, n, 1, 1);
    const st = this.ride, o = 8 * d;
    let b1 = st[o]!, b2 = st[o + 1]!, w1 = st[o + 2]!, w2 = st[o + 3]!;
    for (let i = 0; i < n; i++) {
      const v = this.noise[i]!;
      const yb = body.b0 * v + b1; b1 = body.b1 * v - body.a1 * yb + b2; b2 = body.b2 * v - body.a2 * yb;
      const yw = wheel.b0 * v + w1; w1 = wheel.b1 * v - wheel.a1 * yw + w2; w2 = wheel.b2 * v - wheel.a2 * yw;
      b.au[i] = b.au[i]! + rms * norm * (RIDE_BODY.w * yb + RIDE_WHEEL.w * yw);
    }
    st[o] = b1; st[o + 1] = b2; st[o + 2] = w1; st[o + 3] = w2;
    // The vehicle itself: speed and heading continuous at the sample rate. The route gives each tick
    // a speed and a direction; the car follows them as drivers do — a yaw rate that keeps the
    // lateral acceleration under 0.3 g (and the turning radius over 5 m), braking under 0.5 g and
    // speeding up under 0.3 g, with limited yaw acceleration and jerk, so forces never step at a
    // tick boundary.
    const dts = 1 / b.fs;
    if (!this.started[d]) {
      st[o + 4] = heading; st[o + 5] = speed; st[o + 6] = 0; st[o + 7] = 0;
      this.started[d] = 1;
    }
    let psi = st[o + 4]!, v = st[o + 5]!, r = st[o + 6]!, acc = st[o + 7]!;
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
      // Specific force: along the heading (braking, speeding up) and toward the turn's centre.
      const fe = Math.sin(psi), fn = Math.cos(psi), lat = v * r;
      b.ae[i] = b.ae[i]! + acc * fe + lat * fn;
      b.an[i] = b.an[i]! + acc * fn - lat * fe;
      b.wu[i] = b.wu[i]! - r; // heading is clockwise from north; yaw rate about up is counter-clockwise
      b.dyaw[i] = psi;
    }
    psi -= 2 * Math.PI * Math.floor(psi / (2 * Math.PI));
    st[o + 4] = psi; st[o + 5] = v; st[o + 6] = r; st[o + 7] = acc;
    b.yawed = true;
  }
}
