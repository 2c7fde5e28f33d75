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
import { fillGaussian, seedFastState, FastRandom } from '../core/random.js';
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
  lpf?: Biquad;
  /** Gyroscope only: rad/s per m/s² of specific force. */
  gSens: number;
}

function params(kind: ImuKind, p: AccelerometerProfile | GyroscopeProfile | undefined): Params | undefined {
  if (!p) return undefined;
  const a = kind === 'accel';
  const unitNoise = a ? 1e-6 * G : 1e-3 * DEG; // µg or mdps → SI
  const unitBias = a ? 1e-3 * G : DEG; // mg or °/s
  const unitFine = a ? 1e-6 * G : DEG; // µg or °/s
  const nd = a ? (p as AccelerometerProfile).noise_density_ug : (p as GyroscopeProfile).noise_density_mdps;
  const range = a ? (p as AccelerometerProfile).range_g * G : (p as GyroscopeProfile).range_dps * DEG;
  const bw = noiseBandwidth(p);
  const lsb = (2 * range) / 2 ** p.resolution_bits;
  return {
    rate: p.rate_hz,
    sigma: nd * unitNoise * Math.sqrt(bw),
    range,
    lsb,
    codeMin: -(2 ** (p.resolution_bits - 1)),
    codeMax: 2 ** (p.resolution_bits - 1) - 1,
    biasConstant: (p.bias?.constant ?? 0) * unitBias,
    biasTurnOn: (p.bias?.turn_on ?? 0) * unitBias,
    gmSigma: (p.bias_instability?.sigma ?? 0) * unitFine,
    gmTau: p.bias_instability?.correlation_time ?? 1,
    rwPerSqrtS: (p.bias_random_walk ?? 0) * unitFine,
    scale: (p.scale_error_pct ?? 0) / 100,
    misalign: (p.misalignment_mrad ?? 0) / 1000,
    drop: p.drop_probability ?? 0,
    lpf: p.bandwidth_hz !== undefined && p.bandwidth_hz < 0.45 * p.rate_hz ? lowpass(p.bandwidth_hz, p.rate_hz) : undefined,
    gSens: !a ? ((p as GyroscopeProfile).g_sensitivity_dps_per_g ?? 0) * (DEG / G) : 0,
  };
}

