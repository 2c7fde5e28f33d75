/**
 * Earthquake source scaling: seismic moment, Brune corner frequency, body-wave travel times.
 */

/** Seismic moment in N·m from moment magnitude (Hanks & Kanamori 1979, IASPEI 2013 constant). */
export function momentNm(mw: number): number {
  return Math.pow(10, 1.5 * mw + 9.1);
}

/**
 * Brune (1970) corner frequency in Hz: f_c = 4.906e6 · β · (Δσ / M0)^(1/3),
 * β in km/s, Δσ in bar, M0 in dyne·cm (Boore 2003, eq. 4).
 */
export function bruneCornerHz(mw: number, options: { stressDropBar?: number; betaKmS?: number } = {}): number {
  const stress = options.stressDropBar ?? 100;
  const beta = options.betaKmS ?? 3.5;
  const m0DyneCm = momentNm(mw) * 1e7;
  return 4.906e6 * beta * Math.cbrt(stress / m0DyneCm);
}

/** P and S arrival times (s after origin) at hypocentral distance `hypoKm` for velocities in km/s. */
export function travelTimes(hypoKm: number, vpKmS: number, vsKmS: number): { p: number; s: number } {
  return { p: hypoKm / vpKmS, s: hypoKm / vsKmS };
}

/**
 * Rupture length (km) from magnitude for a finite source: Wells & Coppersmith (1994), all slip
 * types, surface rupture length: log10 L = −3.22 + 0.69 M.
 */
export function ruptureLengthKm(mw: number): number {
  return Math.pow(10, -3.22 + 0.69 * mw);
}
