/**
 * Acceleration envelopes after Cua & Heaton (2007): each body-wave phase rises linearly for t_r,
 * stays flat for Δt, then decays as a power law with offset τ and exponent γ:
 *
 *   E(t) = A (t − t0)/t_r                        t0 ≤ t < t0 + t_r
 *        = A                                     t0 + t_r ≤ t < t0 + t_r + Δt
 *        = A (τ / (t − t0 − t_r − Δt + τ))^γ       after
 *
 * (We scale the decay by τ^γ so the envelope is continuous at the end of the plateau; the published
 * form A/(t' + τ)^γ jumps there.) Each of t_r, Δt, τ, γ follows log10 x = αM + βR + ε log10 R + μ,
 * and the phase amplitude follows log10 A = aM − b(R1 + C(M)) − d log10(R1 + C(M)) + e with
 * C(M) = c1 exp(c2 (M − 5)) (atan(M − 5) + 1.4), R1 = √(Rjb² + 9) km (Rjb the epicentral distance of a
 * point source; 9 km² as in ShakeAlert's and MyShake's implementations of these relations), A in cm/s².
 *
 * Cua, G. and T. Heaton (2007), "The Virtual Seismologist (VS) method: a Bayesian approach to
 * earthquake early warning", in Earthquake Early Warning Systems, Springer; Cua (2005) Caltech
 * thesis, Tables 2.2–2.4. Coefficients for acceleration (horizontal H, vertical Z; rock R for
 * NEHRP BC and above, soil S otherwise) as tabulated there.
 */

export type Component = 'H' | 'Z';
export type Phase = 'P' | 'S';
export type SiteClass = 'rock' | 'soil';

interface Law { alpha: number; beta: number; eps: number; mu: number }
interface EnvelopeCoefficients { tr: Law; dt: Law; tau: Law; gamma: Law }
interface AmplitudeCoefficients { a: number; b: number; c1: number; c2: number; d: number; e: number; sigma: number }

const L = (alpha: number, beta: number, eps: number, mu: number): Law => ({ alpha, beta, eps, mu });

const ENVELOPE: Record<string, EnvelopeCoefficients> = {
  'P-H-rock': { tr: L(0.06, 5.5e-4, 0.27, -0.37), dt: L(0, 2.58e-3, 0.21, -0.22), tau: L(0.047, 0, 0.48, -0.75), gamma: L(-0.032, -1.81e-3, -0.1, 0.64) },
  'P-H-soil': { tr: L(0.07, 1.2e-3, 0.24, -0.38), dt: L(0.03, 2.37e-3, 0.39, -0.59), tau: L(0.087, -1.89e-3, 0.58, -0.87), gamma: L(-0.048, -1.42e-3, -0.13, 0.71) },
  'S-H-rock': { tr: L(0.064, 0, 0.48, -0.89), dt: L(0, -4.87e-4, 0.13, 0.0024), tau: L(0.037, 0, 0.39, -0.59), gamma: L(-0.014, -5.28e-4, -0.11, 0.26) },
  'S-H-soil': { tr: L(0.055, 1.21e-3, 0.34, -0.66), dt: L(0.028, 0, 0.07, -0.102), tau: L(0.0557, -8.2e-4, 0.51, -0.68), gamma: L(-0.015, -5.89e-4, -0.163, 0.23) },
  'P-Z-rock': { tr: L(0.06, 7.45e-4, 0.37, -0.51), dt: L(0, 2.75e-3, 0.17, -0.24), tau: L(0.03, 0, 0.58, -0.97), gamma: L(-0.027, -1.75e-3, -0.18, 0.74) },
  'P-Z-soil': { tr: L(0.06, 5.87e-4, 0.23, -0.37), dt: L(0, 1.76e-3, 0.36, -0.48), tau: L(0.057, -1.36e-3, 0.63, -0.96), gamma: L(-0.024, -1.6e-3, -0.24, 0.84) },
  'S-Z-rock': { tr: L(0.069, 0, 0.49, -0.97), dt: L(0.03, -1.4e-3, 0.22, -0.17), tau: L(0.031, 0, 0.34, -0.44), gamma: L(0.015, -4.64e-4, -0.12, 0.26) },
  'S-Z-soil': { tr: L(0.059, 2.18e-3, 0.26, -0.66), dt: L(0.03, -1.78e-3, 0.31, -0.31), tau: L(0.06, -1.45e-3, 0.51, -0.6), gamma: L(-0.02, 0, -0.24, 0.38) },
};

