/**
 * Resampling of recorded signals to a device's rate: uneven samples are first interpolated onto a
 * uniform grid at their mean rate; when the target rate is lower, a zero-phase low-pass (4th-order
 * Butterworth run forward and backward) at 0.4 × the target rate removes what would alias; the
 * result is then interpolated linearly at the target rate.
 */
import { lowpass, runBiquad } from './biquad.js';

export interface Samples {
  /** Uniform rate (Hz); when absent, `times` gives each sample's time (s). */
  rate?: number;
  times?: Float64Array;
  values: Float64Array;
}

/** Linear interpolation of (times, values) at t (clamped to the ends). */
function interp(times: Float64Array, values: Float64Array, t: number, hint: { i: number }): number {
  let i = hint.i;
  const n = times.length;
  while (i < n - 2 && times[i + 1]! <= t) i++;
  while (i > 0 && times[i]! > t) i--;
  hint.i = i;
  const t0 = times[i]!, t1 = times[i + 1]!;
  if (t <= t0) return values[i]!;
  if (t >= t1) return values[i + 1]!;
  return values[i]! + ((t - t0) / (t1 - t0)) * (values[i + 1]! - values[i]!);
}

/** Zero-phase low-pass in place: two Butterworth sections forward, then backward. */
export function zeroPhaseLowpass(x: Float64Array, cutoffHz: number, rateHz: number): void {
  const f = lowpass(cutoffHz, rateHz);
  const st = new Float64Array(4);
  runBiquad(f, st, 0, x, 0, x.length);
  runBiquad(f, st, 2, x, 0, x.length);
  x.reverse();
  st.fill(0);
  runBiquad(f, st, 0, x, 0, x.length);
  runBiquad(f, st, 2, x, 0, x.length);
  x.reverse();
}

/** Resamples to `targetHz`; returns the values on the grid 0, 1/targetHz, ... up to the last sample time. */
export function resample(s: Samples, targetHz: number): Float64Array {
  let rate: number;
  let uniform: Float64Array;
  if (s.rate !== undefined) {
    rate = s.rate;
    uniform = Float64Array.from(s.values);
  } else {
    const t = s.times!;
    const span = t[t.length - 1]! - t[0]!;
    rate = (t.length - 1) / span;
    const n = Math.floor(span * rate) + 1;
    uniform = new Float64Array(n);
    const hint = { i: 0 };
    for (let k = 0; k < n; k++) uniform[k] = interp(t, s.values, t[0]! + k / rate, hint);
  }
  if (Math.abs(rate - targetHz) < 1e-9) return uniform;
  if (targetHz < rate) zeroPhaseLowpass(uniform, 0.4 * targetHz, rate);
  const duration = (uniform.length - 1) / rate;
  const n = Math.floor(duration * targetHz + 1e-9) + 1;
  const out = new Float64Array(n);
  for (let k = 0; k < n; k++) {
    const x = (k / targetHz) * rate;
    const i = Math.min(Math.floor(x), uniform.length - 2);
    const f = x - i;
    out[k] = uniform[i]! + f * (uniform[i + 1]! - uniform[i]!);
  }
  return out;
}
