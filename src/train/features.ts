/**
 * Window features of the baseline classifier, computed the same way in TypeScript (float64, for
 * training) and inside the exported ONNX graph (float32, see onnx-export.ts), so a model takes raw
 * windows `[batch, channels, samples]` and nothing has to be reimplemented on the device side.
 *
 * Every feature uses the accelerometer channels only (the first three) and is orientation-free:
 * the window's mean (gravity, as the phone lies) is removed per axis and what remains is the
 * dynamic acceleration vector d(t).
 *
 * | feature | what it measures |
 * |---|---|
 * | log_rms | ln(RMS of ‖d‖ + 1e-4 m/s²): how strong the shaking is |
 * | log_peak | ln(max ‖d‖ + 1e-4): impulses stand out from steady shaking |
 * | log_band_0.5_2 … log_band_10_20 | ln(Hann-windowed power in 0.5–2, 2–5, 5–10, 10–20 Hz, summed over axes + 1e-10) |
 * | centroid_hz | power-weighted mean frequency over 0.5–20 Hz (the smooth cousin of the zero-crossing rate) |
 * | rise | ln RMS of the second half − ln RMS of the first half: onsets (a P wave arriving) |
 * | log_tilt | ln(‖mean of second half − mean of first half‖ + 1e-4): the phone turned or moved (handling, drops) |
 * | vertical_share | share of the dynamic power along gravity |
 *
 * The zero-crossing rate is not used as such: it jumps when float32 rounding moves a sample across
 * zero, so ONNX Runtime and TypeScript could disagree by 1/samples; the spectral centroid carries the
 * same information (dominant frequency) continuously.
 */

export const FEATURE_NAMES = [
  'log_rms', 'log_peak', 'log_band_0.5_2', 'log_band_2_5', 'log_band_5_10', 'log_band_10_20', 'centroid_hz', 'rise', 'log_tilt', 'vertical_share',
] as const;

/** Frequency bands of the band-power features, Hz ([low, high)). */
export const BANDS: readonly [number, number][] = [[0.5, 2], [2, 5], [5, 10], [10, 20]];

/** Floors inside logarithms and divisions. */
export const EPS = { amplitude: 1e-4, power: 1e-10, norm: 1e-6, share: 1e-12 } as const;

/** Constants of the spectral features for windows of `samples` samples at `rateHz`. */
export interface SpectralBasis {
  samples: number;
  rateHz: number;
  /** Hann window, [samples]. */
  hann: Float64Array;
  /** DFT bins used (0.5–20 Hz, below Nyquist): their frequencies, Hz. */
  freqs: Float64Array;
  /** cos and sin of the DFT over the bins, scaled by 1/samples: [samples × bins], row-major. */
  cos: Float64Array;
  sin: Float64Array;
  /** Which band each bin belongs to: [bins × bands] of 0/1, row-major. */
  band: Float64Array;
}

export function spectralBasis(samples: number, rateHz: number): SpectralBasis {
  const bins: number[] = [];
  const lo = BANDS[0]![0], hi = BANDS[BANDS.length - 1]![1];
  for (let k = 1; k < samples / 2; k++) {
    const f = (k * rateHz) / samples;
    if (f >= lo && f < hi) bins.push(k);
  }
  if (bins.length === 0) throw new Error(`windows of ${samples} samples at ${rateHz} Hz resolve no frequency between ${lo} and ${hi} Hz`);
  const K = bins.length;
  const hann = new Float64Array(samples);
  for (let i = 0; i < samples; i++) hann[i] = 0.5 - 0.5 * Math.cos((2 * Math.PI * i) / samples);
  const cos = new Float64Array(samples * K), sin = new Float64Array(samples * K);
  for (let i = 0; i < samples; i++) {
    for (let j = 0; j < K; j++) {
      const ph = (2 * Math.PI * bins[j]! * i) / samples;
      cos[i * K + j] = Math.cos(ph) / samples;
      sin[i * K + j] = Math.sin(ph) / samples;
    }
  }
  const freqs = Float64Array.from(bins, (k) => (k * rateHz) / samples);
  const band = new Float64Array(K * BANDS.length);
  freqs.forEach((f, j) => BANDS.forEach(([a, b], m) => { if (f >= a && f < b) band[j * BANDS.length + m] = 1; }));
  return { samples, rateHz, hann, freqs, cos, sin, band };
}

