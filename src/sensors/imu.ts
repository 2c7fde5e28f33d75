/**
 * Accelerometer and gyroscope error model, per axis, applied to the physical signal in the device
 * frame: digital low-pass (2nd-order Butterworth at the bandwidth) → scale-factor error and axis misalignment (a 3×3 matrix per
 * device) → constant + turn-on bias, Gauss–Markov bias instability, bias random walk → white noise
 * (σ = ND·√bandwidth) → range saturation → quantisation to signed `bits`-bit codes → dropped samples
 * (the previous output is held). Gyroscopes add g-sensitivity (°/s per g of specific force).
 *
 * Biases drift once per tick (they vary over tens of seconds and more), so a sample costs one
 * Gaussian draw per axis. State lives in per-device columns; streams are (seed, kind, device).
 */
import { componentKey, fillGaussian, gaussianBlock, seedFastState, FastRandom } from '../core/random.js';
import { NOISE_STATE_WORDS, NoiseKernel, seedNoiseState } from '../core/noise-kernel.js';
import { G } from '../core/units.js';
import { lowpass, type Biquad } from '../core/biquad.js';
import type { ColumnSet, ColumnSpec } from '../core/columns.js';
import type { Seed } from '../core/random.js';
import { noiseBandwidth, type AccelerometerProfile, type GyroscopeProfile, type PhoneProfile } from './profile.js';

export type ImuKind = 'accel' | 'gyro';

const DEG = Math.PI / 180;
const ROUND = 6755399441055744; // 1.5 · 2^52

/** A profile's parameters in SI units (m/s² or rad/s). */
interface Params {
  rate: number;
  sigma: number;
  range: number;
  /** Quantisation step; 0 when outputs are not quantised. */
  lsb: number;
  codeMin: number;
  codeMax: number;
  biasConstant: number;
  biasTurnOn: number;
  gmSigma: number;
  gmTau: number;
  rwPerSqrtS: number;
  scale: number;
  misalign: number;
  drop: number;
  /** No bias, bias drift, scale error, misalignment, drops or g-sensitivity: every device's sensor is ideal. */
  ideal: boolean;
  lpf?: Biquad;
  /** Gyroscope only: rad/s per m/s² of specific force. */
  gSens: number;
  /** Multiplies the output (a firmware's gain error; 1 otherwise). */
  gain: number;
}

/** What a firmware update changes in a sensor: noise density and output gain multipliers, a new low-pass bandwidth. */
export interface SensorVariant {
  noiseScale: number;
  gain: number;
  lowpassHz?: number;
}

function params(kind: ImuKind, p: AccelerometerProfile | GyroscopeProfile | undefined, v?: SensorVariant): Params | undefined {
  if (!p) return undefined;
  if (v?.lowpassHz !== undefined) p = { ...p, bandwidth_hz: v.lowpassHz };
  const a = kind === 'accel';
  const unitNoise = a ? 1e-6 * G : 1e-3 * DEG; // µg or mdps → SI
  const unitBias = a ? 1e-3 * G : DEG; // mg or °/s
  const unitFine = a ? 1e-6 * G : DEG; // µg or °/s
  const nd = a ? (p as AccelerometerProfile).noise_density_ug : (p as GyroscopeProfile).noise_density_mdps;
  const range = a ? (p as AccelerometerProfile).range_g * G : (p as GyroscopeProfile).range_dps * DEG;
  const bw = noiseBandwidth(p);
  const bits = p.resolution_bits;
  const lsb = bits === undefined ? 0 : (2 * range) / 2 ** bits;
  return {
    rate: p.rate_hz,
    sigma: nd * unitNoise * Math.sqrt(bw) * (v?.noiseScale ?? 1) * (v?.gain ?? 1),
    range,
    lsb,
    codeMin: bits === undefined ? -Infinity : -(2 ** (bits - 1)),
    codeMax: bits === undefined ? Infinity : 2 ** (bits - 1) - 1,
    biasConstant: (p.bias?.constant ?? 0) * unitBias,
    biasTurnOn: (p.bias?.turn_on ?? 0) * unitBias,
    gmSigma: (p.bias_instability?.sigma ?? 0) * unitFine,
    gmTau: p.bias_instability?.correlation_time ?? 1,
    rwPerSqrtS: (p.bias_random_walk ?? 0) * unitFine,
    scale: (p.scale_error_pct ?? 0) / 100,
    misalign: (p.misalignment_mrad ?? 0) / 1000,
    drop: p.drop_probability ?? 0,
    ideal: !p.bias?.constant && !p.bias?.turn_on && !p.bias_instability?.sigma && !p.bias_random_walk && !p.scale_error_pct && !p.misalignment_mrad && !p.drop_probability
      && (a || !(p as GyroscopeProfile).g_sensitivity_dps_per_g),
    lpf: p.bandwidth_hz !== undefined && p.bandwidth_hz < 0.45 * p.rate_hz ? lowpass(p.bandwidth_hz, p.rate_hz) : undefined,
    gSens: !a ? ((p as GyroscopeProfile).g_sensitivity_dps_per_g ?? 0) * (DEG / G) : 0,
    gain: v?.gain ?? 1,
  };
}

