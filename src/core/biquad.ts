/**
 * Second-order IIR sections (biquads) designed as Butterworth low/high-pass filters
 * (bilinear transform with pre-warping, Q = 1/√2), run in direct form II transposed.
 * Filter state lives in caller-owned arrays so per-device filters can sit in columns.
 */

export interface Biquad {
  b0: number;
  b1: number;
  b2: number;
  a1: number;
  a2: number;
}

function design(kind: 'lowpass' | 'highpass', cutoffHz: number, rateHz: number, q = Math.SQRT1_2): Biquad {
  if (!(cutoffHz > 0) || !(cutoffHz < rateHz / 2)) {
    throw new Error(`${kind} cutoff ${cutoffHz} Hz must lie in (0, ${rateHz / 2}) Hz for a ${rateHz} Hz rate`);
  }
  const w0 = (2 * Math.PI * cutoffHz) / rateHz;
  const cos = Math.cos(w0);
  const alpha = Math.sin(w0) / (2 * q);
  const a0 = 1 + alpha;
  if (kind === 'lowpass') {
    return { b0: (1 - cos) / 2 / a0, b1: (1 - cos) / a0, b2: (1 - cos) / 2 / a0, a1: (-2 * cos) / a0, a2: (1 - alpha) / a0 };
  }
  return { b0: (1 + cos) / 2 / a0, b1: -(1 + cos) / a0, b2: (1 + cos) / 2 / a0, a1: (-2 * cos) / a0, a2: (1 - alpha) / a0 };
}

/** Butterworth low-pass biquad. */
export const lowpass = (cutoffHz: number, rateHz: number, q?: number): Biquad => design('lowpass', cutoffHz, rateHz, q);
/** Butterworth high-pass biquad. */
export const highpass = (cutoffHz: number, rateHz: number, q?: number): Biquad => design('highpass', cutoffHz, rateHz, q);

/**
 * Filters `x[off..off+n)` (stride 1) in place through biquad `f` whose two state values are
 * `state[s]`, `state[s+1]`.
 */
export function runBiquad(f: Biquad, state: Float64Array, s: number, x: Float32Array | Float64Array, off: number, n: number): void {
  const { b0, b1, b2, a1, a2 } = f;
  let z1 = state[s]!, z2 = state[s + 1]!;
  for (let i = off, end = off + n; i < end; i++) {
    const v = x[i]!;
    const y = b0 * v + z1;
    z1 = b1 * v - a1 * y + z2;
    z2 = b2 * v - a2 * y;
    x[i] = y;
  }
  state[s] = z1;
  state[s + 1] = z2;
}

/** Magnitude response |H(f)| of a biquad at frequency f (for tests and documentation). */
export function biquadGain(f: Biquad, freqHz: number, rateHz: number): number {
  const w = (2 * Math.PI * freqHz) / rateHz;
  const c1 = Math.cos(w), s1 = Math.sin(w), c2 = Math.cos(2 * w), s2 = Math.sin(2 * w);
  const nr = f.b0 + f.b1 * c1 + f.b2 * c2, ni = -(f.b1 * s1 + f.b2 * s2);
  const dr = 1 + f.a1 * c1 + f.a2 * c2, di = -(f.a1 * s1 + f.a2 * s2);
  return Math.hypot(nr, ni) / Math.hypot(dr, di);
}
