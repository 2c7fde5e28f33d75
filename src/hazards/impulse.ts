/**
 * Transient signal shapes shared by hazards and nuisance sources, rendered into a block of samples
 * at times (k0 + i)/fs:
 * - damped oscillations a·e^(−ζωτ)·sin(ω_d τ), τ = t − t_hit ≥ 0 (vehicle suspension, pile blows);
 * - half-sine pulses averaged over each sample interval, so a pulse shorter than a sample keeps
 *   its area (what an accelerometer's output filter delivers) instead of vanishing between samples.
 */

/** Adds amp·e^(−ζωτ)·sin(ω_d τ) for τ ∈ [0, ~6 time constants] to out[0..n) (sample i at (k0+i)/fs). */
export function addDampedSine(out: Float32Array, k0: number, n: number, fs: number, tHit: number, amp: number, freqHz: number, zeta: number): void {
  const f = Math.min(freqHz, 0.45 * fs);
  const w = 2 * Math.PI * f;
  const wd = w * Math.sqrt(Math.max(1e-6, 1 - zeta * zeta));
  const decay = zeta * w;
  const end = tHit + 6 / Math.max(decay, 1e-3);
  const i0 = Math.max(0, Math.ceil(tHit * fs - k0));
  const i1 = Math.min(n, Math.floor(end * fs - k0) + 1);
  for (let i = i0; i < i1; i++) {
    const tau = (k0 + i) / fs - tHit;
    out[i] = out[i]! + amp * Math.exp(-decay * tau) * Math.sin(wd * tau);
  }
}

/** Time (s) after which a damped sine has decayed to e^−6 of its amplitude. */
export function dampedSineDuration(freqHz: number, zeta: number): number {
  return 6 / Math.max(zeta * 2 * Math.PI * freqHz, 1e-3);
}

/**
 * Adds a half-sine pulse of peak `amp` lasting `dur` seconds from `t0`, averaged over each sample
 * interval [t − 1/(2fs), t + 1/(2fs)] (exact integral of the half sine).
 */
export function addHalfSine(out: Float32Array, k0: number, n: number, fs: number, t0: number, dur: number, amp: number): void {
  const dt = 1 / fs;
  const i0 = Math.max(0, Math.floor((t0 - dt / 2) * fs - k0));
  const i1 = Math.min(n, Math.ceil((t0 + dur + dt / 2) * fs - k0) + 1);
  const w = Math.PI / dur;
  // ∫ sin(w(t − t0)) dt = −cos(w(t − t0))/w on the overlap of the sample window and the pulse.
  for (let i = i0; i < i1; i++) {
    const t = (k0 + i) / fs;
    const a = Math.max(t - dt / 2, t0), b = Math.min(t + dt / 2, t0 + dur);
    if (b <= a) continue;
    const area = (Math.cos(w * (a - t0)) - Math.cos(w * (b - t0))) / w;
    out[i] = out[i]! + (amp * area) / dt;
  }
}