const AMPLITUDE: Record<string, AmplitudeCoefficients> = {
  'P-H-rock': { a: 0.72, b: 3.3e-3, c1: 1.6, c2: 1.05, d: 1.2, e: -1.06, sigma: 0.31 },
  'P-H-soil': { a: 0.74, b: 3.3e-3, c1: 2.41, c2: 0.95, d: 1.26, e: -1.05, sigma: 0.29 },
  'S-H-rock': { a: 0.733, b: 7.216e-4, c1: 1.16, c2: 0.96, d: 1.48, e: -0.4202, sigma: 0.3069 },
  'S-H-soil': { a: 0.709, b: 2.3878e-3, c1: 1.722, c2: 0.956, d: 1.4386, e: -0.024525, sigma: 0.3261 },
  'P-Z-rock': { a: 0.74, b: 4.01e-3, c1: 1.75, c2: 1.09, d: 1.2, e: -0.96, sigma: 0.29 },
  'P-Z-soil': { a: 0.74, b: 5.17e-7, c1: 2.03, c2: 0.97, d: 1.2, e: -0.77, sigma: 0.31 },
  'S-Z-rock': { a: 0.78, b: 2.7e-3, c1: 1.76, c2: 1.11, d: 1.38, e: -0.75, sigma: 0.3 },
  'S-Z-soil': { a: 0.75, b: 2.47e-3, c1: 1.59, c2: 1.01, d: 1.47, e: -0.36, sigma: 0.3 },
};

/** Vs30 at or above which a site counts as "rock" (NEHRP BC and above) for the envelope tables. */
export const ROCK_VS30 = 560;

export const siteClassOf = (vs30: number): SiteClass => (vs30 >= ROCK_VS30 ? 'rock' : 'soil');

const law = (l: Law, m: number, r: number): number => Math.pow(10, l.alpha * m + l.beta * r + l.eps * Math.log10(r) + l.mu);

export interface PhaseEnvelope {
  /** Rise time, s. */
  rise: number;
  /** Plateau duration, s. */
  plateau: number;
  /** Decay offset τ, s. */
  tau: number;
  /** Decay exponent γ. */
  gamma: number;
  /** Median phase amplitude, m/s² (relative scale; the synthesis rescales to the GMPE). */
  amplitude: number;
}

/**
 * Envelope shape and median amplitude of one phase on one component.
 * `distanceKm` is the source–site distance for the shape laws (R ≥ 1 km is enforced to keep the
 * logarithms finite); `rjbKm`, the horizontal distance, sets the amplitude.
 */
export function phaseEnvelope(phase: Phase, component: Component, site: SiteClass, magnitude: number, distanceKm: number, rjbKm = distanceKm): PhaseEnvelope {
  const key = `${phase}-${component}-${site}`;
  const e = ENVELOPE[key]!;
  const a = AMPLITUDE[key]!;
  const r = Math.max(1, distanceKm);
  const cm = a.c1 * Math.exp(a.c2 * (magnitude - 5)) * (Math.atan(magnitude - 5) + 1.4);
  const r1 = Math.sqrt(rjbKm * rjbKm + 9);
  const log10A = a.a * magnitude - a.b * (r1 + cm) - a.d * Math.log10(r1 + cm) + a.e;
  return {
    rise: law(e.tr, magnitude, r),
    plateau: law(e.dt, magnitude, r),
    tau: law(e.tau, magnitude, r),
    gamma: law(e.gamma, magnitude, r),
    amplitude: Math.pow(10, log10A) * 0.01,
  };
}

/** Value of a phase envelope (with unit amplitude) `dt` seconds after the phase arrival. */
export function envelopeAt(env: PhaseEnvelope, dt: number): number {
  if (dt < 0) return 0;
  if (dt < env.rise) return dt / env.rise;
  const t2 = dt - env.rise - env.plateau;
  if (t2 < 0) return 1;
  return Math.pow(env.tau / (t2 + env.tau), env.gamma);
}

/** Seconds after the arrival at which a unit envelope has decayed to `fraction`. */
export function envelopeDecayTime(env: PhaseEnvelope, fraction: number): number {
  return env.rise + env.plateau + env.tau * (Math.pow(fraction, -1 / env.gamma) - 1);
}
