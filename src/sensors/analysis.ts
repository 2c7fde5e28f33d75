/**
 * Signal analysis for characterising sensor models the way instruments are characterised:
 * overlapping Allan deviation (IEEE Std 952 style) and Welch's averaged one-sided power spectral
 * density (fft.js, Hann window, 50 % overlap).
 */
import FFT from 'fft.js';

/**
 * Overlapping Allan deviation of samples at `rate` Hz for cluster times τ (s): σ(τ) with
 * σ²(τ) = 1/(2(N−2m+1)) Σ (ȳ_{k+m} − ȳ_k)², ȳ the mean over m = τ·rate samples.
 */
export function allanDeviation(x: ArrayLike<number>, rate: number, taus: readonly number[]): number[] {
  const n = x.length;
  const cum = new Float64Array(n + 1);
  for (let i = 0; i < n; i++) cum[i + 1] = cum[i]! + x[i]!;
  return taus.map((tau) => {
    const m = Math.max(1, Math.round(tau * rate));
    const count = n - 2 * m + 1;
    if (count < 1) return NaN;
    let s = 0;
    for (let k = 0; k < count; k++) {
      const a = (cum[k + m]! - cum[k]!) / m;
      const b = (cum[k + 2 * m]! - cum[k + m]!) / m;
      s += (b - a) ** 2;
    }
    return Math.sqrt(s / (2 * count));
  });
}

/** Welch one-sided PSD (units²/Hz) with segments of `nfft` (a power of two) samples; returns [freqs, psd]. */
export function welchPsd(x: ArrayLike<number>, rate: number, nfft = 1024): [Float64Array, Float64Array] {
  const fft = new FFT(nfft);
  const win = Float64Array.from({ length: nfft }, (_, i) => 0.5 - 0.5 * Math.cos((2 * Math.PI * i) / nfft));
  const u = win.reduce((s, w) => s + w * w, 0);
  const input = fft.createComplexArray() as number[];
  const out = fft.createComplexArray() as number[];
  const psd = new Float64Array(nfft / 2 + 1);
  let segments = 0;
  let mean = 0;
  for (let i = 0; i < x.length; i++) mean += x[i]!;
  mean /= x.length;
  for (let start = 0; start + nfft <= x.length; start += nfft / 2) {
    for (let i = 0; i < nfft; i++) {
      input[2 * i] = (x[start + i]! - mean) * win[i]!;
      input[2 * i + 1] = 0;
    }
    fft.transform(out, input);
    for (let k = 0; k <= nfft / 2; k++) psd[k] = psd[k]! + out[2 * k]! ** 2 + out[2 * k + 1]! ** 2;
    segments++;
  }
  const freqs = new Float64Array(nfft / 2 + 1);
  for (let k = 0; k <= nfft / 2; k++) {
    freqs[k] = (k * rate) / nfft;
    const one = k === 0 || k === nfft / 2 ? 1 : 2;
    psd[k] = (one * psd[k]!) / (segments * rate * u);
  }
  return [freqs, psd];
}

/** Frequency (Hz) of the largest PSD value within [lo, hi]. */
export function dominantFrequency(x: ArrayLike<number>, rate: number, lo: number, hi: number, nfft = 2048): number {
  const [f, p] = welchPsd(x, rate, nfft);
  let best = -1, bestF = NaN;
  for (let k = 0; k < f.length; k++) if (f[k]! >= lo && f[k]! <= hi && p[k]! > best) { best = p[k]!; bestF = f[k]!; }
  return bestF;
}