/** Columns an IMU kind needs. */
export function imuColumns(kind: ImuKind): ColumnSpec[] {
  return [
    { name: `${kind}.rng`, type: 'i32', width: 4 },
    /** The white-noise stream (four lanes for the SIMD kernel). */
    { name: `${kind}.noise`, type: 'i32', width: NOISE_STATE_WORDS },
    { name: `${kind}.seeded`, type: 'u8' },
    { name: `${kind}.m`, type: 'f32', width: 9 },
    { name: `${kind}.bias`, type: 'f32', width: 3 },
    { name: `${kind}.gm`, type: 'f32', width: 3 },
    { name: `${kind}.rw`, type: 'f32', width: 3 },
    { name: `${kind}.lpf`, type: 'f64', width: 6 },
    { name: `${kind}.hold`, type: 'f32', width: 3 },
    { name: `${kind}.skip`, type: 'i32' },
  ];
}

export class ImuModel {
  readonly kind: ImuKind;
  /** Per phone profile, per firmware variant (0: the profile as it is). */
  private readonly params: (Params | undefined)[][];
  private readonly phone: Uint8Array;
  private readonly rng: Int32Array;
  private readonly noiseState: Int32Array;
  private readonly noiseKey: number;
  private readonly seeded: Uint8Array;
  private readonly m: Float32Array;
  private readonly bias: Float32Array;
  private readonly gm: Float32Array;
  private readonly rw: Float32Array;
  private readonly lpf: Float64Array;
  private readonly hold: Float32Array;
  private readonly skip: Int32Array;
  private readonly seed: Seed;
  private readonly three = new Float32Array(3);
  private readonly fifteen = new Float32Array(15);
  /** 1 for samples of the last `apply` that were dropped (the previous output held); read the first n. */
  dropped = new Uint8Array(0);
  private droppedAny = false;

  constructor(kind: ImuKind, o: { seed: Seed; columns: ColumnSet; phones: readonly PhoneProfile[]; variants?: readonly SensorVariant[] }) {
    this.kind = kind;
    this.params = o.phones.map((p) => {
      const profile = kind === 'accel' ? p.accelerometer : p.gyroscope;
      return [params(kind, profile), ...(o.variants ?? []).map((v) => params(kind, profile, v))];
    });
    const c = o.columns;
    this.phone = c.u8('phone');
    this.rng = c.i32(`${kind}.rng`);
    this.noiseState = c.i32(`${kind}.noise`);
    this.noiseKey = componentKey(o.seed, `${kind}.noise`);
    this.seeded = c.u8(`${kind}.seeded`);
    this.m = c.f32(`${kind}.m`);
    this.bias = c.f32(`${kind}.bias`);
    this.gm = c.f32(`${kind}.gm`);
    this.rw = c.f32(`${kind}.rw`);
    this.lpf = c.f64(`${kind}.lpf`);
    this.hold = c.f32(`${kind}.hold`);
    this.skip = c.i32(`${kind}.skip`);
    this.seed = o.seed;
  }