/** Columns an IMU kind needs. */
export function imuColumns(kind: ImuKind): ColumnSpec[] {
  return [
    { name: `${kind}.rng`, type: 'i32', width: 4 },
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
  private readonly params: (Params | undefined)[];
  private readonly phone: Uint8Array;
  private readonly rng: Int32Array;
  private readonly seeded: Uint8Array;
  private readonly m: Float32Array;
  private readonly bias: Float32Array;
  private readonly gm: Float32Array;
  private readonly rw: Float32Array;
  private readonly lpf: Float64Array;
  private readonly hold: Float32Array;
  private readonly skip: Int32Array;
  private readonly seed: Seed;
  private nx = new Float32Array(0);
  private ny = new Float32Array(0);
  private nz = new Float32Array(0);
  private readonly three = new Float32Array(3);
  /** 1 for samples of the last `apply` that were dropped (the previous output held). */
  dropped = new Uint8Array(0);

  constructor(kind: ImuKind, o: { seed: Seed; columns: ColumnSet; phones: readonly PhoneProfile[] }) {
    this.kind = kind;
    this.params = o.phones.map((p) => params(kind, kind === 'accel' ? p.accelerometer : p.gyroscope));
    const c = o.columns;
    this.phone = c.u8('phone');
    this.rng = c.i32(`${kind}.rng`);
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
    return this.params[this.phone[d]!] !== undefined;
  }

  /** Output rate of device d's sensor, Hz (0 without the sensor). */
  rate(d: number): number {
    return this.params[this.phone[d]!]?.rate ?? 0;
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
    const c = this.gauss3(d, p.biasConstant).slice();
    const t = this.gauss3(d, p.biasTurnOn).slice();
    for (let i = 0; i < 3; i++) this.bias[3 * d + i] = c[i]! + t[i]!;
    const s = this.gauss3(d, p.scale).slice();
    const mis = Float32Array.from([...this.gauss3(d, p.misalign), ...this.gauss3(d, p.misalign)]);
    const m = this.m, o = 9 * d;
    m[o] = 1 + s[0]!; m[o + 1] = mis[0]!; m[o + 2] = mis[1]!;
    m[o + 3] = mis[2]!; m[o + 4] = 1 + s[1]!; m[o + 5] = mis[3]!;
    m[o + 6] = mis[4]!; m[o + 7] = mis[5]!; m[o + 8] = 1 + s[2]!;
    const g = this.gauss3(d, p.gmSigma); // start the Gauss–Markov bias in its stationary state
    for (let i = 0; i < 3; i++) { this.gm[3 * d + i] = g[i]!; this.rw[3 * d + i] = 0; }
    this.skip[d] = this.nextDrop(d, p);
    this.seeded[d] = 1;
  }

  private ensure(n: number): void {
    if (this.nx.length < n) {
      this.nx = new Float32Array(n);
      this.ny = new Float32Array(n);
      this.nz = new Float32Array(n);
    }
  }

  /**
   * Turns device d's physical signal (device frame, SI units, n samples) into sensor output in
   * place. `dt` is the tick length (bias drift step). For gyroscopes, (fx, fy, fz) is the specific
   * force in the device frame, for g-sensitivity.
   */
  apply(d: number, n: number, dt: number, x: Float32Array, y: Float32Array, z: Float32Array, fx?: Float32Array, fy?: Float32Array, fz?: Float32Array): void {
    const p = this.params[this.phone[d]!];
    if (!p) return;
    if (!this.seeded[d]) {
      this.init(d, p);
      // The low-pass has been running long before the first sample: prime it at steady state.
      if (p.lpf && n > 0) {
        const { b0, b2, a2 } = p.lpf, st = this.lpf, o = 6 * d;
        [x[0]!, y[0]!, z[0]!].forEach((v, c) => { st[o + 2 * c] = v * (1 - b0); st[o + 2 * c + 1] = v * (b2 - a2); });
      }
    }
    const b3 = 3 * d;
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
    this.ensure(n);
    const nx = this.nx, ny = this.ny, nz = this.nz;
    fillGaussian(this.rng, 4 * d, nx, 0, n, 1, p.sigma);
    fillGaussian(this.rng, 4 * d, ny, 0, n, 1, p.sigma);
    fillGaussian(this.rng, 4 * d, nz, 0, n, 1, p.sigma);
    const m = this.m, o = 9 * d;
    const m0 = m[o]!, m1 = m[o + 1]!, m2 = m[o + 2]!, m3 = m[o + 3]!, m4 = m[o + 4]!, m5 = m[o + 5]!, m6 = m[o + 6]!, m7 = m[o + 7]!, m8 = m[o + 8]!;
    const lsb = p.lsb, inv = 1 / lsb, cmin = p.codeMin, cmax = p.codeMax, gs = p.gSens;
    if (this.dropped.length < n) this.dropped = new Uint8Array(n);
    const dropped = this.dropped;
    dropped.fill(0, 0, n);
    let skip = this.skip[d]!;
    let hx = this.hold[b3]!, hy = this.hold[b3 + 1]!, hz = this.hold[b3 + 2]!;
    // An ideal sensor (no scale error, misalignment, bias, g-sensitivity or drops: what a profile
    // without them gives) is noise, range and quantisation only. The general loop below would compute
    // the very same numbers (adding exact zeros); this one skips the arithmetic.
    if (skip <= 0 && gs === 0 && bx === 0 && by === 0 && bz === 0 && m0 === 1 && m4 === 1 && m8 === 1 && m1 === 0 && m2 === 0 && m3 === 0 && m5 === 0 && m6 === 0 && m7 === 0) {
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
    for (let i = 0; i < n; i++) {
      let ix = x[i]!, iy = y[i]!, iz = z[i]!;
      if (gs !== 0) { ix += gs * fx![i]!; iy += gs * fy![i]!; iz += gs * fz![i]!; }
      // Round to the nearest code (half to even) by the 1.5·2^52 trick: exact for |code| < 2^51.
      let cx = ((m0 * ix + m1 * iy + m2 * iz + bx + nx[i]!) * inv + ROUND) - ROUND;
      let cy = ((m3 * ix + m4 * iy + m5 * iz + by + ny[i]!) * inv + ROUND) - ROUND;
      let cz = ((m6 * ix + m7 * iy + m8 * iz + bz + nz[i]!) * inv + ROUND) - ROUND;
      cx = cx < cmin ? cmin : cx > cmax ? cmax : cx;
      cy = cy < cmin ? cmin : cy > cmax ? cmax : cy;
      cz = cz < cmin ? cmin : cz > cmax ? cmax : cz;
      if (skip > 0 && --skip === 0) {
        x[i] = hx; y[i] = hy; z[i] = hz; // dropped: the previous output is held
        dropped[i] = 1;
        skip = this.nextDrop(d, p);
        continue;
      }
      hx = x[i] = cx * lsb;
      hy = y[i] = cy * lsb;
      hz = z[i] = cz * lsb;
    }
    this.skip[d] = skip;
    this.hold[b3] = hx; this.hold[b3 + 1] = hy; this.hold[b3 + 2] = hz;
  }
}
