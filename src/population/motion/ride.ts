/**
 * A phone in a vehicle: road roughness (ISO 8608 classes A–E) through a quarter-car response (body
 * bounce near 1.3 Hz, wheel hop near 11 Hz), RMS growing as √(roughness · speed), calibrated to
 * about 0.3 m/s² on a class-B road at 50 km/h (ISO 2631 ride measurements); plus the vehicle's own
 * braking, acceleration and turning from its movement, ramped so no tick boundary is a jolt.
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

export class VehicleRide {
  private readonly ride: Float64Array;
  private readonly rng: Int32Array;
  private readonly seeded: Uint8Array;
  private readonly filters = new Map<number, { body: Biquad; wheel: Biquad; norm: number }>();
  private noise = new Float32Array(0);

  constructor(private readonly seed: Seed, c: ColumnSet) {
    this.ride = c.f64('motion.ride');
    this.rng = c.i32('motion.rng');
    this.seeded = c.u8('motion.seeded');
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

  /** Adds device d's ride and vehicle dynamics over block b (speed m/s and heading rad, now and a tick ago). */
  render(d: number, b: Block, speed: number, prevSpeed: number, heading: number, prevHeading: number, cls: keyof typeof ROUGHNESS): void {
    const n = b.n, dt = b.t1 - b.t0;
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
    // Braking and acceleration along the travel direction; centripetal force and yaw rate in turns.
    const along = (speed - prevSpeed) / dt;
    let dh = heading - prevHeading;
    if (dh > Math.PI) dh -= 2 * Math.PI;
    if (dh < -Math.PI) dh += 2 * Math.PI;
    const yaw = speed > 1 ? dh / dt : 0;
    // The route model changes speed and heading from one tick to the next; a car cannot: braking
    // and cornering are held to what drivers do (under 0.5 g braking, 0.3 g speeding up, 0.5 g in
    // a turn), and each tick's force ramps from the last one's, so no step at a tick boundary
    // looks like a pothole or a crash to a detector.
    const alongG = Math.max(-0.5 * G, Math.min(0.3 * G, along));
    const lateral = Math.max(-0.5 * G, Math.min(0.5 * G, speed * yaw));
    // Ramped in east/north components: a force must not swing round when the heading does.
    const fe = Math.sin(heading), fn = Math.cos(heading);
    const east = alongG * fe + lateral * fn, north = alongG * fn - lateral * fe;
    const prevEast = st[o + 4]!, prevNorth = st[o + 5]!;
    st[o + 4] = east; st[o + 5] = north;
    for (let i = 0; i < n; i++) {
      const u = (i + 1) / n;
      b.ae[i] = b.ae[i]! + prevEast + u * (east - prevEast);
      b.an[i] = b.an[i]! + prevNorth + u * (north - prevNorth);
      b.wu[i] = b.wu[i]! - yaw; // heading is clockwise from north; yaw rate about up is counter-clockwise
    }
  }

}