  /** Whether device d's phone has this sensor. */
  has(d: number): boolean {
    return this.params[this.phone[d]!]![0] !== undefined;
  }

  /** Output rate of device d's sensor, Hz (0 without the sensor). */
  rate(d: number): number {
    return this.params[this.phone[d]!]![0]?.rate ?? 0;
  }

  private gauss3(d: number, sigma: number): Float32Array {
    fillGaussian(this.rng, 4 * d, this.three, 0, 3, 1, sigma);
    return this.three;
  }

  private nextDrop(d: number, p: Params): number {
    if (p.drop <= 0) return -1;
    const u = new FastRandom(this.rng, 4 * d).uniform();
    return 1 + Math.floor(Math.log(u) / Math.log(1 - p.drop));
  }

  /** Draws device d's manufacturing errors (bias, scale, misalignment) and its initial bias state. */
  private init(d: number, p: Params): void {
    seedFastState(this.rng, 4 * d, this.seed, this.kind, d);
    seedNoiseState(this.noiseState, NOISE_STATE_WORDS * d, this.noiseKey, d);
    // Fifteen standard normal deviates, in order: constant bias, turn-on bias, scale, misalignment (6).
    const z = this.fifteen;
    gaussianBlock(this.rng, 4 * d, z, 15, 1);
    for (let i = 0; i < 3; i++) this.bias[3 * d + i] = p.biasConstant * z[i]! + p.biasTurnOn * z[3 + i]!;
    const sc = p.scale, mi = p.misalign, m = this.m, o = 9 * d;
    m[o] = 1 + sc * z[6]!; m[o + 1] = mi * z[9]!; m[o + 2] = mi * z[10]!;
    m[o + 3] = mi * z[11]!; m[o + 4] = 1 + sc * z[7]!; m[o + 5] = mi * z[12]!;
    m[o + 6] = mi * z[13]!; m[o + 7] = mi * z[14]!; m[o + 8] = 1 + sc * z[8]!;
    const g = this.gauss3(d, p.gmSigma); // start the Gauss–Markov bias in its stationary state
    for (let i = 0; i < 3; i++) { this.gm[3 * d + i] = g[i]!; this.rw[3 * d + i] = 0; }
    this.skip[d] = this.nextDrop(d, p);
    this.seeded[d] = 1;
  }


