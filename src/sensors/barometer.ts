/**
 * Barometer: reads the ambient pressure at the phone — the standard atmosphere at its altitude
 * (floors, stairs and elevators move it by about −12 Pa per metre), a regional weather drift (a
 * random walk shared by every phone, since weather is coherent over a region), and whatever hazards
 * add (fronts, vortices) — plus a per-phone offset, a temperature coefficient (the phone is warmer
 * in a pocket or while charging), white noise, and quantisation to the output resolution. The chip
 * runs at its own ODR behind an optional digital low-pass (ODR/9 or ODR/20, as the LPS22HH's); the
 * phone logs its latest reading at the profile's rate. Pressure itself changes far slower than the
 * filter's band, so the filter is rendered by what it does to the noise: each logged reading's noise
 * is the chip's white noise through the filter (its RMS gain, from the filter's impulse response).
 */
import { FastRandom, fillGaussian, seedFastState, type Seed } from '../core/random.js';
import type { ColumnSet, ColumnSpec } from '../core/columns.js';
import { P0 } from '../core/units.js';
import { lowpass } from '../core/biquad.js';
import { CONTEXT_CODE } from '../population/behaviour.js';
import { stableNormal } from './clock.js';
import { componentKey } from '../core/random.js';
import type { PhoneProfile } from './profile.js';

export const BAROMETER_COLUMNS: ColumnSpec[] = [
  { name: 'baro.rng', type: 'i32', width: 4 },
  { name: 'baro.seeded', type: 'u8' },
  /** Phone temperature, °C. */
  { name: 'baro.temp', type: 'f32' },
];

/**
 * RMS of the chip's low-pass for unit white noise at its ODR: a second-order Butterworth at ODR/9 or
 * ODR/20 (1 when off). Readings logged at ≤ ODR are ODR samples apart or more, so they stay nearly
 * independent after the filter.
 */
export function lowpassNoiseGain(setting: 'off' | 'odr/9' | 'odr/20', odrHz: number): number {
  if (setting === 'off') return 1;
  const f = lowpass(odrHz / (setting === 'odr/9' ? 9 : 20), odrHz);
  let z1 = 0, z2 = 0, e = 0;
  for (let i = 0; i < 10000; i++) {
    const x = i === 0 ? 1 : 0;
    const y = f.b0 * x + z1;
    z1 = f.b1 * x - f.a1 * y + z2;
    z2 = f.b2 * x - f.a2 * y;
    e += y * y;
  }
  return Math.sqrt(e);
}

/** International standard atmosphere: pressure (Pa) at altitude h (m). */
export const standardPressure = (h: number): number => P0 * Math.pow(1 - 2.25577e-5 * h, 5.25588);

/** Temperature a phone settles to in each context, °C (before charging warmth). */
const CONTEXT_TEMPERATURE = [24, 30, 32, 26, 28];

/** The regional weather: a random walk of sea-level pressure, sampled every minute and interpolated. */
export class Weather {
  private readonly values: Float64Array;
  constructor(seed: Seed, durationS: number, paPerSqrtHour: number) {
    const n = Math.ceil(durationS / 60) + 2;
    this.values = new Float64Array(n);
    const r = FastRandom.of(seed, 'weather');
    const step = paPerSqrtHour * Math.sqrt(60 / 3600);
    for (let i = 1; i < n; i++) this.values[i] = this.values[i - 1]! + step * r.normal();
  }
  at(t: number): number {
    const x = Math.max(0, t / 60);
    const i = Math.min(Math.floor(x), this.values.length - 2);
    return this.values[i]! + (x - i) * (this.values[i + 1]! - this.values[i]!);
  }
}

export class BarometerModel {
  private readonly phones: readonly PhoneProfile[];
  private readonly phone: Uint8Array;
  private readonly rng: Int32Array;
  private readonly seeded: Uint8Array;
  private readonly temp: Float32Array;
  private readonly context: Uint8Array;
  private readonly charging: Uint8Array;
  private readonly seed: Seed;
  private readonly offsetKey: number;
  private readonly weather: Weather;
  private noise = new Float32Array(0);

  constructor(o: { seed: Seed; columns: ColumnSet; phones: readonly PhoneProfile[]; weather: Weather }) {
    const c = o.columns;
    this.phones = o.phones;
    this.phone = c.u8('phone');
    this.rng = c.i32('baro.rng');
    this.seeded = c.u8('baro.seeded');
    this.temp = c.f32('baro.temp');
    this.context = c.u8('ctx.context');
    this.charging = c.u8('ctx.charging');
    this.seed = o.seed;
    this.offsetKey = componentKey(o.seed, 'baro-offset');
    this.weather = o.weather;
  }

  private readonly gains = new Map<object, number>();
  /** The low-pass's noise gain for profile barometer b. */
  private noiseGain(b: NonNullable<PhoneProfile['barometer']>): number {
    let g = this.gains.get(b);
    if (g === undefined) this.gains.set(b, (g = lowpassNoiseGain(b.lowpass, b.odr_hz ?? b.rate_hz)));
    return g;
  }

  has(d: number): boolean {
    return this.phones[this.phone[d]!]!.barometer !== undefined;
  }

  /**
   * Device d's readings for samples [pk0, pk0 + pn) at pfs Hz into out (Pa): altitude goes from
   * alt0 to alt1 over the tick [t0, t1); dp holds what hazards add.
   */
  read(d: number, t0: number, t1: number, pk0: number, pn: number, pfs: number, alt0: number, alt1: number, dp: Float32Array, out: Float32Array): void {
    const b = this.phones[this.phone[d]!]!.barometer;
    if (!b) return;
    if (!this.seeded[d]) {
      seedFastState(this.rng, 4 * d, this.seed, 'barometer', d);
      this.temp[d] = CONTEXT_TEMPERATURE[this.context[d]!] ?? 25;
      this.seeded[d] = 1;
    }
    // The phone's temperature relaxes toward its context's (τ = 10 min), 6 °C warmer when charging.
    const target = (CONTEXT_TEMPERATURE[this.context[d]!] ?? 25) + (this.charging[d] ? 6 : 0);
    const a = Math.exp(-(t1 - t0) / 600);
    this.temp[d] = target + a * (this.temp[d]! - target);
    const offset = b.offset_pa * stableNormal(this.offsetKey, d, 0) + b.temperature_coefficient_pa_per_k * (this.temp[d]! - 25);
    if (this.noise.length < pn) this.noise = new Float32Array(pn);
    fillGaussian(this.rng, 4 * d, this.noise, 0, pn, 1, b.noise_pa * this.noiseGain(b));
    const q = b.resolution_pa;
    for (let i = 0; i < pn; i++) {
      const t = (pk0 + i) / pfs;
      const f = (t - t0) / (t1 - t0);
      const alt = alt0 + f * (alt1 - alt0);
      let p = standardPressure(alt) + this.weather.at(t) + dp[i]! + offset + this.noise[i]!;
      if (q > 0) p = Math.round(p / q) * q;
      out[i] = p;
    }
  }
}

export { CONTEXT_CODE };