/**
 * Features of one window (float32 `x` at `offset`, laid out [channels][samples]) into `out` at `outOffset`.
 * `scratch` must hold at least 6 × samples values.
 */
export function windowFeatures(x: Float32Array, offset: number, samples: number, basis: SpectralBasis, out: Float64Array, outOffset: number, scratch: Float64Array): void {
  const S = samples, half = S >> 1;
  const d = scratch; // [3][S] dynamic acceleration
  const p = scratch.subarray(3 * S, 4 * S); // ‖d‖² per sample
  const mean = [0, 0, 0], m1 = [0, 0, 0], m2 = [0, 0, 0];
  for (let c = 0; c < 3; c++) {
    let s = 0;
    for (let i = 0; i < S; i++) s += x[offset + c * S + i]!;
    mean[c] = s / S;
    let s1 = 0, s2 = 0;
    for (let i = 0; i < S; i++) {
      const v = x[offset + c * S + i]! - mean[c]!;
      d[c * S + i] = v;
      if (i < half) s1 += v; else s2 += v;
    }
    // Half means of the dynamic part: their difference is the tilt.
    m1[c] = s1 / half; m2[c] = s2 / (S - half);
  }
  let ms = 0, ms1 = 0, ms2 = 0, peak = 0;
  for (let i = 0; i < S; i++) {
    const a = d[i]!, b = d[S + i]!, c = d[2 * S + i]!;
    const q = a * a + b * b + c * c;
    p[i] = q;
    ms += q;
    if (i < half) ms1 += q; else ms2 += q;
    const r = Math.sqrt(q);
    if (r > peak) peak = r;
  }
  ms /= S; ms1 /= half; ms2 /= S - half;
  // Vertical share: power along the unit gravity direction.
  const gn = Math.sqrt(mean[0]! ** 2 + mean[1]! ** 2 + mean[2]! ** 2) + EPS.norm;
  let vs = 0;
  for (let i = 0; i < S; i++) {
    const v = (d[i]! * mean[0]! + d[S + i]! * mean[1]! + d[2 * S + i]! * mean[2]!) / gn;
    vs += v * v;
  }
  vs /= S;
  // Spectrum: Hann-windowed DFT per axis, power summed over axes.
  const K = basis.freqs.length, B = BANDS.length;
  const power = new Float64Array(K);
  const w = scratch.subarray(4 * S, 5 * S);
  for (let c = 0; c < 3; c++) {
    for (let i = 0; i < S; i++) w[i] = d[c * S + i]! * basis.hann[i]!;
    for (let j = 0; j < K; j++) {
      let re = 0, im = 0;
      for (let i = 0; i < S; i++) { re += w[i]! * basis.cos[i * K + j]!; im += w[i]! * basis.sin[i * K + j]!; }
      power[j] += re * re + im * im;
    }
  }
  const bands = new Float64Array(B);
  let total = 0, fw = 0;
  for (let j = 0; j < K; j++) {
    for (let m = 0; m < B; m++) bands[m] += power[j]! * basis.band[j * B + m]!;
    total += power[j]!;
    fw += power[j]! * basis.freqs[j]!;
  }
  const tilt = Math.sqrt((m2[0]! - m1[0]!) ** 2 + (m2[1]! - m1[1]!) ** 2 + (m2[2]! - m1[2]!) ** 2);
  let k = outOffset;
  out[k++] = Math.log(Math.sqrt(ms) + EPS.amplitude);
  out[k++] = Math.log(peak + EPS.amplitude);
  for (let m = 0; m < B; m++) out[k++] = Math.log(bands[m]! + EPS.power);
  out[k++] = fw / (total + EPS.power);
  out[k++] = Math.log(Math.sqrt(ms2) + EPS.amplitude) - Math.log(Math.sqrt(ms1) + EPS.amplitude);
  out[k++] = Math.log(tilt + EPS.amplitude);
  out[k++] = vs / (ms + EPS.share);
}

/** Raw features: every channel of the window with its mean removed, [channels × samples] values. */
export function rawFeatures(x: Float32Array, offset: number, channels: number, samples: number, out: Float64Array, outOffset: number): void {
  for (let c = 0; c < channels; c++) {
    let s = 0;
    for (let i = 0; i < samples; i++) s += x[offset + c * samples + i]!;
    const mean = s / samples;
    for (let i = 0; i < samples; i++) out[outOffset + c * samples + i] = x[offset + c * samples + i]! - mean;
  }
}