  /**
   * Turns device d's physical signal (device frame, SI units, n samples) into sensor output in
   * place. `dt` is the tick length (bias drift step). For gyroscopes, (fx, fy, fz) is the specific
   * force in the device frame, for g-sensitivity. `variant`: the firmware the phone runs (0: as its profile says).
   */
  apply(d: number, n: number, dt: number, x: Float32Array, y: Float32Array, z: Float32Array, fx?: Float32Array, fy?: Float32Array, fz?: Float32Array, variant = 0): void {
    const byVariant = this.params[this.phone[d]!]!, p = byVariant[variant];
    if (!p) return;
    // A firmware gain multiplies the signal the sensor sees (and its noise, scaled in sigma).
    if (p.gain !== 1) for (let i = 0; i < n; i++) { x[i] = x[i]! * p.gain; y[i] = y[i]! * p.gain; z[i] = z[i]! * p.gain; }
    if (!this.seeded[d]) {
      // Manufacturing errors are drawn once, from the profile as it is (a firmware update does not change them).
      this.init(d, byVariant[0]!);
      // The low-pass has been running long before the first sample: prime it at steady state.
      if (p.lpf && n > 0) {
        const { b0, b2, a2 } = p.lpf, st = this.lpf, o = 6 * d;
        [x[0]!, y[0]!, z[0]!].forEach((v, c) => { st[o + 2 * c] = v * (1 - b0); st[o + 2 * c + 1] = v * (b2 - a2); });
      }
    }
    const b3 = 3 * d;
    if (p.ideal && !p.lpf && p.lsb === 0) {
      // A profile without bias, scale, misalignment, drops, band-limiting and resolution: white noise
      // and the range, added in place by the SIMD kernel.
      NoiseKernel.get().noise3(this.noiseState, NOISE_STATE_WORDS * d, x, y, z, n, p.sigma, p.range, true);
      if (n > 0) { this.hold[b3] = x[n - 1]!; this.hold[b3 + 1] = y[n - 1]!; this.hold[b3 + 2] = z[n - 1]!; }
      return;
    }
    // Bias drift over the tick: Gauss–Markov instability and random walk.
    if (p.gmSigma > 0) {
      const a = Math.exp(-dt / p.gmTau);
      const w = this.gauss3(d, p.gmSigma * Math.sqrt(1 - a * a));
      for (let i = 0; i < 3; i++) this.gm[b3 + i] = a * this.gm[b3 + i]! + w[i]!;
    }
    if (p.rwPerSqrtS > 0) {
      const w = this.gauss3(d, p.rwPerSqrtS * Math.sqrt(dt));
      for (let i = 0; i < 3; i++) this.rw[b3 + i] = this.rw[b3 + i]! + w[i]!;
    }
    const bx = this.bias[b3]! + this.gm[b3]! + this.rw[b3]!;
    const by = this.bias[b3 + 1]! + this.gm[b3 + 1]! + this.rw[b3 + 1]!;
    const bz = this.bias[b3 + 2]! + this.gm[b3 + 2]! + this.rw[b3 + 2]!;
    // Digital low-pass of the physical signal (2nd-order Butterworth at the bandwidth).
    if (p.lpf) {
      const { b0, b1, b2, a1, a2 } = p.lpf, st = this.lpf, o = 6 * d;
      let xz1 = st[o]!, xz2 = st[o + 1]!, yz1 = st[o + 2]!, yz2 = st[o + 3]!, zz1 = st[o + 4]!, zz2 = st[o + 5]!;
      for (let i = 0; i < n; i++) {
        let v = x[i]!;
        let w = b0 * v + xz1; xz1 = b1 * v - a1 * w + xz2; xz2 = b2 * v - a2 * w; x[i] = w;
        v = y[i]!;
        w = b0 * v + yz1; yz1 = b1 * v - a1 * w + yz2; yz2 = b2 * v - a2 * w; y[i] = w;
        v = z[i]!;
        w = b0 * v + zz1; zz1 = b1 * v - a1 * w + zz2; zz2 = b2 * v - a2 * w; z[i] = w;
      }
      st[o] = xz1; st[o + 1] = xz2; st[o + 2] = yz1; st[o + 3] = yz2; st[o + 4] = zz1; st[o + 5] = zz2;
    }
    const m = this.m, o = 9 * d;
    const m0 = m[o]!, m1 = m[o + 1]!, m2 = m[o + 2]!, m3 = m[o + 3]!, m4 = m[o + 4]!, m5 = m[o + 5]!, m6 = m[o + 6]!, m7 = m[o + 7]!, m8 = m[o + 8]!;
    // Samples dropped in this call are flagged; the flags of the last call that dropped any are cleared first.
    if (this.droppedAny) { this.dropped.fill(0); this.droppedAny = false; }
    let skip = this.skip[d]!;
    const ideal = skip <= 0 && p.gSens === 0 && bx === 0 && by === 0 && bz === 0 && m0 === 1 && m4 === 1 && m8 === 1 && m1 === 0 && m2 === 0 && m3 === 0 && m5 === 0 && m6 === 0 && m7 === 0;
    // White noise from the SIMD kernel: added (and clipped to the range) in place for an ideal sensor
    // without quantisation (what a profile without bias, scale, misalignment, drops and resolution
    // gives), else drawn into scratch for the general loop below.
    const kernel = NoiseKernel.get(), ns = this.noiseState, no = NOISE_STATE_WORDS * d;
    if (ideal && p.lsb === 0) {
      kernel.noise3(ns, no, x, y, z, n, p.sigma, p.range, true);
      if (n > 0) { this.hold[b3] = x[n - 1]!; this.hold[b3 + 1] = y[n - 1]!; this.hold[b3 + 2] = z[n - 1]!; }
      return;
    }
    if (n > kernel.capacity) kernel.ensure(n);
    const nx = kernel.scratch.x, ny = kernel.scratch.y, nz = kernel.scratch.z;
    kernel.noise3(ns, no, nx, ny, nz, n, p.sigma, p.range, false);
    const lsb = p.lsb, inv = 1 / lsb, cmin = p.codeMin, cmax = p.codeMax, gs = p.gSens;
    let hx = this.hold[b3]!, hy = this.hold[b3 + 1]!, hz = this.hold[b3 + 2]!;
    // An ideal quantised sensor (no scale error, misalignment, bias, g-sensitivity or drops: what a
    // profile without them gives) is noise, range and quantisation only. The general loop below would compute
    // the very same numbers (adding exact zeros); this one skips the arithmetic.
    if (ideal) {
      for (let i = 0; i < n; i++) {
        let cx = ((x[i]! + nx[i]!) * inv + ROUND) - ROUND;
        let cy = ((y[i]! + ny[i]!) * inv + ROUND) - ROUND;
        let cz = ((z[i]! + nz[i]!) * inv + ROUND) - ROUND;
        cx = cx < cmin ? cmin : cx > cmax ? cmax : cx;
        cy = cy < cmin ? cmin : cy > cmax ? cmax : cy;
        cz = cz < cmin ? cmin : cz > cmax ? cmax : cz;
        hx = x[i] = cx * lsb;
        hy = y[i] = cy * lsb;
        hz = z[i] = cz * lsb;
      }
      this.hold[b3] = hx; this.hold[b3 + 1] = hy; this.hold[b3 + 2] = hz;
      return;
    }
    if (this.dropped.length < n) this.dropped = new Uint8Array(n);
    const dropped = this.dropped;
    const quantised = lsb > 0, range = p.range;
    for (let i = 0; i < n; i++) {
      let ix = x[i]!, iy = y[i]!, iz = z[i]!;
      if (gs !== 0) { ix += gs * fx![i]!; iy += gs * fy![i]!; iz += gs * fz![i]!; }
      let vx = m0 * ix + m1 * iy + m2 * iz + bx + nx[i]!;
      let vy = m3 * ix + m4 * iy + m5 * iz + by + ny[i]!;
      let vz = m6 * ix + m7 * iy + m8 * iz + bz + nz[i]!;
      if (quantised) {
        // Round to the nearest code (half to even) by the 1.5·2^52 trick: exact for |code| < 2^51.
        let cx = (vx * inv + ROUND) - ROUND, cy = (vy * inv + ROUND) - ROUND, cz = (vz * inv + ROUND) - ROUND;
        cx = cx < cmin ? cmin : cx > cmax ? cmax : cx;
        cy = cy < cmin ? cmin : cy > cmax ? cmax : cy;
        cz = cz < cmin ? cmin : cz > cmax ? cmax : cz;
        vx = cx * lsb; vy = cy * lsb; vz = cz * lsb;
      } else {
        vx = vx < -range ? -range : vx > range ? range : vx;
        vy = vy < -range ? -range : vy > range ? range : vy;
        vz = vz < -range ? -range : vz > range ? range : vz;
      }
      if (skip > 0 && --skip === 0) {
        x[i] = hx; y[i] = hy; z[i] = hz; // dropped: the previous output is held
        dropped[i] = 1;
        this.droppedAny = true;
        skip = this.nextDrop(d, p);
        continue;
      }
      hx = x[i] = vx;
      hy = y[i] = vy;
      hz = z[i] = vz;
    }
    this.skip[d] = skip;
    this.hold[b3] = hx; this.hold[b3 + 1] = hy; this.hold[b3 + 2] = hz;
  }
}
